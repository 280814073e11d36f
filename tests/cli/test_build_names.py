# test_build_names.py: networks whose names are hard to turn into C.
#
# Network names that are C keywords, tensor names that are keywords or
# macros of the C library, dotted names (`a.b` beside `a_b`), names that
# collide once upper-cased or mangled, names whose part after a dot starts
# with a digit (docs/build.md, "Names in the generated C"). Each network is
# built with weights of known values:
#   - as C (-o model.c), compiled with a main() that calls the run function
#     and uses the size macros by the names the rules give, under
#     -std=c99 -Wall -Wextra -pedantic -Werror, and run;
#   - its header as C++, where a C++ compiler is installed (the header says
#     extern "C" for C++ callers);
#   - as a standalone binary, run on the same inputs;
# and both must print the exact outputs worked out by hand.
#
#     python3 tests/cli/test_build_names.py NETC

import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import clitest  # noqa: E402

CC = os.environ.get("CC") or "cc"


def safetensors(path, tensors):
    """tensors: [(name, shape, [floats])] as F32 little-endian."""
    header, data = {}, b""
    for name, shape, values in tensors:
        raw = struct.pack("<%df" % len(values), *values)
        header[name] = {"dtype": "F32", "shape": shape,
                        "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + data)


def raw(path, values):
    with open(path, "wb") as f:
        f.write(struct.pack("<%df" % len(values), *values))


# name, source, weights, the run function, the macros the header must
# define (name -> value), the inputs (one list per input, in declaration
# order), the expected outputs (one list per output, in output order)
CASES = [
    ("keyword network with weights",
     "network int {\n"
     "    x = input(shape=(4,));\n"
     "    y = dense(x, units=2);\n"
     "}\n",
     [("y.weight", [2, 4], [1.0] * 8), ("y.bias", [2], [1.0, 2.0])],
     "int_run",
     {"INT_INPUT_SIZE": 4, "INT_OUTPUT_SIZE": 2, "INT_X_SIZE": 4, "INT_Y_SIZE": 2},
     [[1.0, 2.0, 3.0, 4.0]],
     [[11.0, 12.0]]),
    ("dotted names beside their mangled forms",
     "network n_1 {\n"
     "    a.b = input(shape=(3,));\n"
     "    a_b = input(shape=(3,));\n"
     "    s = add(a.b, a_b);\n"
     "    c.0 = dense(s, units=2);\n"
     "    C_0 = relu(s);\n"
     "    output c.0, C_0;\n"
     "}\n",
     [("c.0.weight", [2, 3], [1.0, 0.0, 0.0, 0.0, 1.0, -1.0]), ("c.0.bias", [2], [0.5, 0.0])],
     "n_1_run",
     {"N_1_A_B_SIZE": 3, "N_1_A_B_2_SIZE": 3, "N_1_C_0_SIZE": 2, "N_1_C_0_2_SIZE": 3},
     [[1.0, -2.0, 3.0], [1.0, 1.0, -1.0]],
     [[2.5, -3.0], [2.0, 0.0, 2.0]]),
    ("keywords, library macros and reserved names as tensors",
     "network _Static {\n"
     "    int = input(shape=(2,));\n"
     "    errno = input(shape=(2,));\n"
     "    EOF = input(shape=(2,));\n"
     "    a = add(int, errno, EOF);\n"
     "    stdin = dense(a, units=1);\n"
     "    workspace = relu(a);\n"
     "    output stdin, workspace;\n"
     "}\n",
     [("stdin.weight", [1, 2], [2.0, 3.0]), ("stdin.bias", [1], [-1.0])],
     "Static_run",
     {"STATIC_INT_SIZE": 2, "STATIC_ERRNO_SIZE": 2, "STATIC_EOF_SIZE": 2,
      "STATIC_STDIN_SIZE": 1, "STATIC_WORKSPACE_SIZE": 2, "STATIC_WORKSPACE_BYTES": 192},
     [[1.0, 2.0], [3.0, -4.0], [0.5, 0.5]],
     [[2.0 * 4.5 + 3.0 * -1.5 - 1.0], [4.5, 0.0]]),
    ("digits after dots",
     "network layer {\n"
     "    x.0 = input(shape=(2,));\n"
     "    x.1 = input(shape=(2,));\n"
     "    x_0 = concat(x.0, x.1);\n"
     "    x.10 = dense(x_0, units=1, bias=false);\n"
     "    X.1.0 = relu(x_0);\n"
     "    output x.10, X.1.0;\n"
     "}\n",
     [("x.10.weight", [1, 4], [1.0, 2.0, 3.0, 4.0])],
     "layer_run",
     {"LAYER_X_0_SIZE": 2, "LAYER_X_1_SIZE": 2, "LAYER_X_10_SIZE": 1,
      "LAYER_X_1_0_SIZE": 4},
     [[1.0, -1.0], [2.0, -2.0]],
     [[1.0 - 2.0 + 6.0 - 8.0], [1.0, 0.0, 2.0, 0.0]]),
]


CASES.append(
    ("C++ keywords (the header is for C++ too)",
     "network template {\n"
     "    class = input(shape=(2,));\n"
     "    new = input(shape=(2,));\n"
     "    this = add(class, new);\n"
     "    delete = relu(this);\n"
     "    output this, delete;\n"
     "}\n",
     [],
     "template_run",
     {"TEMPLATE_CLASS_SIZE": 2, "TEMPLATE_NEW_SIZE": 2, "TEMPLATE_THIS_SIZE": 2,
      "TEMPLATE_DELETE_SIZE": 2},
     [[1.0, -3.0], [2.0, 1.0]],
     [[3.0, -2.0], [3.0, 0.0]]))


def c_main(header, run, macros, ins, outs):
    """A main() that checks the macros and calls run on the inputs."""
    lines = ['#include "%s"' % header, "#include <stdio.h>", ""]
    for name, value in macros.items():
        lines.append("typedef char check_%s[%s == %d ? 1 : -1];" % (name, name, value))
    lines += ["", "int main(void)", "{"]
    for i, values in enumerate(ins):
        lines.append("    static const float in%d[%d] = {%s};" % (
            i, len(values), ", ".join("(float)%.17g" % v for v in values)))
    for i, values in enumerate(outs):
        lines.append("    static float out%d[%d];" % (i, len(values)))
    args = ["in%d" % i for i in range(len(ins))] + ["out%d" % i for i in range(len(outs))]
    lines.append("    long i;")
    lines.append("    %s(%s);" % (run, ", ".join(args)))
    for i, values in enumerate(outs):
        lines.append("    for (i = 0; i < %d; i++) printf(\"%%g\\n\", (double)out%d[i]);"
                     % (len(values), i))
    lines.append("    return 0;\n}\n")
    return "\n".join(lines)


def expected_text(outs, labelled):
    lines = []
    for values in outs:
        lines += ["%g" % v for v in values]
    return lines


def binary_values(text):
    """The numbers of a standalone binary's output (labels dropped)."""
    vals = []
    for line in text.split("\n"):
        line = line.strip()
        if not line or line.endswith(":"):
            continue
        vals.append(float(line))
    return vals


def test_case(s, work, case):
    what, src, weights, run, macros, ins, outs = case
    s.context = what
    d = os.path.join(work, run)
    os.makedirs(d)
    net = os.path.join(d, "model.net")
    with open(net, "w") as f:
        f.write(src)
    st = os.path.join(d, "w.safetensors")
    safetensors(st, weights)

    r = s.run("build", net, "--weights", st, "-o", os.path.join(d, "model.c"))
    if not s.status(r, 0, "netc build -o model.c"):
        return
    with open(os.path.join(d, "main.c"), "w") as f:
        f.write(c_main("model.h", run, macros, ins, outs))
    cc = subprocess.run([CC, "-std=c99", "-Wall", "-Wextra", "-pedantic", "-Werror", "-O1",
                         "-I", d, os.path.join(d, "model.c"), os.path.join(d, "main.c"),
                         "-o", os.path.join(d, "prog"), "-lm"],
                        capture_output=True, text=True)
    if s.check(cc.returncode == 0, "the C compiles under -pedantic -Werror",
               cc.stderr + open(os.path.join(d, "model.h")).read()):
        p = subprocess.run([os.path.join(d, "prog")], capture_output=True, text=True)
        s.eq(p.stdout.split(), expected_text(outs, False), "the C program's outputs")

    cxx = shutil.which("c++")
    if cxx:  # optional: the header is meant for C++ callers too
        p = subprocess.run([cxx, "-fsyntax-only", "-Wall", "-Werror", "-x", "c++",
                            os.path.join(d, "model.h")], capture_output=True, text=True)
        s.check(p.returncode == 0, "model.h is valid C++", p.stderr)

    exe = os.path.join(d, "model")
    r = s.run("build", net, "--weights", st, "-o", exe, timeout=300)
    if not s.status(r, 0, "netc build -o model (binary)"):
        return
    files = []
    for i, values in enumerate(ins):
        files.append(os.path.join(d, "in%d.raw" % i))
        raw(files[-1], values)
    p = subprocess.run([exe] + files, capture_output=True, text=True)
    s.eq(p.returncode, 0, "the binary runs")
    want = [v for values in outs for v in values]
    s.eq(binary_values(p.stdout), want, "the binary's outputs")


def test_file_names(s, work):
    """The .c names its header in #include "...": a name that cannot be there is refused."""
    s.context = "file names"
    net = os.path.join(work, "plain.net")
    with open(net, "w") as f:
        f.write("network plain {\n    x = input(shape=(2,));\n    relu(x);\n}\n")
    for bad in ['a"b.c', "a\\b.c", "a\nb.c"]:
        out = os.path.join(work, bad)
        r = s.run("build", net, "--random-weights=0", "-o", out)
        s.status(r, 2, "-o %r" % bad)
        s.eq(r.err, "netc: error: cannot name C source '%s': the name of its header could not "
             "be #included (no '\"', '\\' or newline)\n"
             "Try 'netc help' for more information.\n" % out, "the message for %r" % bad)
        s.check(not os.path.exists(out), "nothing written for %r" % bad)
    # spaces, apostrophes and "*" are fine, in the output's name and in the
    # input's path, which the .c names in a comment
    d = os.path.join(work, "it's a dir*")
    os.makedirs(d)
    shutil.copy(net, d)
    net = os.path.join(d, "plain.net")
    r = s.run("build", net, "--random-weights=0", "-o", os.path.join(d, "my *model.c"))
    s.status(r, 0, "a name with a space, an apostrophe and a star")
    cc = subprocess.run([CC, "-std=c99", "-pedantic", "-Werror", "-c",
                         os.path.join(d, "my *model.c"), "-o", os.path.join(d, "m.o")],
                        capture_output=True, text=True)
    s.eq(cc.returncode, 0, "and it compiles")


def main():
    s = clitest.Suite(sys.argv[1])
    work = tempfile.mkdtemp(prefix="netc-names-")
    try:
        for case in CASES:
            s.test(test_case, s, work, case)
        s.test(test_file_names, s, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return s.finish()


if __name__ == "__main__":
    sys.exit(main())
