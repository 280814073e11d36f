summary examples/shufflenet_v2.net
