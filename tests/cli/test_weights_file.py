# test_weights_file.py: `netc build --weights-file` and NAME_load_weights.
#
# A network with weights of known values is built as C with its weights in
# a file; a main() loads a file given on its command line, prints the
# return code of NAME_load_weights and, when it is NAME_WEIGHTS_OK, the
# outputs of one run. The good file must load and give the outputs worked
# out by hand; each kind of wrong file must give its own code
# (docs/build.md, "The weights file").
#
#     python3 tests/cli/test_weights_file.py NETC

import os
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import clitest  # noqa: E402
from test_build_names import safetensors  # noqa: E402

CC = os.environ.get("CC") or "cc"

NET = """network scorer {
    x = input(shape=(3,));
    y = dense(x, units=2, activation=relu);
}
"""
# y = relu(W x + b): with x = (1, 2, 3), (1 + 4 + 9 + 0.5, 0 - 2 - 3 + 1) = (14.5, 0)
WEIGHTS = [("y.weight", [2, 3], [1.0, 2.0, 3.0, 0.0, -1.0, -1.0]),
           ("y.bias", [2], [0.5, 1.0])]

# another network with as many floats, and one of the same name with more
OTHER = NET.replace("scorer", "scorex")
# (65 outputs: two blocks of the packed dense kernel's 64, so more floats)
BIGGER = NET.replace("units=2", "units=65")
BIGGER_WEIGHTS = [("y.weight", [65, 3], [0.0] * 195), ("y.bias", [65], [0.0] * 65)]

MAIN = r"""#include "model.h"
#include <stdio.h>

int main(int argc, char **argv)
{
    static const float x[3] = {1.0f, 2.0f, 3.0f};
    float y[2];
    int rc;
    (void)argc;
    rc = scorer_load_weights(argv[1]);
    printf("%d\n", rc);
    if (rc == SCORER_WEIGHTS_OK) {
        scorer_run(x, y);
        printf("%g %g\n", (double)y[0], (double)y[1]);
    }
    return 0;
}
"""

CODES = {"OK": 0, "CANNOT_OPEN": 1, "NOT_NETC": 2, "BAD_VERSION": 3, "WRONG_NETWORK": 4,
         "WRONG_COUNT": 5, "BAD_CHECKSUM": 6}


def build(s, work, name, src, weights):
    d = os.path.join(work, name)
    os.makedirs(d)
    with open(os.path.join(d, "model.net"), "w") as f:
        f.write(src)
    safetensors(os.path.join(d, "w.safetensors"), weights)
    r = s.run("build", os.path.join(d, "model.net"), "--weights",
              os.path.join(d, "w.safetensors"), "-o", os.path.join(d, "model.c"),
              "--weights-file=" + os.path.join(d, "model.bin"))
    s.status(r, 0, "netc build %s --weights-file" % name)
    return d


