# test_big_weights.py: safetensors files of any size up to netc's limit.
#
# `--weights` maps the file instead of reading it into memory, with a
# limit of its own (64 GiB, docs/build.md), far above the 256 MiB limit on
# .net files. Checked here:
#   - a file of more than 256 MiB, written at test time (not kept): a dense
#     layer of 65536 -> 1024 whose weights are zero but for one 1 per row
#     and a 2 in the very last float, built as a binary and run on ones;
#     every output is known exactly;
#   - the same network's small twin read from a pipe (not mappable);
#   - examples/vgg16.net with weights of its real size (553 MB): zero but
#     for the last bias, b[j] = j, so that the output is exactly j;
#   - a sparse file one byte over the limit: the error names both sizes.
# ctest label `heavy`: it writes and reads about 800 MB.
#
#     python3 tests/cli/test_big_weights.py NETC

import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import clitest  # noqa: E402

IN, OUT = 65536, 1024
LIMIT = 64 << 30


def write_big(path):
    """y.weight [1024, 65536]: W[j][64 j] = 1, W[1023][65535] = 2; y.bias[j] = j."""
    nw = IN * OUT * 4
    header = {"y.weight": {"dtype": "F32", "shape": [OUT, IN], "data_offsets": [0, nw]},
              "y.bias": {"dtype": "F32", "shape": [OUT], "data_offsets": [nw, nw + OUT * 4]}}
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    w = bytearray(nw)
    one, two = struct.pack("<f", 1.0), struct.pack("<f", 2.0)
    for j in range(OUT):
        at = (j * IN + 64 * j) * 4
        w[at:at + 4] = one
    at = (OUT * IN - 1) * 4
    w[at:at + 4] = two
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h)
        f.write(w)
        f.write(struct.pack("<%df" % OUT, *range(OUT)))
    return 8 + len(h) + nw + OUT * 4


def test_big(s, work):
    net = os.path.join(work, "big.net")
    with open(net, "w") as f:
        f.write("network big {\n    x = input(shape=(%d,));\n    y = dense(x, units=%d);\n}\n"
                % (IN, OUT))
    st = os.path.join(work, "big.safetensors")
    size = write_big(st)
    s.check(size > 256 << 20, "the file is over 256 MiB (%d bytes)" % size)
    exe = os.path.join(work, "big")
    r = s.run("build", net, "--weights", st, "-o", exe, timeout=900)
    os.unlink(st)
    if not s.status(r, 0, "netc build with %d bytes of weights" % size):
        return
    ones = os.path.join(work, "ones.raw")
    with open(ones, "wb") as f:
        f.write(struct.pack("<f", 1.0) * IN)
    p = subprocess.run([exe, ones], capture_output=True, text=True, timeout=300)
    s.eq(p.returncode, 0, "the binary runs")
    got = [float(v) for v in p.stdout.split()]
    want = [1.0 + j for j in range(OUT)]
    want[-1] += 2.0
    s.eq(got, want, "y[j] = 1 + j, and 3 more in the last")


def test_pipe(s, work):
    net = os.path.join(work, "small.net")
    with open(net, "w") as f:
        f.write("network small {\n    x = input(shape=(2,));\n    y = dense(x, units=1);\n}\n")
    header = {"y.weight": {"dtype": "F32", "shape": [1, 2], "data_offsets": [0, 8]},
              "y.bias": {"dtype": "F32", "shape": [1], "data_offsets": [8, 12]}}
    h = json.dumps(header).encode()
    data = struct.pack("<Q", len(h)) + h + struct.pack("<3f", 2.0, 3.0, 0.5)
    out = os.path.join(work, "small.c")
    p = subprocess.run([s.netc, "build", net, "--weights", "/dev/stdin", "-o", out],
                       input=data, capture_output=True)
    s.eq((p.returncode, p.stderr.decode()), (0, ""), "weights read from a pipe")
    text = open(out).read()
    # 2.0, 3.0 and 0.5 as bit patterns: the dense's weights packed for its
    # kernel as [out/64][in][64] (docs/build.md, "Kernel strategies"), so the
    # two inputs' weights 64 floats apart, then the bias
    words = re.findall(r"0x([0-9a-f]{8})u", text)
    s.eq((len(words), words[0], words[64], words[128]),
         (192, "40000000", "40400000", "3f000000"),
         "the weights from the pipe are in the C")


def test_vgg16(s, work):
    """The tensors netc expects are those it reports missing from an empty file."""
    empty = os.path.join(work, "empty.safetensors")
    with open(empty, "wb") as f:
        f.write(struct.pack("<Q", 2) + b"{}")
    r = s.run("build", "examples/vgg16.net", "--weights", empty, "--error-limit=0",
              "-o", os.path.join(work, "v.c"))
    specs = re.findall(r"error: tensor '([^']+)' \[([0-9, ]+)\] is missing", r.err)
    s.eq(len(specs), 32, "VGG-16 has 16 layers with weights and biases")
    header, off = {}, 0
    for name, shape in specs:
        dims = [int(v) for v in shape.split(",")]
        n = 4
        for v in dims:
            n *= v
        header[name] = {"dtype": "F32", "shape": dims, "data_offsets": [off, off + n]}
        off += n
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    st = os.path.join(work, "vgg16.safetensors")
    last = header["classifier.6.bias"]["data_offsets"][0]
    with open(st, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h)
        f.write(bytes(last))
        f.write(struct.pack("<1000f", *range(1000)))
        f.write(bytes(off - last - 4000))
    s.check(os.path.getsize(st) > 553 * 10**6, "the file holds VGG-16's 553 MB")
    exe = os.path.join(work, "vgg16")
    r = s.run("build", "examples/vgg16.net", "--weights", st, "-o", exe, timeout=1200)
    os.unlink(st)
    if not s.status(r, 0, "netc build examples/vgg16.net with real-size weights"):
        return
    image = os.path.join(work, "image.raw")
    with open(image, "wb") as f:
        f.write(struct.pack("<f", 0.5) * (224 * 224 * 3))
    p = subprocess.run([exe, image, "--top=3"], capture_output=True, text=True, timeout=600)
    s.eq(p.returncode, 0, "the VGG-16 binary runs")
    s.check(p.stdout.split() == ["999", "999", "998", "998", "997", "997"] or
            [float(v) for v in p.stdout.split()] == [999, 999, 998, 998, 997, 997],
            "the 3 best classes are 999, 998, 997, scoring their own index", p.stdout)


def test_limit(s, work):
    net = os.path.join(work, "small.net")
    with open(net, "w") as f:
        f.write("network small {\n    x = input(shape=(2,));\n    y = dense(x, units=1);\n}\n")
    sparse = os.path.join(work, "huge.safetensors")
    with open(sparse, "wb") as f:
        f.truncate(LIMIT + 1)
    r = s.run("build", net, "--weights", sparse, "-o", os.path.join(work, "huge.c"))
    os.unlink(sparse)
    s.status(r, 1, "a file over the limit is an error")
    s.eq(r.err, "%s: error: cannot read '%s': it holds %d bytes, more than the %d (64 GiB) "
         "netc reads as weights [weights]\n" % (sparse, sparse, LIMIT + 1, LIMIT),
         "the message names both sizes")


def main():
    s = clitest.Suite(sys.argv[1])
    work = tempfile.mkdtemp(prefix="netc-bigw-")
    try:
        s.test(test_big, s, work)
        s.test(test_pipe, s, work)
        s.test(test_vgg16, s, work)
        s.test(test_limit, s, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return s.finish()


if __name__ == "__main__":
    sys.exit(main())
