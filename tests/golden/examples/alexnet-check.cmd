check examples/alexnet.net
