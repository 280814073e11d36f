summary --format=json examples/unet.net
