check --format=json examples/unet.net
