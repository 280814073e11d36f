check -Werror --format=json tests/golden/lint/rf-coverage.net
