#!/bin/sh
# The entry of the pre-commit hook netc-check (.pre-commit-hooks.yaml):
#     scripts/pre-commit.sh COMMAND [ARGS...] [FILES...]
# runs `netc COMMAND ...` with the netc of this checkout, which pre-commit
# clones at the rev a user's .pre-commit-config.yaml names. The first run
# builds netc there (a Release build into build-pre-commit/, about 15 s);
# the next ones reuse it.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-pre-commit"
netc="$build/bin/netc"

if [ ! -x "$netc" ]; then
    missing=""
    for tool in cmake cc flex bison; do
        command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
    done
    if [ -n "$missing" ]; then
        echo "netc-check: building netc needs$missing (and libcjson-dev)." >&2
        echo "netc-check: on Debian or Ubuntu: sudo sh $root/scripts/deps.sh --build;" >&2
        echo "netc-check: or install netc and use the hook netc-check-system." >&2
        exit 2
    fi
    echo "netc-check: building netc in $build (once)" >&2
    log="$build/build.log"
    mkdir -p "$build/bin"
    if ! { cmake -S "$root" -B "$build/cmake" -DCMAKE_BUILD_TYPE=Release -DNETC_TESTS=OFF &&
        cmake --build "$build/cmake" --target netc; } >"$log" 2>&1; then
        tail -n 30 "$log" >&2
        echo "netc-check: the build of netc failed (the whole log: $log)" >&2
        exit 2
    fi
    # in place at once: a run that starts now sees the whole binary or none
    cp "$build/cmake/netc" "$netc.$$"
    mv -f "$netc.$$" "$netc"
fi
exec "$netc" "$@"
