build tests/numerics/fixtures/flatten_chw_dense/model.net --emit=steps
