summary --format=json examples/mobilenet.net
