frobnicate examples/seed.net
