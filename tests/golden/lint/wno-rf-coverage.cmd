check -Wno-rf-coverage tests/golden/lint/rf-coverage.net
