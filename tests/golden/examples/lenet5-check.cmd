check examples/lenet5.net
