#!/usr/bin/env python3
"""gen_big.py: writes a large, valid .net network for timing netc.

    bench/gen_big.py [--layers N] [-o FILE] [--c-peer FILE.c]

The network is a deep ResNet-like classifier of about N layers (default
10,000) after block expansion: a stem (conv, batchnorm, relu, max pool),
four stages at 56, 28, 14 and 7 pixels joined by strided blocks with a
projected shortcut, and in each stage a repetition of residual blocks
(conv, batchnorm, relu, add) and inception-like blocks (three branches, one
of them zeropad + max pool, joined by concat and projected back). Convs
before a batchnorm have no bias and every shortcut is aligned, so
`netc check` accepts it without warnings. The exact layer count is written
in a comment on the first line and printed on standard error.

--c-peer writes a C translation unit with one statement per expanded layer
(the same count), for a same-machine baseline: `cc -fsyntax-only` on it.
Standard library only.
"""

import argparse
import sys

# Layers each call expands to (the block's statements; the call itself adds
# none: LANGUAGE.md, "Blocks").
BLOCKS = """\
# A basic residual block: the shortcut is the identity.
block res(x, *, filters) {
    conv1 = conv2d(x, filters=filters, kernel=3, padding=1, bias=false);
    bn1 = batchnorm();
    relu1 = relu();
    conv2 = conv2d(filters=filters, kernel=3, padding=1, bias=false);
    bn2 = batchnorm();
    sum = add(bn2, x);
    out = relu(sum);
    return out;
}

# Halves the map and changes the width; the shortcut is a strided 1x1 conv.
block down(x, *, filters, stride = 2) {
    conv1 = conv2d(x, filters=filters, kernel=3, stride=stride, padding=1, bias=false);
    bn1 = batchnorm();
    relu1 = relu();
    conv2 = conv2d(filters=filters, kernel=3, padding=1, bias=false);
    bn2 = batchnorm();
    proj.0 = conv2d(x, filters=filters, kernel=1, stride=stride, bias=false);
    proj.1 = batchnorm();
    sum = add(bn2, proj.1);
    out = relu(sum);
    return out;
}

# Three branches of width `branch`, concatenated and projected back to
# `filters` channels, with a residual connection.
block mixed(x, *, filters, branch) {
    a = conv2d(x, filters=branch, kernel=1, bias=false);
    b.0 = conv2d(x, filters=branch, kernel=1, activation=relu);
    b.1 = conv2d(b.0, filters=branch, kernel=3, padding=same, bias=false);
    c.0 = zeropad2d(x, padding=1);
    c.1 = maxpool2d(size=3, stride=1);
    c.2 = conv2d(filters=branch, kernel=1, bias=false);
    cat = concat(a, b.1, c.2);
    bn = batchnorm();
    r = relu();
    proj = conv2d(filters=filters, kernel=1, bias=false);
    proj_bn = batchnorm();
    sum = add(proj_bn, x);
    out = relu(sum);
    return out;
}
"""
SIZE = {"res": 7, "down": 9, "mixed": 13}
STEM = 5  # input, conv, batchnorm, relu, maxpool
HEAD = 3  # global pool, dense, softmax
STAGES = [(64, 56), (128, 28), (256, 14), (512, 7)]


def plan(layers):
    """The calls of each stage: a list of (block, filters) per stage."""
    budget = max(layers - STEM - HEAD - SIZE["down"] * (len(STAGES) - 1), 0)
    per_stage = budget // len(STAGES)
    stages = []
    used = 0
    for s, (filters, _) in enumerate(STAGES):
        calls = []
        if s > 0:
            calls.append(("down", filters))
        left = per_stage if s < len(STAGES) - 1 else budget - used
        unit = ["res", "res", "mixed"]
        k = 0
        while left >= SIZE[unit[k % 3]]:
            calls.append((unit[k % 3], filters))
            left -= SIZE[unit[k % 3]]
            used += SIZE[unit[k % 3]]
            k += 1
        # fill the rest of the stage's share with single layers
        stages.append((calls, left))
        used += left
    return stages


