#!/bin/sh
# run.sh: the golden runner of netc, in the manner of cproc's tests.
#
#   run.sh [--update] NETC CASE_DIR_OR_FILE...
#   run.sh --bad [--update] NETC DIR_OR_FILE...
#
# A case is NAME.cmd, one line holding the arguments to netc, beside
# NAME.expected, which holds exactly what netc printed: its standard output,
# a line `--- stderr`, its standard error, a line `--- exit N`. Words of
# NAME.cmd are split on blanks (no quoting); the word `@` stands for NAME.net,
# and every path is relative to the repository root, where netc is run, so
# the file names in diagnostics do not depend on where the runner was started.
# A failing case prints its diff; --update (re)writes the .expected files
# instead of comparing them (read them before committing them).
#
# --bad checks properties instead of text, for the hostile-input corpus: for
# each FILE.net without a FILE.cmd beside it, `netc check FILE` must exit 1
# with at least one line `FILE:LINE:COL: error: ` on standard error, and
# `netc check --format=json FILE` must exit 1 and print UTF-8 (checked with
# iconv where it exists), and `netc summary FILE` must exit 1 too;
# any other exit status (a crash, a signal, a hang) fails. A FILE.net with a
# FILE.cmd is a golden case as above. If a directory holds make.sh, it is run
# first to generate the binary inputs that cannot be committed as text, into
# $NETC_GOLDEN_TMP (a fresh temporary directory if unset), and those are
# checked too; a generated NAME.net with a NAME.cmd in the directory is also
# a golden case, run in the directory it was generated in (so the file name
# in its diagnostics is NAME.net).
#
# Prints `N passed, N failed` alone on the last line; exits 1 if a case failed.

# Byte semantics and English system messages (strerror) on every machine.
LC_ALL=C
export LC_ALL

usage() {
    echo "usage: $0 [--bad] [--update] NETC CASE_DIR_OR_FILE..." >&2
    exit 2
}

update=no
bad=no
while :; do
    case $1 in
    --update) update=yes; shift ;;
    --bad) bad=yes; shift ;;
    *) break ;;
    esac
done
[ $# -ge 2 ] || usage

# Everything is resolved before moving to the repository root.
netc=$1
case $netc in
/*) ;;
*) netc=$(pwd)/$netc ;;
esac
shift
[ -x "$netc" ] || { echo "run.sh: '$netc' is not an executable" >&2; exit 2; }
root=$(cd "$(dirname "$0")/../.." && pwd)
for a in "$@"; do
    [ -e "$a" ] || [ -e "$a.cmd" ] || { echo "run.sh: no such case or directory: $a" >&2; exit 2; }
done
start=$(pwd)
cd "$root" || exit 2

tmp=$(mktemp -d "${TMPDIR:-/tmp}/netc-golden.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' HUP INT TERM

# A hang is a failure too: bound every run where timeout(1) exists.
if command -v timeout >/dev/null 2>&1; then
    limit="timeout 20"
else
    limit=
fi

# JSON must be UTF-8 (RFC 8259), whatever the input: checked where iconv is.
if command -v iconv >/dev/null 2>&1; then
    utf8check=yes
else
    utf8check=
fi

passed=0
failed=0
pass() { passed=$((passed + 1)); }
fail() {
    failed=$((failed + 1))
    printf 'FAIL %s: %s\n' "$1" "$2"
}

# The path of $1 relative to the repository root, where it lies under it.
relpath() {
    case $1 in
    "$root"/*) printf '%s\n' "${1#"$root"/}" ;;
    *) printf '%s\n' "$1" ;;
    esac
}

# Runs one .cmd case; writes what netc printed to $tmp/actual. A case whose
# NAME.net was written by make.sh runs in $gen, the directory it was
# written to, where `@` is NAME.net.
run_cmd() {
    cmd=$1
    base=${cmd%.cmd}
    net=$(relpath "$base.net")
    dir=$root
    if [ ! -f "$base.net" ] && [ -n "$gen" ] && [ -f "$gen/${base##*/}.net" ]; then
        net=${base##*/}.net
        dir=$gen
    fi
    line=$(sed -n 1p "$cmd" | tr -d '\r')
    set -f
    set --
    for w in $line; do
        [ "$w" = @ ] && w=$net
        set -- "$@" "$w"
    done
    set +f
    (cd "$dir" && exec $limit "$netc" "$@") >"$tmp/out" 2>"$tmp/err" </dev/null
    status=$?
    {
        cat "$tmp/out"
        if [ -s "$tmp/out" ] && [ -n "$(tail -c 1 "$tmp/out")" ]; then
            echo
            echo '\ no newline at end of stdout'
        fi
        echo '--- stderr'
        cat "$tmp/err"
        if [ -s "$tmp/err" ] && [ -n "$(tail -c 1 "$tmp/err")" ]; then
            echo
            echo '\ no newline at end of stderr'
        fi
        echo "--- exit $status"
    } >"$tmp/actual"
}

