#!/usr/bin/python3
# test_docs.py: the outputs quoted in docs/getting-started.md and the
# recipes of docs/ci.md are what netc does today.
#
# getting-started.md shows real sessions: a fenced block whose lines start
# with "$ netc ..." is run again here and its output (standard error, then
# standard output, as a terminal shows them) must be the text that follows
# the command. docs/images/seed-rf.svg must be what `netc rf
# examples/seed.net --svg` writes now, and the images must stay small.
# From ci.md: the problem matcher's pattern must match every diagnostic line
# netc prints and pick out its parts; the workflow's check step, run under
# `bash -e` as GitHub runs it, must record exit 1 and still write a SARIF
# report for the upload step.
#
# When netc's output changes on purpose, update the docs (and regenerate
# the pictures: sh docs/images/render.sh build/netc) and this test passes
# again.

import json
import os
import re
import shlex
import shutil
import subprocess
import tempfile

import clitest

GUIDE = "docs/getting-started.md"
CI = "docs/ci.md"


def fenced_blocks(text):
    """The contents of ``` blocks, with their common indentation removed."""
    blocks = []
    for m in re.finditer(r"^([ \t]*)```[^\n]*\n(.*?)^\1```", text, re.M | re.S):
        indent = m.group(1)
        lines = [l[len(indent):] if l.startswith(indent) else l
                 for l in m.group(2).split("\n")]
        blocks.append("\n".join(lines))
    return blocks


def sessions(block):
    """(command, expected output) for each "$ " line of a block."""
    out = []
    cur = None
    for line in block.split("\n"):
        if line.startswith("$ "):
            cur = [line[2:], []]
            out.append(cur)
        elif cur is not None:
            cur[1].append(line)
    return [(c, "\n".join(o).rstrip("\n")) for c, o in out]


def test_guide_sessions(s):
    with open(GUIDE, encoding="utf-8") as f:
        text = f.read()
    blocks = fenced_blocks(text)
    # the file the guide asks the reader to write
    sources = {b.split("\n", 1)[0]: b for b in blocks if b.startswith("#")}
    seed_pool = [b for b in blocks if "network seed_pool" in b]
    s.eq(len(seed_pool), 1, "the guide shows seed-pool.net once")
    ran = 0
    with tempfile.TemporaryDirectory() as tmp:
        if seed_pool:
            with open(os.path.join(tmp, "seed-pool.net"), "w", encoding="utf-8") as f:
                f.write(seed_pool[0])
        last_rc = None
        for block in blocks:
            for cmd, want in sessions(block):
                s.context = GUIDE + ": $ " + cmd
                if cmd == "echo $?":
                    s.eq(str(last_rc), want, "the exit status shown")
                    continue
                argv = shlex.split(cmd)
                if argv[0] != "netc" or "|" in argv:
                    continue
                quiet = "2>/dev/null" in argv   # the guide shows standard output only
                args = []
                for a in argv[1:]:
                    if a == "2>/dev/null":
                        continue
                    if a.endswith(".net") and not os.path.exists(a):
                        a = os.path.join(tmp, a)   # seed-pool.net
                    args.append(a)
                if "--svg" in args:
                    i = args.index("--svg") + 1
                    args[i] = os.path.join(tmp, os.path.basename(args[i]))
                r = s.run(*args)
                got = ((r.out if quiet else r.err + r.out).rstrip("\n")
                       .replace(tmp + "/", ""))
                last_rc = r.rc
                ran += 1
                if want:
                    s.eq(got, want, "the output the guide shows")
        s.check(ran >= 6, "the guide's sessions ran (%d)" % ran)
        # the SVG beside the guide is today's
        svg = os.path.join(tmp, "seed-rf.svg")
        s.context = "docs/images/seed-rf.svg"
        if s.check(os.path.isfile(svg), "the guide's netc rf --svg wrote its SVG"):
            with open(svg, "rb") as a, open("docs/images/seed-rf.svg", "rb") as b:
                s.check(a.read() == b.read(), "docs/images/seed-rf.svg is what netc rf draws "
                        "now (regenerate both pictures: sh docs/images/render.sh build/netc)")
    # the examples the guide quotes are the files in examples/
    for name in ["examples/seed.net", "examples/mnist.net"]:
        with open(name, encoding="utf-8") as f:
            body = f.read().split("\n\n#")[0].rstrip("\n").split("\n")
        first = body[0]
        s.context = GUIDE
        shown = [b for b in blocks if b.startswith(first)]
        s.check(shown and all(l in shown[0] for l in body if l.strip()),
                "the guide quotes %s as it is" % name)


