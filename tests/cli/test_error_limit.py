#!/usr/bin/python3
# test_error_limit.py: a file with thousands of errors does not drown the
# terminal or the CI log (`--error-limit=N`, as Clang's -ferror-limit).
#
# The input is generated: a network of 10,000 statements, each with one
# error (`d00042 = dense(x, units=0);`: units must be positive), 10,000 errors in all.
# By default netc shows the first 20 by place and then one line
# `FILE: error: too many errors emitted, stopping now [--error-limit=]`:
# 21 "error:" lines, each of the 20 diagnostics 3 lines (message, source
# line, caret), so a few kilobytes instead of a megabyte. The exit status is
# 1 whatever the limit. --error-limit=N shows N; --error-limit=0 shows all
# 10,000. Warnings do not count (the golden cases tests/golden/errors/
# error-limit-* pin the text). JSON lists the same first 20 and says
# "truncated": true; a file that was not cut has no such key. The next file
# of the command line is checked as if the first had been alone. Unexpected
# tensors in a weights file count as errors, but not as the warnings that
# --allow-extra-weights makes them.

import json
import os
import re
import struct
import tempfile

import clitest

N = 10000
PATH = None  # the generated file, set in main
MARKER = "error: too many errors emitted, stopping now [--error-limit=]"


def write_many(path):
    with open(path, "w", encoding="utf-8") as f:
        f.write("network many {\n    x = input(shape=(8));\n")
        for i in range(N):
            f.write("    d%05d = dense(x, units=0);\n" % i)
        f.write("}\n")


def error_lines(text):
    return [l for l in text.split("\n") if re.match(r"^\S.*: error: ", l)]


def test_default(s):
    path = PATH
    s.context = "10,000 errors, default limit"
    r = s.run("check", "--color=never", path)
    s.status(r, 1)
    errs = error_lines(r.err)
    s.eq(len(errs), 21, "20 errors and the line that says netc stopped")
    s.eq(errs[-1], path + ": " + MARKER, "the last line says why netc stopped")
    # the first 20 by place: lines 3 to 22, column 29 (the 0 of units=0)
    want = ["%s:%d:29: error: units must be a positive integer, saw 0 [bad-attribute]"
            % (path, 3 + i) for i in range(20)]
    s.eq(errs[:20], want, "the first 20 errors, in order")
    s.eq(len(r.err.split("\n")), 20 * 3 + 1 + 1, "3 lines per error, the last line, nothing else")
    s.check(len(r.err) < 4000, "a few kilobytes of output, not a megabyte (%d bytes)" % len(r.err))
    s.eq(r.out, "", "nothing on standard output")


def test_limits(s):
    path = PATH
    s.context = "--error-limit"
    r = s.run("check", "--color=never", "--error-limit=3", path)
    s.status(r, 1)
    errs = error_lines(r.err)
    s.eq(len(errs), 4, "--error-limit=3: 3 errors and the last line")
    s.eq(errs[-1], path + ": " + MARKER, "--error-limit=3: the last line")
    r = s.run("check", "--color=never", "--error-limit", "5", path)
    s.eq(len(error_lines(r.err)), 6, "--error-limit 5 (a separate argument): 5 errors")
    r = s.run("check", "--color=never", "--error-limit=0", path)
    s.status(r, 1)
    errs = error_lines(r.err)
    s.eq(len(errs), N, "--error-limit=0: every one of the 10,000 errors")
    s.check(MARKER not in r.err, "--error-limit=0: netc does not stop")
    r = s.run("check", "--color=never", "--error-limit=%d" % N, path)
    s.eq(len(error_lines(r.err)), N, "a limit of exactly 10,000: every error, no stop")
    r = s.run("check", "--color=never", "--error-limit=%d" % (N - 1), path)
    s.eq(len(error_lines(r.err)), N, "a limit of 9,999: 9,999 errors and the last line")
    for bad in ["-1", "x", "", "1.5", "99999999999"]:
        r = s.run("check", "--error-limit=" + bad, path)
        s.status(r, 2, "--error-limit=%r is bad usage (exit 2)" % bad)
        s.check("--error-limit takes a count" in r.err, "--error-limit=%r: says what it takes" % bad,
                r.err)


