#!/bin/sh
# run.sh: how long netc takes on a big network (bench/README.md).
#
#     bench/run.sh [--form blocks|flat] [LAYERS [RUNS]]
#     bench/run.sh --scale [RUNS]
#
# Builds netc (Release) in build-bench/ unless it is there, writes a network
# of about LAYERS layers (default 10000) with bench/gen_big.py, and times
# `netc check` and `netc summary --format=json` on it, RUNS times each
# (default 10, after one warm-up run), with hyperfine where installed and a
# loop over `date +%s%N` otherwise; it prints the median. As a peer measured
# on the same machine in the same run, it times `cc -fsyntax-only` on a C
# file with one statement per layer and prints netc's time as a ratio of it.
# --form says how the network is written (gen_big.py: blocks called, or
# every layer written out).
#
# --scale prints instead a table of the time per layer of both commands, for
# both forms, from 1,000 to 100,000 layers (RUNS default 5): a column that
# grows with the size means a pass is not linear.
#
# Set NETC=path to time another netc binary, CC to use another C compiler.

set -eu

FORM=blocks
SCALE=no
case ${1:-} in
--form) FORM=$2; shift 2 ;;
--scale) SCALE=yes; shift ;;
esac
if [ $SCALE = yes ]; then
    RUNS=${1:-5}
    LAYERS=0
else
    LAYERS=${1:-10000}
    RUNS=${2:-10}
fi
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

# generate FORM LAYERS: writes $NET (and $PEER), checks that netc accepts it
# (warnings are allowed, errors are not), sets $count and $warnings.
generate() {
    NET=$WORK/big-$1-$2.net
    PEER=$WORK/big$2.c
    python3 "$ROOT/bench/gen_big.py" --layers "$2" --form "$1" -o "$NET" --c-peer "$PEER" \
        2>/dev/null
    if ! "$NETC" check "$NET" 2>"$WORK/check.stderr"; then
        echo "run.sh: netc check rejects the generated network:" >&2
        head -n 20 "$WORK/check.stderr" >&2
        exit 1
    fi
    count=$("$NETC" summary --format=json "$NET" |
            python3 -c 'import json, sys; print(len(json.load(sys.stdin)["layers"]))')
    warnings=$(grep -c ': warning: ' "$WORK/check.stderr" || true)
}

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

per_layer() { awk -v t="$1" -v n="$2" 'BEGIN { printf "%.2f", t * 1000 / n }'; }

if [ $SCALE = yes ]; then
    # CPU time (user + system) as well as wall time: on a shared machine the
    # wall time counts the waiting for a processor, the CPU time does not
    set -- $(python3 "$ROOT/bench/time_cmd.py" "$RUNS" "$NETC" --version)
    echo "netc bench --scale: median of $RUNS runs (bench/time_cmd.py);" \
         "floor (netc --version) $1 ms wall, $2 ms CPU"
    echo
    echo "| form | layers | check ms (CPU) | check µs/layer (CPU) | summary ms (CPU) | summary µs/layer (CPU) |"
    echo "|---|---:|---:|---:|---:|---:|"
    for form in flat blocks; do
        for n in 1000 3000 10000 30000 100000; do
            generate "$form" "$n"
            set -- $(python3 "$ROOT/bench/time_cmd.py" "$RUNS" "$NETC" check "$NET")
            cw=$1 cc=$2
            set -- $(python3 "$ROOT/bench/time_cmd.py" "$RUNS" "$NETC" summary --format=json "$NET")
            sw=$1 sc=$2
            echo "| $form | $count | $cw ($cc) | $(per_layer "$cw" "$count") ($(per_layer "$cc" "$count"))" \
                 "| $sw ($sc) | $(per_layer "$sw" "$count") ($(per_layer "$sc" "$count")) |"
        done
    done
    exit 0
fi

generate "$FORM" "$LAYERS"
check_ms=$(median_ms "$NETC" check "$NET")
summary_ms=$(median_ms "$NETC" summary --format=json "$NET")
cc_ms=$(median_ms "$CC" -fsyntax-only "$PEER")
floor_ms=$(median_ms "$NETC" --version)
timer=loop
command -v hyperfine >/dev/null 2>&1 && timer=hyperfine

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

echo "netc bench: $count layers, $FORM ($(wc -c <"$NET") bytes of .net, $warnings warnings)," \
     "median of $RUNS runs ($timer)"
echo "  netc check                   $check_ms ms   ($(ratio "$check_ms" "$cc_ms")x cc)"
echo "  netc summary --format=json   $summary_ms ms   ($(ratio "$summary_ms" "$cc_ms")x cc)"
echo "  $CC -fsyntax-only (peer)      $cc_ms ms   ($count statements, $(wc -c <"$PEER") bytes of C)"
echo "  netc --version (floor)       $floor_ms ms   (start-up and timing, no work)"
echo "  per layer: check $(per_layer "$check_ms" "$count") us," \
     "summary $(per_layer "$summary_ms" "$count") us"
