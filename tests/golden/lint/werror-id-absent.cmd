check -Werror=stride-gap examples/seed.net
