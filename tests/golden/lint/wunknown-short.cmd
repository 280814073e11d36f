check -Wunse examples/seed.net
