check --format=json tests/onnx/models/unsupported-13.onnx
