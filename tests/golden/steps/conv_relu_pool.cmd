build tests/numerics/fixtures/conv_relu_pool/model.net --emit=steps
