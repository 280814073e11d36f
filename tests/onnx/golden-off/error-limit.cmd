check --color=never --error-limit=3 tests/onnx/hostile/many-empty-nodes.onnx
