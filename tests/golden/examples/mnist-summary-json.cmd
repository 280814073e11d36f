summary --format=json examples/mnist.net
