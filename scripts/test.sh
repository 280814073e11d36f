#!/bin/sh
# The README's second command: every test, twice: in a normal build, then
# with AddressSanitizer and UndefinedBehaviorSanitizer on the compiler and
# its tests. Installs what is missing first.
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh
jobs=$(nproc)

# A test that cannot run here (data the repository does not hold) exits 77,
# which ctest counts as skipped; its first line, "SKIP: ...", says how to
# enable it. ctest does not show it: print it.
skipped() {
    sed -n 's/^SKIP: /skipped: /p' "$1/Testing/Temporary/LastTest.log" 2>/dev/null | sort -u
}

echo "== build (RelWithDebInfo) and test"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs" >/dev/null
ctest --test-dir build -j"$jobs" --output-on-failure
skipped build

echo "== build with ASan+UBSan and test"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DNETC_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs" >/dev/null
# the tests labelled heavy compile hundreds of generated programs: the
# normal build ran them; here netc itself is what the sanitizers watch
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan -j"$jobs" --output-on-failure -LE heavy
skipped build-asan
