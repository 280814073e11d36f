#!/bin/sh
# run.sh: numerical tests of `netc build` against PyTorch references.
#
#   run.sh [--emit=exe|c|obj] [--backend=c|llvm] [--tol=T] [--threads=N] [--keep]
#          NETC COMPARE FIXTURE_DIR...
#
# For each fixture directory (tests/numerics/fixtures/NAME or
# tests/numerics/examples/NAME, see README.md):
#
#   --emit=exe (the default): the standalone binary (docs/build.md),
#       NETC build MODEL.net --weights weights.safetensors -o WORK/NAME/model
#       WORK/NAME/model input.npy -o WORK/NAME/out.npy
#       (--backend=llvm: the LLVM back end's binary; with NUMERICS_TARGET,
#       built for that target, linked by $CC, a cross compiler, and run
#       through $NUMERICS_EXEC)
#   --emit=c: the C source and header, compiled with harness.c,
#       NETC build MODEL.net --weights weights.safetensors -o WORK/NAME/model.c
#       $CC -std=c99 -Wall -Wextra -pedantic -Werror -O2 -I WORK/NAME
#           -DNETC_MODEL_HEADER=\"model.h\" -DNETC_RUN=NAME_run
#           -DNETC_IN=NAME_INPUT_SIZE -DNETC_OUT=NAME_OUTPUT_SIZE
#           WORK/NAME/model.c harness.c -o WORK/NAME/model -lm
#       WORK/NAME/model input.npy -o WORK/NAME/out.npy
#   --emit=obj: an object by the LLVM back end, linked with harness.c the
#       same way (model.o in place of model.c); with --target=TRIPLE
#       (NUMERICS_TARGET) built for that target, compiled and linked with
#       $CC (a cross compiler) and run through $NUMERICS_EXEC (e.g.
#       qemu-aarch64 -L /usr/aarch64-linux-gnu)
#
# then COMPARE expected.npy WORK/NAME/out.npy TOL (default 1e-4, relative to
# the largest |expected|). --threads=N builds with netc's --threads=N (and
# links -lpthread). A fixture with several inputs holds input.0.npy,
# input.1.npy, ... (passed in that order); with several outputs,
# expected.0.npy, ... (one -o per output, in order). An example directory
# holds model.ref (the .net path from the repository root) and seed: it is
# built with --random-weights=SEED. A fixture without weights.safetensors (a
# network without weights) is built with --random-weights=0, which gives it
# no weights either, since netc build requires one of the two flags
# (docs/build.md, "Weights").
#
# Prints one line per fixture, `ok` or `FAIL` with the relative error (and
# the first lines of the failing step's output), and `N passed, N failed`
# alone on the last line; exits 1 if a fixture failed, 2 on bad usage.
#
# Environment: CC (default cc); NUMERICS_WORK, the work directory (default a
# fresh one under $TMPDIR, removed at the end unless a fixture failed or
# --keep is given); NUMERICS_TIMEOUT, seconds allowed to each build, compile
# and run step (needs timeout(1); default no limit); NUMERICS_CFLAGS, more
# flags for the --emit=c compile (-static, -DNETC_NO_VECTOR); NUMERICS_EXEC,
# a command that runs the built model (qemu-aarch64 for a cross-built one,
# tests/cross/).

usage() {
    echo "usage: $0 [--emit=exe|c|obj] [--backend=c|llvm] [--tol=T] [--threads=N] [--keep] NETC COMPARE FIXTURE_DIR..." >&2
    exit 2
}

emit=exe
backend=
tol=1e-4
threads=1
keep=no
while :; do
    case $1 in
    --emit=exe|--emit=c|--emit=obj) emit=${1#--emit=}; shift ;;
    --backend=c|--backend=llvm) backend=$1; shift ;;
    --tol=*) tol=${1#--tol=}; shift ;;
    --threads=*) threads=${1#--threads=}; shift ;;
    --keep) keep=yes; shift ;;
    --) shift; break ;;
    -*) usage ;;
    *) break ;;
    esac
