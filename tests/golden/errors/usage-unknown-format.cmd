check --format=xml examples/seed.net
