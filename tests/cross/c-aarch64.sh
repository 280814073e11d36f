#!/bin/sh
# c-aarch64.sh: the C back end's code built for AArch64 and run there.
#
#   c-aarch64.sh NETC COMPARE XCC QEMU DIR... [--exe DIR...]
#
# netc promises portable C99: the same generated file compiles anywhere and
# computes the same numbers. This checks it on a second architecture without
# the hardware: XCC (Debian's aarch64-linux-gnu-gcc) compiles the code, QEMU
# (Debian's qemu-aarch64, from qemu-user) runs it, and every output is
# compared with PyTorch's (tests/numerics/run.sh and compare.c, tolerance
# 1e-4 relative to the largest |expected|) and with the host build's (1e-4
# too). Static binaries, so qemu needs no AArch64 C library at run time.
#
# DIR... (numerics fixtures and examples, tests/numerics/README.md), as C:
#   netc build MODEL -o model.c, then
#   XCC -std=c99 -Wall -Wextra -pedantic -Werror -O2 -static model.c harness.c
#   (the NEON path of the kernels), run under QEMU, against PyTorch and
#   against the same C built by the host's $CC; and, on some of them, the
#   plain path (-DNETC_NO_VECTOR, which the kernels' #if chain takes on a
#   target without a known vector unit) and netc build --threads=2 (POSIX
#   threads under qemu-user), against both too.
# --exe DIR...: the standalone binary, as docs/build.md says to cross-build
#   it: CC=XCC NETC_CFLAGS="-O2 -static" netc build MODEL -o model, which
#   compiles the generated code with the runtime (runtime/main.c, npy.c)
#   and the weights' assembly file (.incbin); the first one with
#   --threads=2 as well. Against PyTorch and the host's `netc build -o model`.
#
# Which DIRs: every one whose code uses the vector kernels (a direct, gemm,
# gemv, depthwise or winograd step in --emit=steps: the code that differs
# between x86-64 and AArch64), and every fourth of the others (scalar C, the
# same on both but for libm); the plain path and the threads on every third
# of the vector ones. CROSS_ALL=1 takes every DIR for all three.
#
# Reports itself skipped (exit 77, "SKIP: ..." first) when XCC or QEMU is
# missing, or XCC cannot link a static program (no AArch64 C library).
# Prints a line per check and `N passed, N failed` last; exits 1 if a check
# failed. Environment: CC, the host's compiler (default cc); the work files
# are kept when a check fails.

usage() {
    echo "usage: $0 NETC COMPARE XCC QEMU DIR... [--exe DIR...]" >&2
    exit 2
}
[ $# -ge 5 ] || usage
netc=$1 compare=$2 xcc=$3 qemu=$4
shift 4
here=$(cd "$(dirname "$0")" && pwd)
run=$here/../numerics/run.sh
root=$(cd "$here/../.." && pwd)
: "${CC:=cc}"

skip() {
    echo "SKIP: cross.c-aarch64: $1, so the generated C was not run on AArch64." \
        "To enable it: apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user" \
        "(sh scripts/deps.sh installs them), then configure again"
    exit 77
}
command -v "$xcc" >/dev/null 2>&1 || skip "no AArch64 C compiler (aarch64-linux-gnu-gcc)"
command -v "$qemu" >/dev/null 2>&1 || skip "no qemu-aarch64"

work=$(mktemp -d "${TMPDIR:-/tmp}/netc-cross.XXXXXX") || exit 2
printf 'int main(void) { return 0; }\n' >"$work/probe.c"
"$xcc" -static "$work/probe.c" -o "$work/probe" >/dev/null 2>&1 || {
    rm -rf "$work"
    skip "$xcc cannot link a static program (no AArch64 C library)"
}
# from here on, a tool that does not work is a failure, not a skip
: "${NUMERICS_TIMEOUT:=300}"
export NUMERICS_TIMEOUT

cdirs='' exedirs='' mode=c
for d in "$@"; do
    case $d in
    --exe) mode=exe ;;
    *) if [ $mode = c ]; then cdirs="$cdirs $d"; else exedirs="$exedirs $d"; fi ;;
    esac
done

# uses_vectors DIR: does the network's code use the vector kernels?
uses_vectors() {
    if [ -f "$1/model.ref" ]; then
        net=$root/$(sed -n 1p "$1/model.ref")
    else
        net=$1/model.net
    fi
    "$netc" build "$net" --emit=steps 2>/dev/null |
        grep -Eq '\[(direct|gemm|gemv|depthwise|winograd)[],]'
}

