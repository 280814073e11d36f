summary --format=json examples/lenet5.net
