#!/usr/bin/python3
# test_llvm.py: `netc build` through the LLVM back end (docs/build.md, "The
# LLVM back end"), called as
#     test_llvm.py NETC on LLVM_BINDIR    (netc built with LLVM)
#     test_llvm.py NETC off               (without)
#
# With LLVM: -o OUT.ll and --emit=llvm write textual IR that defines
# NAME_run and NAME_run_ws; -o OUT.o writes an ELF object for the host, or
# for --target (AArch64, Cortex-M), whose symbols llvm-nm lists; the header
# beside it is the C back end's, byte for byte; unknown triples and CPUs
# are usage errors that name the known ones; options that belong to the C
# back end are usage errors. Without LLVM: every way of asking for it is a
# usage error that says so.

import os
import subprocess
import sys
import tempfile

import clitest

NET = "examples/mnist.net"
MODE = sys.argv[2] if len(sys.argv) > 2 else "off"
BINDIR = sys.argv[3] if len(sys.argv) > 3 else ""


def nm(path):
    p = subprocess.run([os.path.join(BINDIR, "llvm-nm"), path], capture_output=True, text=True)
    return p.stdout


def defined(path):
    """The global symbols the object defines, as {name: type letter}."""
    out = {}
    for line in nm(path).split("\n"):
        f = line.split()
        if len(f) == 3:
            out[f[2]] = f[1]
    return out


def elf_machine(path):
    with open(path, "rb") as f:
        head = f.read(20)
    if head[:4] != b"\x7fELF":
        return None
    order = "little" if head[5] == 1 else "big"
    return (head[4], int.from_bytes(head[18:20], order))  # (class, e_machine)


def test_ir(s):
    s.context = "-o OUT.ll"
    with tempfile.TemporaryDirectory() as tmp:
        ll = os.path.join(tmp, "m.ll")
        r = s.run("build", NET, "--random-weights=1", "-o", ll)
        s.status(r, 0)
        text = open(ll).read()
        s.check("define void @mnist_run(" in text, "the IR defines mnist_run", text[:400])
        s.check("define void @mnist_run_ws(" in text, "the IR defines mnist_run_ws")
        s.check("@llvm.fmuladd" in text, "multiply-adds are llvm.fmuladd")
        s.check(os.path.exists(os.path.join(tmp, "m.h")), "m.h is written beside m.ll")
        s.context = "--emit=llvm"
        other = os.path.join(tmp, "ir.txt")
        r = s.run("build", NET, "--random-weights=1", "--emit=llvm", "-o", other)
        s.status(r, 0)
        s.check("define void @mnist_run(" in open(other).read(), "--emit=llvm writes IR")


def test_object_and_header(s):
    s.context = "-o OUT.o"
    with tempfile.TemporaryDirectory() as tmp:
        obj = os.path.join(tmp, "m.o")
        r = s.run("build", NET, "--random-weights=1", "-o", obj)
        s.status(r, 0)
        s.check(elf_machine(obj) is not None, "an ELF object")
        syms = defined(obj)
        s.eq(syms.get("mnist_run"), "T", "mnist_run is a global function")
        s.eq(syms.get("mnist_run_ws"), "T", "mnist_run_ws is a global function")
        s.check(not any("weights" in k and v.isupper() for k, v in syms.items()),
                "the weights are not exported", syms)
        # the header is the C back end's
        cdir = os.path.join(tmp, "c")
        os.mkdir(cdir)
        r = s.run("build", NET, "--random-weights=1", "-o", os.path.join(cdir, "m.c"))
        s.status(r, 0)
        s.eq(open(os.path.join(tmp, "m.h")).read(), open(os.path.join(cdir, "m.h")).read(),
             "the same header as the C back end")
        s.context = "--backend=llvm --emit=obj"
        other = os.path.join(tmp, "model.obj")
        r = s.run("build", NET, "--random-weights=1", "--backend=llvm", "--emit=obj", "-o", other)
        s.status(r, 0)
        s.check(elf_machine(other) is not None, "an ELF object")


def test_same_on_any_machine(s):
    """The module is built in parts on as many threads as netc has CPUs;
    the object and the IR are the same on one CPU as on all of them."""
    if subprocess.run(["sh", "-c", "command -v taskset"], capture_output=True).returncode != 0:
        print("note: no taskset; one-CPU build not compared")
        return
    fx = "tests/numerics/fixtures/conv_cblock"
    with tempfile.TemporaryDirectory() as tmp:
        outs = {}
        for ext in ("o", "ll"):
            for cpus in ("one", "all"):
                s.context = "-o OUT.%s on %s CPU%s" % (ext, cpus, "" if cpus == "one" else "s")
                d = os.path.join(tmp, cpus)
                os.makedirs(d, exist_ok=True)
                out = os.path.join(d, "m." + ext)
                argv = [s.netc, "build", fx + "/model.net", "--weights",
                        fx + "/weights.safetensors", "-o", out]
                p = subprocess.run((["taskset", "-c", "0"] if cpus == "one" else []) + argv,
                                   capture_output=True, text=True)
                s.check(p.returncode == 0, "built", p.stderr)
                outs[cpus] = open(out, "rb").read() if p.returncode == 0 else b""
            s.check(len(outs["one"]) > 1000 and outs["one"] == outs["all"],
                    "byte for byte the same", (len(outs["one"]), len(outs["all"])))


