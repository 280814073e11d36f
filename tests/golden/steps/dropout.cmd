build tests/numerics/fixtures/dropout/model.net --emit=steps
