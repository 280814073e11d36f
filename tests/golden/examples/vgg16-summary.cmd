summary examples/vgg16.net
