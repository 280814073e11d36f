check examples/mnist.net
