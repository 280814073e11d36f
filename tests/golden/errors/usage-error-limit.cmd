check --error-limit=-1 examples/seed.net
