#!/usr/bin/env python3
"""gen_big.py: writes a large, valid .net network for timing netc.

    bench/gen_big.py [--layers N] [--form blocks|flat] [-o FILE] [--c-peer FILE.c]

The network is a deep ResNet-like classifier of about N layers (default
10,000) after block expansion: a stem (conv, batchnorm, relu, max pool),
four stages at 56, 28, 14 and 7 pixels joined by strided blocks with a
projected shortcut, and in each stage a repetition of residual blocks
(conv, batchnorm, relu, add) and inception-like blocks (three branches, one
of them zeropad + max pool, joined by concat and projected back). Convs
before a batchnorm have no bias and every shortcut is aligned, so
`netc check` accepts it without warnings. The exact layer count is written
in a comment on the first line and printed on standard error.

--form says how it is written, for the same network (the same layers, the
same names): `blocks` (the default) defines the three blocks once and calls
them, about one call per 9 layers, so the work is in the expansion; `flat`
writes every layer as a statement of its own, so the work is in reading
text and in the passes.

--c-peer writes a C translation unit with one statement per expanded layer
(the same count), for a same-machine baseline: `cc -fsyntax-only` on it.
Standard library only.
"""

import argparse
import sys

# The blocks, once for both forms: (name, value parameters, statements).
# A statement is (target, callee, arguments); in the arguments `{t:NAME}`
# is a tensor of the block (`{t:x}` its parameter) and `{v:NAME}` a value
# parameter. The first statement reads `x`; the others read the statement
# before them unless they say otherwise. Each block returns `out`.
BLOCKS = [
    ("res", "filters", "A basic residual block: the shortcut is the identity.", [
        ("conv1", "conv2d", "{t:x}, filters={v:filters}, kernel=3, padding=1, bias=false"),
        ("bn1", "batchnorm", ""),
        ("relu1", "relu", ""),
        ("conv2", "conv2d", "filters={v:filters}, kernel=3, padding=1, bias=false"),
        ("bn2", "batchnorm", ""),
        ("sum", "add", "{t:bn2}, {t:x}"),
        ("out", "relu", "{t:sum}"),
    ]),
    ("down", "filters, stride = 2",
     "Halves the map and changes the width; the shortcut is a strided 1x1 conv.", [
         ("conv1", "conv2d",
          "{t:x}, filters={v:filters}, kernel=3, stride={v:stride}, padding=1, bias=false"),
         ("bn1", "batchnorm", ""),
         ("relu1", "relu", ""),
         ("conv2", "conv2d", "filters={v:filters}, kernel=3, padding=1, bias=false"),
         ("bn2", "batchnorm", ""),
         ("proj.0", "conv2d", "{t:x}, filters={v:filters}, kernel=1, stride={v:stride}, bias=false"),
         ("proj.1", "batchnorm", ""),
         ("sum", "add", "{t:bn2}, {t:proj.1}"),
         ("out", "relu", "{t:sum}"),
     ]),
    ("mixed", "filters, branch",
     "Three branches of width `branch`, concatenated and projected back to\n"
     "# `filters` channels, with a residual connection.", [
         ("a", "conv2d", "{t:x}, filters={v:branch}, kernel=1, bias=false"),
         ("b.0", "conv2d", "{t:x}, filters={v:branch}, kernel=1, activation=relu"),
         ("b.1", "conv2d", "{t:b.0}, filters={v:branch}, kernel=3, padding=same, bias=false"),
         ("c.0", "zeropad2d", "{t:x}, padding=1"),
         ("c.1", "maxpool2d", "size=3, stride=1"),
         ("c.2", "conv2d", "filters={v:branch}, kernel=1, bias=false"),
         ("cat", "concat", "{t:a}, {t:b.1}, {t:c.2}"),
         ("bn", "batchnorm", ""),
         ("r", "relu", ""),
         ("proj", "conv2d", "filters={v:filters}, kernel=1, bias=false"),
         ("proj_bn", "batchnorm", ""),
         ("sum", "add", "{t:proj_bn}, {t:x}"),
         ("out", "relu", "{t:sum}"),
     ]),
]
# Layers each call expands to (the block's statements; the call itself adds
# none: docs/language.md, "Blocks and imports").
SIZE = {name: len(stmts) for name, _, _, stmts in BLOCKS}
STEM = 5  # input, conv, batchnorm, relu, maxpool
HEAD = 3  # global pool, dense, softmax
STAGES = [(64, 56), (128, 28), (256, 14), (512, 7)]


