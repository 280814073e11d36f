#!/bin/sh
# backends.sh: the C back end against the LLVM back end, build time and run
# time, on the example networks.
#
#     sh bench/backends.sh [--nets a,b,...] [--ms MS] NETC
#
# NETC must be built with LLVM (-DNETC_LLVM=ON). For each network
# (tests/numerics/examples/NAME; default mnist,mobilenet,resnet18), with
# the seed of that example:
#   build: the wall time of `netc build NET -o BINARY` (the C back end: C
#          source, then $CC with NETC_CFLAGS, default -O3 -march=native)
#          and of `netc build NET --backend=llvm -o BINARY` (LLVM's
#          default<O3> for the host CPU, then $CC links), best of 3;
#   run:   the fastest and the median call of NAME_run_ws, one thread, in
#          bench/backend_harness.c linked with the C back end's model.c
#          (weights in a file, --weights-file) or with the LLVM back end's
#          model.o, both by $CC -O3 -march=native, for MS ms (default 2000).
# Prints one line per network and back end, and the ratios. Not a test:
# timings depend on the machine and on what else runs on it.

set -eu
nets=mnist,mobilenet,resnet18
ms=2000
while [ $# -gt 1 ]; do
    case $1 in
    --nets) nets=$2; shift 2 ;;
    --ms) ms=$2; shift 2 ;;
    *) break ;;
    esac
done
if [ $# -ne 1 ]; then
    echo "usage: sh bench/backends.sh [--nets a,b,...] [--ms MS] NETC" >&2
    exit 2
fi
NETC=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CC=${CC:-cc}
work=$(mktemp -d "${TMPDIR:-/tmp}/netc-backends.XXXXXX")
trap 'rm -rf "$work"' EXIT

# seconds NAME COMMAND...: the best wall time of 3 runs, in seconds
seconds() {
    best=""
    for r in 1 2 3; do
        t0=$(date +%s.%N)
        "$@" >"$work/log" 2>&1 || { cat "$work/log" >&2; exit 1; }
        t1=$(date +%s.%N)
        best=$(echo "$t0 $t1 ${best:-1e9}" | awk '{d = $2 - $1; print (d < $3 ? d : $3)}')
    done
    echo "$best"
}

printf '%-12s %-5s %9s %10s %10s\n' network back build_s run_min_ms run_med_ms
for name in $(echo "$nets" | tr , ' '); do
    ex=$ROOT/tests/numerics/examples/$name
    net=$ROOT/$(sed -n 1p "$ex/model.ref")
    seed=$(sed -n 1p "$ex/seed")
    # the C identifiers of the network, from the header
    "$NETC" build "$net" --random-weights="$seed" -o "$work/probe.c" >/dev/null 2>&1
    pre=$(sed -n 's/^void \([A-Za-z0-9_]*\)_run_ws(.*/\1/p' "$work/probe.h")
    mac=$(sed -n 's/^#define \([A-Z0-9_]*\)_WORKSPACE_BYTES.*/\1/p' "$work/probe.h")
    defs="-DNETC_MODEL_HEADER=\"model.h\" -DNETC_RUN_WS=${pre}_run_ws -DNETC_IN=${mac}_INPUT_SIZE -DNETC_OUT=${mac}_OUTPUT_SIZE -DNETC_WS=${mac}_WORKSPACE_BYTES"
    for back in c llvm; do
        d=$work/$name-$back
        mkdir -p "$d"
        bs=$(seconds "$NETC" build "$net" --random-weights="$seed" --backend=$back -o "$d/bin")
        if [ $back = c ]; then
            "$NETC" build "$net" --random-weights="$seed" -o "$d/model.c" --weights-file="$d/model.bin"
            # shellcheck disable=SC2086
            $CC -O3 -march=native -I"$d" $defs -DNETC_LOAD=${pre}_load_weights \
                "$d/model.c" "$ROOT/bench/backend_harness.c" -o "$d/harness" -lm
            out=$("$d/harness" "$d/model.bin" "$ms")
        else
            "$NETC" build "$net" --random-weights="$seed" -o "$d/model.o"
            # shellcheck disable=SC2086
            $CC -O3 -march=native -I"$d" $defs "$d/model.o" "$ROOT/bench/backend_harness.c" \
                -o "$d/harness" -lm
            out=$("$d/harness" "$ms")
        fi
        set -- $out
        printf '%-12s %-5s %9.2f %10.3f %10.3f\n' "$name" $back "$bs" "$1" "$2"
        eval "b_$back=$bs r_$back=$2"
    done
    echo "$name $b_c $b_llvm $r_c $r_llvm" |
        awk '{printf "%-12s llvm/c: build %.2fx, run %.2fx\n", $1, $3 / $2, $5 / $4}'
done