done
[ $# -ge 3 ] || usage
netc=$1
compare=$2
shift 2
case $netc in */*) ;; *) netc=$(command -v "$netc") || usage ;; esac
case $compare in */*) ;; *) compare=$(command -v "$compare") || usage ;; esac
[ -x "$netc" ] || { echo "$0: $netc: not executable" >&2; exit 2; }
[ -x "$compare" ] || { echo "$0: $compare: not executable" >&2; exit 2; }

here=$(cd "$(dirname "$0")" && pwd)
libs=
[ "$threads" -gt 1 ] && libs=-lpthread
root=$(cd "$here/../.." && pwd)
: "${CC:=cc}"
if [ -n "$NUMERICS_WORK" ]; then
    work=$NUMERICS_WORK
    mkdir -p "$work" || exit 2
else
    work=$(mktemp -d "${TMPDIR:-/tmp}/netc-numerics.XXXXXX") || exit 2
fi

limit() {
    if [ -n "$NUMERICS_TIMEOUT" ]; then
        timeout "$NUMERICS_TIMEOUT" "$@"
    else
        "$@"
    fi
}

# build OUT: runs netc build on $net with the fixture's weights
build() {
    out=$1
    shift
    [ "$threads" -gt 1 ] && set -- "$@" --threads="$threads"
    [ -n "$NUMERICS_TARGET" ] && set -- "$@" --target="$NUMERICS_TARGET"
    [ -n "$backend" ] && set -- "$@" "$backend"
    if [ -n "$seed" ]; then
        limit "$netc" build "$net" --random-weights="$seed" "$@" -o "$out"
    else
        limit "$netc" build "$net" --weights "$dir/weights.safetensors" "$@" -o "$out"
    fi
}

# run_model: runs $w/model on the inputs, one -o per output
run_model() {
    set --
    if [ "$nin" -eq 0 ]; then
        set -- "$dir/input.npy"
    else
        k=0
        while [ "$k" -lt "$nin" ]; do
            set -- "$@" "$dir/input.$k.npy"
            k=$((k + 1))
        done
    fi
    k=0
    while [ "$k" -lt "$nout_" ]; do
        set -- "$@" -o "$w/out.$k.npy"
        k=$((k + 1))
    done
    limit $NUMERICS_EXEC "$w/model" "$@"
}

# compile_c: compiles $w/model.c (or links $w/model.o) with harness.c into $w/model
compile_c() {
    src=$w/model.c
    [ "$emit" = obj ] && src=$w/model.o
    upper=$(printf '%s' "$name_net" | tr '[:lower:]' '[:upper:]')
    if [ "$nin" -eq 0 ] && [ "$nout" -eq 0 ]; then
        limit "$CC" -std=c99 -Wall -Wextra -pedantic -Werror -O2 $NUMERICS_CFLAGS -I"$w" \
            -DNETC_MODEL_HEADER='"model.h"' -DNETC_RUN="${name_net}_run" \
            -DNETC_IN="${upper}_INPUT_SIZE" -DNETC_OUT="${upper}_OUTPUT_SIZE" \
            "$src" "$here/harness.c" -o "$w/model" -lm $libs
        return
    fi
    # several inputs or outputs: sizes from the .npy files, the call spelt out
    insz='' outsz='' args=''
    k=0
    while [ "$k" -lt "$nin_" ]; do
        f=$dir/input.npy
        [ "$nin" -eq 0 ] || f=$dir/input.$k.npy
        insz=$insz${insz:+,}$("$compare" --count "$f") || return 1
        args="$args${args:+, }in[$k]"
        k=$((k + 1))
    done
    k=0
    while [ "$k" -lt "$nout_" ]; do
        f=$dir/expected.npy
        [ "$nout" -eq 0 ] || f=$dir/expected.$k.npy
        outsz=$outsz${outsz:+,}$("$compare" --count "$f") || return 1
        args="$args, out[$k]"
        k=$((k + 1))
    done
    limit "$CC" -std=c99 -Wall -Wextra -pedantic -Werror -O2 $NUMERICS_CFLAGS -I"$w" \
        -DNETC_MODEL_HEADER='"model.h"' \
        -DNETC_NIN="$nin_" -DNETC_NOUT="$nout_" \
        -DNETC_IN_SIZES="{$insz}" -DNETC_OUT_SIZES="{$outsz}" \
        -DNETC_CALL="${name_net}_run($args)" \
        "$src" "$here/harness.c" -o "$w/model" -lm $libs
}

