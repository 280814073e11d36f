check examples/vgg16.net
