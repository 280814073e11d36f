check --format=json examples/seed.net
