summary tests/golden/examples/ops.net
