#!/usr/bin/python3
# test_memory.py: the memory figures of `netc summary`, checked against a
# plan made here from the shapes alone.
#
# netc's plan (compiler/memplan.c), restated from its rules and not from its
# code:
#   - a tensor takes 4 bytes a float; a buffer is rounded up to 64 bytes;
#   - network inputs belong to the caller and are not in the arena;
#   - an elementwise layer (batchnorm, an activation, dropout), an add, and a
#     flatten that keeps the HWC layout (order=hwc, a 1×1 or flat input, or
#     read by dense layers only, which take its order into their weights)
#     write into their input's buffer when that input is read by them alone
#     and is not a network output (an add: into its first such input that it
#     does not read twice);
#   - a buffer lives from the step of the layer that writes it to the last
#     step that reads it; a network output lives to the end;
#   - buffers are placed largest first (ties: the earlier layer first), each
#     at the lowest offset where it overlaps no placed buffer whose life
#     overlaps its own; the arena is the highest end, the "peak";
#   - the peak layer is the first step at which the live bytes are the most.
# Independently of the greedy order, any plan must also be *valid*: two
# tensors whose lives overlap share bytes only if one writes in place into
# the other, so the test checks that too, and checks the arena against the
# lower bound (the most bytes live at one step) and the naive sum.
#
# Inputs: every example, small networks worked out by hand for one rule
# each, and 200 random networks (branches, add, concat, pools, pads,
# flatten of both orders, explicit outputs) from a fixed seed.
# The test prints, per example, the naive sum beside the plan's peak.

import json
import random
import re

import clitest

ALIGN = 64
ELEMENTWISE = {"batchnorm", "relu", "relu6", "sigmoid", "tanh", "softmax", "linear",
               "leaky_relu", "dropout", "silu", "hardswish", "hardsigmoid", "gelu"}


def align(n):
    return (n + ALIGN - 1) // ALIGN * ALIGN


def nbytes(shape):
    n = 4
    for d in shape:
        n *= d
    return n


def flatten_order(lines, layer):
    """'hwc' if the flatten's source line says order=hwc, else 'chw'. The
    summary JSON does not carry attributes, so look at the line itself."""
    ln = layer["line"] - 1
    text = lines[ln] if 0 <= ln < len(lines) else ""
    return "hwc" if re.search(r"\border\s*=\s*hwc\b", text) else "chw"


def source_lines(path):
    with open(path, encoding="utf-8") as f:
        return f.read().split("\n")


