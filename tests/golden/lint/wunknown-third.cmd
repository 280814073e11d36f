check -Wno-error=bias-bfor-nrm examples/seed.net
