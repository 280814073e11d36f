check tests/golden/errors/binary/image.npy
