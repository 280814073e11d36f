build examples/vgg16.net --emit=steps
