check examples/unet.net
