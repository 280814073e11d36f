check --format=sarif tests/onnx/models/unsupported-13.onnx