def plan(summary, lines):
    """The plan by the rules above: offsets, arena, peak layer, live peak.
    LINES: the source, for flatten's order."""
    layers = summary["layers"]
    n = len(layers)
    index = {l["name"]: i for i, l in enumerate(layers)}
    inputs = [[index[x] for x in l["inputs"]] for l in layers]
    users = [[] for _ in layers]
    for i, ins in enumerate(inputs):
        for x in ins:
            if i not in users[x]:
                users[x].append(i)
    outputs = {index[o] for o in summary["outputs"]}
    size = [nbytes(l["shape"]) for l in layers]

    def reusable(x, i):
        return layers[x]["op"] != "input" and x not in outputs and users[x] == [i]

    buf = list(range(n))
    for i, l in enumerate(layers):
        ins = inputs[i]
        target = None
        if ins and l["op"] in ELEMENTWISE and reusable(ins[0], i):
            target = ins[0]
        elif ins and l["op"] == "flatten" and reusable(ins[0], i):
            src = layers[ins[0]]["shape"]
            keeps = (flatten_order(lines, l) == "hwc" or len(src) != 3 or src[:2] == [1, 1])
            dense_only = i not in outputs and users[i] and \
                all(layers[u]["op"] == "dense" for u in users[i])
            if keeps or dense_only:
                target = ins[0]
        elif l["op"] in ("add", "multiply"):
            for x in ins:
                # a broadcast 1×1×C operand is smaller than the result
                if ins.count(x) == 1 and reusable(x, i) and layers[x]["shape"] == l["shape"]:
                    target = x
                    break
        if target is not None:
            buf[i] = buf[target]

    # lives of buffers: owner's step to the last read of any tensor in it
    last = {}
    for i in range(n):
        end = n if i in outputs else max([i] + users[i])
        b = buf[i]
        last[b] = max(last.get(b, b), end)
    owners = [i for i in range(n) if buf[i] == i and layers[i]["op"] != "input"]

    live = [0] * (n + 1)
    for b in owners:
        for t in range(b, last[b] + 1):
            live[t] += align(size[b])
    peak_live = max(live[:n]) if n else 0
    peak_step = live.index(peak_live) if peak_live else None

    offset = {}
    placed = []
    for b in sorted(owners, key=lambda b: (-size[b], b)):
        sz = align(size[b])
        conflicts = sorted((o, s) for (o, s, f, l) in placed if f <= last[b] and b <= l)
        at = 0
        for o, s in conflicts:
            if o - at >= sz:
                break
            at = max(at, o + s)
        offset[b] = at
        placed.append((at, sz, b, last[b]))
    arena = max((o + s for o, s, _, _ in placed), default=0)
    offsets = [offset[buf[i]] if layers[i]["op"] != "input" else -1 for i in range(n)]
    return {
        "buf": buf, "offsets": offsets, "arena": arena, "peak_live": peak_live,
        "peak_layer": layers[peak_step]["name"] if peak_step is not None else None,
        # each buffer 64-byte aligned, as the plan's are
        "naive": sum((size[i] + 63) // 64 * 64 for i in range(n) if layers[i]["op"] != "input"),
        "weights": sum(4 * l["params"] for l in layers),
        "size": size, "users": users, "inputs": inputs, "outputs": outputs,
    }


def check_valid(s, summary, p):
    """netc's offsets: no two tensors alive at once share bytes, unless one
    is written in place into the other (an elementwise, add or flatten
    layer reading a tensor that nobody else reads)."""
    layers = summary["layers"]
    n = len(layers)
    lives = []
    for i, l in enumerate(layers):
        end = n if i in p["outputs"] else max([i] + p["users"][i])
        lives.append((i, end))
    ok_pairs = set()
    for i, l in enumerate(layers):
        if l["op"] in ELEMENTWISE | {"add", "flatten"}:
            for x in p["inputs"][i]:
                if p["users"][x] == [i] and x not in p["outputs"]:
                    ok_pairs.add((x, i))

    # in-place chains share legitimately: close ok_pairs over chains
    group = list(range(n))

    def find(a):
        while group[a] != a:
            a = group[a]
        return a
    for a, b in ok_pairs:
        group[find(b)] = find(a)

    bad = []
    for i in range(n):
        oi = layers[i]["arena_offset"]
        if oi < 0:
            continue
        for k in range(i + 1, n):
            ok = layers[k]["arena_offset"]
            if ok < 0:
                continue
            mem = oi < ok + p["size"][k] and ok < oi + p["size"][i]
            life = lives[i][0] <= lives[k][1] and lives[k][0] <= lives[i][1]
            if mem and life and find(i) != find(k):
                bad.append((layers[i]["name"], layers[k]["name"]))
    s.eq(bad[:5], [], "no two live tensors share bytes, unless written in place")
    for i, l in enumerate(layers):
        if l["arena_offset"] >= 0:
            s.eq(l["arena_offset"] % ALIGN, 0, "%s: offset 64-byte aligned" % l["name"])
            s.check(l["arena_offset"] + p["size"][i] <= summary["memory"]["peak_activation_bytes"],
                    "%s: inside the arena" % l["name"])


def text_figures(out):
    """The memory lines of the text summary, and its per-layer columns."""
    fig = {}
    m = re.search(r"^Weight bytes: ([\d,]+)$", out, re.M)
    fig["weight_bytes"] = int(m.group(1).replace(",", "")) if m else None
    m = re.search(r"^Peak activation memory: ([\d,]+) bytes \(at '([^']+)'\)$", out, re.M)
    fig["peak"] = (int(m.group(1).replace(",", "")), m.group(2)) if m else None
    m = re.search(r"^Naive activation memory: ([\d,]+) bytes$", out, re.M)
    fig["naive"] = int(m.group(1).replace(",", "")) if m else None
    rows = {}
    lines = out.split("\n")
    header = lines[0] if lines else ""
    for line in lines[1:]:
        m = re.match(r"^(\S+) \(\S+\)\s.*?\s([\d,]+)\s+([\d,]+)$", line)
        if m:
            rows[m.group(1)] = (int(m.group(2).replace(",", "")), int(m.group(3).replace(",", "")))
    fig["header"] = header
    fig["rows"] = rows
    return fig


def test_examples(s):
    table = []
    for path in clitest.EXAMPLES:
        s.context = path
        r = s.run("summary", "--format=json", path)
        if not s.status(r, 0):
            continue
        summ = json.loads(r.out)
        mem = summ.get("memory")
        if not s.check(isinstance(mem, dict), "a memory object"):
            continue
        s.eq(sorted(mem), ["naive_activation_bytes", "peak_activation_bytes", "peak_layer",
                           "weight_bytes"], "the memory object's keys")
        p = plan(summ, source_lines(path))
        for i, l in enumerate(summ["layers"]):
            s.eq(l.get("output_bytes"), p["size"][i], "%s: output_bytes" % l["name"])
            s.eq(l.get("weight_bytes"), 4 * l["params"], "%s: weight_bytes" % l["name"])
            s.eq(l.get("arena_offset"), p["offsets"][i], "%s: arena_offset" % l["name"])
        s.eq(mem["weight_bytes"], p["weights"], "weight_bytes: 4 per parameter")
        s.eq(mem["weight_bytes"], 4 * summ["totals"]["params"], "weight_bytes: 4 × total params")
        s.eq(mem["naive_activation_bytes"], p["naive"], "naive: the sum of every layer's output")
        s.eq(mem["peak_activation_bytes"], p["arena"], "peak: the arena of the greedy plan")
        s.eq(mem["peak_layer"], p["peak_layer"], "peak_layer: where the most bytes are live")
        s.check(p["peak_live"] <= mem["peak_activation_bytes"] <= sum(
            align(x) for i, x in enumerate(p["size"]) if summ["layers"][i]["op"] != "input"),
            "live peak ≤ arena ≤ aligned naive sum",
            (p["peak_live"], mem["peak_activation_bytes"]))
        check_valid(s, summ, p)

        # the text summary says the same
        t = s.run("summary", path)
        fig = text_figures(t.out)
        s.check(fig["header"].rstrip().endswith("Output bytes  Weight bytes"),
                "the text table ends with Output bytes and Weight bytes", fig["header"])
        s.eq(fig["weight_bytes"], mem["weight_bytes"], "text: Weight bytes")
        s.eq(fig["peak"], (mem["peak_activation_bytes"], mem["peak_layer"]),
             "text: Peak activation memory")
        s.eq(fig["naive"], mem["naive_activation_bytes"], "text: Naive activation memory")
        want_rows = {l["name"]: (l["output_bytes"], l["weight_bytes"]) for l in summ["layers"]}
        s.eq(fig["rows"], want_rows, "text: Output bytes and Weight bytes per layer")
        table.append((path, len(summ["layers"]), mem["naive_activation_bytes"],
                      p["peak_live"], mem["peak_activation_bytes"], mem["peak_layer"]))
    s.context = ""
    print("%-24s %6s %14s %14s %14s %6s  %s" % ("example", "layers", "naive", "live peak",
                                                "plan (arena)", "ratio", "peak layer"))
    for path, nl, naive, live, arena, layer in table:
        print("%-24s %6d %14s %14s %14s %5.1f%%  %s" % (
            path, nl, "{:,}".format(naive), "{:,}".format(live), "{:,}".format(arena),
            100.0 * arena / naive if naive else 0, layer))


def test_hand_figures(s):
    """Figures worked out by hand (see test_budget.py)."""
    want = {
        "examples/seed.net": (271360, "conv2d_3", 482112, 8155688),
        "examples/mnist.net": (108160, "maxpool2d_1", 150464, 373288),
        "examples/resnet18.net": (4014080, "maxpool", None, 46796448),
    }
    for path, (peak, layer, naive, weights) in want.items():
        s.context = path
        mem = json.loads(s.run("summary", "--format=json", path).out)["memory"]
        s.eq(mem["peak_activation_bytes"], peak, "peak")
        s.eq(mem["peak_layer"], layer, "peak layer")
        if naive is not None:
            s.eq(mem["naive_activation_bytes"], naive, "naive")
        s.eq(mem["weight_bytes"], weights, "weight bytes")


# Small networks for the rules one at a time: (source, arena, peak layer).
CASES = [
    # relu in place into the conv: one buffer of 8·8·4·4 = 1,024
    ("x = input(shape=(8, 8, 1)); c = conv2d(filters=4, kernel=1); r = relu();",
     1024, "c"),
    # the conv is an output too: relu cannot overwrite it
    ("x = input(shape=(8, 8, 1)); c = conv2d(filters=4, kernel=1); r = relu(); output c, r;",
     2048, "r"),
    # the conv has two readers: relu and sigmoid need buffers of their own
    ("x = input(shape=(8, 8, 1)); c = conv2d(filters=4, kernel=1); r = relu(c); "
     "s = sigmoid(c); a = add(r, s);", 3072, "s"),
    # relu on the input: inputs are the caller's, relu gets its own buffer
    ("x = input(shape=(8, 8, 1)); r = relu();", 256, "r"),
    # sizes round up to 64: 3 floats take 64 bytes
    ("x = input(shape=(3)); d = dense(units=3); e = dense(units=3);", 128, "e"),
    # a chw flatten read by a softmax must reorder: a buffer of its own
    ("x = input(shape=(4, 4, 2)); c = conv2d(filters=2, kernel=1); f = flatten(); s = softmax();",
     256, "f"),
    # flatten(order=hwc) keeps the layout: in place, as is the softmax
    ("x = input(shape=(4, 4, 2)); c = conv2d(filters=2, kernel=1); f = flatten(order=hwc); "
     "s = softmax();", 128, "c"),
    # add(a, a) cannot overwrite a
    ("x = input(shape=(4, 4, 2)); a = conv2d(filters=2, kernel=1); s = add(a, a);", 256, "s"),
]


def test_cases(s):
    for k, body in enumerate(CASES):
        src, arena, layer = body
        text = "network case%d {\n    %s\n}\n" % (k, src.replace("; ", ";\n    "))
        s.context = "case %d: %s" % (k, src)
        r = s.run("summary", "--format=json", "-", stdin=text.encode())
        if not s.status(r, 0):
            continue
        summ = json.loads(r.out)
        mem = summ["memory"]
        s.eq((mem["peak_activation_bytes"], mem["peak_layer"]), (arena, layer),
             "arena and peak layer worked out by hand")
        p = plan(summ, text.split("\n"))
        s.eq(mem["peak_activation_bytes"], p["arena"], "the reimplemented plan agrees")
        s.eq(mem["peak_layer"], p["peak_layer"], "the reimplemented peak layer agrees")
        s.eq([l["arena_offset"] for l in summ["layers"]], p["offsets"],
             "the reimplemented offsets agree")
        check_valid(s, summ, p)


def random_network(seed, layers=(3, 14), outputs=2):
    """A small random network: branches, add, concat, pools, pads, in-place
    candidates, flatten of both orders, sometimes explicit outputs. LAYERS:
    the range of its length; OUTPUTS: at most how many tensors an explicit
    `output` lists."""
    R = random.Random(seed)
    H, C = R.choice([4, 6, 8]), R.choice([1, 2, 3])
    lines = ["x = input(shape=(%d, %d, %d));" % (H, H, C)]
    tensors = [("x", (H, H, C))]
    for i in range(R.randint(*layers)):
        name = "t%d" % i
        t, sh = R.choice(tensors) if R.random() < 0.5 else tensors[-1]
        op = R.choice(["conv", "conv", "act", "act", "batchnorm", "dropout", "softmax",
                       "add", "concat", "pool", "pad"])
        if op == "conv":
            f, k = R.choice([1, 2, 4, 8]), R.choice([1, 3])
            lines.append("%s = conv2d(%s, filters=%d, kernel=%d, padding=same);" % (name, t, f, k))
            sh = (sh[0], sh[1], f)
        elif op == "act":
            act = R.choice(["relu", "sigmoid", "tanh", "relu6", "leaky_relu", "linear"])
            lines.append("%s = %s(%s);" % (name, act, t))
        elif op in ("batchnorm", "dropout", "softmax"):
            lines.append("%s = %s(%s);" % (name, op, t))
        elif op == "add":
            u = R.choice([u for u, s2 in tensors if s2 == sh])  # may be t itself
            lines.append("%s = add(%s, %s);" % (name, t, u))
        elif op == "concat":
            u, s2 = R.choice([(u, s2) for u, s2 in tensors if s2[:2] == sh[:2]])
            lines.append("%s = concat(%s, %s);" % (name, t, u))
            sh = (sh[0], sh[1], sh[2] + s2[2])
        elif op == "pool":
            if sh[0] < 2:
                continue
            lines.append("%s = maxpool2d(%s, size=2);" % (name, t))
            sh = (sh[0] // 2, sh[1] // 2, sh[2])
        else:
            lines.append("%s = zeropad2d(%s, padding=1);" % (name, t))
            sh = (sh[0] + 2, sh[1] + 2, sh[2])
        tensors.append((name, sh))
    last = tensors[-1][0]
    tail = R.choice(["flatten", "gap", "none", "flatten_hwc"])
    if tail == "flatten":
        lines += ["f = flatten(%s);" % last, "d = dense(units=%d);" % R.choice([3, 10])]
    elif tail == "flatten_hwc":
        lines += ["f = flatten(%s, order=hwc);" % last, "s = softmax();"]
    elif tail == "gap":
        lines += ["g = global_avgpool2d(%s);" % last, "d = dense(units=5);"]
    if R.random() < 0.3:
        names = [t for t, _ in tensors[1:]]
        lines.append("output %s;" % ", ".join(R.sample(names, min(len(names), R.randint(1, outputs)))))
    return "network g%d {\n    %s\n}\n" % (seed, "\n    ".join(lines))


def test_random(s):
    """Random networks: netc's plan is the plan of the rules, and valid."""
    ran = 0
    for seed in range(200):
        src = random_network(seed)
        s.context = "random network %d" % seed
        r = s.run("summary", "--format=json", "-", stdin=src.encode())
        if r.rc != 0:
            continue
        ran += 1
        summ = json.loads(r.out)
        p = plan(summ, src.split("\n"))
        mem = summ["memory"]
        ok = s.eq((mem["peak_activation_bytes"], mem["peak_layer"]), (p["arena"], p["peak_layer"]),
                  "arena and peak layer")
        ok = s.eq([l["arena_offset"] for l in summ["layers"]], p["offsets"], "offsets") and ok
        if not ok:
            print(src)
        check_valid(s, summ, p)
    s.context = ""
    s.check(ran >= 150, "most random networks are valid (%d of 200)" % ran)
    print("random networks: %d planned, each as the rules say" % ran)


def test_large(s):
    """Large random networks (about 2,000 layers, branches reaching far back,
    up to 50 outputs): the plan is still the plan of the rules, so the way
    memplan.c finds the buffers live at once (not a scan of every placed
    buffer) changes nothing. Results only: speed is bench/'s."""
    ran = 0
    for seed in range(1000, 1010):
        src = random_network(seed, layers=(1800, 2200), outputs=50)
        s.context = "large random network %d" % seed
        r = s.run("summary", "--format=json", "-", stdin=src.encode())
        if r.rc != 0:
            continue
        ran += 1
        summ = json.loads(r.out)
        p = plan(summ, src.split("\n"))
        mem = summ["memory"]
        s.eq((mem["peak_activation_bytes"], mem["peak_layer"]), (p["arena"], p["peak_layer"]),
             "arena and peak layer")
        s.eq([l["arena_offset"] for l in summ["layers"]], p["offsets"], "offsets")
    s.context = ""
    s.check(ran >= 5, "most large random networks are valid (%d of 10)" % ran)
    print("large random networks: %d planned, each as the rules say" % ran)


if __name__ == "__main__":
    clitest.main([test_examples, test_hand_figures, test_cases, test_random, test_large])
