build tests/numerics/fixtures/conv_relu_bn/model.net --emit=steps
