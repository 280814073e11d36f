#!/bin/sh
# ort.sh: netc's generated code against ONNX Runtime (docs/performance.md).
#
#     sh bench/ort.sh [--rounds N] [--batch-ms MS] [--nets a,b,...]
#                     [--threads 1,2] [--check-only]
#
# 1. Installs what is missing, or says what is: Debian's nodejs, npm,
#    python3-torch and python3-onnx (apt-get, as root; Node.js must be 18 or
#    later), and the onnxruntime-node npm package in bench/ort/node_modules
#    (`npm ci` from bench/ort/package-lock.json).
# 2. Builds netc (Release, in build-bench/) unless NETC names a netc binary.
# 3. For each network (default mnist,resnet18,mobilenet: the directories of
#    tests/numerics/examples, which give the .net file, the seed of
#    --random-weights and the input), exports it to ONNX with PyTorch
#    (bench/ort_export.py), builds netc's C with the same weights
#    (`netc build NET --random-weights=SEED -o model.c
#    --weights-file=model.bin`) and compiles it with bench/ort_harness.c
#    ($CC, default cc, and $BENCH_CFLAGS, default -O3 -march=native). For
#    each thread count above 1, netc's code is built with --threads=N when
#    `netc build --help` offers it; when not, netc's column says n/a.
# 4. Times `netc build examples/resnet18.net --random-weights=18 -o BINARY`,
#    the standalone binary (it should stay under 20 s).
# 5. Runs bench/ort/bench.mjs: the check of every output against the other
#    engine and the reference, then the alternated timing and the table.
#
# Work files go to build-bench/ort/ (BENCH_WORK to change it); the table
# is also written to build-bench/ort/table.md and the numbers to
# results.json. Exit 0, 1 (a check or a step failed) or 2 (bad usage).

set -eu

usage() {
    echo "usage: sh bench/ort.sh [--rounds N] [--batch-ms MS] [--nets a,b,...] [--threads 1,2] [--check-only]" >&2
    exit 2
}

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$ROOT/bench
BUILD=$ROOT/build-bench
WORK=${BENCH_WORK:-$BUILD/ort}
CC=${CC:-cc}
CFLAGS=${BENCH_CFLAGS:--O3 -march=native}
PY=/usr/bin/python3
NETS=mnist,resnet18,mobilenet
THREADS=1,2
rounds=5
batch_ms=500
check_only=

while [ $# -gt 0 ]; do
    case $1 in
    --rounds) [ $# -ge 2 ] || usage; rounds=$2; shift 2 ;;
    --rounds=*) rounds=${1#*=}; shift ;;
    --batch-ms) [ $# -ge 2 ] || usage; batch_ms=$2; shift 2 ;;
    --batch-ms=*) batch_ms=${1#*=}; shift ;;
    --nets) [ $# -ge 2 ] || usage; NETS=$2; shift 2 ;;
    --nets=*) NETS=${1#*=}; shift ;;
    --threads) [ $# -ge 2 ] || usage; THREADS=$2; shift 2 ;;
    --threads=*) THREADS=${1#*=}; shift ;;
    --check-only) check_only=--check-only; shift ;;
    -h|--help) sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) usage ;;
    esac
done
case $rounds in ''|*[!0-9]*) usage ;; esac
case $batch_ms in ''|*[!0-9.]*) usage ;; esac
case $THREADS in ''|*[!0-9,]*) usage ;; esac

say() { echo "ort.sh: $*" >&2; }
die() { say "$*"; exit 1; }

# --- 1. what the bench needs -------------------------------------------------
missing=
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
[ -x "$PY" ] || missing="$missing python3"
"$PY" -c 'import torch' 2>/dev/null || missing="$missing python3-torch"
"$PY" -c 'import onnx' 2>/dev/null || missing="$missing python3-onnx"
if [ -n "$missing" ]; then
    if [ "$(id -u)" -ne 0 ]; then
        die "missing Debian packages:$missing (apt-get install$missing, as root)"
    fi
    say "installing$missing"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 18 ] || die "Node.js $(node --version) is too old: onnxruntime-node needs 18 or later"

if [ ! -f "$BENCH/ort/node_modules/onnxruntime-node/package.json" ]; then
    say "installing onnxruntime-node in bench/ort/node_modules"
    # the CPU library ships inside the npm package: nothing else to download
    (cd "$BENCH/ort" && ONNXRUNTIME_NODE_INSTALL_CUDA=skip ONNXRUNTIME_NODE_INSTALL=skip \
        npm ci --no-audit --no-fund >/dev/null) ||
        die "npm ci in bench/ort failed (the npm registry must be reachable once)"
fi

# --- 2. netc -----------------------------------------------------------------
if [ -z "${NETC:-}" ]; then
    NETC=$BUILD/netc
    say "building netc (Release) in $BUILD"
    cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DNETC_TESTS=OFF >/dev/null
    cmake --build "$BUILD" --target netc >/dev/null
