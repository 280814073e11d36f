summary tests/golden/errors/binary/model.onnx
