#!/usr/bin/python3
"""The receptive fields of netc against PyTorch's autograd.

    /usr/bin/python3 tests/numerics/rf_oracle.py --write [--netc build/netc]
    python3 tests/numerics/rf_oracle.py --check NETC

--write (needs Debian's python3-torch): for every fixture (every spatial
layer) and every example (its last spatial layer), finds the true field of
the layer's centre unit ((H − 1) // 2, (W − 1) // 2): the input cells with a
non-zero gradient of that unit's channels, in a version of the network where
the field is all that counts (weights 1, biases 0, activations and batchnorm
the identity, max pools averaging, a broadcast 1×1×C operand detached: the
rule of docs/language.md). It writes the first and last row and column of
that field, inside the input, to rf_oracle.tsv, and by how many rows and
columns netc's field of that unit, clipped to the input, is larger (0 where
it is exact); it refuses to write a field netc's does not contain.

--check (plain python3, for ctest): compares rf_oracle.tsv with `netc
summary --format=json`. netc's field of the centre unit, clipped to the
input, must contain the oracle's and be larger by exactly the recorded
rows and columns, and by no more than netc claims: the "excess" of its JSON
(docs/language.md, "Receptive fields through upsampling"), 0 where absent.
The one other way a field can be larger is a hole of a dilated kernel at the
input's edge (EDGE_HOLES): netc's field is the hull of the cells a unit
reads, counting cells beyond the input as if it went on; the oracle's is
the hull of the cells inside it.
"""
import json
import math
import os
import subprocess
import sys
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TSV = os.path.join(HERE, "rf_oracle.tsv")
UPS = ("upsample2d", "conv2d_transpose")

# (case, layer): the unit reads cells −1, 1 and 3 of rows 0 … 3 (kernel 3,
# dilation 2): netc's field −1 … 3, clipped, is 0 … 3; the oracle's is 1 … 3.
EDGE_HOLES = {("convt_dilation2", "conv2d_transpose_1")}


def cases():
    """(label, path of the .net) for every fixture and example."""
    out = []
    fx = os.path.join(HERE, "fixtures")
    for name in sorted(os.listdir(fx)):
        out.append((name, os.path.join(fx, name, "model.net"), False))
    ex = os.path.join(HERE, "examples")
    for name in sorted(os.listdir(ex)):
        with open(os.path.join(ex, name, "model.ref")) as f:
            out.append(("examples/" + name, os.path.join(ROOT, f.read().strip()), True))
    return out


