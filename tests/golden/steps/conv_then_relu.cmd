build tests/numerics/fixtures/conv_then_relu/model.net --emit=steps
