summary --format=json examples/seed.net
