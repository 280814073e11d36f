check tests/golden/errors/binary/utf16.net
