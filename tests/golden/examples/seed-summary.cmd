summary examples/seed.net
