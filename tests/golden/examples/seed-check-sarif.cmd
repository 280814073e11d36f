check --format=sarif examples/seed.net
