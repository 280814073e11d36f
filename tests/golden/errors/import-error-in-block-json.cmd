check --format=json tests/golden/errors/import-error-in-block.net
