"""netref: a float64 PyTorch reference for `.net` networks.

A small reader for the `.net` language (docs/language.md) and an evaluator that
runs the network with torch.nn.functional in float64, on NCHW tensors, with
the weights of a PyTorch state_dict (layer name + .weight / .bias, batchnorm
+ .running_mean / .running_var). gen_fixtures.py uses it; it does not depend
on netc.

The evaluator follows netc's rules (docs/language.md) and, where PyTorch's own pooling
cannot express them (asymmetric padding, TensorFlow SAME), computes pools
from sums and cell counts (see pool2d below); gen_fixtures.py checks that
this agrees with F.max_pool2d / F.avg_pool2d wherever PyTorch can express
the same pool.

Also: splitmix64 and netc's --random-weights=SEED generator.
"""

import math
import re

import numpy as np
import torch
import torch.nn.functional as F

# --------------------------------------------------------------------------
# Lexer and parser (the subset of the grammar that networks and blocks use).

_TOKEN = re.compile(r"""
    (?P<ws>[ \t\r\n]+|\#[^\n]*)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.(?:[A-Za-z_][A-Za-z0-9_]*|[0-9]+))*)
  | (?P<float>[0-9]+\.[0-9]*(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+)
  | (?P<int>[0-9]+)
  | (?P<string>"(?:[^"\\]|\\.)*")
  | (?P<punct>[{}(),;=*+\-/:])
""", re.X)

KEYWORDS = {"network", "block", "return", "output", "import", "true", "false"}


class Sym(str):
    """A symbol attribute value: relu, same, chw..."""


def tokenize(text):
    pos, toks = 0, []
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise SyntaxError("bad character %r at offset %d" % (text[pos], pos))
        pos = m.end()
        kind = m.lastgroup
        if kind == "ws":
            continue
        val = m.group(kind)
        if kind == "name" and val in KEYWORDS:
            kind = "kw"
        toks.append((kind, val))
    toks.append(("eof", ""))
    return toks


