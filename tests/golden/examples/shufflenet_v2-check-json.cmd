check --format=json examples/shufflenet_v2.net
