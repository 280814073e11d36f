check --format=sarif tests/golden/errors/binary/model.onnx
