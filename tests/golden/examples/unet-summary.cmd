summary examples/unet.net
