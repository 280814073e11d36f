check --error-limit=1 tests/golden/errors/error-limit-warnings.net
