summary --format=json examples/efficientnet_b0.net
