summary --format=json --network tiny tests/golden/examples/two-networks.net
