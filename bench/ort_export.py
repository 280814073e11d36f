#!/usr/bin/python3
"""ort_export.py: one example network as ONNX, with netc's --random-weights.

    /usr/bin/python3 bench/ort_export.py EXAMPLE_DIR OUT_DIR

EXAMPLE_DIR is one of tests/numerics/examples/NAME: its model.ref names the
.net file, seed the --random-weights seed, input.npy the input (H, W, C) and
expected.npy the float64 PyTorch reference output (tests/numerics/README.md).
Writes into OUT_DIR:

    model.onnx      the network in PyTorch (Debian's python3-torch) with the
                    weights of `netc build --random-weights=SEED`, exported
                    by torch.onnx.export (opset 17), float32, batch 1, NCHW
    input.nhwc.bin  the input for netc's code: raw little-endian float32, HWC
    input.nchw.bin  the same input for ONNX Runtime: NCHW
    expected.bin    the reference output, float32 (flat, as netc writes it)
    meta.json       the network's name, the ONNX input's shape, the sizes,
                    the seed and the .net path

The parser, the shapes and the weight generator are tests/numerics/netref.py,
imported, not restated. What this file adds is a torch.nn.Module whose
forward is traceable (netref.run starts and ends in numpy, so tracing it
would freeze the input into a constant) and whose ops are the ones an ONNX
exporter expects: symmetric padding as the conv's or pool's own attribute,
asymmetric padding as a Pad with constant pads before it (pad_symbolic),
which ONNX Runtime folds into the Conv; batchnorm as BatchNormalization
(the exporter folds it into the conv before it), dense as Gemm, a pool with
ceil=true as PyTorch's ceil_mode. It is the graph a PyTorch user would
export, and ONNX Runtime gets it whole: what each engine makes of it is
its own business. The module's float32 output is checked against expected.npy
(the tolerance rule of tests/numerics: max |diff| <= 1e-4 * max |expected|)
before anything is written; bench/ort/bench.mjs then checks ONNX Runtime's
output against netc's and against the reference again.
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
import torch.onnx.symbolic_helper as sym_help
import torch.onnx.symbolic_opset11  # noqa: F401  (pad_symbolic falls back on it)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "numerics"))
import netref  # noqa: E402

TOL = 1e-4


class Net(torch.nn.Module):
    """A netref.Network evaluated on NCHW float32 tensors, traceable."""

    def __init__(self, net, weights):
        super().__init__()
        self.net = net
        if len(net.inputs) != 1 or len(net.outputs) != 1:
            raise SystemExit("ort_export.py: %s: one input and one output only" % net.name)
        # Shapes as Python ints from the attributes, never from x.shape: a
        # traced shape becomes a computation in the ONNX graph, and the pads
        # must be constants for pad_symbolic.
        self.shapes = netref.infer_shapes(net)
        # Plain tensors, not parameters: tracing makes them initializers.
        self.w = {k: torch.from_numpy(np.ascontiguousarray(v, dtype=np.float32))
                  for k, v in weights.items()}

    def forward(self, x):
        env = {}
        for lay in self.net.layers:
            env[lay.name] = self.layer(lay, [env[i] for i in lay.inputs], x)
        y = env[self.net.outputs[0]]
        if y.dim() == 4:                  # netc writes spatial outputs HWC
            y = y.permute(0, 2, 3, 1)
        return y

    def layer(self, lay, xs, inp):
        a, op, W = lay.attrs, lay.op, self.w
        x = xs[0] if xs else None
        shape = self.shapes[lay.inputs[0]] if lay.inputs else ()
        H, Wd, C = shape if len(shape) == 3 else (0, 0, 0)
        if op == "input":
            return inp
        if op in ("conv2d", "depthwise_conv2d"):
            kh, kw = netref.pair(a["kernel"])
            sh, sw = netref.pair(a.get("stride", 1))
            dh, dw = netref.pair(a.get("dilation", 1))
            t, b, l, r = netref.resolve_padding(
                a.get("padding", netref.Sym("valid")), H, Wd,
                dh * (kh - 1) + 1, dw * (kw - 1) + 1, sh, sw)
            groups = C if op == "depthwise_conv2d" else a.get("groups", 1)
            pad = (t, l)
            if t != b or l != r:
                x = F.pad(x, (l, r, t, b))
                pad = (0, 0)
            bias = W.get(lay.name + ".bias") if a.get("bias", True) else None
            y = F.conv2d(x, W[lay.name + ".weight"], bias, (sh, sw), pad, (dh, dw), groups)
            return netref.activation(y, a.get("activation"))
        if op in ("maxpool2d", "avgpool2d"):
            kh, kw = netref.pair(a["size"])
            sh, sw = netref.pair(a.get("stride", a["size"]))
            pads = netref.resolve_padding(a.get("padding", netref.Sym("valid")),
                                          H, Wd, kh, kw, sh, sw)
            t, b, l, r = pads
            ceil = a.get("ceil", False)
            count_pad = a.get("count_pad", True)
            if (t == b and l == r and 2 * t <= kh and 2 * l <= kw
                    and (op == "maxpool2d" or count_pad or t == l == 0)):
                # PyTorch's pools, ceil mode included, say the same (netref.pool2d)
                if op == "maxpool2d":
                    return F.max_pool2d(x, (kh, kw), (sh, sw), (t, l), ceil_mode=ceil)
                return F.avg_pool2d(x, (kh, kw), (sh, sw), (t, l), ceil_mode=ceil,
                                    count_include_pad=True)
            if ceil:
                # netref.pool2d computes its output size from traced shapes,
                # with a floor division of negative numbers that the
                # exporter turns into a truncating one
                raise SystemExit("ort_export.py: %s: a ceil-mode pool with asymmetric padding "
                                 "or count_pad=false cannot be exported" % lay.name)
            # what PyTorch's pools cannot say: netref's sums and counts
            return netref.pool2d(x, "max" if op == "maxpool2d" else "avg",
                                 (kh, kw), (sh, sw), pads, ceil, count_pad)
        if op == "global_avgpool2d":
            return torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
        if op == "global_maxpool2d":
            return torch.flatten(F.adaptive_max_pool2d(x, 1), 1)
        if op == "batchnorm":
            p = lay.name
            return F.batch_norm(x, W[p + ".running_mean"], W[p + ".running_var"],
                                W[p + ".weight"], W[p + ".bias"], False, 0.0,
                                float(a.get("epsilon", 1e-5)))
        if op in ("relu", "relu6", "sigmoid", "tanh", "softmax", "linear"):
            return netref.activation(x, op)
        if op == "leaky_relu":
            return netref.activation(x, "leaky_relu", float(a.get("alpha", 0.01)))
        if op == "dropout":
            return x
        if op == "flatten":
            if x.dim() == 2:
                return x
            if a.get("order", "chw") == "hwc":
                x = x.permute(0, 2, 3, 1)
            return torch.flatten(x, 1)
        if op == "dense":
            bias = W.get(lay.name + ".bias") if a.get("bias", True) else None
            return netref.activation(F.linear(x, W[lay.name + ".weight"], bias),
                                     a.get("activation"))
        if op == "add":
            y = xs[0]
            for z in xs[1:]:
                y = y + z
            return y
        if op == "concat":
            return torch.cat(xs, dim=1)
        if op == "zeropad2d":
            t, b, l, r = netref.resolve_padding(a["padding"], 0, 0, 1, 1, 1, 1)
            return F.pad(x, (l, r, t, b))
        raise SystemExit("ort_export.py: op %s is not supported" % op)


def pad_symbolic(g, x, pad, mode, value):
    """aten::pad, what F.pad traces to, as one ONNX Pad with constant pads.

    PyTorch 1.13 writes the pads of F.pad as a computation (ConstantOfShape,
    Concat, a Slice with step -1, Cast) that its own constant folding leaves
    alone and that stops ONNX Runtime from folding the Pad into the Conv
    after it. Where the pads are a constant list (Python ints: Net.shapes),
    say them; any other pad (netref.pool2d's, computed from traced shapes)
    goes to PyTorch's own symbolic."""
    if sym_help._maybe_get_const(mode, "s") != "constant" or not sym_help._is_constant(pad):
        return torch.onnx.symbolic_opset11.pad(g, x, pad, mode, value)
    ints = sym_help._get_const(pad, "is", "pad")
    n = x.type().dim()
    begin, end = [0] * n, [0] * n
    for i in range(len(ints) // 2):    # torch: (last begin, last end, the one before...)
        begin[n - 1 - i], end[n - 1 - i] = ints[2 * i], ints[2 * i + 1]
    pads = g.op("Constant", value_t=torch.tensor(begin + end, dtype=torch.int64))
    if sym_help._is_none(value):
        return g.op("Pad", x, pads, mode_s="constant")
    value = g.op("Constant", value_t=torch.tensor(
        float(sym_help._maybe_get_const(value, "f")), dtype=torch.float32))
    return g.op("Pad", x, pads, value, mode_s="constant")


def rel_err(expected, actual):
    expected = np.asarray(expected, dtype=np.float64).reshape(-1)
    actual = np.asarray(actual, dtype=np.float64).reshape(-1)
    return float(np.max(np.abs(expected - actual)) / max(np.max(np.abs(expected)), 1e-30))


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: ort_export.py EXAMPLE_DIR OUT_DIR")
    exdir, out = sys.argv[1], sys.argv[2]
    with open(os.path.join(exdir, "model.ref")) as f:
        ref = f.readline().strip()
    with open(os.path.join(exdir, "seed")) as f:
        seed = int(f.readline())
    with open(os.path.join(ROOT, ref)) as f:
        net = netref.parse(f.read())
    weights, _ = netref.random_weights(net, seed)
    x = np.load(os.path.join(exdir, "input.npy")).astype(np.float32)
    expected = np.load(os.path.join(exdir, "expected.npy")).astype(np.float32).reshape(-1)
    shape = netref.infer_shapes(net)[net.inputs[0]]
    x = x.reshape(shape)
    xt = torch.from_numpy(np.ascontiguousarray(
        x.transpose(2, 0, 1)[None] if x.ndim == 3 else x[None]))

    torch.set_num_threads(1)
    model = Net(net, weights).eval()
    with torch.no_grad():
        y = model(xt).numpy().reshape(-1)
    err = rel_err(expected, y)
    if not err <= TOL:
        raise SystemExit("ort_export.py: %s: the PyTorch model is off the reference by %.2e"
                         % (net.name, err))

    os.makedirs(out, exist_ok=True)
    torch.onnx.register_custom_op_symbolic("aten::pad", pad_symbolic, 11)
    with torch.no_grad():
        torch.onnx.export(model, (xt,), os.path.join(out, "model.onnx"),
                          input_names=["input"], output_names=["output"],
                          opset_version=17, do_constant_folding=True)
    x.astype("<f4").tofile(os.path.join(out, "input.nhwc.bin"))
    xt.numpy().astype("<f4").tofile(os.path.join(out, "input.nchw.bin"))
    expected.astype("<f4").tofile(os.path.join(out, "expected.bin"))
    meta = {"network": net.name, "net": ref, "seed": seed,
            "input_shape": list(xt.shape), "input_size": int(x.size),
            "output_size": int(expected.size), "torch_rel_err": err}
    with open(os.path.join(out, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")
    print("%s: model.onnx written (PyTorch float32 vs reference: %.2e)" % (net.name, err))


if __name__ == "__main__":
    main()
