check --network=small tests/golden/examples/two-networks.net