def write_net(out, layers):
    stages = plan(layers)
    total = STEM + HEAD
    for calls, fill in stages:
        total += sum(SIZE[b] for b, _ in calls) + fill
    out.write("# %d layers after expansion; written by bench/gen_big.py --layers %d\n"
              % (total, layers))
    out.write(BLOCKS)
    out.write("\nnetwork big {\n")
    out.write("    x = input(shape=(224, 224, 3));\n")
    out.write("    conv1 = conv2d(filters=64, kernel=7, stride=2, padding=3, bias=false);\n")
    out.write("    bn1 = batchnorm();\n")
    out.write("    relu = relu();\n")
    out.write("    maxpool = maxpool2d(size=3, stride=2, padding=1);\n")
    for s, (calls, fill) in enumerate(stages):
        for i, (block, filters) in enumerate(calls):
            if block == "mixed":
                out.write("    layer%d.%d = mixed(filters=%d, branch=%d);\n"
                          % (s + 1, i, filters, filters // 2))
            else:
                out.write("    layer%d.%d = %s(filters=%d);\n" % (s + 1, i, block, filters))
        for j in range(fill):
            # activations keep the shape and the field: harmless filler
            out.write("    layer%d.act%d = %s();\n" % (s + 1, j, "relu" if j % 2 else "linear"))
    out.write("    avgpool = global_avgpool2d();\n")
    out.write("    fc = dense(units=1000);\n")
    out.write("    prob = softmax();\n")
    out.write("}\n")
    return total


def write_c_peer(out, total):
    """One C statement per layer, each a call with the attributes as
    arguments, in one function: what a C compiler front end would parse and
    type-check for a network written out by hand."""
    out.write("/* %d statements: the C peer of bench/gen_big.py's network */\n" % total)
    out.write("typedef struct { int h, w, c; const float *data; } tensor;\n")
    out.write("tensor input(int h, int w, int c);\n")
    out.write("tensor conv2d(tensor x, int filters, int kh, int kw, int stride, int pad, int bias);\n")
    out.write("tensor batchnorm(tensor x, float eps);\n")
    out.write("tensor relu(tensor x);\n")
    out.write("tensor add(tensor a, tensor b);\n")
    out.write("tensor concat3(tensor a, tensor b, tensor c);\n")
    out.write("tensor zeropad2d(tensor x, int t, int b, int l, int r);\n")
    out.write("tensor maxpool2d(tensor x, int size, int stride, int pad);\n")
    out.write("tensor dense(tensor x, int units);\n")
    out.write("void sink(tensor t);\n\n")
    out.write("void network(void) {\n")
    out.write("    tensor t0 = input(224, 224, 3);\n")
    ops = [
        "conv2d(t%d, %d, 3, 3, 1, 1, 0)",
        "batchnorm(t%d, 1e-5f)",
        "relu(t%d)",
        "add(t%d, t%d)",
        "concat3(t%d, t%d, t%d)",
        "zeropad2d(t%d, 1, 1, 1, 1)",
        "maxpool2d(t%d, 3, 1, 0)",
    ]
    for i in range(1, total):
        op = ops[i % len(ops)]
        n = op.count("%d")
        args = [i - 1] + ([64] if op.startswith("conv2d") else []) + [max(i - 2, 0)] * 4
        args = args[:n]
        out.write("    tensor t%d = %s;\n" % (i, op % tuple(args)))
    out.write("    sink(t%d);\n}\n" % (total - 1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--layers", type=int, default=10000,
                    help="about how many layers (after block expansion); default 10000")
    ap.add_argument("-o", "--output", default="-", help="the .net file (default: stdout)")
    ap.add_argument("--c-peer", help="also write a C file with one statement per layer")
    args = ap.parse_args()
    if args.layers < 40:
        ap.error("--layers must be at least 40")
    if args.output == "-":
        total = write_net(sys.stdout, args.layers)
    else:
        with open(args.output, "w") as f:
            total = write_net(f, args.layers)
    if args.c_peer:
        with open(args.c_peer, "w") as f:
            write_c_peer(f, total)
    print("gen_big.py: %d layers" % total, file=sys.stderr)


if __name__ == "__main__":
    main()
