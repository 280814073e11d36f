summary examples/alexnet.net
