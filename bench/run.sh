#!/bin/sh
# run.sh: how long netc takes on a big network (bench/README.md).
#
#     bench/run.sh [LAYERS [RUNS]]
#
# Builds netc (Release) in build-bench/ unless it is there, writes a network
# of about LAYERS layers (default 10000) with bench/gen_big.py, and times
# `netc check` and `netc summary --format=json` on it, RUNS times each
# (default 10, after one warm-up run), with hyperfine where installed and a
# loop over `date +%s%N` otherwise; it prints the median. As a peer measured
# on the same machine in the same run, it times `cc -fsyntax-only` on a C
# file with one statement per layer and prints netc's time as a ratio of it.
# Set NETC=path to time another netc binary, CC to use another C compiler.

set -eu

LAYERS=${1:-10000}
RUNS=${2:-10}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build-bench
WORK=$BUILD/bench
CC=${CC:-cc}

if [ -z "${NETC:-}" ]; then
    NETC=$BUILD/netc
    if [ ! -x "$NETC" ]; then
        echo "run.sh: building netc (Release) in $BUILD" >&2
        cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DNETC_TESTS=OFF >/dev/null
        cmake --build "$BUILD" --target netc >/dev/null
    fi
fi
mkdir -p "$WORK"
NET=$WORK/big$LAYERS.net
PEER=$WORK/big$LAYERS.c
python3 "$ROOT/bench/gen_big.py" --layers "$LAYERS" -o "$NET" --c-peer "$PEER" 2>/dev/null

# The network must be valid: warnings are allowed, errors are not.
if ! "$NETC" check "$NET" 2>"$WORK/check.stderr"; then
    echo "run.sh: netc check rejects the generated network:" >&2
    head -n 20 "$WORK/check.stderr" >&2
    exit 1
fi
count=$("$NETC" summary --format=json "$NET" |
        python3 -c 'import json, sys; print(len(json.load(sys.stdin)["layers"]))')
warnings=$(grep -c ': warning: ' "$WORK/check.stderr" || true)

# median_ms COMMAND...: the median wall time of RUNS runs, in milliseconds
# with one decimal.
median_ms() {
    if command -v hyperfine >/dev/null 2>&1; then
        hyperfine -N --warmup 1 --runs "$RUNS" --export-json "$WORK/hf.json" \
            -- "$*" >/dev/null 2>&1
        python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print("%.1f" % (r["median"] * 1000))' "$WORK/hf.json"
        return
    fi
    "$@" >/dev/null 2>&1 || true
    i=0
    : >"$WORK/times"
    while [ $i -lt "$RUNS" ]; do
        t0=$(date +%s%N)
        "$@" >/dev/null 2>&1 || true
        t1=$(date +%s%N)
        echo $((t1 - t0)) >>"$WORK/times"
        i=$((i + 1))
    done
    sort -n "$WORK/times" | awk '{ t[NR] = $1 }
        END { m = NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
              printf "%.1f\n", m / 1e6 }'
}

check_ms=$(median_ms "$NETC" check "$NET")
summary_ms=$(median_ms "$NETC" summary --format=json "$NET")
cc_ms=$(median_ms "$CC" -fsyntax-only "$PEER")
floor_ms=$(median_ms "$NETC" --version)
timer=loop
command -v hyperfine >/dev/null 2>&1 && timer=hyperfine

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

echo "netc bench: $count layers ($(wc -c <"$NET") bytes of .net, $warnings warnings)," \
     "median of $RUNS runs ($timer)"
echo "  netc check                   $check_ms ms   ($(ratio "$check_ms" "$cc_ms")x cc)"
echo "  netc summary --format=json   $summary_ms ms   ($(ratio "$summary_ms" "$cc_ms")x cc)"
echo "  $CC -fsyntax-only (peer)      $cc_ms ms   ($count statements, $(wc -c <"$PEER") bytes of C)"
echo "  netc --version (floor)       $floor_ms ms   (start-up and timing, no work)"
echo "  per layer: check $(awk -v t="$check_ms" -v n="$count" 'BEGIN { printf "%.2f", t * 1000 / n }') us"
