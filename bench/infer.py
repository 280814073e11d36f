#!/usr/bin/python3
"""bench/infer.py: how fast netc's binaries run, against PyTorch in the same run.

    /usr/bin/python3 bench/infer.py [NETC] [RUNS]

For each network (examples/mnist.net, mobilenet.net, resnet18.net) it builds
a standalone binary with `netc build --random-weights=1` (NETC_CFLAGS as set,
default -O3), runs it RUNS times on one input and takes the median wall time
of the process (start-up and reading the .npy included). The peer is PyTorch
(Debian's python3-torch) on the same network, the same weights and the same
input, float32, eager mode, one thread (netc's code is single-threaded),
timed in-process after a warm-up. The outputs are compared, so a fast wrong
answer does not count. Prints the ratio netc / PyTorch: below 1 is faster.
Not a test: timings depend on the machine and its load.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "numerics"))
import netref  # noqa: E402  (the float64 reference, run here in float32)

NETS = ["mnist", "mobilenet", "resnet18"]


def main():
    netc = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "netc")
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    torch.set_num_threads(1)
    tmp = tempfile.mkdtemp(prefix="netc-bench-")
    print("netc inference bench: median of %d runs, one thread, float32" % runs)
    print("%-10s %8s %12s %12s %8s %10s" % ("network", "GMACs", "netc ms", "torch ms", "ratio", "max diff"))
    for name in NETS:
        path = os.path.join(ROOT, "examples", name + ".net")
        with open(path) as f:
            net = netref.parse(f.read())
        weights, _ = netref.random_weights(net, 1)
        shapes = netref.infer_shapes(net)
        x = np.random.RandomState(0).randn(*shapes[net.layers[0].name]).astype(np.float32)
        inp = os.path.join(tmp, name + ".npy")
        np.save(inp, x)
        exe = os.path.join(tmp, name)
        t0 = time.perf_counter()
        subprocess.run([netc, "build", path, "--random-weights=1", "-o", exe], check=True,
                       stderr=subprocess.DEVNULL)
        build_s = time.perf_counter() - t0
        out = os.path.join(tmp, name + ".out.npy")
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            subprocess.run([exe, inp, "-o", out], check=True)
            times.append(time.perf_counter() - t0)
        netc_ms = statistics.median(times) * 1000
        got = np.load(out)
        summ = subprocess.run([netc, "summary", "--format=json", path], check=True,
                              capture_output=True, text=True).stdout
        import json
        gmacs = json.loads(summ)["totals"]["macs"] / 1e9
        with torch.no_grad():
            netref.run(net, weights, [x], dtype=torch.float32)
            times = []
            for _ in range(runs):
                t0 = time.perf_counter()
                ref, _ = netref.run(net, weights, [x], dtype=torch.float32)
                times.append(time.perf_counter() - t0)
        torch_ms = statistics.median(times) * 1000
        diff = float(np.max(np.abs(got.reshape(-1) - ref[0].reshape(-1))))
        print("%-10s %8.3f %12.2f %12.2f %8.2f %10.2e   (build %.1f s, binary %.1f MB)" %
              (name, gmacs, netc_ms, torch_ms, netc_ms / torch_ms, diff, build_s,
               os.path.getsize(exe) / 1e6))


if __name__ == "__main__":
    main()