sel='' plain='' threads=''
nv=0 ns=0
for d in $cdirs; do
    if uses_vectors "$d"; then
        sel="$sel $d"
        [ $((nv % 3)) -eq 0 ] || [ -n "${CROSS_ALL:-}" ] && plain="$plain $d"
        [ $((nv % 3)) -eq 1 ] || [ -n "${CROSS_ALL:-}" ] && threads="$threads $d"
        nv=$((nv + 1))
    else
        [ $((ns % 4)) -eq 0 ] || [ -n "${CROSS_ALL:-}" ] && sel="$sel $d"
        [ -n "${CROSS_ALL:-}" ] && { plain="$plain $d"; threads="$threads $d"; }
        ns=$((ns + 1))
    fi
done

# run NAME CC EXEC CFLAGS NETC_CFLAGS RUN.SH-ARGS...: tests/numerics/run.sh
# with the compiler CC, the runner EXEC, the flags CFLAGS for its C route and
# NETC_CFLAGS for netc's binaries, into $work/NAME and $work/NAME.log
run() {
    r_name=$1 r_cc=$2 r_exec=$3 r_cflags=$4 r_netc_cflags=$5
    shift 5
    CC=$r_cc NUMERICS_EXEC=$r_exec NUMERICS_CFLAGS=$r_cflags NETC_CFLAGS=$r_netc_cflags \
        NUMERICS_WORK=$work/$r_name sh "$run" --keep "$@" >"$work/$r_name.log" 2>&1
}

# Two streams, one per core: the host's builds and the cross-built binaries
# (the first stream's last runs do not need the host's C). Each run writes
# only its own files; the checks come after both.
if [ -n "$sel" ]; then
    (
        run host-c "$CC" '' '' '' --emit=c "$netc" "$compare" $sel
        if [ -n "$exedirs" ]; then
            run host-exe "$CC" '' '' '' "$netc" "$compare" $exedirs
            run a64-exe "$xcc" "$qemu" '' '-O2 -static' "$netc" "$compare" $exedirs
            set -- $exedirs
            run a64-exe-threads "$xcc" "$qemu" '' '-O2 -static' --threads=2 \
                "$netc" "$compare" "$1"
        fi
    ) &
fi
(
    [ -z "$sel" ] ||
        run a64-c "$xcc" "$qemu" -static '' --emit=c "$netc" "$compare" $sel
    [ -z "$plain" ] ||
        run a64-c-plain "$xcc" "$qemu" '-static -DNETC_NO_VECTOR' '' --emit=c \
            "$netc" "$compare" $plain
    [ -z "$threads" ] ||
        run a64-c-threads "$xcc" "$qemu" -static '' --emit=c --threads=2 \
            "$netc" "$compare" $threads
)
wait

npass=0
nfail=0
# report NAME: the lines of run NAME, each prefixed with NAME, and its counts
report() {
    [ -f "$work/$1.log" ] || return 0
    grep -E '^(ok |FAIL |    )' "$work/$1.log" |
        sed -e "s/^ok  */ok   $1: /" -e "s/^FAIL /FAIL $1: /"
    p=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$work/$1.log")
    f=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$work/$1.log")
    if [ -z "$p" ]; then
        echo "FAIL $1: tests/numerics/run.sh did not finish"
        sed -n '1,15s/^/    /p' "$work/$1.log"
        nfail=$((nfail + 1))
        return
    fi
    npass=$((npass + p))
    nfail=$((nfail + f))
}

# against HOST NAME: every output of run NAME against the same of run HOST
against() {
    for o in "$work/$2"/*/out.*.npy; do
        [ -f "$o" ] || continue
        rel=${o#"$work/$2/"}
        if line=$("$compare" "$work/$1/$rel" "$o" 1e-4 2>&1); then
            echo "ok   $2 = $1: $rel $line"
            npass=$((npass + 1))
        else
            echo "FAIL $2 = $1: $rel $line"
            nfail=$((nfail + 1))
        fi
    done
}

for r in host-c a64-c a64-c-plain a64-c-threads host-exe a64-exe a64-exe-threads; do
    report $r
done
against host-c a64-c
against host-c a64-c-plain
against host-c a64-c-threads
against host-exe a64-exe
against host-exe a64-exe-threads

if [ "$nfail" -gt 0 ]; then
    echo "work files kept in $work" >&2
else
    rm -rf "$work"
fi
echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
