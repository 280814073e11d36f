#!/bin/sh
# shellcheck disable=SC2059 # $head is part of the format on purpose: it holds \n
# make.sh OUTDIR: binary reproducers of open bugs (see README.md), for
# `run.sh --bad NETC tests/golden/pending`. Each must make `netc check` exit 1
# with a located error and valid UTF-8 JSON; today they do not all.
set -e
LC_ALL=C
export LC_ALL
out=${1:?usage: make.sh OUTDIR}
mkdir -p "$out"
cd "$out"

head='network n {\n    x = input(shape=(8));\n'

# Not UTF-8, taken for characters: a surrogate (U+D800 as ED A0 80), an
# overlong 3-byte form (E0 80 80) and a code point above U+10FFFF
# (F4 90 80 80). netc quotes the bytes in its message, so its JSON is not
# UTF-8.
printf "${head}"'    y = relu(\355\240\200);\n}\n' >utf8-surrogate.net
printf "${head}"'    y = relu(\340\200\200);\n}\n' >utf8-overlong-3.net
printf "${head}"'    y = relu(\364\220\200\200);\n}\n' >utf8-above-10ffff.net
