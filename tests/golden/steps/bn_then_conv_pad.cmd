build tests/numerics/fixtures/bn_then_conv_pad/model.net --emit=steps
