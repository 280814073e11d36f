build examples/mnist.net --emit=steps
