#!/usr/bin/python3
# test_budget.py: `netc check --max-ram=SIZE --max-params=N --max-macs=N`.
#
# A budget a network exceeds is an error with id `budget` (exit 1), placed
# at the layer that matters: the one at the memory plan's peak for
# --max-ram, the one with the most parameters or MACs for the others. A
# budget that holds changes nothing (exit 0); a malformed size is bad usage
# (exit 2). Sizes take K, M, G: powers of 1024 for bytes, of 1000 for counts.
#
# The figures below are worked out by hand from the shapes (4 bytes a
# float), with the plan's rules (compiler/memplan.c): a buffer lives from the
# layer that writes it to the last layer that reads it (an output to the
# end); elementwise layers and a flatten read only by dense layers write in
# place; buffers are 64-byte aligned; the network input is not in the arena.
#
# examples/seed.net (28×28×1, three 3×3 convs, flatten, dense 64, dense 10):
#   conv2d_1 26·26·32·4 =  86,528  lives steps 1–2
#   conv2d_2 24·24·64·4 = 147,456  lives steps 2–3
#   conv2d_3 22·22·64·4 = 123,904  lives steps 3–5 (flatten_1 in place)
#   dense_1 256 (5–6), dense_2 40 → 64 (6–end)
#   live at step 3: conv2d_2 + conv2d_3 = 271,360, the most at any step;
#   greedy by size: conv2d_2 at 0, conv2d_3 at 147,456 (it overlaps
#   conv2d_2), conv2d_1 at 147,456 (dead by then), dense_1 at 0, dense_2 at
#   256: arena 271,360 = 265K exactly, peak at conv2d_3.
#   params 2,038,922, most in dense_1 (30,976·64 + 64 = 1,982,528);
#   MACs 30,636,800, most in conv2d_3 (22·22·64·9·64 = 17,842,176).
#
# examples/mnist.net (seed with 2×2 max pools after the first two convs):
#   conv2d_1 86,528 (1–2), maxpool2d_1 13·13·32·4 = 21,632 (2–3),
#   conv2d_2 11·11·64·4 = 30,976 (3–4), maxpool2d_2 5·5·64·4 = 6,400 (4–5),
#   conv2d_3 3·3·64·4 = 2,304 (5–7, flatten_1 in place), dense_1 256 (7–8),
#   dense_2 64 (8–end)
#   live at step 2: 86,528 + 21,632 = 108,160, the most; greedy: conv2d_1
#   at 0, conv2d_2 at 0, maxpool2d_1 at 86,528, maxpool2d_2 at 30,976,
#   conv2d_3 at 0, dense_1 at 2,304, dense_2 at 0: arena 108,160, peak at
#   maxpool2d_1 (between 105K = 107,520 and 106K = 108,544).
#   params 93,322: conv2d_3 and dense_1 tie at 36,928 (3·3·64·64 + 64 and
#   576·64 + 64); MACs 2,794,240, most in conv2d_2 (11·11·64·9·32 =
#   2,230,272).

import json
import re

import clitest

MNIST = "examples/mnist.net"
SEED = "examples/seed.net"
SIZES = clitest.INPUTS + "/budget_sizes.net"


def budget_errors(s, r):
    """The [budget] errors of a text run, as (file, line, message)."""
    out = []
    for line in r.err.splitlines():
        m = re.match(r"^(.*?):(\d+):(\d+): error: (.*) \[budget\]$", line)
        if m:
            out.append((m.group(1), int(m.group(2)), m.group(4)))
    return out


