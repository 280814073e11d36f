#!/usr/bin/python3
"""Makes the ONNX fixtures of tests/onnx/ with Debian's PyTorch.

    /usr/bin/python3 tests/onnx/gen_models.py

Writes, next to this script:
  models/NAME.onnx        small models exported by torch.onnx.export (eval
                          mode), each at the opset in its name
  models/NAME.input.npy   an input, (H, W, C) float32 (netc's layout)
  models/NAME.torch.npy   PyTorch's output for that input, flattened as
                          netc's output is (a flat output as is; a map as HWC)
  models/NAME.counts      PyTorch's parameter count (weights and biases, as
                          torchvision counts) and MACs, one "key value" a line
  hostile/*.onnx          malformed models the reader must refuse cleanly

The committed results are what the tests use; CI needs no PyTorch. The
weights are seeded, so a run gives the same files.
"""
import io
import os
import struct
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.join(HERE, "models")
HOSTILE = os.path.join(HERE, "hostile")


def macs_of(model, x):
    """MACs as netc counts them: conv k*k*cin/groups per output value,
    transposed conv k*k*cout/groups per input value, dense in*out (batchnorm,
    pooling and activations are not MACs)."""
    total = [0]

    def conv_hook(m, inp, out):
        kh, kw = m.kernel_size
        total[0] += out.numel() * kh * kw * (m.in_channels // m.groups)

    def convt_hook(m, inp, out):
        kh, kw = m.kernel_size
        total[0] += inp[0].numel() * kh * kw * (m.out_channels // m.groups)

    def lin_hook(m, inp, out):
        total[0] += m.in_features * m.out_features

    hooks = []
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            hooks.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.ConvTranspose2d):
            hooks.append(m.register_forward_hook(convt_hook))
        elif isinstance(m, nn.Linear):
            hooks.append(m.register_forward_hook(lin_hook))
    with torch.no_grad():
        model(x)
    for h in hooks:
        h.remove()
    return total[0]


def export(name, model, shape, opset, fold=True, dynamic=None):
    torch.manual_seed(1)
    model.eval()
    # non-trivial batchnorm statistics, so a wrong mapping shows
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.2, 0.2)
            m.running_var.uniform_(0.5, 1.5)
            m.weight.data.uniform_(0.8, 1.2)
            m.bias.data.uniform_(-0.1, 0.1)
    x = torch.randn(1, *shape)
    # PRESERVE on a model in eval mode exports it in eval mode but keeps
    # each BatchNormalization (EVAL would fold it into the conv before it)
    path = os.path.join(MODELS, f"{name}.onnx")
    torch.onnx.export(model, x, path, opset_version=opset, input_names=["input"],
                      output_names=["output"], do_constant_folding=fold,
                      training=torch.onnx.TrainingMode.PRESERVE,
                      dynamic_axes={"input": dynamic} if dynamic else None)
    with torch.no_grad():
        y = model(x)[0]
    if y.dim() == 3:
        y = y.permute(1, 2, 0)
    np.save(os.path.join(MODELS, f"{name}.input.npy"),
            x[0].permute(1, 2, 0).contiguous().numpy().astype(np.float32))
    np.save(os.path.join(MODELS, f"{name}.torch.npy"),
            y.contiguous().reshape(-1).numpy().astype(np.float32))
    params = sum(p.numel() for p in model.parameters())
    with open(os.path.join(MODELS, f"{name}.counts"), "w") as f:
        f.write(f"params {params}\nmacs {macs_of(model, x)}\n")


class Tiny(nn.Module):
    """Conv, batchnorm, relu, max pool, flatten (through x.view and without
    constant folding, PyTorch's Shape/Gather/Unsqueeze/Concat/Reshape
    chain), a linear layer."""

    def __init__(self, via_view):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(8, 6, 3, stride=2, bias=False)
        self.fc = nn.Linear(6 * 2 * 2, 5)
        self.via_view = via_view

    def forward(self, x):
        x = self.pool(F.relu(self.bn1(self.conv1(x))))
        x = torch.sigmoid(self.conv2(x))
        x = x.view(x.size(0), -1) if self.via_view else torch.flatten(x, 1)
        return self.fc(x)


