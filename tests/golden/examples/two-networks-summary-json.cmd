summary --format=json tests/golden/examples/two-networks.net