def test_cross(s):
    with tempfile.TemporaryDirectory() as tmp:
        s.context = "--target=aarch64-linux-gnu --cpu=cortex-a72"
        obj = os.path.join(tmp, "a.o")
        r = s.run("build", NET, "--random-weights=1", "--target=aarch64-linux-gnu",
                  "--cpu=cortex-a72", "-o", obj)
        s.status(r, 0)
        s.eq(elf_machine(obj), (2, 183), "a 64-bit AArch64 ELF object")
        s.eq(defined(obj).get("mnist_run_ws"), "T", "mnist_run_ws is defined")
        s.context = "--target=thumbv7em-none-eabihf"
        obj = os.path.join(tmp, "m4.o")
        r = s.run("build", NET, "--random-weights=1", "--target=thumbv7em-none-eabihf", "-o", obj)
        s.status(r, 0)
        s.eq(elf_machine(obj), (1, 40), "a 32-bit ARM ELF object")
        syms = defined(obj)
        s.eq(syms.get("mnist_run"), "T", "mnist_run is defined")
        s.eq(syms.get("mnist_run_ws"), "T", "mnist_run_ws is defined")
        # the default CPU, cortex-m4, has an FPU: no soft-float calls
        s.check(not any(k.startswith("__aeabi_f") for k in nm(obj).split()),
                "single-precision arithmetic in the FPU", nm(obj))
        p = subprocess.run([os.path.join(BINDIR, "llvm-size"), obj], capture_output=True, text=True)
        f = p.stdout.split("\n")[1].split()
        # the weights (one private constant) are in the text section, the arena in bss
        s.check(int(f[0]) > 4 * 10000, "the weights are in the object's text", p.stdout)
        s.check(int(f[2]) > 0, "the arena is in bss", p.stdout)


def test_binary(s):
    """--backend=llvm -o OUT: a standalone binary of the object and the
    runtime, whose output is the C back end's binary's within 1e-4, and
    whose --profile times the same steps."""
    fx = "tests/numerics/fixtures/winograd"
    with tempfile.TemporaryDirectory() as tmp:
        outs, steps = {}, {}
        for be in ("llvm", "c"):
            s.context = "--backend=%s -o OUT" % be
            exe = os.path.join(tmp, "m_" + be)
            r = s.run("build", fx + "/model.net", "--weights", fx + "/weights.safetensors",
                      "--backend=" + be, "-o", exe, timeout=300)
            s.status(r, 0)
            p = subprocess.run([exe, fx + "/input.npy"], capture_output=True, text=True)
            s.check(p.returncode == 0, "the binary runs", p.stderr)
            outs[be] = [float(l.split()[-1]) for l in p.stdout.strip().split("\n")
                        if not l.split()[-1].endswith(":")]
            # --profile: every step, as the C back end's binary lists them
            p = subprocess.run([exe, fx + "/input.npy", "--profile"], capture_output=True,
                               text=True)
            s.check(p.returncode == 0, "--profile runs", p.stderr)
            rows = [l.split() for l in p.stderr.split("\n")]
            steps[be] = [(r[1], " ".join(r[2:-2])) for r in rows if r and r[0].isdigit()]
            total = [r for r in rows if r and r[0] == "total"]
            s.check(total and float(total[0][1]) > 0, "a total time", p.stderr)
        s.eq(steps["c"], [("a", "conv winograd"), ("b", "conv winograd")], "the C binary's steps")
        s.eq(steps["llvm"], steps["c"], "--profile lists the C back end's steps, layers and kinds")
        s.check(len(outs["c"]) > 100, "the whole output printed", outs["c"][:4])
        big = max(abs(x) for x in outs["c"])
        s.check(len(outs["llvm"]) == len(outs["c"]) and
                all(abs(a - b) <= 1e-4 * big for a, b in zip(outs["llvm"], outs["c"])),
                "the same numbers as the C back end's binary")


def values(text):
    return [float(x) for x in text.split()]


