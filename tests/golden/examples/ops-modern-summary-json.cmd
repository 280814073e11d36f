summary --format=json tests/golden/examples/ops-modern.net
