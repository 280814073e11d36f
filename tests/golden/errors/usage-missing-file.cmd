check tests/golden/errors/does-not-exist.net
