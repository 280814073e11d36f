build tests/numerics/fixtures/resblock/model.net --emit=steps
