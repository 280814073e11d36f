check tests/golden/errors/binary/weights.safetensors
