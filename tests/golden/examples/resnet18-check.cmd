check examples/resnet18.net
