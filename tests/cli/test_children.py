# test_children.py: how netc reports the programs it runs (compiler/child.c).
#
# netc runs the C compiler, Graphviz's dot and the binaries of `netc run`
# through one helper: a program that cannot be run or is killed by a
# signal is one line "netc: error: ..." on standard error, and what that
# means for the command follows it.
#
#     python3 tests/cli/test_children.py NETC

import os
import stat
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import clitest  # noqa: E402

NET = "examples/lenet5.net"


def build(s, tmp, cc):
    env = dict(os.environ, CC=cc)
    return s.run("build", NET, "--random-weights=1", "-o", os.path.join(tmp, "m"), env=env,
                 timeout=300)


def last_lines(err, n):
    return err.rstrip("\n").split("\n")[-n:]


def test_cc(s):
    with tempfile.TemporaryDirectory() as tmp:
        s.context = "a C compiler that does not exist"
        r = build(s, tmp, "/nonexistent/cc")
        s.status(r, 1)
        s.check(r.err.startswith("netc: error: cannot run '/nonexistent/cc': No such file or "
                                 "directory\n"), "said first, once", r.err)
        s.eq(last_lines(r.err, 1), ["netc: error: the C compiler did not run [build]"],
             "then the build's error")
        s.check(not os.path.exists(os.path.join(tmp, "m")), "no binary")

        s.context = "a C compiler that fails"
        r = build(s, tmp, "false")
        s.status(r, 1)
        s.eq(last_lines(r.err, 1), ["netc: error: the C compiler failed (exit status 1) [build]"],
             "its exit status")

        s.context = "a C compiler killed by a signal"
        script = os.path.join(tmp, "killed-cc")
        with open(script, "w") as f:
            f.write("#!/bin/sh\nkill -9 $$\n")
        os.chmod(script, stat.S_IRWXU)
        r = build(s, tmp, script)
        s.status(r, 1)
        s.check("netc: error: '%s' was killed by signal 9 (Killed)\n" % script in r.err,
                "the signal is named", r.err)
        s.eq(last_lines(r.err, 1), ["netc: error: the C compiler did not run [build]"],
             "then the build's error")


def test_run_status(s):
    """netc run exits with the binary's status: 1 for an input of the wrong size."""
    s.context = "netc run"
    with tempfile.TemporaryDirectory() as tmp:
        bad = os.path.join(tmp, "short.raw")
        with open(bad, "wb") as f:
            f.write(b"\0" * 12)
        r = s.run("run", NET, "--random-weights=1", "--input", bad, timeout=300)
        s.status(r, 1, "the binary's exit status")
        s.check("netc: error" not in r.err, "netc adds nothing to the binary's own error", r.err)


if __name__ == "__main__":
    s = clitest.Suite(sys.argv[1])
    s.test(test_cc, s)
    s.test(test_run_status, s)
    sys.exit(s.finish())
