check --format=json tests/golden/errors/syntax-recovery.net
