#!/usr/bin/python3
"""PyTorch's own parameter and MAC counts of the torchvision examples and
of the U-Net.

    /usr/bin/python3 tests/published/torch_counts.py [--netc build/netc]

Builds each model with torchvision (the U-Net: the module of
tests/numerics/gen_fixtures.py), counts its parameters
(sum of parameters(), weights and biases only) and its multiply-accumulates
with forward hooks on its input (224×224; the U-Net 128×128) (Conv2d: output elements ×
in/groups × kh × kw; ConvTranspose2d: input elements × out/groups × kh × kw;
Linear: in × out), and compares them with `netc summary --format=json` of
the example: the parameters with netc's trainable count (netc also counts
the batchnorm statistics, as non-trainable), the MACs exactly. Needs Debian's
python3-torch and python3-torchvision; prints one line per model and exits
1 on a difference. examples/README.md records the result.
"""
import argparse
import json
import os
import subprocess
import sys

import torch
import torch.nn as nn

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODELS = [("examples/alexnet.net", "alexnet"), ("examples/vgg16.net", "vgg16"),
          ("examples/resnet18.net", "resnet18"),
          ("examples/shufflenet_v2.net", "shufflenet_v2_x0_5"),
          ("examples/mobilenet_v3_small.net", "mobilenet_v3_small"),
          ("examples/efficientnet_b0.net", "efficientnet_b0"), ("examples/unet.net", "unet")]


def torch_counts(model, size=224):
    macs = [0]

    def hook(m, inp, out):
        x = inp[0]
        if isinstance(m, nn.ConvTranspose2d):
            kh, kw = m.kernel_size
            macs[0] += x.numel() * (m.out_channels // m.groups) * kh * kw
        elif isinstance(m, nn.Conv2d):
            kh, kw = m.kernel_size
            macs[0] += out.numel() * (m.in_channels // m.groups) * kh * kw
        elif isinstance(m, nn.Linear):
            macs[0] += m.in_features * m.out_features

    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            m.register_forward_hook(hook)
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, 3, size, size))
    return sum(p.numel() for p in model.parameters()), macs[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--netc", default=os.path.join(ROOT, "build", "netc"))
    args = ap.parse_args()
    import torchvision
    bad = 0
    sys.path.insert(0, os.path.join(ROOT, "tests", "numerics"))
    sys.dont_write_bytecode = True
    import gen_fixtures
    for path, ctor in MODELS:
        if ctor == "unet":
            params, macs = torch_counts(gen_fixtures.unet_module(), 128)
        else:
            params, macs = torch_counts(getattr(torchvision.models, ctor)(weights=None))
        js = json.loads(subprocess.run([args.netc, "summary", "--format=json", path], cwd=ROOT,
                                       capture_output=True, text=True, check=True).stdout)
        t = js["totals"]
        same = t["trainable_params"] == params and t["macs"] == macs
        bad += not same
        print("%-34s torch %11d params %14d MACs; netc %11d trainable %14d MACs  %s" % (
            path, params, macs, t["trainable_params"], t["macs"], "ok" if same else "DIFFERENT"))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