class Parser:
    def __init__(self, text):
        self.toks = tokenize(text)
        self.i = 0

    def peek(self, k=0):
        return self.toks[self.i + k]

    def next(self):
        t = self.toks[self.i]
        self.i += 1
        return t

    def expect(self, val):
        t = self.next()
        if t[1] != val:
            raise SyntaxError("expected %r, got %r" % (val, t[1]))
        return t

    def ident(self):
        t = self.next()
        if t[0] == "string":          # a quoted name: "block.0", "0"
            return t[1][1:-1]
        if t[0] != "name":
            raise SyntaxError("expected a name, got %r" % (t[1],))
        return t[1]

    def parse_file(self):
        networks, blocks = {}, {}
        order = []
        while self.peek()[0] != "eof":
            t = self.next()
            if t == ("kw", "import"):
                raise NotImplementedError("import: not needed by the fixtures or the examples")
            elif t == ("kw", "network"):
                name = self.ident()
                self.expect("{")
                stmts = self.stmts()
                self.expect("}")
                networks[name] = stmts
                order.append(name)
            elif t == ("kw", "block"):
                name = self.ident()
                self.expect("(")
                tparams, vparams = [], []
                star = False
                while self.peek()[1] != ")":
                    if self.peek()[1] == "*":
                        self.next()
                        star = True
                    else:
                        p = self.ident()
                        if star:
                            default = None
                            if self.peek()[1] == "=":
                                self.next()
                                default = self.expr()
                            vparams.append((p, default))
                        else:
                            tparams.append(p)
                    if self.peek()[1] == ",":
                        self.next()
                self.expect(")")
                self.expect("{")
                stmts = self.stmts()
                self.expect("return")
                ret = self.ident()
                self.expect(";")
                self.expect("}")
                blocks[name] = (tparams, vparams, stmts, ret)
            else:
                raise SyntaxError("unexpected %r" % (t[1],))
        return order, networks, blocks

    def stmts(self):
        out = []
        while self.peek()[1] not in ("}", "return"):
            if self.peek() == ("kw", "output"):
                self.next()
                names = [self.ident()]
                while self.peek()[1] == ",":
                    self.next()
                    names.append(self.ident())
                self.expect(";")
                out.append(("output", names))
                continue
            name = None
            if self.peek(1)[1] == "=":
                name = self.ident()
                self.next()
            inline = False
            if self.peek() == ("name", "inline") and self.peek(1)[0] == "name":
                self.next()           # a block call that adds no level to the names
                inline = True
            op = self.ident()
            self.expect("(")
            pos, kw = [], {}
            while self.peek()[1] != ")":
                if self.peek(1)[1] == "=":
                    k = self.ident()
                    self.next()
                    kw[k] = self.expr()
                else:
                    pos.append(self.ident())
                if self.peek()[1] == ",":
                    self.next()
            self.expect(")")
            self.expect(";")
            out.append(("call", name, op, pos, kw, inline))
        return out

    # expressions are kept as small trees, evaluated at expansion time
    def expr(self):
        e = self.product()
        while self.peek()[1] in ("+", "-"):
            op = self.next()[1]
            e = (op, e, self.product())
        return e

    def product(self):
        e = self.unary()
        while self.peek()[1] in ("*", "/"):
            op = self.next()[1]
            e = (op, e, self.unary())
        return e

    def unary(self):
        if self.peek()[1] == "-":
            self.next()
            return ("neg", self.unary())
        return self.atom()

    def atom(self):
        t = self.next()
        if t[0] == "int":
            return ("lit", int(t[1]))
        if t[0] == "float":
            return ("lit", float(t[1]))
        if t == ("kw", "true"):
            return ("lit", True)
        if t == ("kw", "false"):
            return ("lit", False)
        if t[0] == "name":
            return ("id", t[1])
        if t[1] == "(":
            first = self.expr()
            if self.peek()[1] == ",":
                items = [first]
                while self.peek()[1] == ",":
                    self.next()
                    if self.peek()[1] == ")":
                        break
                    items.append(self.expr())
                self.expect(")")
                return ("tuple", items)
            self.expect(")")
            return first
        raise SyntaxError("unexpected %r in an expression" % (t[1],))


def eval_expr(e, values):
    kind = e[0]
    if kind == "lit":
        return e[1]
    if kind == "id":
        return values[e[1]] if e[1] in values else Sym(e[1])
    if kind == "tuple":
        return tuple(eval_expr(x, values) for x in e[1])
    if kind == "neg":
        return -eval_expr(e[1], values)
    a, b = eval_expr(e[1], values), eval_expr(e[2], values)
    if kind == "+":
        return a + b
    if kind == "-":
        return a - b
    if kind == "*":
        return a * b
    if isinstance(a, int) and isinstance(b, int):
        assert a % b == 0, "inexact division"
        return a // b
    return a / b


# --------------------------------------------------------------------------
# Expansion: the flat list of layers in source order, blocks expanded.

class Layer:
    def __init__(self, name, op, attrs, inputs):
        self.name, self.op, self.attrs, self.inputs = name, op, attrs, inputs

    def __repr__(self):
        return "Layer(%s, %s, %r, %r)" % (self.name, self.op, self.attrs, self.inputs)


class Network:
    def __init__(self, name, layers, outputs):
        self.name, self.layers, self.outputs = name, layers, outputs
        self.inputs = [l.name for l in layers if l.op == "input"]


def _expand(stmts, blocks, prefix, tensors, values, prev, layers, outs):
    counts = {}
    for st in stmts:
        if st[0] == "output":
            outs.extend(tensors[n] for n in st[1])
            continue
        _, name, op, pos, kw, inline = st
        if name is None:
            counts[op] = counts.get(op, 0) + 1
            name = "%s_%d" % (op, counts[op])
        full = prefix + name
        args = [tensors[p] for p in pos]
        attrs = {k: eval_expr(v, values) for k, v in kw.items()}
        if op in blocks:
            tparams, vparams, bstmts, ret = blocks[op]
            if not args:
                args = [prev]
            btensors = dict(zip(tparams, args))
            bvalues = {}
            for p, default in vparams:
                bvalues[p] = attrs[p] if p in attrs else eval_expr(default, bvalues)
            _expand(bstmts, blocks, prefix if inline else full + ".", btensors, bvalues, args[0],
                    layers, None)
            r = btensors[ret]   # the recursive call bound the block's local names
            tensors[name] = r
            prev = r
            continue
        if op != "input" and not args:
            args = [prev]
        layers.append(Layer(full, op, attrs, args))
        tensors[name] = full
        prev = full


