summary tests/golden/bad/empty.net
