check --format=json examples/vgg16.net