def parse(text, network=None):
    order, networks, blocks = Parser(text).parse_file()
    name = network or order[0]
    layers, outs = [], []
    _expand(networks[name], blocks, "", {}, {}, None, layers, outs)
    if not outs:
        consumed = {i for l in layers for i in l.inputs}
        outs = [l.name for l in layers if l.name not in consumed]
    return Network(name, layers, outs)


# --------------------------------------------------------------------------
# Shapes and padding.

def pair(v):
    if isinstance(v, tuple):
        assert len(v) == 2
        return int(v[0]), int(v[1])
    return int(v), int(v)


def same_pad(n, k_eff, s):
    out = -(-n // s)
    total = max((out - 1) * s + k_eff - n, 0)
    return total // 2, total - total // 2


def resolve_padding(p, H, W, keh, kew, sh, sw):
    """(top, bottom, left, right) for a padding attribute."""
    if isinstance(p, Sym):
        if p == "valid":
            return (0, 0, 0, 0)
        if p == "same":
            t, b = same_pad(H, keh, sh)
            l, r = same_pad(W, kew, sw)
            return (t, b, l, r)
        raise ValueError("padding %r" % (p,))
    if isinstance(p, int):
        return (p, p, p, p)
    if len(p) == 2:
        return (p[0], p[0], p[1], p[1])
    assert len(p) == 4
    return tuple(p)


def out_size(n, pb, pe, k_eff, s, ceil=False):
    span = n + pb + pe - k_eff
    if not ceil:
        return span // s + 1
    out = -(-span // s) + 1
    # PyTorch: the last window may not start inside the end padding
    if (out - 1) * s >= n + pb:
        out -= 1
    return out


# --------------------------------------------------------------------------
# Weights: names and PyTorch shapes, in netc's order.

def weight_specs(net, shapes):
    """[(layer, [(tensor name, shape, kind)])] in source order; kind says which
    initialisation --random-weights uses (and gives fan_in)."""
    specs = []
    for l in net.layers:
        a = l.attrs
        ins = shapes[l.inputs[0]] if l.inputs else None
        t = []
        if l.op == "conv2d":
            kh, kw = pair(a["kernel"])
            g = a.get("groups", 1)
            cin = ins[-1]
            fan = (cin // g) * kh * kw
            t.append((l.name + ".weight", (a["filters"], cin // g, kh, kw), ("u", fan)))
            if a.get("bias", True):
                t.append((l.name + ".bias", (a["filters"],), ("u", fan)))
        elif l.op == "depthwise_conv2d":
            kh, kw = pair(a["kernel"])
            m = a.get("multiplier", 1)
            c = ins[-1]
            fan = kh * kw
            t.append((l.name + ".weight", (c * m, 1, kh, kw), ("u", fan)))
            if a.get("bias", True):
                t.append((l.name + ".bias", (c * m,), ("u", fan)))
        elif l.op == "conv2d_transpose":
            kh, kw = pair(a["kernel"])
            g = a.get("groups", 1)
            cin = ins[-1]
            fan = (a["filters"] // g) * kh * kw   # PyTorch's fan_in of [in, out/g, kh, kw]
            t.append((l.name + ".weight", (cin, a["filters"] // g, kh, kw), ("u", fan)))
            if a.get("bias", True):
                t.append((l.name + ".bias", (a["filters"],), ("u", fan)))
        elif l.op == "dense":
            n = ins[-1]
            t.append((l.name + ".weight", (a["units"], n), ("u", n)))
            if a.get("bias", True):
                t.append((l.name + ".bias", (a["units"],), ("u", n)))
        elif l.op == "batchnorm":
            c = ins[-1]
            t.append((l.name + ".weight", (c,), ("bn_weight",)))
            t.append((l.name + ".bias", (c,), ("bn_bias",)))
            t.append((l.name + ".running_mean", (c,), ("bn_mean",)))
            t.append((l.name + ".running_var", (c,), ("bn_var",)))
        if t:
            specs.append((l, t))
    return specs


# --------------------------------------------------------------------------
# Evaluation in float64.

def activation(x, act, alpha=0.01):
    act = act or "linear"
    if act == "linear":
        return x
    if act == "relu":
        return F.relu(x)
    if act == "relu6":
        return torch.clamp(x, 0.0, 6.0)
    if act == "sigmoid":
        return torch.sigmoid(x)
    if act == "tanh":
        return torch.tanh(x)
    if act == "softmax":
        return F.softmax(x, dim=1)   # channels (NCHW) or the flat vector
    if act == "leaky_relu":
        return F.leaky_relu(x, alpha)
    if act == "silu":
        return F.silu(x)
    if act == "hardswish":
        return F.hardswish(x)
    if act == "hardsigmoid":
        return F.hardsigmoid(x)
    if act == "gelu":
        return F.gelu(x)
    if act == "gelu_tanh":
        return F.gelu(x, approximate="tanh")
    raise ValueError(act)


def pool2d(x, kind, size, stride, pads, ceil, count_pad=True):
    """Max or average pool on NCHW x with per-side padding pads=(t,b,l,r).

    Output size: the formula of out_size below.  The input is padded to
    exactly the extent the windows cover, (out-1)*stride + k per axis: the
    declared padding at the start, and at the end whatever the windows reach
    (more than the declared end padding when ceil mode adds a partial window,
    less when the floor drops the last rows).  Max: padding is -inf, so a
    padded cell is never picked.  Average: the window's sum divided by the
    number of its cells that lie inside the padded input (count_pad=true:
    [-top, H+bottom), as PyTorch's count_include_pad clips windows to the
    padded input) or inside the input (count_pad=false).
    """
    kh, kw = size
    sh, sw = stride
    t, b, l, r = pads
    N, C, H, W = x.shape
    oh = out_size(H, t, b, kh, sh, ceil)
    ow = out_size(W, l, r, kw, sw, ceil)
    need_h = (oh - 1) * sh + kh
    need_w = (ow - 1) * sw + kw
    ext = (l, need_w - W - l, t, need_h - H - t)   # F.pad order: left, right, top, bottom
    if kind == "max":
        xp = F.pad(x, ext, value=-math.inf)
        y = F.max_pool2d(xp, (kh, kw), (sh, sw))
        assert torch.isfinite(y).all(), "a window lies wholly in the padding"
        return y
    ones = torch.ones((C, 1, kh, kw), dtype=x.dtype)
    sums = F.conv2d(F.pad(x, ext), ones, stride=(sh, sw), groups=C)
    mask = torch.ones((1, 1, H, W), dtype=x.dtype)
    if count_pad:
        mask = F.pad(mask, (l, r, t, b), value=1.0)
        mext = (0, need_w - (W + l + r), 0, need_h - (H + t + b))
        mask = F.pad(mask, mext, value=0.0)
    else:
        mask = F.pad(mask, ext, value=0.0)
    ones1 = torch.ones((1, 1, kh, kw), dtype=x.dtype)
    counts = F.conv2d(mask, ones1, stride=(sh, sw))
    assert (counts > 0).all()
    return sums / counts


def run(net, weights, inputs, dtype=torch.float64):
    """Evaluate net in float64 (or dtype).  weights: name -> np.ndarray (any float dtype,
    upcast to float64); inputs: list of np arrays in HWC (or flat) order.
    Returns (outputs as float64 numpy arrays in HWC / flat order, shapes
    of every tensor, (H, W, C) or (n,))."""
    W = {k: torch.from_numpy(np.asarray(v, dtype=np.float64)).to(dtype) for k, v in weights.items()}
    env = {}
    it = iter(inputs)
    for lay in net.layers:
        a = lay.attrs
        xs = [env[i] for i in lay.inputs]
        x = xs[0] if xs else None
        op = lay.op
        if op == "input":
            v = np.asarray(next(it), dtype=np.float64)
            shape = a["shape"]
            shape = shape if isinstance(shape, tuple) else (shape,)
            v = v.reshape(shape)
            t = torch.from_numpy(v.copy()).to(dtype)
            y = t.permute(2, 0, 1)[None] if v.ndim == 3 else t[None]
        elif op in ("conv2d", "depthwise_conv2d"):
            kh, kw = pair(a["kernel"])
            sh, sw = pair(a.get("stride", 1))
            dh, dw = pair(a.get("dilation", 1))
            H, Wd = x.shape[2], x.shape[3]
            pads = resolve_padding(a.get("padding", Sym("valid")), H, Wd,
                                   dh * (kh - 1) + 1, dw * (kw - 1) + 1, sh, sw)
            groups = x.shape[1] if op == "depthwise_conv2d" else a.get("groups", 1)
            xp = F.pad(x, (pads[2], pads[3], pads[0], pads[1]))
            bias = W.get(lay.name + ".bias") if a.get("bias", True) else None
            y = F.conv2d(xp, W[lay.name + ".weight"], bias, (sh, sw), 0, (dh, dw), groups)
            y = activation(y, a.get("activation"))
        elif op in ("maxpool2d", "avgpool2d"):
            kh, kw = pair(a["size"])
            sh, sw = pair(a.get("stride", a["size"]))
            H, Wd = x.shape[2], x.shape[3]
            pads = resolve_padding(a.get("padding", Sym("valid")), H, Wd, kh, kw, sh, sw)
            y = pool2d(x, "max" if op == "maxpool2d" else "avg", (kh, kw), (sh, sw), pads,
                       a.get("ceil", False), a.get("count_pad", True))
        elif op == "global_avgpool2d":
            y = x.mean(dim=(2, 3), keepdim=bool(a.get("keepdims", False)))
        elif op == "global_maxpool2d":
            y = x.amax(dim=(2, 3), keepdim=bool(a.get("keepdims", False)))
        elif op in ("silu", "hardswish", "hardsigmoid"):
            y = activation(x, op)
        elif op == "gelu":
            y = activation(x, "gelu_tanh" if a.get("approximate") == "tanh" else "gelu")
        elif op == "multiply":
            y = xs[0]
            for z in xs[1:]:
                y = y * z            # PyTorch broadcasts N×C×1×1 over N×C×H×W
        elif op == "channel_slice":
            y = x[:, a["start"]:a["stop"]]
        elif op == "channel_shuffle":
            g = a["groups"]
            N, C, H, Wd = x.shape
            y = x.view(N, g, C // g, H, Wd).transpose(1, 2).contiguous().view(N, C, H, Wd)
        elif op == "upsample2d":
            sh, sw = pair(a["scale"])
            mode = a.get("mode", "nearest")
            if mode == "nearest":
                y = F.interpolate(x, scale_factor=(sh, sw), mode="nearest")
            else:
                y = F.interpolate(x, scale_factor=(sh, sw), mode="bilinear",
                                  align_corners=bool(a.get("align_corners", False)))
        elif op == "conv2d_transpose":
            ph, pw = pair(a.get("padding", 0))
            bias = W.get(lay.name + ".bias") if a.get("bias", True) else None
            y = F.conv_transpose2d(x, W[lay.name + ".weight"], bias, pair(a.get("stride", 1)),
                                   (ph, pw), pair(a.get("output_padding", 0)),
                                   a.get("groups", 1), pair(a.get("dilation", 1)))
            y = activation(y, a.get("activation"))
        elif op == "batchnorm":
            p = lay.name
            y = F.batch_norm(x, W[p + ".running_mean"], W[p + ".running_var"],
                             W[p + ".weight"], W[p + ".bias"], False, 0.0,
                             float(a.get("epsilon", 1e-5)))
        elif op in ("relu", "relu6", "sigmoid", "tanh", "softmax", "linear"):
            y = activation(x, op)
        elif op == "leaky_relu":
            y = activation(x, "leaky_relu", float(a.get("alpha", 0.01)))
        elif op == "dropout":
            y = x
        elif op == "flatten":
            order = a.get("order", "chw")
            if x.dim() == 2:
                y = x
            elif order == "chw":
                y = torch.flatten(x, 1)
            else:
                y = torch.flatten(x.permute(0, 2, 3, 1), 1)
        elif op == "dense":
            bias = W.get(lay.name + ".bias") if a.get("bias", True) else None
            y = F.linear(x, W[lay.name + ".weight"], bias)
            y = activation(y, a.get("activation"))
        elif op == "add":
            y = xs[0]
            for z in xs[1:]:
                y = y + z
        elif op == "concat":
            y = torch.cat(xs, dim=1)
        elif op == "zeropad2d":
            t, b, l, r = resolve_padding(a["padding"], 0, 0, 1, 1, 1, 1)
            y = F.pad(x, (l, r, t, b))
        else:
            raise ValueError("op %s" % op)
        env[lay.name] = y
    outs = []
    for o in net.outputs:
        y = env[o][0]
        if y.dim() == 3:
            y = y.permute(1, 2, 0)
        outs.append(y.contiguous().to(torch.float64).numpy())
    shapes = {k: (tuple(v.shape[1:]) if v.dim() == 2 else
                  (v.shape[2], v.shape[3], v.shape[1])) for k, v in env.items()}
    return outs, shapes


def infer_shapes(net):
    """Every tensor's shape in netc's convention, (H, W, C) or (n,),
    computed from the attributes alone (as netc summary prints them)."""
    shapes = {}
    for lay in net.layers:
        a = lay.attrs
        ins = [shapes[i] for i in lay.inputs]
        x = ins[0] if ins else None
        op = lay.op
        if op == "input":
            s = a["shape"]
            y = tuple(s) if isinstance(s, tuple) else (s,)
        elif op in ("conv2d", "depthwise_conv2d", "maxpool2d", "avgpool2d"):
            H, W, C = x
            if op in ("conv2d", "depthwise_conv2d"):
                kh, kw = pair(a["kernel"])
                sh, sw = pair(a.get("stride", 1))
                dh, dw = pair(a.get("dilation", 1))
                ceil = False
            else:
                kh, kw = pair(a["size"])
                sh, sw = pair(a.get("stride", a["size"]))
                dh = dw = 1
                ceil = a.get("ceil", False)
            keh, kew = dh * (kh - 1) + 1, dw * (kw - 1) + 1
            t, b, l, r = resolve_padding(a.get("padding", Sym("valid")), H, W, keh, kew, sh, sw)
            oh = out_size(H, t, b, keh, sh, ceil)
            ow = out_size(W, l, r, kew, sw, ceil)
            if op == "conv2d":
                oc = a["filters"]
            elif op == "depthwise_conv2d":
                oc = C * a.get("multiplier", 1)
            else:
                oc = C
            y = (oh, ow, oc)
        elif op in ("global_avgpool2d", "global_maxpool2d"):
            y = (1, 1, x[2]) if a.get("keepdims", False) else (x[2],)
        elif op == "channel_slice":
            y = x[:2] + (a["stop"] - a["start"],)
        elif op == "upsample2d":
            sh, sw = pair(a["scale"])
            y = (x[0] * sh, x[1] * sw, x[2])
        elif op == "conv2d_transpose":
            kh, kw = pair(a["kernel"])
            sh, sw = pair(a.get("stride", 1))
            dh, dw = pair(a.get("dilation", 1))
            ph, pw = pair(a.get("padding", 0))
            oph, opw = pair(a.get("output_padding", 0))
            y = ((x[0] - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1,
                 (x[1] - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1, a["filters"])
        elif op in ("add", "multiply"):
            y = max(ins, key=lambda s: s[0] * s[1] if len(s) == 3 else 0)
        elif op == "flatten":
            y = (int(np.prod(x)),)
        elif op == "dense":
            y = (a["units"],)
        elif op == "concat":
            y = x[:-1] + (sum(i[-1] for i in ins),)
        elif op == "zeropad2d":
            t, b, l, r = resolve_padding(a["padding"], 0, 0, 1, 1, 1, 1)
            y = (x[0] + t + b, x[1] + l + r, x[2])
        else:
            y = x
        shapes[lay.name] = y
    return shapes


# --------------------------------------------------------------------------
# netc's --random-weights=SEED generator.

M64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
C1 = 0xBF58476D1CE4E5B9
C2 = 0x94D049BB133111EB


class SplitMix64:
    """splitmix64, vectorised: the k-th call returns mix(seed + k*GOLDEN)."""

    def __init__(self, seed):
        self.state = seed & M64

    def next_scalar(self):
        self.state = (self.state + GOLDEN) & M64
        z = self.state
        z = ((z ^ (z >> 30)) * C1) & M64
        z = ((z ^ (z >> 27)) * C2) & M64
        return z ^ (z >> 31)

    def next_array(self, n):
        out = np.empty(n, dtype=np.uint64)
        chunk = 1 << 22
        with np.errstate(over="ignore"):
            for s in range(0, n, chunk):
                m = min(chunk, n - s)
                k = np.arange(s + 1, s + m + 1, dtype=np.uint64)
                z = np.uint64(self.state) + k * np.uint64(GOLDEN)
                z = (z ^ (z >> np.uint64(30))) * np.uint64(C1)
                z = (z ^ (z >> np.uint64(27))) * np.uint64(C2)
                out[s:s + m] = z ^ (z >> np.uint64(31))
        self.state = (self.state + n * GOLDEN) & M64
        return out

    def uniform(self, n):
        """u = (next() >> 40) / 2^24, doubles in [0, 1)."""
        return (self.next_array(n) >> np.uint64(40)).astype(np.float64) / 16777216.0


def random_weights(net, seed):
    """netc --random-weights=SEED: name -> float32 array, and the order."""
    shapes = infer_shapes(net)
    g = SplitMix64(seed)
    out = {}
    order = []
    for _, ts in weight_specs(net, shapes):
        for name, shp, kind in ts:
            n = int(np.prod(shp))
            u = g.uniform(n)
            if kind[0] == "u":
                bound = 1.0 / math.sqrt(kind[1])
                v = (2.0 * u - 1.0) * bound
            elif kind[0] == "bn_weight":
                v = 1.0 + 0.1 * (2.0 * u - 1.0)
            elif kind[0] in ("bn_bias", "bn_mean"):
                v = 0.1 * (2.0 * u - 1.0)
            else:
                v = 0.5 + u
            out[name] = v.astype(np.float32).reshape(shp)
            order.append(name)
    return out, order


# --------------------------------------------------------------------------
# safetensors writer.

def write_safetensors(path, tensors, order=None, extra=None):
    """tensors: name -> float32 array.  extra: name -> (dtype, shape, bytes)
    for tensors of other dtypes (num_batches_tracked)."""
    import json
    import struct
    order = order or list(tensors)
    header, blobs, off = {}, [], 0
    for name in order:
        a = np.ascontiguousarray(tensors[name], dtype="<f4")
        data = a.tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape),
                        "data_offsets": [off, off + len(data)]}
        blobs.append(data)
        off += len(data)
    for name, (dtype, shape, data) in (extra or {}).items():
        header[name] = {"dtype": dtype, "shape": list(shape),
                        "data_offsets": [off, off + len(data)]}
        blobs.append(data)
        off += len(data)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for d in blobs:
            f.write(d)


def read_safetensors(path):
    import json
    import struct
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for k, v in header.items():
        if k == "__metadata__" or v["dtype"] != "F32":
            continue
        b, e = v["data_offsets"]
        out[k] = np.frombuffer(data[b:e], dtype="<f4").reshape(v["shape"])
    return out
