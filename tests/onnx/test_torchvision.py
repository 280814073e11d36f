#!/usr/bin/python3
"""torchvision models through ONNX, against PyTorch (docs/import.md).

    test_torchvision.py NETC COMPARE

Exports each model with Debian's PyTorch (eval mode, batch norms kept,
seeded weights and non-trivial batch norm statistics), then checks that
`netc import` takes it, that `netc summary` gives PyTorch's parameter count
(trainable params) and MACs (gen_models.macs_of), that the binary of `netc
build` computes PyTorch's output within 1e-4 (COMPARE is
tests/numerics/compare.c), and that each model with a hand-written .net in
examples/ (ResNet-18, EfficientNet-B0, MobileNet v3 small, ShuffleNet v2
x0.5, the U-Net of tests/numerics/gen_fixtures.py) imports with that file's
totals. Opsets 11 to 17: each model at two or more of them.

The models are tens of megabytes, so nothing is committed: the test needs
PyTorch and torchvision, and reports itself skipped (exit 77) without them.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
NETC, COMPARE = sys.argv[1], sys.argv[2]
try:
    import numpy as np
    import torch
    import torchvision
except ImportError as e:
    print(f"PyTorch or torchvision is missing ({e}): skipped")
    sys.exit(77)
probe = subprocess.run([NETC, "import", os.devnull], capture_output=True, text=True)
if "ONNX support is not in this build" in probe.stderr:
    print("ONNX support is not in this build: skipped")
    sys.exit(77)
sys.path.insert(0, HERE)
sys.path.insert(1, os.path.join(ROOT, "tests", "numerics"))
sys.dont_write_bytecode = True
from gen_models import macs_of  # noqa: E402
from gen_fixtures import unet_module  # noqa: E402

passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)


def netc(*args, cwd):
    return subprocess.run([NETC, *args], capture_output=True, text=True, cwd=cwd)


def totals(path, cwd):
    r = netc("summary", "--format=json", path, cwd=cwd)
    return json.loads(r.stdout)["totals"] if r.returncode == 0 else None


work = tempfile.mkdtemp(prefix="netc-torchvision-")
MODELS = [("resnet18", 11), ("resnet18", 13), ("mobilenet_v2", 13), ("mobilenet_v2", 17),
          ("squeezenet1_0", 13), ("googlenet", 13), ("densenet121", 13),
          ("efficientnet_b0", 13), ("efficientnet_b0", 16),
          ("mobilenet_v3_small", 11), ("mobilenet_v3_small", 14),
          ("shufflenet_v2_x0_5", 11), ("shufflenet_v2_x0_5", 15),
          ("unet", 11), ("unet", 13), ("unet", 17)]
# the hand-written .net of examples/ with the same totals
EXAMPLES = {"resnet18": "resnet18", "efficientnet_b0": "efficientnet_b0",
            "mobilenet_v3_small": "mobilenet_v3_small", "shufflenet_v2_x0_5": "shufflenet_v2",
            "unet": "unet"}
for name, opset in MODELS:
    tag = f"{name}-{opset}"
    torch.manual_seed(0)
    kw = {"aux_logits": False, "init_weights": True} if name == "googlenet" else {}
    if name == "unet":
        m = unet_module().eval()
    else:
        m = getattr(torchvision.models, name)(**kw).eval()
    for mod in m.modules():
        if isinstance(mod, torch.nn.BatchNorm2d):
            mod.running_mean.uniform_(-0.2, 0.2)
            mod.running_var.uniform_(0.5, 1.5)
            mod.weight.data.uniform_(0.8, 1.2)
            mod.bias.data.uniform_(-0.1, 0.1)
    x = torch.randn(1, 3, 128, 128) if name == "unet" else torch.randn(1, 3, 224, 224)
    onnx_path = os.path.join(work, tag + ".onnx")
    torch.onnx.export(m, x, onnx_path, opset_version=opset, input_names=["input"],
                      output_names=["output"], training=torch.onnx.TrainingMode.PRESERVE)
    with torch.no_grad():
        y = m(x)[0]
        y = (y.permute(1, 2, 0) if y.dim() == 3 else y).contiguous().numpy().astype(np.float32)
    np.save(os.path.join(work, tag + ".in.npy"),
            x[0].permute(1, 2, 0).contiguous().numpy().astype(np.float32))
    np.save(os.path.join(work, tag + ".torch.npy"), y)

    r = netc("import", tag + ".onnx", cwd=work)
    check(r.returncode == 0, f"{tag}: import: {r.stderr[:2000]}")
    if r.returncode:
        continue
    t = totals(tag + ".net", work)
    params = sum(p.numel() for p in m.parameters())
    macs = macs_of(m, x)
    check(t and t["trainable_params"] == params,
          f"{tag}: trainable params {t and t['trainable_params']}, PyTorch {params}")
    check(t and t["macs"] == macs, f"{tag}: MACs {t and t['macs']}, PyTorch {macs}")
    if name in EXAMPLES:
        ex = f"examples/{EXAMPLES[name]}.net"
        ref = totals(os.path.join(ROOT, ex), work)
        check(t == ref, f"{tag}: totals {t}, {ex} {ref}")
    r = netc("build", tag + ".net", "--weights", tag + ".safetensors", "-o", tag, cwd=work)
    check(r.returncode == 0, f"{tag}: build: {r.stderr[:2000]}")
    r = subprocess.run([os.path.join(work, tag), tag + ".in.npy", "-o", tag + ".out.npy"],
                       capture_output=True, text=True, cwd=work)
    check(r.returncode == 0, f"{tag}: run: {r.stderr}")
    r = subprocess.run([COMPARE, tag + ".torch.npy", tag + ".out.npy", "1e-4"],
                       capture_output=True, text=True, cwd=work)
    check(r.returncode == 0, f"{tag}: against PyTorch: {r.stdout.strip()}")
    print(f"{tag}: params {params}, MACs {macs}, {r.stdout.strip()}")
    for f in os.listdir(work):
        if f.startswith(tag):
            os.remove(os.path.join(work, f))

shutil.rmtree(work)
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
