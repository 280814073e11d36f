summary examples/efficientnet_b0.net
