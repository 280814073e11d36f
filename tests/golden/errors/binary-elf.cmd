check tests/golden/errors/binary/ls
