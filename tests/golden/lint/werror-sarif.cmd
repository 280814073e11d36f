check --format=sarif -Werror=param-hotspot examples/seed.net examples/mnist.net
