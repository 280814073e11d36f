summary tests/golden/errors/binary/ls
