summary examples/mnist.net