def summary(netc, path):
    p = subprocess.run([netc, "summary", "--format=json", path], capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit("netc summary failed on %s:\n%s" % (path, p.stderr))
    return json.loads(p.stdout)


def model_bounds(layer, inp_shape):
    """netc's field of the centre unit, clipped to the input: (r0, r1, c0, c1)."""
    rf = layer["rf"]
    out = []
    for ax in range(2):
        u = (layer["shape"][ax] - 1) // 2
        start = math.floor(u * Fraction(rf["jump"][ax]) - Fraction(rf["pad"][ax]))
        end = start + rf["size"][ax] - 1
        out += [max(start, 0), min(end, inp_shape[ax] - 1)]
    return out


def write(netc):
    import torch
    import torch.nn.functional as F
    sys.path.insert(0, HERE)
    sys.dont_write_bytecode = True
    import netref

    torch.set_num_threads(1)
    rows = []
    for label, path, is_example in cases():
        with open(path) as f:
            net = netref.parse(f.read())
        j = summary(netc, path)
        layers = {l["name"]: l for l in j["layers"]}
        if len(net.layers[0].attrs["shape"] if isinstance(net.layers[0].attrs["shape"], tuple) else (1,)) != 3:
            continue
        inputs = [l for l in net.layers if l.op == "input"]
        if len(inputs) != 1:
            continue
        shapes = netref.infer_shapes(net)
        H, W, C = shapes[inputs[0].name]
        x = torch.ones((1, C, H, W), dtype=torch.float64, requires_grad=True)
        env = {}
        for lay in net.layers:
            a, op = lay.attrs, lay.op
            xs = [env.get(i) for i in lay.inputs]
            if any(v is None for v in xs):
                env[lay.name] = None
                continue
            v = xs[0] if xs else None
            if op == "input":
                y = x
            elif op in ("conv2d", "depthwise_conv2d", "conv2d_transpose"):
                kh, kw = netref.pair(a["kernel"])
                sh, sw = netref.pair(a.get("stride", 1))
                dh, dw = netref.pair(a.get("dilation", 1))
                cin = v.shape[1]
                if op == "conv2d_transpose":
                    g = a.get("groups", 1)
                    wt = torch.ones((cin, a["filters"] // g, kh, kw), dtype=torch.float64)
                    wt /= cin // g * kh * kw       # averages: no overflow in deep networks
                    ph, pw = netref.pair(a.get("padding", 0))
                    y = F.conv_transpose2d(v, wt, None, (sh, sw), (ph, pw),
                                           netref.pair(a.get("output_padding", 0)), g, (dh, dw))
                else:
                    pads = netref.resolve_padding(a.get("padding", netref.Sym("valid")), v.shape[2],
                                                  v.shape[3], dh * (kh - 1) + 1, dw * (kw - 1) + 1,
                                                  sh, sw)
                    g = cin if op == "depthwise_conv2d" else a.get("groups", 1)
                    out = cin * a.get("multiplier", 1) if op == "depthwise_conv2d" else a["filters"]
                    wt = torch.ones((out, cin // g, kh, kw), dtype=torch.float64)
                    wt /= cin // g * kh * kw
                    y = F.conv2d(F.pad(v, (pads[2], pads[3], pads[0], pads[1])), wt, None,
                                 (sh, sw), 0, (dh, dw), g)
            elif op in ("maxpool2d", "avgpool2d"):
                kh, kw = netref.pair(a["size"])
                sh, sw = netref.pair(a.get("stride", a["size"]))
                pads = netref.resolve_padding(a.get("padding", netref.Sym("valid")), v.shape[2],
                                              v.shape[3], kh, kw, sh, sw)
                y = netref.pool2d(v, "avg", (kh, kw), (sh, sw), pads, a.get("ceil", False), True)
            elif op in ("global_avgpool2d", "global_maxpool2d"):
                y = v.mean(dim=(2, 3), keepdim=True) if a.get("keepdims", False) else None
            elif op in ("add", "multiply"):
                full = max(xs, key=lambda t: t.shape[2] * t.shape[3] if t.dim() == 4 else 0)
                y = 0
                for t in xs:
                    bcast = t.dim() == 4 and t.shape[2] * t.shape[3] == 1 and \
                        full.shape[2] * full.shape[3] > 1
                    y = y + (t.detach() if bcast else t)
            elif op == "concat":
                y = torch.cat(xs, 1) if all(t.dim() == 4 for t in xs) else None
            elif op == "zeropad2d":
                t, b, l, r = netref.resolve_padding(a["padding"], 0, 0, 1, 1, 1, 1)
                y = F.pad(v, (l, r, t, b))
            elif op == "channel_slice":
                y = v[:, a["start"]:a["stop"]]
            elif op == "channel_shuffle":
                gg = a["groups"]
                N, Cc, Hh, Ww = v.shape
                y = v.view(N, gg, Cc // gg, Hh, Ww).transpose(1, 2).reshape(N, Cc, Hh, Ww)
            elif op == "upsample2d":
                sh, sw = netref.pair(a["scale"])
                if a.get("mode", "nearest") == "nearest":
                    y = F.interpolate(v, scale_factor=(sh, sw), mode="nearest")
                else:
                    y = F.interpolate(v, scale_factor=(sh, sw), mode="bilinear",
                                      align_corners=bool(a.get("align_corners", False)))
            elif op in ("flatten", "dense"):
                y = None
            else:                   # activations, batchnorm, dropout, linear: the identity
                y = v
            if y is not None and y.dim() != 4:
                y = None
            env[lay.name] = y
        todo = [l for l in net.layers if l.op != "input" and env.get(l.name) is not None]
        if is_example:
            todo = todo[-1:]
        for lay in todo:
            y = env[lay.name]
            uh, uw = (y.shape[2] - 1) // 2, (y.shape[3] - 1) // 2
            (g,) = torch.autograd.grad(y[0, :, uh, uw].sum(), x, retain_graph=True,
                                       allow_unused=True)
            if g is None:
                continue
            nz = (g[0].abs().sum(0) > 0).nonzero()
            if len(nz) == 0:
                continue
            r0, r1 = int(nz[:, 0].min()), int(nz[:, 0].max())
            c0, c1 = int(nz[:, 1].min()), int(nz[:, 1].max())
            m = model_bounds(layers[lay.name], (H, W))
            if m[0] > r0 or m[1] < r1 or m[2] > c0 or m[3] < c1:
                raise SystemExit("%s %s: netc's field %s does not contain autograd's %s"
                                 % (label, lay.name, m, [r0, r1, c0, c1]))
            rows.append((label, lay.name, r0, r1, c0, c1,
                         (m[1] - m[0]) - (r1 - r0), (m[3] - m[2]) - (c1 - c0)))
        print("%-34s %d layers" % (label, len(todo)))
    with open(TSV, "w") as f:
        f.write("case\tlayer\trow0\trow1\tcol0\tcol1\textra_rows\textra_cols\n")
        for r in rows:
            f.write("\t".join(map(str, r)) + "\n")
    print("%d fields written to %s" % (len(rows), os.path.relpath(TSV, ROOT)))


def check(netc):
    paths = {label: path for label, path, _ in cases()}
    cache = {}
    passed = failed = 0
    with open(TSV) as f:
        next(f)
        for line in f:
            label, layer, r0, r1, c0, c1, xr, xc = line.rstrip("\n").split("\t")
            if label not in cache:
                cache[label] = summary(netc, paths[label])
            j = cache[label]
            layers = {l["name"]: l for l in j["layers"]}
            inp = j["layers"][0]["shape"]
            m = model_bounds(layers[layer], inp)
            true = [int(r0), int(r1), int(c0), int(c1)]
            claim = layers[layer]["rf"].get("excess", [0, 0])
            why = ""
            for ax in range(2):
                a0, a1, b0, b1 = m[2 * ax], m[2 * ax + 1], true[2 * ax], true[2 * ax + 1]
                extra = (a1 - a0) - (b1 - b0)
                pinned = int((xr, xc)[ax])
                if a0 > b0 or a1 < b1:
                    why = "does not contain autograd's"
                elif extra != pinned:
                    why = "is %d larger on the %s, not %d" % (extra, ("rows", "columns")[ax], pinned)
                elif extra > claim[ax] and (label, layer) not in EDGE_HOLES:
                    why = "is %d larger on the %s, beyond netc's excess %d" % (
                        extra, ("rows", "columns")[ax], claim[ax])
            if not why:
                passed += 1
            else:
                failed += 1
                print("FAIL %s %s: netc rows %d..%d columns %d..%d %s: autograd %s" % (
                    label, layer, m[0], m[1], m[2], m[3], why, true))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "--write":
        netc = sys.argv[3] if len(sys.argv) > 3 and sys.argv[2] == "--netc" else os.path.join(ROOT, "build", "netc")
        write(netc)
    elif len(sys.argv) == 3 and sys.argv[1] == "--check":
        sys.exit(check(sys.argv[2]))
    else:
        print(__doc__)
        sys.exit(2)
