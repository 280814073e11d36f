build tests/numerics/fixtures/winograd/model.net --emit=steps
