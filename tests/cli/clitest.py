# clitest.py: what every command-line test script shares.
#
# The scripts of tests/cli/ run the netc binary the way a user or a CI job
# does and look at what comes out: exit status, standard output, standard
# error. They use the Python standard library only (plus Debian's
# python3-jsonschema in test_sarif.py), so that they run with /usr/bin/python3
# on a bare Debian system.
#
# Every script is called by ctest as
#     python3 tests/cli/test_X.py NETC [MORE...]
# from the repository root, counts its checks, prints each failure with what
# was expected and what was seen, and ends with the line "N passed, N failed"
# (exit status 1 if anything failed). An exception inside a test counts as a
# failure and does not stop the other tests.

import glob
import os
import subprocess
import sys
import traceback

EXAMPLES = sorted(glob.glob("examples/*.net"))
INPUTS = "tests/cli/inputs"


class Result:
    def __init__(self, argv, rc, out, err):
        self.argv, self.rc, self.out, self.err = argv, rc, out, err

    def __repr__(self):
        return "netc %s -> exit %d" % (" ".join(self.argv[1:]), self.rc)


class Suite:
    """Counts checks; a failure prints its context and goes on."""

    def __init__(self, netc):
        self.netc = os.path.abspath(netc)
        self.passed = 0
        self.failed = 0
        self.context = ""

    # -- running netc ------------------------------------------------------

    def run(self, *args, env=None, stdin=None, timeout=60):
        argv = [self.netc] + list(args)
        p = subprocess.run(argv, input=stdin, capture_output=True, env=env, timeout=timeout)
        return Result(argv, p.returncode, p.stdout.decode("utf-8", "replace"),
                      p.stderr.decode("utf-8", "replace"))

    # -- checks ------------------------------------------------------------

    def check(self, cond, what, detail=None):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL: %s%s" % (self.context + ": " if self.context else "", what))
            if detail is not None:
                for line in str(detail).rstrip("\n").split("\n")[:40]:
                    print("    " + line)
        return bool(cond)

    def eq(self, got, want, what):
        return self.check(got == want, what, "expected: %r\n     got: %r" % (want, got))

    def status(self, r, want, what=None):
        """r exited with status want; on failure show its standard error."""
        return self.check(r.rc == want, what or "%r, expected exit %d" % (r, want),
                          "stderr: " + r.err[-2000:] if r.err else "stderr: (empty)")

    def test(self, fn, *args):
        """Runs one test function; an exception is one failure."""
        saved = self.context
        try:
            fn(*args)
        except Exception:
            self.failed += 1
            print("FAIL: %s raised" % fn.__name__)
            print(traceback.format_exc())
        self.context = saved

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        sys.exit(1 if self.failed else 0)


def main(tests, argv=None):
    """Runs each test function with the Suite; argv[1] is netc."""
    argv = argv or sys.argv
    if len(argv) < 2 or not os.access(argv[1], os.X_OK):
        print("usage: %s NETC [ARGS...] (NETC: the netc binary)" % argv[0])
        print("0 passed, 1 failed")
        sys.exit(1)
    s = Suite(argv[1])
    if not EXAMPLES:
        s.check(False, "no examples/*.net: run from the repository root")
    for t in tests:
        s.test(t, s)
    s.finish()
