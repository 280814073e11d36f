build examples/alexnet.net --emit=steps
