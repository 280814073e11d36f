summary examples/resnet18.net
