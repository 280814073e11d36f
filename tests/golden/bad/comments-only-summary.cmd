summary tests/golden/bad/comments-only.net
