summary tests/golden/examples/two-networks.net
