check --error-limit=1 tests/golden/errors/error-limit.net tests/golden/errors/undefined.net
