#!/usr/bin/python3
# test_profile.py: the standalone binary's --profile and --threads, and
# `netc build --threads` against --emit=steps.
#
# --profile must print, on standard error, one line per step of the
# lowered program, in its order, with the step's layer and its kind and
# strategy as --emit=steps names them (`conv direct`, `dense gemv`, `add`,
# ...), a time and a GFLOP/s figure (or "-" for steps without counted
# operations), then a total; and it must not change what the binary prints
# on standard output. Times are never compared: only their form.
# --threads=N (build and binary) must give the same output bytes as one
# thread, since each output is computed by one thread in the same order.

import os
import re
import subprocess
import tempfile

import clitest

FIXTURE = "tests/numerics/fixtures/resblock"

STEP = re.compile(r"^(\d+) (\S+) '([^']+)'.*?(?: \[(\w+)[^\]]*\])?(?: \+| <-)")
PROF = re.compile(r"^(\d+)\s+(\S+)\s+(\S+(?: \S+)?)\s+(\d+\.\d{3})\s+(\d+\.\d|-)$")


def steps(s, net):
    r = s.run("build", net, "--emit=steps")
    s.status(r, 0)
    out = []
    for line in r.out.split("\n")[1:]:
        m = STEP.match(line)
        if m:
            kind = m.group(2) + (" " + m.group(4) if m.group(4) else "")
            out.append((int(m.group(1)), m.group(3), kind))
    return out


def build(s, tmp, name, *flags):
    exe = os.path.join(tmp, name)
    r = s.run("build", FIXTURE + "/model.net", "--weights", FIXTURE + "/weights.safetensors",
              "-o", exe, *flags, timeout=300)
    s.status(r, 0, "build %s" % name)
    return exe


def run(exe, *args, env=None):
    p = subprocess.run([exe, FIXTURE + "/input.npy"] + list(args), capture_output=True,
                       env=env, timeout=60)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def test_profile(s):
    want = steps(s, FIXTURE + "/model.net")
    s.check(len(want) > 5, "resblock has steps", want)
    with tempfile.TemporaryDirectory() as tmp:
        exe = build(s, tmp, "one")
        rc, plain, _ = run(exe)
        s.eq(rc, 0, "plain run")
        rc, out, err = run(exe, "--profile")
        s.eq(rc, 0, "--profile run")
        s.eq(out, plain, "--profile leaves standard output alone")
        lines = err.rstrip("\n").split("\n")
        s.check(lines[0].split() == ["step", "layer", "kind", "ms", "GFLOP/s"], "header", lines[0])
        got = []
        for line in lines[1:]:
            m = PROF.match(line)
            if m:
                got.append((int(m.group(1)), m.group(2), m.group(3)))
                if m.group(3).startswith("conv"):
                    s.check(m.group(5) != "-", "a conv has a GFLOP/s figure", line)
        s.eq(got, want, "one line per step: index, layer, kind as --emit=steps says")
        s.check(any(l.startswith("total ") for l in lines), "a total line", err)


def test_threads(s):
    with tempfile.TemporaryDirectory() as tmp:
        one = build(s, tmp, "one")
        two = build(s, tmp, "two", "--threads=2")
        _, want, _ = run(one)
        for args, env in (((), None), (("--threads=1",), None), (("--threads=2",), None),
                          ((), dict(os.environ, NETC_THREADS="1"))):
            rc, out, err = run(two, *args, env=env)
            s.eq((rc, out), (0, want), "--threads=2 build, %r: the one-thread output" % (args,))
        rc, _, err = run(two, "--threads=0")
        s.eq(rc, 2, "--threads=0 is a usage error")
        s.check("--threads needs a number from 1 to 64, not '0'" in err, "its message", err)
    r = s.run("build", FIXTURE + "/model.net", "--random-weights=0", "--threads=0", "-o", "x.c")
    s.eq(r.rc, 2, "netc build --threads=0")
    s.check("--threads takes a number of threads from 1 to 64, saw '0'" in r.err, "its message",
            r.err)


if __name__ == "__main__":
    clitest.main([test_profile, test_threads])
