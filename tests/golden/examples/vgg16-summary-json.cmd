summary --format=json examples/vgg16.net
