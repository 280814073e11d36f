check --format=json tests/golden/errors/binary/model.onnx
