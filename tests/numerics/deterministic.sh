#!/bin/sh
# deterministic.sh NETC: `netc build` writes the same bytes on every run for
# the same inputs (the .c, the .h, and a binary's generated sources).
set -eu
netc=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
for net in mnist resnet18 mobilenet; do
    for k in 1 2; do
        mkdir -p "$work/$k"
        "$netc" build "$root/examples/$net.net" --random-weights=5 -o "$work/$k/$net.c" 2>/dev/null
    done
    if cmp -s "$work/1/$net.c" "$work/2/$net.c" && cmp -s "$work/1/$net.h" "$work/2/$net.h"; then
        passed=$((passed + 1))
    else
        echo "FAIL $net: two builds differ"
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
