check tests/golden/examples/ops.net
