summary --format=json examples/alexnet.net
