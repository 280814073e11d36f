check --format=json examples/mobilenet.net
