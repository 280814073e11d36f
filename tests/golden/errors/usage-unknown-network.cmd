check --network nope examples/seed.net
