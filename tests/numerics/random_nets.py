#!/usr/bin/python3
"""random_nets.py: random networks through netc, against PyTorch.

    /usr/bin/python3 tests/numerics/random_nets.py NETC [--count N] [--seed S]
        [--backends c,threads,threads3,llvm] [--keep DIR]

Writes N random `.net` networks (seeded: the same S gives the same
networks), each a chain of random layers with side branches that rejoin
it: convolutions of every kind (strides, paddings, dilations, groups,
depthwise, transposed), pools, batchnorms, activations, zero padding,
upsampling, channel slices and shuffles, residual adds, concatenations,
squeeze-and-excitation gates (multiply by a 1×1×C map), and a flat head
(flatten or a global pool, dense layers) on some. Each is built by
`netc build --random-weights=SEED -o BINARY` with each back end asked for
(`c`: the C back end on one thread; `threads`: on 2 threads; `threads3`:
on 3, which split most layers unevenly; `llvm`: the LLVM back end, where
netc has it; by default c, threads and llvm), run on a random input, and its output
compared with netref.py's float64 PyTorch evaluation of the same network
and weights: within 1e-4 of the largest |expected| (the rule of
tests/numerics), as run.sh compares fixtures.

A network that netc refuses is a failure too (the generator makes only
valid ones). Prints a line per network and back end, and `N passed, N
failed` last; exits 1 if any failed. Needs PyTorch and numpy (Debian's
python3-torch); a development tool, not run by ctest: the fixtures it
finds worth keeping go into tests/numerics/fixtures.
"""

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netref  # noqa: E402

ACTS = ["linear", "relu", "relu6", "sigmoid", "tanh", "leaky_relu", "silu", "hardswish",
        "hardsigmoid", "gelu"]


def conv_out(n, k, s, d, p0, p1):
    return (n + p0 + p1 - d * (k - 1) - 1) // s + 1


