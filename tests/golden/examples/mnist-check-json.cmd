check --format=json examples/mnist.net
