summary tests/onnx/models/ops-13.onnx
