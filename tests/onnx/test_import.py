#!/usr/bin/python3
"""netc import on the models of tests/onnx/models (docs/import.md).

    test_import.py NETC COMPARE

For each model exported by gen_models.py:
  - `netc import` exits 0 and writes exactly expected/NAME.net;
  - `netc summary --format=json` of it gives PyTorch's parameter count (as
    trainable params) and MACs (models/NAME.counts);
  - `netc build` with the imported weights makes a binary whose output on
    models/NAME.input.npy is within 1e-4 of PyTorch's (COMPARE is
    tests/numerics/compare.c);
  - `netc summary` and `netc build` of the .onnx itself give the same;
and: the model with unsupported ops lists every one of them, exit 1, and
writes nothing; every hostile model is one error, exit 1.
Exit 77 (skipped) when netc has no ONNX support.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
NETC, COMPARE = sys.argv[1], sys.argv[2]
passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, cwd=HERE, **kw)


probe = run([NETC, "import", "models/tiny-13.onnx", "-o", os.devnull, "--weights", os.devnull])
if "ONNX support is not in this build" in probe.stderr:
    print("ONNX support is not in this build: skipped")
    sys.exit(77)

work = tempfile.mkdtemp(prefix="netc-onnx-")
# tiny-hw-13 has symbolic H and W: it needs --input-shape
EXTRA = {"tiny-hw-13": ["--input-shape=12,12,3"]}
NEW_OPS = [f"{m}-{opset}" for m in ("gates", "shuffle", "up") for opset in (11, 13, 17)]
for name in ["tiny-13", "tiny-11", "tiny-batch-11", "tiny-hw-13", "ops-13", "ops-17", *NEW_OPS,
             "upsample-13"]:
    net = os.path.join(work, name + ".net")
    st = os.path.join(work, name + ".safetensors")
    r = run([NETC, "import", f"models/{name}.onnx", "-o", net, "--weights", st,
             *EXTRA.get(name, [])])
    check(r.returncode == 0 and r.stderr == "", f"{name}: import: {r.returncode} {r.stderr}")
    if r.returncode:
        continue
    with open(net) as f, open(os.path.join(HERE, "expected", name + ".net")) as g:
        check(f.read() == g.read(), f"{name}: the .net differs from expected/{name}.net")
    r = run([NETC, "summary", "--format=json", net])
    check(r.returncode == 0, f"{name}: summary: {r.stderr}")
    totals = json.loads(r.stdout)["totals"]
    counts = dict(line.split() for line in open(os.path.join(HERE, "models", name + ".counts")))
    check(totals["trainable_params"] == int(counts["params"]),
          f"{name}: trainable params {totals['trainable_params']}, PyTorch {counts['params']}")
    check(totals["macs"] == int(counts["macs"]),
          f"{name}: MACs {totals['macs']}, PyTorch {counts['macs']}")
    exe = os.path.join(work, name)
    r = run([NETC, "build", net, "--weights", st, "-o", exe])
    check(r.returncode == 0, f"{name}: build: {r.stderr}")
    out = os.path.join(work, name + ".out.npy")
    r = run([exe, f"models/{name}.input.npy", "-o", out])
    check(r.returncode == 0, f"{name}: run: {r.stderr}")
    r = run([COMPARE, f"models/{name}.torch.npy", out, "1e-4"])
    check(r.returncode == 0, f"{name}: against PyTorch: {r.stdout.strip()}")

    # the model itself where a .net file goes: the same counts, the same
    # outputs, its own weights (--input-shape as for import)
    r = run([NETC, "summary", "--format=json", f"models/{name}.onnx", *EXTRA.get(name, [])])
    check(r.returncode == 0 and json.loads(r.stdout)["totals"] == totals,
          f"{name}: summary of the .onnx: {r.stderr}")
    exe = os.path.join(work, name + "-direct")
    r = run([NETC, "build", f"models/{name}.onnx", "-o", exe, *EXTRA.get(name, [])])
    check(r.returncode == 0, f"{name}: build of the .onnx: {r.stderr}")
    out = os.path.join(work, name + ".direct.npy")
    r = run([exe, f"models/{name}.input.npy", "-o", out])
    r = run([COMPARE, f"models/{name}.torch.npy", out, "1e-4"])
    check(r.returncode == 0, f"{name}: the .onnx built, against PyTorch: {r.stdout.strip()}")

# a symbolic input size without --input-shape: one error that says so
r = run([NETC, "import", "models/tiny-hw-13.onnx", "-o", os.path.join(work, "hw.net")])
check(r.returncode == 1 and r.stderr == (
    "models/tiny-hw-13.onnx: error: input 'input' has a dimension that is not fixed; give its "
    "size with --input-shape=H,W,C [import]\n"
    "models/tiny-hw-13.onnx: 1 error, nothing written\n"),
    f"tiny-hw-13 without --input-shape: {r.returncode} {r.stderr}")
r = run([NETC, "check", "models/tiny-hw-13.onnx"])
check(r.returncode == 1 and r.stderr == (
    "models/tiny-hw-13.onnx: error: input 'input' has a dimension that is not fixed; give its "
    "size with --input-shape=H,W,C [import]\n"),
    f"check of tiny-hw-13 without --input-shape: {r.returncode} {r.stderr}")

# every command that takes a model takes --input-shape
for cmd in (["check"], ["summary"], ["rf"], ["graph"]):
    r = run([NETC, *cmd, "--input-shape=12,12,3", "models/tiny-hw-13.onnx"])
    # conv2 sees 6×6 when the input is 12×12
    check(r.returncode == 0 and (r.stdout or cmd[0] == "check") and
          "ignores the last row and column of its 6×6 input" in r.stderr,
          f"{cmd[0]} --input-shape: {r.returncode} {r.stderr}")
# a size the model fixes must agree; a .net file declares its own
r = run([NETC, "check", "--input-shape=12,12,4", "models/tiny-hw-13.onnx"])
check(r.returncode == 1 and r.stderr ==
      "models/tiny-hw-13.onnx: error: input 'input' is (N, 3, h, w): --input-shape=12,12,4 is "
      "another size [import]\n", f"--input-shape against a fixed C: {r.stderr}")
r = run([NETC, "import", "models/tiny-13.onnx", "--input-shape=16,16,3", "-o", os.devnull,
         "--weights", os.devnull])
check(r.returncode == 1 and r.stderr ==
      "models/tiny-13.onnx: error: input 'input' is (N, 3, 12, 12): --input-shape=16,16,3 is "
      "another size [import]\nmodels/tiny-13.onnx: 1 error, nothing written\n",
      f"--input-shape against a fixed size: {r.stderr}")
r = run([NETC, "summary", "--input-shape=12,12,3", "expected/tiny-13.net"])
check(r.returncode == 2 and r.stderr.startswith(
      "netc: error: --input-shape is for an ONNX model; 'expected/tiny-13.net' is a .net file, "
      "whose input declares its shape\n"), f"--input-shape with a .net file: {r.stderr}")
r = run([NETC, "summary", "--input-shape=12,12", "models/tiny-hw-13.onnx"])
check(r.returncode == 2 and r.stderr.startswith(
      "netc: error: --input-shape takes the input's size H,W,C, three positive integers, saw "
      "'12,12'\n"), f"--input-shape=12,12: {r.stderr}")

# opsets outside 11 to 17: an error, and the import goes on to list the rest
for opset in (10, 18):
    r = run([NETC, "import", f"models/opset-{opset}.onnx", "-o", os.path.join(work, "o.net")])
    check(r.returncode == 1 and r.stderr == (
        f"models/opset-{opset}.onnx: error: the model uses opset {opset}; netc reads opsets 11 "
        "to 17 (export it again with an opset_version among them) [import]\n"
        f"models/opset-{opset}.onnx: 1 error, nothing written\n"),
        f"opset {opset}: {r.returncode} {r.stderr}")
    check(not os.path.exists(os.path.join(work, "o.net")), f"opset {opset}: a .net was written")

# nodes of ops netc has, with what it cannot express: one error each
r = run([NETC, "import", "models/unsupported-ops-13.onnx", "-o", os.path.join(work, "v.net")])
with open(os.path.join(HERE, "expected", "unsupported-ops-13.stderr")) as f:
    check(r.returncode == 1 and r.stderr == f.read(),
          f"unsupported-ops-13: exit {r.returncode}, stderr differs:\n" + r.stderr)

# every unsupported node in one run, nothing written
net = os.path.join(work, "u.net")
r = run([NETC, "import", "models/unsupported-13.onnx", "-o", net])
with open(os.path.join(HERE, "expected", "unsupported-13.stderr")) as f:
    check(r.stderr == f.read(), "unsupported-13: stderr differs:\n" + r.stderr)
check(r.returncode == 1, f"unsupported-13: exit {r.returncode}")
check(not os.path.exists(net), "unsupported-13: a .net was written")

# hostile models: one error each, never a crash
for h in sorted(os.listdir(os.path.join(HERE, "hostile"))):
    r = run([NETC, "import", f"hostile/{h}", "-o", os.path.join(work, "h.net")], timeout=60)
    lines = r.stderr.splitlines()
    if r.returncode == 0:
        continue  # a flipped byte that still makes a model netc imports
    check(r.returncode == 1 and lines and lines[0].startswith(f"hostile/{h}: "),
          f"{h}: exit {r.returncode}: {r.stderr[:300]}")

shutil.rmtree(work)
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
