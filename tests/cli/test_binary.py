#!/usr/bin/python3
# test_binary.py: a file that is not a .net file at all (an executable, a
# model or weights file passed by mistake) is one error, not thousands.
#
# netc's own executable (an ELF file of a few hundred kilobytes) gives
# exactly one line `FILE:1:1: error: not a .net file (binary content at byte
# 0) [binary]` and one note saying what the file looks like: two lines, exit
# status 1. A 2 MB file that starts as an ONNX model does (the rest random
# bytes) goes to the ONNX reader, by its name or its content, and is one
# error too (docs/import.md). The same through standard input, in JSON (one diagnostic, id
# `binary`, its note) and for `netc summary`. Among several files, the
# binary one is that one error and the others are checked as if alone. The
# golden cases tests/golden/errors/binary-* pin the text of each format.

import json
import os
import random
import tempfile

import clitest

ONNX = None  # the generated ONNX-looking file, set in main
ERROR = ":1:1: error: not a .net file (binary content at byte 0) [binary]"


def test_executable(s):
    s.context = "netc's own executable"
    exe = s.netc
    r = s.run("check", "--color=never", exe)
    s.status(r, 1)
    s.eq(r.err.split("\n"), [exe + ERROR, exe + ": note: this looks like an ELF executable or "
                             "library, not a network description", ""], "one error, one note")
    s.eq(r.out, "", "nothing on standard output")
    with open(exe, "rb") as f:
        data = f.read()
    r = s.run("check", "--color=never", "-", stdin=data)
    s.status(r, 1)
    s.eq(r.err.split("\n")[0], "<stdin>" + ERROR, "the same through standard input")
    r = s.run("check", "--color=never", "--error-limit=0", exe)
    s.eq(len(r.err.split("\n")), 3, "--error-limit=0 changes nothing: still one error")


def onnx_error(s):
    """What netc says of the noisy model: the ONNX reader refuses it, or this
    build has no ONNX support (docs/import.md)."""
    probe = s.run("import", os.devnull)
    if "ONNX support is not in this build" in probe.err:
        return ("ONNX support is not in this build of netc (it needs protobuf-c and "
                "onnx.proto when netc is configured)")
    return "not a valid ONNX model: the protobuf is malformed or truncated"


def test_onnx(s):
    """An ONNX model goes to the ONNX reader (by its name or its first
    bytes), not to the .net parser: the noise is one error."""
    s.context = "a 2 MB ONNX model"
    msg = onnx_error(s)
    r = s.run("check", "--color=never", ONNX)
    s.status(r, 1)
    s.eq(r.err.split("\n"), [ONNX + ": error: " + msg + " [import]", ""], "one error")
    r = s.run("check", "--format=json", ONNX)
    s.status(r, 1)
    doc = json.loads(r.out)
    diags = doc["files"][0]["diagnostics"]
    if s.eq(len(diags), 1, "JSON: one diagnostic"):
        d = diags[0]
        s.eq((d["id"], d["severity"], d["line"], d["column"]), ("import", "error", 0, 0),
             "JSON: id, severity, no place")
        s.eq(d["message"], msg, "JSON: message")
    s.check("truncated" not in doc["files"][0], "JSON: not truncated: there is nothing more")
    r = s.run("summary", "--color=never", ONNX)
    s.status(r, 1)
    s.eq(r.err.split("\n")[0], ONNX + ": error: " + msg + " [import]",
         "netc summary: the same error")
    s.eq(r.out, "", "netc summary: no table")
    renamed = ONNX[:-5] + ".bin"
    os.rename(ONNX, renamed)
    r = s.run("check", "--color=never", renamed)
    os.rename(renamed, ONNX)
    s.eq(r.err.split("\n")[0], renamed + ": error: " + msg + " [import]",
         "the same by content, whatever the name")


def test_several(s):
    """The binary file is one error; the files around it are still checked."""
    s.context = "several files"
    others = ["examples/seed.net", "tests/cli/inputs/syntax.net"]
    alone = [s.run("check", "--color=never", f).err for f in others]
    r = s.run("check", "--color=never", others[0], ONNX, s.netc, others[1])
    s.status(r, 1)
    want = alone[0]
    for f in [ONNX, s.netc]:
        want += s.run("check", "--color=never", f).err
    want += alone[1]
    s.eq(r.err, want, "each file as if alone, in command-line order")
    r = s.run("check", "--format=json", others[0], ONNX, others[1])
    files = json.loads(r.out)["files"]
    s.eq([f["file"] for f in files], [others[0], ONNX, others[1]], "JSON: the three files")
    s.eq([len(f["diagnostics"]) for f in files], [2, 1, 2],
         "JSON: seed's two warnings, one ONNX error, syntax.net's two errors")


def main():
    global ONNX
    with tempfile.TemporaryDirectory() as tmp:
        ONNX = os.path.join(tmp, "model.onnx")
        rng = random.Random(13)
        with open(ONNX, "wb") as f:
            # ModelProto: ir_version 8, producer "pytorch", then 2 MB of noise
            f.write(b"\x08\x08\x12\x07pytorch\x1a\x052.1.0")
            f.write(bytes(rng.randrange(256) for _ in range(2 << 20)))
        clitest.main([test_executable, test_onnx, test_several])


if __name__ == "__main__":
    main()
