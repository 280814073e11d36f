summary tests/golden/errors/import-ok.net
