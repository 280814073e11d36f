check --format=json examples/mobilenet_v3_small.net
