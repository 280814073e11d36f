build tests/numerics/fixtures/conv_cblock/model.net --emit=steps
