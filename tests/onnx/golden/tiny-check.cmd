check --color=never tests/onnx/models/tiny-13.onnx
