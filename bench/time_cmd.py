#!/usr/bin/env python3
"""time_cmd.py: the median wall time and CPU time of a command.

    bench/time_cmd.py RUNS COMMAND...

Runs COMMAND once to warm the caches, then RUNS times, with its output
thrown away, and prints two numbers in milliseconds with one decimal: the
median wall time and the median CPU time (user + system, from the kernel's
accounting of the child). On a machine shared with other work the wall time
counts the waiting too; the CPU time does not, so it is the one to compare
across sizes there. Standard library only.
"""

import os
import resource
import statistics
import subprocess
import sys
import time


def one(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall * 1000, cpu * 1000


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: time_cmd.py RUNS COMMAND...")
    runs = int(sys.argv[1])
    cmd = sys.argv[2:]
    one(cmd)
    walls, cpus = zip(*(one(cmd) for _ in range(runs)))
    print("%.1f %.1f" % (statistics.median(walls), statistics.median(cpus)))


if __name__ == "__main__":
    os.environ.setdefault("LC_ALL", "C")
    main()