class Ops(nn.Module):
    """The other ops netc has: grouped and dilated convs, asymmetric and
    strided windows, relu6, tanh, leaky relu, average pooling with
    ceil_mode and count_include_pad, add, concat, zero padding, global
    pooling, dropout, softmax."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(4, 8, (3, 5), stride=(1, 2), padding=(1, 2), dilation=(2, 1))
        self.dw = nn.Conv2d(8, 8, 3, padding=1, groups=8, bias=False)
        self.bn = nn.BatchNorm2d(8)
        self.act = nn.ReLU6()
        self.g = nn.Conv2d(8, 8, 1, groups=2)
        self.pad = nn.ZeroPad2d((1, 0, 2, 1))
        self.branch = nn.Conv2d(8, 4, 3)
        self.avg = nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)
        self.avg2 = nn.AvgPool2d(2, stride=1, padding=1)
        self.leaky = nn.LeakyReLU(0.2)
        self.drop = nn.Dropout(0.3)
        self.head = nn.Linear(12, 7)

    def forward(self, x):
        x = self.act(self.bn(self.dw(self.stem(x))))
        x = x + torch.tanh(self.g(x))
        b = self.branch(self.pad(x))
        x = self.cat(x, b)
        return x

    def cat(self, x, b):
        a = self.avg(x)
        a = self.avg2(a)
        b = self.leaky(F.adaptive_max_pool2d(b, 1))
        a = F.adaptive_avg_pool2d(a, 1)
        y = torch.cat([a, b], 1).flatten(1)
        return F.softmax(self.head(self.drop(y)), dim=1)


class Gates(nn.Module):
    """The activations of today's networks and squeeze-and-excitation:
    hardswish (HardSwish from opset 14, before it HardSigmoid and Mul), silu
    (Sigmoid and Mul), hardsigmoid, gelu (Div, Erf, Add, Mul, Mul) and its
    tanh form (Mul, Mul, Mul, Add, Mul, Tanh, Add, Mul, Mul), a gate
    of global pooling kept 1x1xC, 1x1 convs and Mul, the same as Add (and a
    ReduceMax that keeps its dimensions), and a flat global pooling before
    the classifier."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.fc1 = nn.Conv2d(8, 4, 1)
        self.fc2 = nn.Conv2d(4, 8, 1)
        self.shift = nn.Conv2d(8, 8, 1)
        self.gate = nn.Conv2d(8, 8, 1)
        self.head = nn.Linear(8, 5)

    def forward(self, x):
        x = F.hardswish(self.bn(self.stem(x)))
        x = F.silu(x) + F.gelu(x) + F.gelu(x, approximate="tanh")
        s = F.adaptive_avg_pool2d(x, 1)
        s = F.hardsigmoid(self.fc2(F.silu(self.fc1(s))))
        x = s * x
        x = x + self.shift(F.adaptive_max_pool2d(x, 1)) + torch.amax(x, (2, 3), keepdim=True)
        x = torch.sigmoid(self.gate(x)) * F.gelu(x)
        return self.head(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def channel_shuffle(x, groups):
    """torchvision's: a Reshape, a Transpose, a Reshape."""
    n, c, h, w = x.shape
    x = x.view(n, groups, c // groups, h, w)
    return torch.transpose(x, 1, 2).contiguous().view(n, -1, h, w)


class Twice(nn.Module):
    """Two layers of one module: the second layer's name is made unique."""

    def forward(self, x):
        return F.relu6(F.relu(x))


class Unit(nn.Module):
    """A module named `block` (a keyword of the language) whose Sequential's
    children are named block.0 in the export, inside tail.0."""

    def __init__(self):
        super().__init__()
        self.block = nn.Sequential(Twice())

    def forward(self, x):
        return self.block(x)


class Shuffle(nn.Module):
    """Channels cut and mixed: chunk and x[:, a:b] (Slice), torch.split with
    sizes (Split), ShuffleNet's channel shuffle with 2 and 3 groups, and
    ShuffleNet's x.mean([2, 3]) (ReduceMean) at the end."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 12, 3, padding=1)
        self.branch = nn.Conv2d(6, 6, 3, padding=1, groups=6)
        self.mix = nn.Conv2d(12, 12, 1)
        self.tail = nn.Sequential(Unit())

    def forward(self, x):
        x = F.relu(self.stem(x))
        a, b = x.chunk(2, dim=1)
        x = channel_shuffle(torch.cat([a, F.relu(self.branch(b))], 1), 2)
        p, q, r = torch.split(x, [3, 4, 5], dim=1)
        x = torch.cat([r, p, q + x[:, 8:12]], 1)
        return self.tail(self.mix(channel_shuffle(x, 3))).mean([2, 3])


class Up(nn.Module):
    """Upsampling: nearest (to a size, twice and four times the input),
    bilinear with and without align_corners, transposed convolutions with
    stride, padding, output_padding, dilation and groups."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 4, 3, padding=1)
        self.up1 = nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1)
        self.up2 = nn.ConvTranspose2d(6, 4, 2, stride=2, groups=2, bias=False)
        self.up3 = nn.ConvTranspose2d(4, 4, 3, stride=1, padding=2, dilation=2)
        self.out = nn.Conv2d(4, 2, 1)

    def forward(self, x):
        x = F.relu(self.stem(x))
        a = F.interpolate(x, size=(8, 20), mode="nearest")  # sizes, not scales
        a = F.interpolate(a, scale_factor=(4, 2), mode="bilinear", align_corners=True)
        x = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
        x = F.relu(self.up2(self.up1(x))) + a
        return self.out(self.up3(x))


class Unsupported(nn.Module):
    """Ops and attributes netc does not have: every one must be listed, in
    one run, and nothing that depends on one of them."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.fc = nn.Linear(5 * 4 * 6 * 6, 3)

    def forward(self, x):
        y = self.conv(x)
        a = F.elu(y)                                            # Elu
        b = torch.clamp(y, -1.0, 1.0)                           # Clip(-1, 1)
        c = F.interpolate(y, scale_factor=1.5)[:, :, :6, :6]    # Resize by 1.5 (then a Slice)
        d = F.pad(y[:, :, 1:], (0, 0, 1, 0))                    # Slice of the rows
        e = y * 2.0                                             # Mul by a constant
        return self.fc(torch.flatten(torch.cat([a, b, c, d, e], 1), 1))


def unsupported_variants():
    """models/unsupported-ops-13.onnx, written with onnx.helper: nodes of
    ops netc imports, each with an attribute or an operand it cannot
    express; every one must be one error, in one run."""
    f = TensorProto.FLOAT
    x = helper.make_tensor_value_info("x", f, [1, 4, 8, 8])
    rng = np.random.default_rng(0)
    inits = [
        helper.make_tensor("w", f, [4, 2, 3, 3], rng.standard_normal(72).astype(np.float32)),
        helper.make_tensor("wc", f, [4, 4, 3, 3], rng.standard_normal(144).astype(np.float32)),
        helper.make_tensor("scales", f, [4], [1, 1, 2, 2]),
        helper.make_tensor("starts", TensorProto.INT64, [1], [0]),
        helper.make_tensor("ends", TensorProto.INT64, [1], [4]),
        helper.make_tensor("axes", TensorProto.INT64, [1], [1]),
        helper.make_tensor("steps", TensorProto.INT64, [1], [2]),
        helper.make_tensor("shape5", TensorProto.INT64, [5], [1, 2, 2, 8, 8]),
    ]
    N = helper.make_node
    nodes = [
        N("HardSigmoid", ["x"], ["hs"], name="keras_hardsigmoid", alpha=0.2),
        N("Resize", ["x", "", "scales"], ["r1"], name="cubic", mode="cubic"),
        N("Resize", ["x", "", "scales"], ["r2"], name="nearest_corners", mode="nearest",
          coordinate_transformation_mode="align_corners"),
        N("Resize", ["x", "", "scales"], ["r3"], name="linear_asymmetric", mode="linear",
          coordinate_transformation_mode="asymmetric"),
        N("Upsample", ["x", "scales"], ["u"], name="upsample_linear", mode="linear"),
        N("ConvTranspose", ["x", "w"], ["t1"], name="pads_at_end", pads=[0, 0, 1, 1]),
        N("ConvTranspose", ["x", "w"], ["t2"], name="output_shape", output_shape=[10, 10]),
        N("Split", ["x"], ["s1", "s2"], name="split_rows", axis=2),
        N("Slice", ["x", "starts", "ends", "axes", "steps"], ["sl"], name="every_other"),
        N("Transpose", ["x"], ["tr"], name="swap_hw", perm=[0, 1, 3, 2]),
        N("Conv", ["x", "wc"], ["c"], name="conv", strides=[2, 2], pads=[1, 1, 1, 1]),
        N("Add", ["x", "c"], ["a"], name="add_sizes"),
        N("ReduceMean", ["x"], ["rm"], name="mean_channels", axes=[1]),
        N("Reshape", ["x", "shape5"], ["g"], name="groups"),
        N("Relu", ["g"], ["gr"], name="relu_of_groups"),
    ]
    outs = ["hs", "r1", "r2", "r3", "u", "t1", "t2", "s1", "s2", "sl", "tr", "a", "rm", "gr"]
    g = helper.make_graph(nodes, "unsupported_ops", [x],
                          [helper.make_tensor_value_info(o, f, None) for o in outs], inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)],
                          producer_name="onnx.helper")
    onnx.save(m, os.path.join(MODELS, "unsupported-ops-13.onnx"))


def upsample():
    """models/upsample-13.onnx, written with onnx.helper: the Upsample op
    (nearest, scales (2, 3)) that exporters wrote before Resize, against
    PyTorch's nearest interpolation."""
    f = TensorProto.FLOAT
    g = helper.make_graph(
        [helper.make_node("Upsample", ["x", "scales"], ["y"], name="up", mode="nearest"),
         helper.make_node("Relu", ["y"], ["z"], name="relu")],
        "upsample", [helper.make_tensor_value_info("x", f, [1, 3, 4, 5])],
        [helper.make_tensor_value_info("z", f, [1, 3, 8, 15])],
        [helper.make_tensor("scales", f, [4], [1, 1, 2, 3])])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)],
                          producer_name="onnx.helper")
    onnx.save(m, os.path.join(MODELS, "upsample-13.onnx"))
    torch.manual_seed(0)
    x = torch.randn(1, 3, 4, 5)
    y = F.relu(F.interpolate(x, scale_factor=(2, 3), mode="nearest"))[0]
    np.save(os.path.join(MODELS, "upsample-13.input.npy"),
            x[0].permute(1, 2, 0).contiguous().numpy().astype(np.float32))
    np.save(os.path.join(MODELS, "upsample-13.torch.npy"),
            y.permute(1, 2, 0).contiguous().reshape(-1).numpy().astype(np.float32))
    with open(os.path.join(MODELS, "upsample-13.counts"), "w") as fp:
        fp.write("params 0\nmacs 0\n")


