check --suggest-input=600-500 examples/unet.net
