check --format=sarif tests/golden/errors/import-error-in-block.net
