check -Wstride-gaps examples/seed.net
