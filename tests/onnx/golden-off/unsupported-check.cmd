check --color=never tests/onnx/models/unsupported-13.onnx
