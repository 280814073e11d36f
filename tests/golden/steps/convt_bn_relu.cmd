build tests/numerics/fixtures/convt_bn_relu/model.net --emit=steps
