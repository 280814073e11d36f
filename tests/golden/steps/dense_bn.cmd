build tests/numerics/fixtures/dense_bn/model.net --emit=steps
