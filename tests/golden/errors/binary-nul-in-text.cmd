check tests/golden/errors/binary/nul-in-text.net
