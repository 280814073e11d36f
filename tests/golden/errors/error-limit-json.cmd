check --format=json --error-limit=2 tests/golden/errors/error-limit.net
