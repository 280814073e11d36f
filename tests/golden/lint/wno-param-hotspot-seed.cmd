check -Wno-param-hotspot examples/seed.net