class Gen:
    """One random network: lines of `.net` and the shapes of its tensors."""

    def __init__(self, rng):
        self.r = rng
        self.lines = []
        self.shape = {}
        self.n = 0

    def new(self, text, shape):
        self.n += 1
        name = "t%d" % self.n
        self.lines.append("    %s = %s;" % (name, text))
        self.shape[name] = shape
        return name

    def pad_for(self, k, d):
        r = self.r
        e = d * (k - 1)
        c = r.random()
        if c < 0.35:
            return "same", None
        if c < 0.55:
            return "valid", (0, 0)
        p = r.randint(0, e)
        return str(p), (p, p)

    def pad_pair(self, k, d):
        """padding=(ph, pw): (text, (ph, pw))."""
        e = self.r.randint(0, d * (k - 1)), self.r.randint(0, d * (k - 1))
        return "(%d, %d)" % e, e

    def conv(self, x, depthwise=False):
        r = self.r
        H, W, C = self.shape[x]
        k = r.choice([1, 1, 3, 3, 3, 5, 7])
        s = r.choice([1, 1, 1, 2])
        d = r.choice([1, 1, 1, 2]) if k > 1 else 1
        pad, pp = self.pad_for(k, d)
        if pad == "same":
            OH, OW = -(-H // s), -(-W // s)
        elif r.random() < 0.2:
            pad, (ph, pw) = self.pad_pair(k, d)
            OH, OW = conv_out(H, k, s, d, ph, ph), conv_out(W, k, s, d, pw, pw)
        else:
            OH, OW = conv_out(H, k, s, d, *pp), conv_out(W, k, s, d, *pp)
        if OH < 1 or OW < 1:
            return None
        act = r.choice(ACTS)
        bias = r.random() < 0.7
        attrs = "kernel=%d, stride=%d, padding=%s, dilation=%d, bias=%s, activation=%s" % (
            k, s, pad, d, "true" if bias else "false", act)
        if depthwise:
            m = r.choice([1, 1, 2])
            return self.new("depthwise_conv2d(%s, multiplier=%d, %s)" % (x, m, attrs), (OH, OW, C * m))
        g = r.choice([g for g in (1, 1, 1, 2, 4) if C % g == 0])
        F = g * r.randint(1, max(1, 24 // g))
        if g == 1 and r.random() < 0.35:
            F = r.choice([16, 32, 48, 64, 80, 128, 256])  # the fast kernels' widths (Winograd, blocks)
        return self.new("conv2d(%s, filters=%d, groups=%d, %s)" % (x, F, g, attrs), (OH, OW, F))

    def convt(self, x):
        r = self.r
        H, W, C = self.shape[x]
        if H * W > 400:
            return None
        k = r.choice([1, 2, 3, 4])
        s = r.choice([1, 2, 2])
        d = r.choice([1, 1, 2])
        p = r.randint(0, (d * (k - 1)) // 2)
        op = r.randint(0, max(s, d) - 1)
        OH = (H - 1) * s - 2 * p + d * (k - 1) + op + 1
        OW = (W - 1) * s - 2 * p + d * (k - 1) + op + 1
        if OH < 1 or OW < 1 or OH > 48 or OW > 48:
            return None
        g = r.choice([g for g in (1, 1, 2) if C % g == 0])
        F = g * r.randint(1, max(1, 16 // g))
        return self.new("conv2d_transpose(%s, filters=%d, kernel=%d, stride=%d, padding=%d, "
                        "output_padding=%d, dilation=%d, groups=%d, activation=%s)" % (
                            x, F, k, s, p, op, d, g, r.choice(ACTS)), (OH, OW, F))

    def pool(self, x):
        r = self.r
        H, W, C = self.shape[x]
        kind = r.choice(["maxpool2d", "avgpool2d"])
        k = r.choice([2, 2, 3])
        s = r.choice([1, 2, k])
        if r.random() < 0.4:
            pad, pp = "same", None
            OH, OW = -(-H // s), -(-W // s)
        else:
            p = r.randint(0, k // 2)
            pad, pp = str(p), (p, p)
            OH, OW = conv_out(H, k, s, 1, p, p), conv_out(W, k, s, 1, p, p)
        extra = ""
        if pad != "same" and r.random() < 0.3 and min(H, W) + 2 * p >= k:
            # PyTorch's ceil_mode: round up, less one where the last window
            # would start in the end padding
            def ceil_out(n):
                o = -(-(n + 2 * p - k) // s) + 1
                return o - 1 if (o - 1) * s >= n + p else o
            OH, OW = ceil_out(H), ceil_out(W)
            extra = ", ceil=true"
        if OH < 1 or OW < 1:
            return None
        if kind == "avgpool2d" and r.random() < 0.5:
            extra += ", count_pad=false"
        return self.new("%s(%s, size=%d, stride=%d, padding=%s%s)" % (kind, x, k, s, pad, extra),
                        (OH, OW, C))

    def step(self, x):
        """One random layer (or small pattern) after x; the new tensor."""
        r = self.r
        H, W, C = self.shape[x]
        c = r.random()
        if c < 0.30:
            return self.conv(x)
        if c < 0.38:
            return self.conv(x, depthwise=True)
        if c < 0.46:
            return self.pool(x)
        if c < 0.52:
            return self.new("batchnorm(%s)" % x, (H, W, C))
        if c < 0.58:
            act = r.choice(ACTS[1:])
            if act == "gelu" and r.random() < 0.5:
                return self.new("gelu(%s, approximate=tanh)" % x, (H, W, C))
            return self.new("%s(%s)" % (act, x), (H, W, C))
        if c < 0.62:
            p = [r.randint(0, 2) for _ in range(4)]
            return self.new("zeropad2d(%s, padding=(%d, %d, %d, %d))" % (x, *p),
                            (H + p[0] + p[1], W + p[2] + p[3], C))
        if c < 0.66 and H * W <= 300:
            sh, sw = r.choice([(2, 2), (2, 2), (1, 2), (3, 2)])
            mode = r.choice(["nearest", "bilinear"])
            extra = ", align_corners=true" if mode == "bilinear" and r.random() < 0.5 else ""
            return self.new("upsample2d(%s, scale=(%d, %d), mode=%s%s)" % (x, sh, sw, mode, extra),
                            (H * sh, W * sw, C))
        if c < 0.70:
            return self.convt(x)
        if c < 0.74 and C >= 2:
            a = r.randint(0, C - 1)
            b = r.randint(a + 1, C)
            return self.new("channel_slice(%s, start=%d, stop=%d)" % (x, a, b), (H, W, b - a))
        if c < 0.78:
            gs = [g for g in range(2, C + 1) if C % g == 0]
            if gs:
                return self.new("channel_shuffle(%s, groups=%d)" % (x, r.choice(gs)), (H, W, C))
            return None
        if c < 0.86:
            # a residual: a same-shape branch added back
            b = self.new("conv2d(%s, filters=%d, kernel=3, padding=same, activation=%s)" % (
                x, C, r.choice(ACTS)), (H, W, C))
            if r.random() < 0.5:
                b = self.new("batchnorm(%s)" % b, (H, W, C))
            ins = [b, x] if r.random() < 0.5 else [x, b]
            t = self.new("add(%s)" % ", ".join(ins), (H, W, C))
            if r.random() < 0.5:
                t = self.new("relu(%s)" % t, (H, W, C))
            return t
        if c < 0.92:
            # a concat of x and a branch of the same size
            F = r.randint(1, 12)
            b = self.new("conv2d(%s, filters=%d, kernel=1, activation=%s)" % (x, F, r.choice(ACTS)),
                         (H, W, F))
            ins = [x, b] if r.random() < 0.5 else [b, x]
            return self.new("concat(%s)" % ", ".join(ins), (H, W, C + F))
        # squeeze-and-excitation: x times a 1×1×C gate
        g = self.new("global_avgpool2d(%s, keepdims=true)" % x, (1, 1, C))
        g = self.new("conv2d(%s, filters=%d, kernel=1, activation=relu)" % (g, max(1, C // 2)),
                     (1, 1, max(1, C // 2)))
        g = self.new("conv2d(%s, filters=%d, kernel=1, activation=%s)" % (
            g, C, r.choice(["sigmoid", "hardsigmoid"])), (1, 1, C))
        ins = [x, g] if r.random() < 0.5 else [g, x]
        return self.new("%s(%s)" % (r.choice(["multiply", "add"]), ", ".join(ins)), (H, W, C))

    def network(self, name):
        r = self.r
        H, W, C = r.randint(3, 32), r.randint(3, 32), r.choice([1, 2, 3, 4, 8, 16, 32])
        self.lines.append("    x = input(shape=(%d, %d, %d));" % (H, W, C))
        self.shape["x"] = (H, W, C)
        x = "x"
        for _ in range(r.randint(2, 9)):
            for _ in range(10):
                t = self.step(x)
                if t is not None:
                    x = t
                    break
            h, w, c = self.shape[x]
            if h * w * c > 60000:
                break
        h, w, c = self.shape[x]
        if r.random() < 0.4:
            if r.random() < 0.5:
                x = self.new("flatten(%s, order=%s)" % (x, r.choice(["chw", "hwc"])), (h * w * c,))
            else:
                x = self.new("%s(%s)" % (r.choice(["global_avgpool2d", "global_maxpool2d"]), x), (c,))
            n = self.shape[x][0]
            for _ in range(r.randint(1, 2)):
                u = r.randint(1, 20)
                x = self.new("dense(%s, units=%d, activation=%s)" % (
                    x, u, r.choice(ACTS + ["softmax"])), (u,))
                c = r.random()
                if c < 0.2:
                    x = self.new("batchnorm(%s)" % x, (u,))
                elif c < 0.3:
                    x = self.new("dropout(%s, rate=0.3)" % x, (u,))
                elif c < 0.4:
                    x = self.new("softmax(%s)" % x, (u,))
        return "network %s {\n%s\n}\n" % (name, "\n".join(self.lines))


def check_one(netc, text, seed, backends, work, tol=1e-4):
    """[(backend, ok, detail)] for one network; ok is None for a back end
    this netc does not have."""
    path = os.path.join(work, "model.net")
    with open(path, "w") as f:
        f.write(text)
    net = netref.parse(text)
    weights, _ = netref.random_weights(net, seed)
    rng = np.random.default_rng(seed)
    shape = net.layers[0].attrs["shape"]
    x = rng.uniform(-1, 1, size=shape).astype(np.float32)
    np.save(os.path.join(work, "input.npy"), x)
    (want,), _ = netref.run(net, weights, [x])
    big = max(float(np.max(np.abs(want))), 1e-30)
    out = []
    for be in backends:
        flags = {"c": [], "threads": ["--threads=2"], "threads3": ["--threads=3"],
                 "llvm": ["--backend=llvm"]}[be]
        exe = os.path.join(work, "model_" + be)
        p = subprocess.run([netc, "build", path, "--random-weights=%d" % seed, "-o", exe] + flags,
                           capture_output=True, text=True, timeout=600)
        if p.returncode != 0 and "no LLVM back end" in p.stderr:
            out.append((be, None, "skipped: this netc has no LLVM back end"))
            continue
        if p.returncode != 0:
            out.append((be, False, "netc build failed: " + p.stderr.strip()[-800:]))
            continue
        res = os.path.join(work, "out_%s.npy" % be)
        p = subprocess.run([exe, os.path.join(work, "input.npy"), "-o", res],
                           capture_output=True, text=True, timeout=600)
        if p.returncode != 0:
            out.append((be, False, "the binary failed: " + p.stderr.strip()[-800:]))
            continue
        got = np.load(res).astype(np.float64).reshape(want.shape)
        err = float(np.max(np.abs(got - want))) / big if want.size else 0.0
        out.append((be, err <= tol and np.all(np.isfinite(got)), "rel=%.3e" % err))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("netc")
    ap.add_argument("--count", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--backends", default="c,threads,llvm")
    ap.add_argument("--keep", help="a directory to copy failing networks into")
    a = ap.parse_args()
    backends = a.backends.split(",")
    passed = failed = 0
    for i in range(a.count):
        seed = a.seed * 100003 + i
        text = Gen(random.Random(seed)).network("rnd%d" % seed)
        with tempfile.TemporaryDirectory() as work:
            try:
                results = check_one(os.path.abspath(a.netc), text, seed, backends, work)
            except Exception as e:  # netref rejecting a network is the generator's bug
                print("SKIP rnd%d: netref: %s" % (seed, e))
                continue
            for be, ok, detail in results:
                print("%s rnd%d %-7s %s" % ("SKIP" if ok is None else "ok  " if ok else "FAIL",
                                            seed, be, detail))
                if ok is None:
                    continue
                passed += ok
                failed += not ok
                if not ok and a.keep:
                    os.makedirs(a.keep, exist_ok=True)
                    shutil.copy(os.path.join(work, "model.net"),
                                os.path.join(a.keep, "rnd%d.net" % seed))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
