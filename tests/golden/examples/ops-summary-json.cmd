summary --format=json tests/golden/examples/ops.net
