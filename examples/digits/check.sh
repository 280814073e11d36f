#!/bin/sh
# Build digits.net with netc and check the binary against PyTorch on every
# held-out image: same predicted class, and logits within 1e-4 of the
# largest magnitude. Needs netc, a C compiler and POSIX tools; no numpy.
#
#     NETC=build/netc sh examples/digits/check.sh
#
# NETC defaults to build/netc under the repository root; CC to cc.
# NETC_BUILD_FLAGS adds options to netc build (--backend=llvm: the binary
# of the LLVM back end).
# Prints the number of images, netc's and PyTorch's accuracy, how many
# images agree, and ends with "N passed, M failed" (an image passes when
# netc gives PyTorch's class and PyTorch's logits). Exit 0 when all pass.
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
NETC=${NETC:-$root/build/netc}
CC=${CC:-cc}
NETC_BUILD_FLAGS=${NETC_BUILD_FLAGS:-}
TOL=1e-4

labels=$here/test_labels.txt
n=$(awk 'END { print NR }' "$labels" 2>/dev/null || echo 0)

fail() {
    echo "check.sh: error: $*" >&2
    echo "0 passed, $n failed"
    exit 1
}

[ -x "$NETC" ] || fail "no netc at '$NETC' (build it, or set NETC=path/to/netc)"
for f in digits.net digits.safetensors test_images.npy test_labels.txt \
         torch_pred.txt torch_logits.npy npycmp.c; do
    [ -f "$here/$f" ] || fail "missing $here/$f (run train.py with /usr/bin/python3)"
done
[ "$n" -gt 0 ] || fail "no labels in $labels"

work=$(mktemp -d "${TMPDIR:-/tmp}/netc-digits.XXXXXX") || fail "cannot make a temporary directory"
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# The model and the comparison helper.
"$NETC" check "$here/digits.net" || fail "netc check digits.net failed"
# shellcheck disable=SC2086
"$NETC" build "$here/digits.net" --weights "$here/digits.safetensors" $NETC_BUILD_FLAGS -o "$work/digits" \
    || fail "netc build failed"
$CC -std=c99 -O2 -o "$work/npycmp" "$here/npycmp.c" -lm || fail "cannot compile npycmp.c"

# One raw float32 file per image: skip the .npy header, cut every 8*8*1*4 bytes.
# Header: 6 magic bytes, version, 0, a little-endian u16 length (version 1).
set -- $(od -A n -t u1 -N 10 "$here/test_images.npy")
[ $# -eq 10 ] && [ "$1" -eq 147 ] && [ "$7" -eq 1 ] || fail "test_images.npy is not a version 1.0 .npy"
off=$((10 + $9 + 256 * ${10}))
head -c "$off" "$here/test_images.npy" | grep -q "'descr': '<f4', 'fortran_order': False, 'shape': ($n, 8, 8, 1)" \
    || fail "test_images.npy is not little-endian float32 of shape ($n, 8, 8, 1)"
tail -c +$((off + 1)) "$here/test_images.npy" > "$work/images.f32"
size=$(wc -c < "$work/images.f32")
[ "$size" -eq $((n * 256)) ] || fail "test_images.npy holds $size bytes of data, expected $((n * 256))"
mkdir "$work/img" "$work/out"
(cd "$work/img" && split -b 256 -a 4 ../images.f32 i) || fail "split failed"

# Run the binary once per image: the best class (--top=1) and the logits (-o).
# split names the pieces iaaaa, iaaab, ... so the glob keeps the file's order.
# One process per image, no other: the class is read from the saved text after.
for f in "$work"/img/i*; do
    b=${f##*/}
    "$work/digits" "$f" --top=1 -o "$work/out/$b.npy" > "$work/out/$b.txt" || echo error > "$work/out/$b.txt"
    [ -s "$work/out/$b.txt" ] || echo nothing > "$work/out/$b.txt"
done
awk 'FNR == 1 { print $1 }' "$work"/out/i*.txt > "$work/netc_pred.txt"
[ "$(awk 'END { print NR }' "$work/netc_pred.txt")" -eq "$n" ] || fail "cannot read the binary's classes"
set --                                   # every image's output, written or not
for f in "$work"/img/i*; do
    set -- "$@" "$work/out/${f##*/}.npy"
done
"$work/npycmp" "$TOL" "$here/torch_logits.npy" "$@" > "$work/logits.txt"
[ "$(awk 'END { print NR }' "$work/logits.txt")" -eq "$n" ] || fail "npycmp compared the wrong number of images"

# One line per image: netc's class, PyTorch's class, the label, the logits verdict.
paste "$work/netc_pred.txt" "$here/torch_pred.txt" "$labels" "$work/logits.txt" | awk -F '\t' -v tol="$TOL" '
{
    split($4, v, " ")                       # v[1]: relative difference, v[2]: ok or FAIL
    ok = (v[2] == "ok")
    if ($1 == $3) netc_right++
    if ($2 == $3) torch_right++
    if ($1 == $2) agree++
    if (ok) logits_ok++
    if (v[1] ~ /^[0-9.e+-]+$/) { if (v[1] + 0 > worst) worst = v[1] + 0 } else nonum = v[1]
    if ($1 == $2 && ok) passed++
    else {
        failed++
        printf "image %d: netc %s, PyTorch %s, label %s, logits %s%s\n", NR - 1, $1, $2, $3,
            (v[2] == "ok" ? "agree" : "differ by " v[1]), (NF > 4 ? " (" $5 ")" : "")
    }
}
END {
    printf "images: %d\n", NR
    printf "netc accuracy:    %d/%d = %.2f%%\n", netc_right, NR, 100 * netc_right / NR
    printf "PyTorch accuracy: %d/%d = %.2f%%\n", torch_right, NR, 100 * torch_right / NR
    printf "netc and PyTorch agree on the class of %d/%d images\n", agree, NR
    printf "logits within %s of the largest magnitude on %d/%d images (largest difference %s)\n",
        tol, logits_ok, NR, (nonum != "" ? nonum : sprintf("%.3g", worst))
    printf "%d passed, %d failed\n", passed + 0, failed + 0
    exit (failed > 0)
}'