def exceeded(s, args, path, layer, line, figures, network=None):
    """netc check ARGS PATH fails with one budget error at LAYER, on LINE,
    whose message holds each of FIGURES."""
    extra = ["--network", network] if network else []
    r = s.run("check", *args, *extra, path)
    s.context = "check %s %s" % (" ".join(args), path)
    s.status(r, 1)
    errs = budget_errors(s, r)
    if not s.eq(len(errs), 1, "one [budget] error in:\n" + r.err):
        return
    f, ln, msg = errs[0]
    s.eq(f, path, "the error's file")
    s.eq(ln, line, "the error's line (the line of '%s')" % layer)
    s.check("'%s'" % layer in msg, "the message names '%s'" % layer, msg)
    for fig in figures:
        s.check(fig in msg, "the message says %s" % fig, msg)
    # the same error in JSON: id budget, severity error, the layer
    j = s.run("check", "--format=json", *args, *extra, path)
    s.status(j, 1, "--format=json: exit 1")
    diags = [d for f in json.loads(j.out)["files"] for d in f["diagnostics"] if d["id"] == "budget"]
    if s.eq(len(diags), 1, "one budget diagnostic in JSON"):
        s.eq(diags[0]["severity"], "error", "JSON severity")
        s.eq(diags[0]["layer"], layer, "JSON layer")
        s.eq(diags[0]["line"], line, "JSON line")


def within(s, args, path, network=None):
    extra = ["--network", network] if network else []
    r = s.run("check", *args, *extra, path)
    s.context = "check %s %s" % (" ".join(args), path)
    s.status(r, 0)
    s.eq(budget_errors(s, r), [], "no [budget] error")


def test_ram_seed(s):
    exceeded(s, ["--max-ram=271359"], SEED, "conv2d_3", 7, ["271,360", "--max-ram=271359"])
    exceeded(s, ["--max-ram=264K"], SEED, "conv2d_3", 7, ["271,360"])
    within(s, ["--max-ram=271360"], SEED)
    within(s, ["--max-ram=265K"], SEED)  # 265·1024 = 271,360: not more


def test_ram_mnist(s):
    exceeded(s, ["--max-ram=108159"], MNIST, "maxpool2d_1", 5, ["108,160"])
    exceeded(s, ["--max-ram=105K"], MNIST, "maxpool2d_1", 5, ["108,160"])
    within(s, ["--max-ram=108160"], MNIST)
    within(s, ["--max-ram=106K"], MNIST)  # 108,544 with K = 1024; 106,000 would fail


def test_ram_units(s):
    """K, M, G are powers of 1024 for bytes; B and iB suffixes; any case."""
    for ok in ["512K", "512k", "512KB", "512KiB", "524288", "510K"]:  # 510K = 522,240
        within(s, ["--max-ram=" + ok], SIZES, network="half_meg")
    for bad in ["512000", "509K", "522239"]:
        exceeded(s, ["--max-ram=" + bad], SIZES, "wide", 8, ["522,240"], network="half_meg")
    # resnet18's plan: 4,014,080 bytes, at maxpool (conv1's 112·112·64·4 =
    # 3,211,264, with bn1 and relu in place, plus maxpool's 56·56·64·4 = 802,816)
    for ok in ["4M", "4m", "4MB", "4MiB", "4014080"]:
        within(s, ["--max-ram=" + ok], "examples/resnet18.net")
    exceeded(s, ["--max-ram=4000000"], "examples/resnet18.net", "maxpool", 50, ["4,014,080"])
    exceeded(s, ["--max-ram=3M"], "examples/resnet18.net", "maxpool", 50, ["4,014,080"])
    for ok in ["2G", "2g", "2GiB", "2080000000"]:
        within(s, ["--max-ram=" + ok, "--max-params=2G"], SIZES, network="giga")
    exceeded(s, ["--max-ram=2000000000"], SIZES, "huge", 16, ["2,080,000,000"], network="giga")
    exceeded(s, ["--max-ram=1G"], SIZES, "huge", 16, ["2,080,000,000"], network="giga")


