#!/bin/sh
# test_help.sh: netc help, netc help TOPIC, COMMAND --help, --version, and
# the exit status of bad usage.
#
# Usage: test_help.sh NETC   (from the repository root)
#
# Help goes to standard output with exit 0; an unknown command or help
# topic is bad usage: exit 2, a message on standard error, nothing on
# standard output. `netc --version` prints "netc X.Y.Z", the version of
# CMakeLists.txt's project().

netc=$1
passed=0
failed=0
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

ok() { passed=$((passed + 1)); }
fail() {
    failed=$((failed + 1))
    echo "FAIL: $*"
}

# run ARGS...: runs netc, leaving the status in $rc, output in $tmp/out, $tmp/err
run() {
    "$netc" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
}

# expect STATUS WHAT: the last run exited with STATUS
expect() {
    if [ "$rc" -eq "$1" ]; then ok; else
        fail "$2: exit $rc, expected $1"
        sed 's/^/    stderr: /' "$tmp/err" | head -5
    fi
}

# contains FILE TEXT WHAT
contains() {
    if grep -qF -- "$2" "$1"; then ok; else fail "$3: no '$2' in $(basename "$1")"; fi
}

empty() {
    if [ ! -s "$1" ]; then ok; else fail "$2: $(basename "$1") is not empty: $(head -c 200 "$1")"; fi
}

if [ ! -x "$netc" ]; then
    echo "usage: $0 NETC"
    echo "0 passed, 1 failed"
    exit 1
fi

# netc help: the commands, the exit status
run help
expect 0 "netc help"
contains "$tmp/out" "usage: netc <command>" "netc help"
for c in check summary graph rf build run help; do
    if grep -qE "^  $c( |$)" "$tmp/out"; then ok; else fail "netc help does not list '$c'"; fi
done
contains "$tmp/out" "Exit status" "netc help tells the exit status"
empty "$tmp/err" "netc help: standard error"
cp "$tmp/out" "$tmp/help"
for alias in --help -h "help help"; do
    # shellcheck disable=SC2086
    run $alias
    expect 0 "netc $alias"
    if cmp -s "$tmp/out" "$tmp/help"; then ok; else fail "netc $alias differs from netc help"; fi
done

# netc help COMMAND and netc COMMAND --help: the same text, a usage line
for c in check summary graph rf build run; do
    run help "$c"
    expect 0 "netc help $c"
    if head -1 "$tmp/out" | grep -q "^usage: netc $c "; then ok; else
        fail "netc help $c: first line is '$(head -1 "$tmp/out")'"
    fi
    empty "$tmp/err" "netc help $c: standard error"
    cp "$tmp/out" "$tmp/topic"
    run "$c" --help
    expect 0 "netc $c --help"
    if cmp -s "$tmp/out" "$tmp/topic"; then ok; else fail "netc $c --help differs from netc help $c"; fi
done
# each command's help names the options this release added
run help check
for o in --format=text\|json\|sarif --max-ram=SIZE --max-params=N --max-macs=N -Werror --rf-min=F; do
    contains "$tmp/out" "$o" "netc help check"
done
run help graph
for o in --format=dot\|svg "-o FILE"; do contains "$tmp/out" "$o" "netc help graph"; done
run help rf
for o in "--layer NAME" "--svg FILE"; do contains "$tmp/out" "$o" "netc help rf"; done
run help summary
contains "$tmp/out" "--format=text|json" "netc help summary"

# netc help warnings: every id of the language reference, with its severity
run help warnings
expect 0 "netc help warnings"
for id in rf-coverage dropped-pixels stride-gap bias-before-norm param-hotspot \
    rf-misaligned softmax-not-last unused checkerboard unknown-warning; do
    if grep -qE "^  $id +warning +[^ ]" "$tmp/out"; then ok; else fail "help warnings: no warning '$id'"; fi
done
for id in syntax undefined redefined unknown-op unknown-attribute bad-attribute \
    shape import budget; do
    if grep -qE "^  $id +error +[^ ]" "$tmp/out"; then ok; else fail "help warnings: no error '$id'"; fi
done

# netc help ops: every op of the language, with a description; netc help OP
run help ops
expect 0 "netc help ops"
for op in input conv2d depthwise_conv2d maxpool2d avgpool2d global_avgpool2d global_maxpool2d \
    batchnorm relu relu6 sigmoid tanh softmax linear leaky_relu dropout flatten dense add \
    concat zeropad2d silu hardswish hardsigmoid gelu multiply channel_slice channel_shuffle \
    upsample2d conv2d_transpose; do
    if grep -qE "^  $op +[^ ]" "$tmp/out"; then ok; else fail "help ops: no op '$op'"; fi
done
run help conv2d_transpose
expect 0 "netc help conv2d_transpose"
contains "$tmp/out" "required:   filters, kernel" "netc help conv2d_transpose"
contains "$tmp/out" "NAME.weight [in, out/groups, kh, kw]" "netc help conv2d_transpose"
run help channel_slice
contains "$tmp/out" "required:   start, stop" "netc help channel_slice"

# --version: "netc X.Y.Z", the project's version
run --version
expect 0 "netc --version"
if grep -qE '^netc [0-9]+\.[0-9]+\.[0-9]+$' "$tmp/out" && [ "$(wc -l <"$tmp/out")" -eq 1 ]; then ok; else
    fail "netc --version prints '$(cat "$tmp/out")', expected one line 'netc X.Y.Z'"
fi
want=$(sed -n 's/^project(netc VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
if [ -n "$want" ] && [ "$(cat "$tmp/out")" = "netc $want" ]; then ok; else
    fail "netc --version is '$(cat "$tmp/out")', CMakeLists.txt says $want"
fi

# bad usage: exit 2, a message on standard error, nothing on standard output
bad() {
    run "$@"
    expect 2 "netc $*"
    empty "$tmp/out" "netc $*: standard output"
    if [ -s "$tmp/err" ]; then ok; else fail "netc $*: no message on standard error"; fi
}
bad frobnicate
contains "$tmp/err" "frobnicate" "unknown command"
bad help frobnicate
contains "$tmp/err" "frobnicate" "unknown help topic"
bad
bad check
bad check --bogus examples/seed.net
contains "$tmp/err" "--bogus" "unknown option"
bad check no/such/file.net
contains "$tmp/err" "no/such/file.net" "missing file"
bad check --format=xml examples/seed.net
bad summary examples/seed.net examples/mnist.net
bad summary --network no_such_network examples/seed.net

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
