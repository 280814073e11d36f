check -Wno-unknown-warning tests/golden/lint/unknown-warning.net
