summary --format=json tests/golden/lint/rf-misaligned-jump.net
