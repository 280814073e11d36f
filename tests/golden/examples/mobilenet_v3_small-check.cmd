check examples/mobilenet_v3_small.net
