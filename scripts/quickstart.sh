#!/bin/sh
# The README's first command: installs what is missing, builds netc, and
# runs it on two examples.
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
echo "\$ build/netc summary examples/mnist.net"
build/netc summary examples/mnist.net
echo
echo "\$ build/netc check examples/seed.net"
build/netc check examples/seed.net
