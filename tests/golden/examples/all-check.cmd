check examples/seed.net examples/mnist.net examples/lenet5.net examples/alexnet.net examples/vgg16.net examples/resnet18.net examples/mobilenet.net
