build examples/lenet5.net --emit=steps
