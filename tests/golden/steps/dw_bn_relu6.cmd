build tests/numerics/fixtures/dw_bn_relu6/model.net --emit=steps
