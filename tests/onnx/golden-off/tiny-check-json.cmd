check --format=json tests/onnx/models/tiny-13.onnx
