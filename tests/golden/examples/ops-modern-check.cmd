check tests/golden/examples/ops-modern.net