fi
[ -x "$NETC" ] || die "$NETC: not executable"
has_threads=no
"$NETC" build --help 2>&1 | grep -q -- '--threads' && has_threads=yes

# --- 3. the networks, in both engines ---------------------------------------
mkdir -p "$WORK"
names=$(echo "$NETS" | tr ',' ' ')
for name in $names; do
    ex=$ROOT/tests/numerics/examples/$name
    [ -f "$ex/model.ref" ] || die "$name: no tests/numerics/examples/$name (see tests/numerics/README.md)"
    net=$ROOT/$(sed -n 1p "$ex/model.ref")
    seed=$(sed -n 1p "$ex/seed")
    w=$WORK/$name
    # the ONNX export is redone when anything it is made from changed
    stale=no
    [ -f "$w/meta.json" ] || stale=yes
    for f in "$net" "$ex/seed" "$ex/input.npy" "$BENCH/ort_export.py" \
             "$ROOT/tests/numerics/netref.py"; do
        [ "$stale" = yes ] || [ -z "$(find "$f" -newer "$w/meta.json")" ] || stale=yes
    done
    if [ "$stale" = yes ]; then
        say "exporting $name to ONNX"
        rm -rf "$w/model.onnx" "$w/meta.json"
        "$PY" "$BENCH/ort_export.py" "$ex" "$w" >"$WORK/$name.export.log" 2>&1 || {
            tail -n 20 "$WORK/$name.export.log" >&2
            die "$name: the ONNX export failed"
        }
    fi
    cname=$(sed -n 's/^ *"network": "\([A-Za-z_][A-Za-z0-9_]*\)".*/\1/p' "$w/meta.json")
    upper=$(printf '%s' "$cname" | tr '[:lower:]' '[:upper:]')
    for t in $(echo "$THREADS" | tr ',' ' '); do
        d=$w/t$t
        rm -rf "$d"
        tflag='' lflag=''
        if [ "$t" -gt 1 ]; then
            [ "$has_threads" = yes ] || continue
            tflag=--threads=$t
            lflag=-pthread
        fi
        mkdir -p "$d"
        say "building $name with netc${tflag:+ $tflag} and $CC $CFLAGS"
        # shellcheck disable=SC2086
        "$NETC" build "$net" --random-weights="$seed" $tflag -o "$d/model.c" \
            --weights-file="$d/model.bin" >"$d/build.log" 2>&1 || {
            cat "$d/build.log" >&2
            die "$name: netc build failed"
        }
        # shellcheck disable=SC2086
        "$CC" $CFLAGS $lflag -I"$d" -DNETC_MODEL_HEADER='"model.h"' \
            -DNETC_LOAD="${cname}_load_weights" -DNETC_RUN_WS="${cname}_run_ws" \
            -DNETC_IN="${upper}_INPUT_SIZE" -DNETC_OUT="${upper}_OUTPUT_SIZE" \
            -DNETC_WS="${upper}_WORKSPACE_BYTES" \
            "$d/model.c" "$BENCH/ort_harness.c" -o "$d/harness" -lm >"$d/cc.log" 2>&1 || {
            cat "$d/cc.log" >&2
            die "$name: compiling netc's code failed"
        }
    done
done

# --- 4. the standalone build of ResNet-18 ------------------------------------
build_s=
if [ -z "$check_only" ]; then
    say "timing netc build examples/resnet18.net -o BINARY"
    t0=$(date +%s%N)
    "$NETC" build "$ROOT/examples/resnet18.net" --random-weights=18 \
        -o "$WORK/resnet18-standalone" >"$WORK/resnet18-standalone.log" 2>&1 ||
        die "netc build examples/resnet18.net failed (see $WORK/resnet18-standalone.log)"
    t1=$(date +%s%N)
    build_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
fi

# --- 5. check and time ---------------------------------------------------------
echo "netc: $NETC ($("$NETC" --version 2>&1 | sed -n 1p)), --threads: $has_threads"
echo "compiler: $CC $CFLAGS ($("$CC" --version 2>/dev/null | sed -n 1p))"
status=0
# shellcheck disable=SC2086
node "$BENCH/ort/bench.mjs" --rounds "$rounds" --batch-ms "$batch_ms" \
    --threads "$THREADS" $check_only "$WORK" $names || status=$?
if [ -n "$build_s" ]; then
    verdict=met
    awk -v s="$build_s" 'BEGIN { exit !(s < 20) }' || verdict="not met"
    echo "netc build examples/resnet18.net -o BINARY (standalone, NETC_CFLAGS ${NETC_CFLAGS:--O3}):" \
         "$build_s s, target under 20 s: $verdict"
fi
exit "$status"
