check --color=never tests/onnx/hostile/dims-mismatch.onnx
