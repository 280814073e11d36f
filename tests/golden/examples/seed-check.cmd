check examples/seed.net
