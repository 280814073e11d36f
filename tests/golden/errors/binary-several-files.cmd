check examples/seed.net tests/golden/errors/binary/ls tests/cli/inputs/syntax.net
