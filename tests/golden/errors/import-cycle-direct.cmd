check tests/golden/errors/imports/cycle-a.net