def hostile():
    """Malformed models: each must be one error from the reader."""
    os.makedirs(HOSTILE, exist_ok=True)
    good = open(os.path.join(MODELS, "tiny-13.onnx"), "rb").read()

    def put(name, data):
        with open(os.path.join(HOSTILE, name), "wb") as f:
            f.write(data)

    put("truncated-half.onnx", good[: len(good) // 2])
    put("truncated-header.onnx", good[:3])
    put("empty.onnx", b"")
    # a length-delimited field (the graph, 7) claiming 2^62 bytes
    put("huge-length.onnx", b"\x08\x07\x3a\xff\xff\xff\xff\xff\xff\xff\xff\x3f")
    # a varint that never ends
    put("endless-varint.onnx", b"\x08" + b"\xff" * 64)
    # a packed repeated field (dims) claiming more than is there
    t = helper.make_tensor("w", TensorProto.FLOAT, [2, 2], [1.0, 2.0, 3.0, 4.0])

    def model_with(init, nodes=(), inputs=()):
        g = helper.make_graph(list(nodes), "g", list(inputs),
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])],
                              [init])
        return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])

    m = model_with(t)
    m.graph.initializer[0].dims[:] = [1 << 40, 1 << 40]
    put("dims-overflow.onnx", m.SerializeToString())
    m = model_with(t)
    m.graph.initializer[0].dims[:] = [3, 7]
    put("dims-mismatch.onnx", m.SerializeToString())
    m = model_with(t)
    m.graph.initializer[0].dims[:] = [-1, 4]
    put("dims-negative.onnx", m.SerializeToString())
    r = helper.make_tensor("w", TensorProto.FLOAT, [2, 2], np.zeros(4, np.float32).tobytes(),
                           raw=True)
    m = model_with(r)
    m.graph.initializer[0].raw_data = bytes(13)
    put("raw-ragged.onnx", m.SerializeToString())
    m = model_with(r)
    m.graph.initializer[0].dims[:] = [1000000]
    put("raw-short.onnx", m.SerializeToString())
    m = model_with(t)
    m.graph.initializer[0].ClearField("float_data")
    m.graph.initializer[0].data_location = TensorProto.EXTERNAL
    e = m.graph.initializer[0].external_data.add()
    e.key, e.value = "location", "/etc/passwd"
    put("external-data.onnx", m.SerializeToString())
    m = model_with(t)
    m.graph.initializer[0].dims[:] = [1] * 9 + [4]
    put("rank-too-high.onnx", m.SerializeToString())
    put("no-graph.onnx", b"\x08\x07\x12\x04test")
    # many empty nodes: two bytes each on the wire, a struct each in memory
    node = b"\x0a\x00"
    body = node * 200000
    graph = b"\x3a" + varint(len(body)) + body
    put("many-empty-nodes.onnx", b"\x08\x07" + graph)
    # every byte of a good model's first kilobyte flipped, one file per 97th
    for k in range(0, min(len(good), 1024), 97):
        b = bytearray(good)
        b[k] ^= 0xFF
        put(f"flip-{k:04d}.onnx", bytes(b))


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def main():
    os.makedirs(MODELS, exist_ok=True)
    torch.manual_seed(0)
    export("tiny-13", Tiny(False), (3, 12, 12), 13)
    torch.manual_seed(0)
    export("tiny-11", Tiny(True), (3, 12, 12), 11, fold=False)
    torch.manual_seed(0)
    export("ops-13", Ops(), (4, 10, 16), 13)
    torch.manual_seed(0)
    export("ops-17", Ops(), (4, 10, 16), 17)
    # a symbolic batch: x.view(x.size(0), -1) is exported as PyTorch's
    # Shape -> Gather -> Unsqueeze -> Concat -> Reshape chain
    torch.manual_seed(0)
    export("tiny-batch-11", Tiny(True), (3, 12, 12), 11, dynamic={0: "batch"})
    # symbolic H and W: importing it needs --input-shape
    torch.manual_seed(0)
    export("tiny-hw-13", Tiny(False), (3, 12, 12), 13, dynamic={0: "batch", 2: "h", 3: "w"})
    for opset in (11, 13, 17):
        torch.manual_seed(0)
        export(f"gates-{opset}", Gates(), (3, 7, 9), opset)
        torch.manual_seed(0)
        export(f"shuffle-{opset}", Shuffle(), (3, 6, 5), opset)
        torch.manual_seed(0)
        export(f"up-{opset}", Up(), (3, 4, 5), opset)
    torch.manual_seed(0)
    export("unsupported-13", Unsupported(), (3, 8, 8), 13)
    # opsets netc does not read: 10 from PyTorch, 18 the opset-13 model
    # relabelled (this PyTorch exports up to 17); only the .onnx is kept
    torch.manual_seed(0)
    torch.onnx.export(Tiny(False).eval(), torch.randn(1, 3, 12, 12),
                      os.path.join(MODELS, "opset-10.onnx"), opset_version=10,
                      input_names=["input"], output_names=["output"])
    m = onnx.load(os.path.join(MODELS, "tiny-13.onnx"))
    for o in m.opset_import:
        if o.domain in ("", "ai.onnx"):
            o.version = 18
    onnx.save(m, os.path.join(MODELS, "opset-18.onnx"))
    unsupported_variants()
    upsample()
    hostile()


if __name__ == "__main__":
    main()
