check --suggest-input=560-600 examples/unet.net examples/resnet18.net
