summary tests/golden/lint/stride-gap-ok.net