# count FILE_PREFIX: how many FILE_PREFIX.K.npy there are (0 if FILE_PREFIX.npy)
count() {
    if [ -f "$1.npy" ]; then
        echo 0
        return
    fi
    k=0
    while [ -f "$1.$k.npy" ]; do
        k=$((k + 1))
    done
    echo "$k"
}

# failed WHAT LOG
failed() {
    echo "FAIL $name ($1)"
    [ -z "$2" ] || sed -n '1,15s/^/    /p' "$2"
    nfail=$((nfail + 1))
}

npass=0
nfail=0
for arg in "$@"; do
    if ! dir=$(cd "$arg" 2>/dev/null && pwd); then
        name=$arg
        failed "no such directory"
        continue
    fi
    name=$(basename "$dir")
    case $dir in */examples/*) name=examples/$name ;; esac
    w=$work/$(printf '%s' "$name" | tr / _)
    rm -rf "$w"
    mkdir -p "$w"
    seed=
    if [ -f "$dir/model.ref" ]; then
        net=$root/$(sed -n 1p "$dir/model.ref")
        seed=$(sed -n 1p "$dir/seed" 2>/dev/null)
        [ -n "$seed" ] || { failed "no seed file"; continue; }
    elif [ -f "$dir/model.net" ]; then
        net=$dir/model.net
        [ -f "$dir/weights.safetensors" ] || seed=0
    else
        failed "neither model.net nor model.ref"
        continue
    fi
    [ -f "$net" ] || { failed "$net: no such file"; continue; }
    name_net=$(sed -n 's/^[[:space:]]*network[[:space:]][[:space:]]*\([A-Za-z_][A-Za-z0-9_]*\).*/\1/p' "$net" | sed -n 1p)
    [ -n "$name_net" ] || { failed "no network in $net"; continue; }
    nin=$(count "$dir/input")
    nout=$(count "$dir/expected")
    nin_=$nin; [ "$nin" -gt 0 ] || nin_=1
    nout_=$nout; [ "$nout" -gt 0 ] || nout_=1
    if [ ! -f "$dir/input.npy" ] && [ "$nin" -eq 0 ]; then
        failed "no input.npy"
        continue
    fi
    if [ ! -f "$dir/expected.npy" ] && [ "$nout" -eq 0 ]; then
        failed "no expected.npy"
        continue
    fi

    if [ "$emit" = c ]; then
        build "$w/model.c" >"$w/build.log" 2>&1 || { failed "netc build -o model.c" "$w/build.log"; continue; }
        compile_c >"$w/cc.log" 2>&1 || { failed "cc model.c harness.c" "$w/cc.log"; continue; }
    elif [ "$emit" = obj ]; then
        build "$w/model.o" >"$w/build.log" 2>&1 || { failed "netc build -o model.o" "$w/build.log"; continue; }
        compile_c >"$w/cc.log" 2>&1 || { failed "cc model.o harness.c" "$w/cc.log"; continue; }
    else
        build "$w/model" >"$w/build.log" 2>&1 || { failed "netc build" "$w/build.log"; continue; }
    fi
    run_model >"$w/run.log" 2>&1 || { failed "running the model" "$w/run.log"; continue; }

    ok=yes
    lines=
    k=0
    while [ "$k" -lt "$nout_" ]; do
        exp=$dir/expected.npy
        [ "$nout" -eq 0 ] || exp=$dir/expected.$k.npy
        line=$("$compare" "$exp" "$w/out.$k.npy" "$tol" 2>&1) || ok=no
        if [ "$nout" -eq 0 ]; then
            lines=$line
        else
            lines="$lines${lines:+; }out$k: $line"
        fi
        k=$((k + 1))
    done
    if [ $ok = yes ]; then
        echo "ok   $name $lines"
        npass=$((npass + 1))
    else
        echo "FAIL $name $lines"
        nfail=$((nfail + 1))
    fi
done

if [ "$nfail" -gt 0 ] || [ $keep = yes ]; then
    echo "work files kept in $work" >&2
elif [ -z "$NUMERICS_WORK" ]; then
    rm -rf "$work"
fi
echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
