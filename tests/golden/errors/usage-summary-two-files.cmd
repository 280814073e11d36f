summary examples/seed.net examples/mnist.net
