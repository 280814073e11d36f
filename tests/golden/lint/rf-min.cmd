check --rf-min=0.75 tests/golden/lint/rf-coverage-ok.net
