check --format=json --suggest-input=100-200 examples/unet.net