def fill(args, tensor, value):
    """ARGS with {t:NAME} replaced by tensor(NAME), {v:NAME} by value(NAME)."""
    out = []
    i = 0
    while i < len(args):
        if args.startswith("{t:", i) or args.startswith("{v:", i):
            j = args.index("}", i)
            name = args[i + 3:j]
            out.append(tensor(name) if args[i + 1] == "t" else value(name))
            i = j + 1
        else:
            out.append(args[i])
            i += 1
    return "".join(out)


def block_text():
    parts = []
    for name, params, doc, stmts in BLOCKS:
        parts.append("# %s\nblock %s(x, *, %s) {\n" % (doc, name, params))
        for target, callee, args in stmts:
            parts.append("    %s = %s(%s);\n"
                         % (target, callee, fill(args, lambda t: t, lambda v: v)))
        parts.append("    return out;\n}\n\n")
    return "".join(parts)


def expand(block, prefix, x, values):
    """The statements of a call of BLOCK named PREFIX on tensor X, written
    out: every name gets the prefix, every value its number."""
    stmts = next(s for name, _, _, s in BLOCKS if name == block)
    values = dict(values)
    values.setdefault("stride", 2)
    lines = []
    for target, callee, args in stmts:
        text = fill(args, lambda t: x if t == "x" else "%s.%s" % (prefix, t),
                    lambda v: str(values[v]))
        lines.append("    %s.%s = %s(%s);\n" % (prefix, target, callee, text))
    return lines


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


def write_net(out, layers, form):
    stages = plan(layers)
    total = STEM + HEAD
    for calls, filler in stages:
        total += sum(SIZE[b] for b, _ in calls) + filler
    out.write("# %d layers after expansion; written by bench/gen_big.py --layers %d --form %s\n"
              % (total, layers, form))
    if form == "blocks":
        out.write(block_text())
    out.write("network big {\n")
    out.write("    x = input(shape=(224, 224, 3));\n")
    out.write("    conv1 = conv2d(filters=64, kernel=7, stride=2, padding=3, bias=false);\n")
    out.write("    bn1 = batchnorm();\n")
    out.write("    relu = relu();\n")
    out.write("    maxpool = maxpool2d(size=3, stride=2, padding=1);\n")
    prev = "maxpool"
    for s, (calls, filler) in enumerate(stages):
        for i, (block, filters) in enumerate(calls):
            name = "layer%d.%d" % (s + 1, i)
            values = {"filters": filters}
            if block == "mixed":
                values["branch"] = filters // 2
            if form == "blocks":
                out.write("    %s = %s(%s);\n" % (name, block, ", ".join(
                    "%s=%d" % kv for kv in values.items())))
            else:
                out.writelines(expand(block, name, prev, values))
            prev = name + ".out"
        for j in range(filler):
            # activations keep the shape and the field: harmless filler
            out.write("    layer%d.act%d = %s();\n" % (s + 1, j, "relu" if j % 2 else "linear"))
            prev = "layer%d.act%d" % (s + 1, j)
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
    ap.add_argument("--form", choices=["blocks", "flat"], default="blocks",
                    help="blocks called (default) or every layer written out")
    ap.add_argument("-o", "--output", default="-", help="the .net file (default: stdout)")
    ap.add_argument("--c-peer", help="also write a C file with one statement per layer")
    args = ap.parse_args()
    if args.layers < 40:
        ap.error("--layers must be at least 40")
    if args.output == "-":
        total = write_net(sys.stdout, args.layers, args.form)
    else:
        with open(args.output, "w") as f:
            total = write_net(f, args.layers, args.form)
    if args.c_peer:
        with open(args.c_peer, "w") as f:
            write_c_peer(f, total)
    print("gen_big.py: %d layers" % total, file=sys.stderr)


if __name__ == "__main__":
    main()
