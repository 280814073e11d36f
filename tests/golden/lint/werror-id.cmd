check -Werror=param-hotspot examples/seed.net