def test_images(s):
    s.context = "docs/images"
    for name in ["seed-rf.svg", "seed-rf.png"]:
        path = os.path.join("docs/images", name)
        if s.check(os.path.isfile(path), "%s exists" % path):
            s.check(os.path.getsize(path) < 200 * 1024, "%s is under 200 KB" % path,
                    os.path.getsize(path))
    with open("docs/images/seed-rf.png", "rb") as f:
        head = f.read(24)
    s.eq(head[:8], b"\x89PNG\r\n\x1a\n", "seed-rf.png is a PNG")
    w, h = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    s.check(400 <= w <= 1200 and 300 <= h <= 1000, "seed-rf.png is a screenshot-sized image",
            (w, h))
    with open(GUIDE, encoding="utf-8") as f:
        text = f.read()
    for ref in ["images/seed-rf.png", "images/seed-rf.svg"]:
        s.check("(%s)" % ref in text, "the guide links %s" % ref)


def test_problem_matcher(s):
    with open(CI, encoding="utf-8") as f:
        text = f.read()
    matchers = [b for b in fenced_blocks(text) if '"problemMatcher"' in b]
    s.context = CI
    if not s.eq(len(matchers), 1, "one problem matcher"):
        return
    pat = json.loads(matchers[0])["problemMatcher"][0]["pattern"][0]
    rx = re.compile(pat["regexp"])  # the pattern is in the subset JS and Python share
    files = clitest.EXAMPLES + [os.path.join(clitest.INPUTS, f)
                                for f in sorted(os.listdir(clitest.INPUTS))]
    r = s.run("check", "--color=never", *files)
    j = json.loads(s.run("check", "--format=json", *files).out)
    want = sorted((f["file"], d["line"], d["column"], d["severity"], d["message"], d["id"])
                  for f in j["files"] for d in f["diagnostics"])
    got = []
    for line in r.err.split("\n"):
        m = rx.match(line)
        if m:
            g = lambda k: m.group(pat[k])
            got.append((g("file"), int(g("line")), int(g("column")), g("severity"),
                        g("message"), g("code")))
        elif re.match(r"^\S.*:\d+:\d+: (error|warning): ", line):
            s.check(False, "the matcher misses a diagnostic line", line)
    s.eq(sorted(got), want, "the matcher reads every diagnostic: file, line, column, "
         "severity, message, id")


def test_workflow_step(s):
    """The SARIF step of the workflow, run as GitHub runs it (bash -e), on a
    repository with an error: exit 1 recorded, the report written."""
    with open(CI, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"- name: netc check\n\s+id: netc\n\s+run: \|\n((?:\s{10}.*\n)+)", text)
    s.context = CI
    if not s.check(m, "the workflow's netc check step"):
        return
    script = "\n".join(l[10:] for l in m.group(1).split("\n"))
    bash = shutil.which("bash")
    git = shutil.which("git")
    if not s.check(bash and git, "bash and git to run the step"):
        return
    with tempfile.TemporaryDirectory() as tmp:
        repo = os.path.join(tmp, "repo")
        os.mkdir(repo)
        shutil.copy(os.path.join(clitest.INPUTS, "shape.net"), repo)
        shutil.copy("examples/mnist.net", repo)
        subprocess.run([git, "init", "-q"], cwd=repo, check=True)
        subprocess.run([git, "add", "."], cwd=repo, check=True)
        bindir = os.path.join(tmp, "bin")
        os.mkdir(bindir)
        os.symlink(s.netc, os.path.join(bindir, "netc"))
        out = os.path.join(tmp, "github_output")
        open(out, "w").close()
        env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""),
                   GITHUB_OUTPUT=out)
        p = subprocess.run([bash, "--noprofile", "--norc", "-e", "-c", script], cwd=repo,
                           env=env, capture_output=True, text=True)
        s.eq(p.returncode, 0, "the step itself succeeds on exit 1, so the upload runs")
        with open(out) as f:
            s.eq(f.read().strip(), "status=1", "the step records netc's status")
        with open(os.path.join(repo, "netc.sarif"), encoding="utf-8") as f:
            doc = json.load(f)
        rules = [r["ruleId"] for r in doc["runs"][0]["results"]]
        s.check("shape" in rules and "dropped-pixels" in rules,
                "the report has the error and the warning", rules)
        # exit 2: the step fails at once
        os.unlink(os.path.join(repo, "shape.net"))
        os.unlink(os.path.join(repo, "mnist.net"))
        subprocess.run([git, "add", "-A"], cwd=repo, check=True)
        p = subprocess.run([bash, "--noprofile", "--norc", "-e", "-c", script], cwd=repo,
                           env=env, capture_output=True, text=True)
        s.eq(p.returncode, 2, "no .net file: netc exits 2 and so does the step")


if __name__ == "__main__":
    clitest.main([test_guide_sessions, test_images, test_problem_matcher, test_workflow_step])
