check -Werror tests/golden/lint/rf-coverage.net