def test_codes(s, work):
    d = build(s, work, "scorer", NET, WEIGHTS)
    other = build(s, work, "other", OTHER, WEIGHTS)
    bigger = build(s, work, "bigger", BIGGER, BIGGER_WEIGHTS)
    with open(os.path.join(d, "model.h")) as f:
        header = f.read()
    for code, value in CODES.items():
        s.check("#define SCORER_WEIGHTS_%s %d " % (code, value) in header,
                "model.h defines SCORER_WEIGHTS_%s %d" % (code, value), header)

    with open(os.path.join(d, "main.c"), "w") as f:
        f.write(MAIN)
    prog = os.path.join(d, "prog")
    cc = subprocess.run([CC, "-std=c99", "-Wall", "-Wextra", "-pedantic", "-Werror", "-O1",
                         "-I", d, os.path.join(d, "model.c"), os.path.join(d, "main.c"),
                         "-o", prog, "-lm"], capture_output=True, text=True)
    if not s.check(cc.returncode == 0, "model.c compiles under -pedantic -Werror", cc.stderr):
        return

    good = open(os.path.join(d, "model.bin"), "rb").read()
    # the header: magic, version, name length, count, checksum, then the name
    s.eq(good[:8], b"NETCWTS\0", "the magic")
    # 256 floats: the dense kernel's weights packed for blocks of 64 outputs
    # ([out/64][in][64]: 3 x 64 floats), then the bias, padded to 64 too
    # (docs/build.md, "Kernel strategies")
    s.eq(struct.unpack("<IIQI", good[8:28]), (1, 6, 256, struct.unpack("<I", good[24:28])[0]),
         "version 1, a 6-byte name, 256 floats")
    s.eq(good[32:40], b"scorer\0\0", "the name, padded to 8 bytes")
    s.eq(len(good), 40 + 256 * 4, "the file's size")

    def load(data, what):
        path = os.path.join(d, "case.bin")
        if data is None:
            path = os.path.join(d, "no-such-file.bin")
        else:
            with open(path, "wb") as f:
                f.write(data)
        p = subprocess.run([prog, path], capture_output=True, text=True)
        return p.stdout.split("\n")[0], p.stdout

    def expect(data, code, what):
        got, out = load(data, what)
        s.eq(got, str(CODES[code]), "%s gives %s" % (what, code))

    rc, out = load(good, "the good file")
    s.eq(out, "0\n14.5 0\n", "the good file loads and the network runs on its weights")

    expect(None, "CANNOT_OPEN", "a missing file")
    expect(b"", "NOT_NETC", "an empty file")
    expect(open(os.path.join(d, "w.safetensors"), "rb").read(), "NOT_NETC",
           "a safetensors file")
    expect(good[:20], "NOT_NETC", "a cut header")
    expect(good[:8] + struct.pack("<I", 2) + good[12:], "BAD_VERSION", "version 2")
    expect(open(os.path.join(other, "model.bin"), "rb").read(), "WRONG_NETWORK",
           "another network's file of the same size")
    expect(good[:12] + struct.pack("<I", 5) + good[16:], "WRONG_NETWORK",
           "a name of another length")
    expect(open(os.path.join(bigger, "model.bin"), "rb").read(), "WRONG_COUNT",
           "the same network name with more floats")
    expect(good[:16] + struct.pack("<Q", 7) + good[24:], "WRONG_COUNT", "a count of 7")
    expect(good[:-4], "WRONG_COUNT", "a file one float short")
    expect(good + b"\0", "WRONG_COUNT", "a file one byte long")
    flipped = bytearray(good)
    flipped[50] ^= 0x01
    expect(bytes(flipped), "BAD_CHECKSUM", "a flipped bit in the floats")
    wrong_sum = bytearray(good)
    wrong_sum[24] ^= 0x80
    expect(bytes(wrong_sum), "BAD_CHECKSUM", "a wrong checksum")


def test_no_weights(s, work):
    """A network without weights still writes and checks a header."""
    d = os.path.join(work, "bare")
    os.makedirs(d)
    net = os.path.join(d, "model.net")
    with open(net, "w") as f:
        f.write("network bare {\n    x = input(shape=(2,));\n    relu(x);\n}\n")
    r = s.run("build", net, "--random-weights=0", "-o", os.path.join(d, "model.c"),
              "--weights-file=" + os.path.join(d, "model.bin"))
    if not s.status(r, 0, "netc build of a network without weights"):
        return
    data = open(os.path.join(d, "model.bin"), "rb").read()
    s.eq(len(data), 40, "header and name only")
    s.eq(struct.unpack("<Q", data[16:24])[0], 0, "no floats")
    with open(os.path.join(d, "main.c"), "w") as f:
        f.write('#include "model.h"\n#include <stdio.h>\n'
                "int main(int argc, char **argv)\n{\n"
                "    float x[2] = {-1.0f, 2.0f}, y[2];\n    (void)argc;\n"
                '    printf("%d\\n", bare_load_weights(argv[1]));\n'
                "    bare_run(x, y);\n"
                '    printf("%g %g\\n", (double)y[0], (double)y[1]);\n    return 0;\n}\n')
    prog = os.path.join(d, "prog")
    cc = subprocess.run([CC, "-std=c99", "-Wall", "-Wextra", "-pedantic", "-Werror",
                         "-I", d, os.path.join(d, "model.c"), os.path.join(d, "main.c"),
                         "-o", prog, "-lm"], capture_output=True, text=True)
    if not s.check(cc.returncode == 0, "the C compiles", cc.stderr):
        return
    p = subprocess.run([prog, os.path.join(d, "model.bin")], capture_output=True, text=True)
    s.eq(p.stdout, "0\n0 2\n", "loads, runs")
    p = subprocess.run([prog, net], capture_output=True, text=True)
    s.eq(p.stdout.split("\n")[0], "2", "the .net file is not a weights file")


def main():
    s = clitest.Suite(sys.argv[1])
    work = tempfile.mkdtemp(prefix="netc-wfile-")
    try:
        s.test(test_codes, s, work)
        s.test(test_no_weights, s, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return s.finish()


if __name__ == "__main__":
    sys.exit(main())
