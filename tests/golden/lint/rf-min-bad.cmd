check --rf-min=1.5 examples/seed.net