def test_run_jit(s):
    """netc run compiles in process: no C compiler needed; the numbers are
    the C back end's within 1e-4, and --top and -o work as in the binary."""
    fx = "tests/numerics/fixtures/two_in_two_out"
    s.context = "netc run (JIT)"
    env = dict(os.environ, CC="/nonexistent/cc")
    args = ["run", fx + "/model.net", "--weights", fx + "/weights.safetensors",
            "--input", fx + "/input.0.npy", "--input", fx + "/input.1.npy"]
    jit = s.run(*args, env=env, timeout=300)
    s.status(jit, 0)
    c = s.run(*(args + ["--backend=c"]), timeout=300)
    s.status(c, 0)
    lj = [l.split() for l in jit.out.strip().split("\n")]
    lc = [l.split() for l in c.out.strip().split("\n")]
    s.eq(len(lj), len(lc), "as many lines as the C back end's binary")
    s.eq([l for l in lj if l[-1].endswith(":")], [l for l in lc if l[-1].endswith(":")],
         "the same labels")
    nj = [float(l[-1]) for l in lj if not l[-1].endswith(":")]
    nc = [float(l[-1]) for l in lc if not l[-1].endswith(":")]
    s.check(len(nc) == 6 * 7 * 2 + 3, "both outputs printed", c.out)
    big = max(abs(x) for x in nc)
    s.check(all(abs(a - b) <= 1e-4 * big for a, b in zip(nj, nc)), "the same numbers", (nj, nc))
    s.context = "netc run (JIT) -o"
    with tempfile.TemporaryDirectory() as tmp:
        fx = "tests/numerics/fixtures/resblock"
        r = s.run("run", fx + "/model.net", "--weights", fx + "/weights.safetensors",
                  "--input", fx + "/input.npy", "--top=2", env=env)
        s.status(r, 0)
        s.eq(len(r.out.strip().split("\n")), 2, "--top=2 prints two lines")
        out = os.path.join(tmp, "o.npy")
        r = s.run("run", fx + "/model.net", "--weights", fx + "/weights.safetensors",
                  "--input", fx + "/input.npy", "-o", out, env=env)
        s.status(r, 0)
        s.check(open(out, "rb").read(6) == b"\x93NUMPY", "-o writes a .npy file")
        r = s.run("run", fx + "/model.net", "--weights", fx + "/weights.safetensors",
                  "--input", "tests/numerics/fixtures/relu/input.npy", env=env)
        s.status(r, 1, "a wrong input size is exit 1")


def test_errors(s):
    s.context = "usage errors"
    r = s.run("build", NET, "--random-weights=1", "--target=foo-bar", "-o", "/dev/null/x.o")
    s.status(r, 2)
    s.check(r.err.startswith("netc: error: unknown target 'foo-bar'"), "names the triple", r.err)
    s.check("aarch64" in r.err and "x86-64" in r.err and "thumb" in r.err,
            "lists the known targets", r.err)
    r = s.run("build", NET, "--random-weights=1", "--target=aarch64-linux-gnu", "--cpu=nonsense",
              "-o", "/dev/null/x.o")
    s.status(r, 2)
    s.check(r.err.startswith("netc: error: unknown CPU 'nonsense' for aarch64-linux-gnu\n"),
            "names the CPU", r.err)
    s.check("cortex-a72" in r.err, "lists the known CPUs", r.err)
    r = s.run("build", NET, "--random-weights=1", "--threads=2", "-o", "/dev/null/x.o")
    s.status(r, 2)
    s.eq(r.err.split("\n")[0], "netc: error: --threads goes with the C back end; the LLVM back "
         "end's code runs on one thread", "--threads")
    r = s.run("build", NET, "--random-weights=1", "--backend=llvm", "-o", "/dev/null/x.c")
    s.status(r, 2)
    s.eq(r.err.split("\n")[0], "netc: error: the LLVM back end writes an object (-o OUT.o), "
         "textual IR (-o OUT.ll) or a binary (-o OUT), not C", "--backend=llvm -o OUT.c")
    r = s.run("build", NET, "--random-weights=1", "--target=aarch64-linux-gnu", "-o", "/dev/null/x.c")
    s.status(r, 2)
    s.eq(r.err.split("\n")[0], "netc: error: --target and --cpu go with the LLVM back end's "
         "object (-o OUT.o), IR (-o OUT.ll) or binary (--backend=llvm -o OUT)",
         "--target with C output")
    r = s.run("build", NET, "--random-weights=1", "--target=aarch64-linux-gnu", "-o", "/dev/null/x")
    s.status(r, 2, "--target with the C back end's binary")
    r = s.run("build", NET, "--random-weights=1", "--backend=c", "-o", "/dev/null/x.o")
    s.status(r, 2)
    s.eq(r.err.split("\n")[0], "netc: error: --emit=obj needs the LLVM back end, not --backend=c",
         "--backend=c -o OUT.o")


def test_absent(s):
    s.context = "without LLVM"
    r = s.run("build", NET, "--random-weights=1", "-o", "/dev/null/x.o")
    s.status(r, 2)
    s.eq(r.err.split("\n")[0], "netc: error: --emit=obj needs the LLVM back end, which this netc "
         "was built without", "-o OUT.o")
    r = s.run("build", NET, "--random-weights=1", "--backend=llvm", "-o", "/dev/null/x.o")
    s.status(r, 2)
    s.check(r.err.startswith("netc: error: this netc has no LLVM back end"), "--backend=llvm", r.err)


if __name__ == "__main__":
    if MODE == "on":
        clitest.main([test_ir, test_object_and_header, test_same_on_any_machine, test_cross,
                      test_binary, test_run_jit, test_errors])
    else:
        clitest.main([test_absent])
