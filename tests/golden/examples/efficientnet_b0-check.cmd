check examples/efficientnet_b0.net
