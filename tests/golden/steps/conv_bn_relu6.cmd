build tests/numerics/fixtures/conv_bn_relu6/model.net --emit=steps
