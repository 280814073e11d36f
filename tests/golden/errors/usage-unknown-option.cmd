check --frobnicate examples/seed.net
