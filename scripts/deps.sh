#!/bin/sh
# Installs the Debian packages netc needs to build and test, where missing:
#     sh scripts/deps.sh [--build]
# Safe to run again: it installs nothing that is already there.
set -eu

# With --build, only what building netc needs (the GitHub Action, action.yml,
# installs no more than that).
build="gcc make cmake flex bison libcjson-dev"
need="$build git libcmocka-dev python3 python3-jsonschema python3-yaml graphviz groff-base"
# python3-jsonschema validates the SARIF output, graphviz the DOT output,
# groff-base formats the man page and python3-yaml reads action.yml and
# .pre-commit-hooks.yaml in the tests. Optional: clang (with libFuzzer)
# builds the fuzz target; pre-commit runs the hooks as a user's commit does;
# protobuf-c (library and protoc-c) with ONNX's schema (libonnx-dev) makes
# the ONNX import (docs/import.md); llvm-14-dev gives netc its LLVM back
# end (docs/build.md; -DNETC_LLVM=AUTO finds it). Optional too: an AArch64
# cross compiler with its C library and qemu-user build the generated C and
# the LLVM back end's objects for AArch64 and run them (tests/cross/,
# tests/llvm/).
want="clang libclang-rt-14-dev pre-commit libprotobuf-c-dev protobuf-c-compiler libonnx-dev"
want="$want llvm-14-dev gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user"
if [ "${1:-}" = "--build" ]; then
    need=$build
    want=""
fi

missing=""
for p in $need $want; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
else
    echo "netc: missing packages:$missing (run as root to install them)" >&2
    exit 1
fi
echo "netc: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# the required ones must install; the optional ones may be unavailable
$sudo apt-get install -y -qq --no-install-recommends $need >/dev/null
for p in $want; do
    $sudo apt-get install -y -qq --no-install-recommends "$p" >/dev/null 2>&1 ||
        echo "netc: optional package $p not installed" >&2
done
