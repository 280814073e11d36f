summary tests/golden/examples/ops-modern.net
