#!/bin/sh
# smoke.sh: do the bench scripts still parse, and does the harness still run?
#
#     sh bench/smoke.sh NETC
#
# Cheap, offline, without PyTorch or ONNX Runtime, and timing nothing:
#   - sh -n on bench/ort.sh and bench/run.sh;
#   - the Python scripts parse (ast.parse with python3: nothing imported);
#   - bench/ort/bench.mjs parses (node --check, when node is installed);
#   - bench/ort_harness.c compiles with `netc build examples/mnist.net
#     --random-weights=1 -o model.c --weights-file=model.bin` under
#     cc -std=c99 -pedantic -Wall -Wextra -Werror, runs the network once on
#     tests/numerics/examples/mnist/input.npy and prints one line of times; its output
#     is PyTorch's (expected.npy) within 1e-4 of the largest value;
#   - bench/backend_harness.c runs MNIST built by the C back end and (when
#     netc has it) by the LLVM back end, with the same output.
# Prints one line per check and `N passed, N failed`; exit 1 if one failed.

if [ $# -ne 1 ]; then
    echo "usage: sh bench/smoke.sh NETC" >&2
    exit 2
fi
NETC=$1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CC=${CC:-cc}
work=$(mktemp -d "${TMPDIR:-/tmp}/netc-bench-smoke.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
pass=0
fail=0

check() {   # check NAME COMMAND...
    name=$1
    shift
    if "$@" >"$work/log" 2>&1; then
        echo "ok   $name"
        pass=$((pass + 1))
    else
        echo "FAIL $name"
        sed -n '1,10s/^/    /p' "$work/log"
        fail=$((fail + 1))
    fi
}

check "sh -n bench/ort.sh" sh -n "$ROOT/bench/ort.sh"
check "sh -n bench/run.sh" sh -n "$ROOT/bench/run.sh"
check "sh -n bench/backends.sh" sh -n "$ROOT/bench/backends.sh"
for f in ort_export.py infer.py gen_big.py; do
    check "python3 parses bench/$f" python3 -c 'import ast, sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])' "$ROOT/bench/$f"
done
if command -v node >/dev/null 2>&1; then
    check "node --check bench/ort/bench.mjs" node --check "$ROOT/bench/ort/bench.mjs"
else
    echo "skip node --check bench/ort/bench.mjs (no node)"
fi

# npy_data FILE: the bytes after a version-1 .npy header (little-endian float32 here)
npy_data() {
    # shellcheck disable=SC2046  # the two bytes of the header length, split
    set -- "$1" $(od -An -tu1 -j8 -N2 "$1")
    tail -c +$((11 + $2 + 256 * $3)) "$1"
}

harness() {
    ex=$ROOT/tests/numerics/examples/mnist
    "$NETC" build "$ROOT/examples/mnist.net" --random-weights="$(cat "$ex/seed")" \
        -o "$work/model.c" --weights-file="$work/model.bin" 2>"$work/build.err" || {
        cat "$work/build.err"; return 1; }
    "$CC" -std=c99 -pedantic -Wall -Wextra -Werror -O1 -I"$work" \
        -DNETC_MODEL_HEADER='"model.h"' -DNETC_LOAD=mnist_load_weights \
        -DNETC_RUN_WS=mnist_run_ws -DNETC_IN=MNIST_INPUT_SIZE \
        -DNETC_OUT=MNIST_OUTPUT_SIZE -DNETC_WS=MNIST_WORKSPACE_BYTES \
        "$work/model.c" "$ROOT/bench/ort_harness.c" -o "$work/harness" -lm || return 1
    npy_data "$ex/input.npy" >"$work/in.bin"
    "$work/harness" "$work/model.bin" "$work/in.bin" "$work/out.bin" 0 1 0 >"$work/times" || return 1
    if ! grep -Eq '^[1-9][0-9]* [0-9]+$' "$work/times" || [ "$(wc -l <"$work/times")" -ne 1 ]; then
        echo "expected one line: wall and CPU time in ns; got:"
        cat "$work/times"
        return 1
    fi
    od -An -v -f -w4 "$work/out.bin" >"$work/out.txt"
    npy_data "$ex/expected.npy" | od -An -v -f -w4 | paste - "$work/out.txt" | awk '
        { d = $1 - $2; d = d < 0 ? -d : d; m = $1 < 0 ? -$1 : $1
          if (d > dmax) dmax = d; if (m > emax) emax = m; n++ }
        END { printf "%d values, relative error %.2e\n", n, dmax / emax
              exit !(n == 10 && dmax <= 1e-4 * emax) }'
}
check "bench/ort_harness.c runs examples/mnist.net" harness

# backend_harness WAY: bench/backend_harness.c with the C back end's code
# (c) or the LLVM back end's object (llvm) runs MNIST and prints one line:
# fastest and median ms, the output's sum, the number of calls
backend_harness() {
    d=$work/$1
    mkdir -p "$d"
    set -- "$1" -DNETC_MODEL_HEADER='"model.h"' -DNETC_RUN_WS=mnist_run_ws \
        -DNETC_IN=MNIST_INPUT_SIZE -DNETC_OUT=MNIST_OUTPUT_SIZE -DNETC_WS=MNIST_WORKSPACE_BYTES
    if [ "$1" = c ]; then
        "$NETC" build "$ROOT/examples/mnist.net" --random-weights=1 -o "$d/model.c" \
            --weights-file="$d/model.bin" 2>/dev/null || return 1
        shift
        "$CC" -std=c99 -pedantic -Wall -Wextra -Werror -O1 -I"$d" "$@" \
            -DNETC_LOAD=mnist_load_weights "$d/model.c" "$ROOT/bench/backend_harness.c" \
            -o "$d/harness" -lm || return 1
        "$d/harness" "$d/model.bin" 0 >"$d/times" || return 1
    else
        "$NETC" build "$ROOT/examples/mnist.net" --random-weights=1 -o "$d/model.o" \
            2>/dev/null || return 1
        shift
        "$CC" -std=c99 -pedantic -Wall -Wextra -Werror -O1 -I"$d" "$@" \
            "$d/model.o" "$ROOT/bench/backend_harness.c" -o "$d/harness" -lm || return 1
        "$d/harness" 0 >"$d/times" || return 1
    fi
    grep -Eq '^[0-9.]+ [0-9.]+ [-0-9.e+]+ [0-9]+$' "$d/times" || { cat "$d/times"; return 1; }
}
check "bench/backend_harness.c runs the C back end's MNIST" backend_harness c
if "$NETC" build "$ROOT/examples/mnist.net" --random-weights=1 -o "$work/probe.o" 2>/dev/null; then
    check "bench/backend_harness.c runs the LLVM back end's MNIST" backend_harness llvm
    check "both back ends' MNIST give the same output sum" \
        awk 'NR == FNR { a = $3; next } { d = a - $3; exit !(d < 1e-5 && d > -1e-5) }' \
        "$work/c/times" "$work/llvm/times"
else
    echo "skip bench/backend_harness.c with the LLVM back end (netc has none)"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
