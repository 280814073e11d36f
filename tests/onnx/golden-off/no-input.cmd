check tests/golden/errors/binary/model.onnx
