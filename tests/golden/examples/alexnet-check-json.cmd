check --format=json examples/alexnet.net