def test_json(s):
    path = PATH
    s.context = "JSON"
    r = s.run("check", "--format=json", path, "examples/seed.net")
    s.status(r, 1)
    doc = json.loads(r.out)
    files = doc["files"]
    s.eq([f["file"] for f in files], [path, "examples/seed.net"], "both files")
    s.eq(len(files[0]["diagnostics"]), 20, "the first 20 errors")
    s.eq([d["line"] for d in files[0]["diagnostics"]], list(range(3, 23)), "by place")
    s.eq(files[0].get("truncated"), True, "the cut file says so")
    s.check("truncated" not in files[1], "a complete file has no 'truncated'", files[1])
    r = s.run("check", "--format=json", "--error-limit=0", path)
    f = json.loads(r.out)["files"][0]
    s.eq(len(f["diagnostics"]), N, "--error-limit=0: all 10,000")
    s.check("truncated" not in f, "--error-limit=0: not truncated")


def test_next_file(s):
    path = PATH
    """The limit is per file: the file after a cut one is fully checked."""
    s.context = "several files"
    alone = s.run("check", "--color=never", "tests/cli/inputs/syntax.net")
    r = s.run("check", "--color=never", path, "tests/cli/inputs/syntax.net")
    s.status(r, 1)
    tail = r.err[r.err.index(MARKER) + len(MARKER) + 1:]
    s.eq(tail, alone.err, "after the cut file, the next one as if it were alone")
    r = s.run("check", "--color=never", "--error-limit=1", "tests/cli/inputs/syntax.net", path)
    errs = error_lines(r.err)
    s.eq(len(errs), 4, "limit 1: syntax.net's first error and its stop, then the next file's")
    s.eq(errs[1], "tests/cli/inputs/syntax.net: " + MARKER, "syntax.net is cut")


def test_weights(s):
    """Unexpected tensors in a weights file are errors, or warnings under
    --allow-extra-weights; as warnings they do not count towards the limit."""
    s.context = "netc build, 25 unexpected tensors"
    tmp = os.path.dirname(PATH)
    net = os.path.join(tmp, "tiny.net")
    with open(net, "w", encoding="utf-8") as f:
        f.write("network tiny {\n    x = input(shape=(4));\n    d = dense(units=2);\n}\n")
    tensors = [("d.weight", [2, 4]), ("d.bias", [2])] + [("extra%02d.weight" % i, [1])
                                                         for i in range(25)]
    header, off = {}, 0
    for name, shape in tensors:
        n = 1
        for k in shape:
            n *= k
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [off, off + 4 * n]}
        off += 4 * n
    h = json.dumps(header).encode()
    weights = os.path.join(tmp, "tiny.safetensors")
    with open(weights, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + bytes(off))
    out = os.path.join(tmp, "tiny.c")
    r = s.run("build", "--color=never", net, "--weights", weights, "-o", out)
    s.status(r, 1)
    s.eq(len(error_lines(r.err)), 21, "20 errors, then netc stops")
    s.check(r.err.rstrip("\n").endswith(weights + ": " + MARKER), "the weights file is cut",
            r.err[-300:])
    r = s.run("build", "--color=never", net, "--weights", weights, "--allow-extra-weights",
              "-o", out)
    s.status(r, 0)
    s.eq(len([l for l in r.err.split("\n") if ": warning: unexpected tensor" in l]), 25,
         "--allow-extra-weights: 25 warnings, none cut")


def main():
    global PATH
    with tempfile.TemporaryDirectory() as tmp:
        PATH = os.path.join(tmp, "many.net")
        write_many(PATH)
        clitest.main([test_default, test_limits, test_json, test_next_file, test_weights])


if __name__ == "__main__":
    main()