def test_params(s):
    exceeded(s, ["--max-params=2038921"], SEED, "dense_1", 9, ["2,038,922", "1,982,528"])
    within(s, ["--max-params=2038922"], SEED)
    # mnist: conv2d_3 and dense_1 tie; the error must name one of them and
    # say 36,928
    r = s.run("check", "--max-params=93321", MNIST)
    s.context = "check --max-params=93321 " + MNIST
    s.status(r, 1)
    errs = budget_errors(s, r)
    if s.eq(len(errs), 1, "one [budget] error"):
        f, ln, msg = errs[0]
        s.check(("'conv2d_3'" in msg and ln == 8) or ("'dense_1'" in msg and ln == 10),
                "names conv2d_3 (line 8) or dense_1 (line 10), the tied largest", errs[0])
        s.check("93,322" in msg and "36,928" in msg, "says 93,322 and 36,928", msg)
    within(s, ["--max-params=93322"], MNIST)
    # counts are decimal: 93K = 93,000 < 93,322 < 94K = 94,000 (93K would
    # be 95,232 with K = 1024)
    r = s.run("check", "--max-params=93K", MNIST)
    s.context = "check --max-params=93K " + MNIST
    s.status(r, 1)
    s.eq(len(budget_errors(s, r)), 1, "one [budget] error")
    within(s, ["--max-params=94K"], MNIST)
    # G is 1000³ for counts: giga has 1,040,000,000 parameters
    exceeded(s, ["--max-params=1G"], SIZES, "huge", 16, ["1,040,000,000"], network="giga")
    within(s, ["--max-params=1073741824"], SIZES, network="giga")


def test_macs(s):
    exceeded(s, ["--max-macs=30636799"], SEED, "conv2d_3", 7, ["30,636,800", "17,842,176"])
    within(s, ["--max-macs=30636800"], SEED)
    exceeded(s, ["--max-macs=2794239"], MNIST, "conv2d_2", 6, ["2,794,240", "2,230,272"])
    exceeded(s, ["--max-macs=2M"], MNIST, "conv2d_2", 6, ["2,794,240"])
    within(s, ["--max-macs=2794240"], MNIST)
    within(s, ["--max-macs=3M"], MNIST)
    # M is 1000² for counts: 30M = 30,000,000 < 30,636,800 < 31M
    exceeded(s, ["--max-macs=30M"], SEED, "conv2d_3", 7, ["30,636,800"])
    within(s, ["--max-macs=31M"], SEED)


def test_all_three(s):
    """Three budgets exceeded at once: three errors, each at its layer."""
    r = s.run("check", "--max-ram=1K", "--max-params=1K", "--max-macs=1K", SEED)
    s.context = "three budgets on " + SEED
    s.status(r, 1)
    lines = sorted(ln for _, ln, _ in budget_errors(s, r))
    s.eq(lines, [7, 7, 9], "budget errors at conv2d_3 (RAM, MACs) and dense_1 (params)")
    # generous budgets on every example: exit status as without them
    for path in clitest.EXAMPLES:
        plain = s.run("check", path)
        r = s.run("check", "--max-ram=1G", "--max-params=1G", "--max-macs=100G", path)
        s.context = "generous budgets on " + path
        s.eq(r.rc, plain.rc, "the exit status without budgets")
        s.eq(budget_errors(s, r), [], "no [budget] error")


def test_malformed(s):
    for flag in ["--max-ram", "--max-params", "--max-macs"]:
        for bad in ["", "abc", "-1", "1.5M", "12X", "1T", "K", "4 M", "0x10",
                    "99999999999999999999", "9999999999G"]:
            r = s.run("check", "%s=%s" % (flag, bad), SEED)
            s.context = "check %s=%r" % (flag, bad)
            s.status(r, 2)
            s.check(flag in r.err, "the usage error names %s" % flag, r.err)
            s.eq(r.out, "", "nothing on standard output")
    # iB and B are for bytes only
    for bad in ["4Mi", "4MiB", "4MB"]:
        r = s.run("check", "--max-params=" + bad, SEED)
        s.context = "check --max-params=" + bad
        s.status(r, 2)


if __name__ == "__main__":
    clitest.main([test_ram_seed, test_ram_mnist, test_ram_units, test_params, test_macs,
                  test_all_three, test_malformed])
