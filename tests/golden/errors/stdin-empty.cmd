check --format=json -
