build examples/resnet18.net --emit=steps
