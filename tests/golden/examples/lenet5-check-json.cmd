check --format=json examples/lenet5.net
