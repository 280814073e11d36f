summary tests/golden/errors/shape-add.net
