summary examples/lenet5.net
