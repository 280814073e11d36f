check -Werror -Wno-error=param-hotspot examples/seed.net
