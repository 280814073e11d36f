check --rf-min=0.2 tests/golden/lint/rf-coverage.net
