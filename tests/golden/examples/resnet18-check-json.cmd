check --format=json examples/resnet18.net
