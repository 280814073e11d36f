#!/bin/sh
# check_read.sh: every hostile model gets the reader's exact message
# (hostile.expected), and every fixture model reads.
#     sh check_read.sh ONNX_READ_CHECK TESTS_ONNX_DIR
# Exit 77 (skipped) when the build has no ONNX support.
set -u
bin=$1 dir=$2
"$bin" >/dev/null 2>&1
[ $? -eq 77 ] && { echo "ONNX support is not in this build: skipped"; exit 77; }
out=$("$bin" "$dir"/hostile/*) || { echo "onnx_read_check failed"; exit 1; }
if ! printf '%s\n' "$out" | diff -u "$dir/hostile.expected" -; then
    echo "FAIL: the reader's messages differ from hostile.expected"
    exit 1
fi
for m in "$dir"/models/*.onnx; do
    r=$("$bin" "$m")
    case $r in
    *": ok ("*) ;;
    *) echo "FAIL: $r"; exit 1 ;;
    esac
done
echo "ok"
