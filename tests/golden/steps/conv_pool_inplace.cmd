build tests/numerics/fixtures/conv_pool_inplace/model.net --emit=steps