golden_case() {
    cmd=$1
    name=$(relpath "${cmd%.cmd}")
    expected=${cmd%.cmd}.expected
    run_cmd "$cmd"
    if [ "$status" -gt 2 ]; then
        fail "$name" "netc exited with status $status (a crash or a hang)"
        sed -n '/^--- stderr$/,$p' "$tmp/actual" | head -20
        return
    fi
    if [ $update = yes ]; then
        if [ -f "$expected" ] && cmp -s "$tmp/actual" "$expected"; then
            pass
        else
            cp "$tmp/actual" "$expected"
            echo "updated $(relpath "$expected")"
            pass
        fi
        return
    fi
    if [ ! -f "$expected" ]; then
        fail "$name" "no $(relpath "$expected") (run with --update)"
        return
    fi
    if diff -u "$expected" "$tmp/actual" >"$tmp/diff"; then
        pass
    else
        fail "$name" "output differs"
        sed "s|$tmp/actual|actual|" "$tmp/diff"
    fi
}

# The properties of a hostile input.
bad_case() {
    file=$(relpath "$1")
    $limit "$netc" check "$file" >"$tmp/out" 2>"$tmp/err" </dev/null
    status=$?
    if grep -q -e 'Sanitizer' -e ' runtime error: ' "$tmp/err"; then
        fail "$file" "a sanitizer reported an error"
        grep -e 'Sanitizer' -e ' runtime error: ' "$tmp/err" | head -5
        return
    fi
    if [ $status -ne 1 ]; then
        fail "$file" "netc check exited with status $status, not 1"
        head -20 "$tmp/err"
        return
    fi
    if ! awk -v f="$file" '
        index($0, f ":") == 1 && substr($0, length(f) + 2) ~ /^[0-9]+:[0-9]+: error: / { ok = 1 }
        END { exit !ok }' "$tmp/err"; then
        fail "$file" "no located error ('$file:LINE:COL: error: ') on standard error"
        head -20 "$tmp/err"
        return
    fi
    $limit "$netc" check --format=json "$file" >"$tmp/out" 2>"$tmp/err" </dev/null
    status=$?
    if [ $status -ne 1 ]; then
        fail "$file" "netc check --format=json exited with status $status, not 1"
        return
    fi
    if ! grep -q '"severity": "error"' "$tmp/out"; then
        fail "$file" "netc check --format=json printed no error"
        return
    fi
    if [ -n "$utf8check" ] && ! iconv -f UTF-8 -t UTF-8 <"$tmp/out" >/dev/null 2>&1; then
        fail "$file" "netc check --format=json printed bytes that are not UTF-8"
        return
    fi
    $limit "$netc" summary "$file" >"$tmp/out" 2>"$tmp/err" </dev/null
    status=$?
    if [ $status -ne 1 ]; then
        fail "$file" "netc summary exited with status $status, not 1"
        return
    fi
    pass
}

# Every case of a directory (sorted, as the shell sorts globs), or one case.
each() {
    for f in "$@"; do
        [ -e "$f" ] || continue
        case $bad:$f in
        yes:*.net)
            if [ -f "${f%.net}.cmd" ]; then
                golden_case "${f%.net}.cmd"
            else
                bad_case "$f"
            fi
            ;;
        yes:*.cmd)
            [ -f "${f%.cmd}.net" ] || golden_case "$f"
            ;;
        *:*.cmd) golden_case "$f" ;;
        esac
    done
}

for a in "$@"; do
    case $a in
    /*) ;;
    *) a=$start/$a ;;
    esac
    gen=
    if [ -d "$a" ]; then
        if [ $bad = yes ] && [ -f "$a/make.sh" ]; then
            gen=${NETC_GOLDEN_TMP:-$tmp/generated}
            rm -rf "$gen"
            mkdir -p "$gen"
            if ! sh "$a/make.sh" "$gen"; then
                fail "$(relpath "$a")/make.sh" "could not generate the binary inputs"
            fi
            each "$a"/*.net "$a"/*.cmd "$gen"/*.net
        else
            each "$a"/*.cmd "$a"/*.net
        fi
    else
        case $a in
        *.cmd | *.net) each "$a" ;;
        *) each "$a.cmd" ;;
        esac
    fi
done

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
