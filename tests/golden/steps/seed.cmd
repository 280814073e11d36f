build examples/seed.net --emit=steps
