summary --format=json tests/golden/lint/rf-misaligned.net
