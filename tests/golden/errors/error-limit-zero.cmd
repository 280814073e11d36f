check --error-limit=0 tests/golden/errors/error-limit.net
