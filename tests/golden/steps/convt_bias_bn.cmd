build tests/numerics/fixtures/convt_bias_bn/model.net --emit=steps
