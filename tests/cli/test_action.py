#!/usr/bin/python3
# test_action.py: the GitHub Action at the repository's root (action.yml)
# does what docs/ci.md says, run step by step as a runner runs it
# (tests/cli/ghaction.py), in a temporary git repository like a user's.
#
# Usage: test_action.py NETC [--schema SCHEMA] [--build]
#
# The user's repository holds clean files, a file with warnings, one with an
# error, a file whose name has a space, one whose name starts with '-', and
# an untracked .net file with syntax errors that must not be checked. The
# runs give the action the netc under test (its `netc` input); with --build
# the action builds netc from this source tree instead, as a workflow that
# names no netc does (a Release build: the test is labelled heavy).
#
# For each set of inputs: the exit status netc check had, which steps ran,
# what the upload step would have been given (a SARIF document with the
# expected results; validated against SCHEMA when given), the problem
# matcher and the annotations it makes when the upload is off, the job's
# result, and the messages of a misuse (no matching file, a bad option, no
# git checkout, a netc that does not exist).

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import clitest

try:
    import ghaction
except ImportError as e:  # python3-yaml is missing
    print("FAIL: %s (Debian: apt-get install python3-yaml, or sh scripts/deps.sh)" % e)
    print("0 passed, 1 failed")
    sys.exit(1)

ROOT = os.getcwd()       # the action's own directory: the repository's root
SCHEMA = None
UPLOAD = "Upload to code scanning"
FAIL = "Fail if netc found errors"


def make_repo(tmp):
    """A user's repository."""
    repo = os.path.join(tmp, "repo")
    os.makedirs(os.path.join(repo, "nets"))
    os.makedirs(os.path.join(repo, "bad"))
    copies = {
        "nets/lenet5.net": "examples/lenet5.net",
        "nets/mobilenet.net": "examples/mobilenet.net",
        "nets/my model.net": "examples/lenet5.net",
        "nets/seed.net": "examples/seed.net",
        "bad/shape.net": clitest.INPUTS + "/shape.net",
        "-odd.net": "examples/lenet5.net",
        "untracked.net": clitest.INPUTS + "/syntax.net",
    }
    for dst, src in copies.items():
        shutil.copy(src, os.path.join(repo, dst))
    with open(os.path.join(repo, "README"), "w") as f:
        f.write("a user's repository\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(git + ["init", "-q"], cwd=repo, check=True)
    subprocess.run(git + ["add", "--", "nets", "bad", "./-odd.net", "README"], cwd=repo,
                   check=True)
    subprocess.run(git + ["commit", "-qm", "nets"], cwd=repo, check=True)
    return repo


def run_action(s, repo, tmp, label, **with_):
    s.context = "action.yml, %s" % label
    d = tempfile.mkdtemp(dir=tmp)
    try:
        r = ghaction.run(ROOT, repo, d, with_=with_)
    except ghaction.ActionError as e:
        s.check(False, "the runner can run the action: %s" % e)
        return None
    return r


def sarif_of(s, r):
    """The SARIF document the upload step was given, checked."""
    up = r.step(UPLOAD)
    if not s.check(up.ran, "the upload step ran"):
        return None
    s.eq(up.spec.get("uses"), "github/codeql-action/upload-sarif@v3", "upload-sarif")
    path = up.inputs.get("sarif_file", "")
    s.eq(up.inputs.get("category"), "netc", "the category")
    s.eq(r.outputs.get("sarif-file"), path, "the output sarif-file is the uploaded file")
    if not s.check(os.path.isfile(path), "the SARIF file exists: %r" % path, r.log):
        return None
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    s.eq(doc.get("version"), "2.1.0", "a SARIF 2.1.0 document")
    if SCHEMA is not None:
        errors = list(SCHEMA.iter_errors(doc))
        s.check(not errors, "it validates against the SARIF 2.1.0 schema",
                [e.message for e in errors[:5]])
    return doc


def results(doc):
    return sorted((r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                   r["ruleId"], r["level"]) for r in doc["runs"][0]["results"])


def test_structure(s):
    """What GitHub reads before it runs anything."""
    s.context = "action.yml"
    a = ghaction.load("action.yml")
    s.check(a.get("name") and a.get("description"), "a name and a description")
    s.eq(a.get("runs", {}).get("using"), "composite", "a composite action")
    s.eq(sorted(a.get("inputs", {})), ["args", "category", "files", "netc", "upload-sarif"],
         "the inputs")
    for k, v in a.get("inputs", {}).items():
        s.check(v.get("description"), "input %s is described" % k)
        s.check(v.get("required") is False, "input %s is optional" % k)
    s.eq(a["inputs"]["files"].get("default"), "**/*.net", "files: every tracked .net file")
    s.eq(a["inputs"]["upload-sarif"].get("default"), "true", "upload-sarif: on by default")
    s.eq(sorted(a.get("outputs", {})), ["sarif-file", "status"], "the outputs")
    for st in a["runs"]["steps"]:
        if "run" in st:
            s.eq(st.get("shell"), "bash", "step %r: shell bash (composite steps need one)"
                 % st.get("name"))
            s.check("${{" not in st["run"], "step %r: inputs reach the script through env:, "
                    "not pasted into it" % st.get("name"))


def test_default(s, repo, tmp, netc):
    r = run_action(s, repo, tmp, "default inputs", netc=netc)
    if not r:
        return
    s.eq(r.step("check").rc, 0, "the check step succeeds on exit 1, so the upload runs")
    s.eq(r.outputs.get("status"), "1", "status: netc check exited 1 (an error)")
    s.check("netc check: 6 file(s)" in r.log, "the six tracked .net files, not the "
            "untracked one", r.log)
    s.check("unknown option" not in r.log, "'-odd.net' is a file, not an option", r.log)
    doc = sarif_of(s, r)
    if doc:
        s.eq(results(doc), [("bad/shape.net", "shape", "error"),
                            ("nets/seed.net", "param-hotspot", "warning"),
                            ("nets/seed.net", "rf-coverage", "warning")],
             "the results: the error and the warnings, nothing from untracked.net")
    fail = r.step(FAIL)
    s.check(fail.ran and fail.rc == 1, "the last step fails the job", fail.out)
    s.check("::error title=netc::netc check exited 1" in fail.out, "and says why", fail.out)
    s.check(r.failed, "the job fails")
    # the text diagnostics are in the log too, and no annotations (the upload makes them)
    s.check("bad/shape.net:6:5: error:" in r.log, "the diagnostics are in the log", r.log)
    s.check("::add-matcher::" not in r.log, "no problem matcher when uploading")


def test_clean(s, repo, tmp, netc):
    for label, files in [("files: nets/**/*.net", "nets/**/*.net"),
                         ("files: a pattern and an exclusion", "**/*.net\n!bad/**")]:
        r = run_action(s, repo, tmp, label, netc=netc, files=files)
        if not r:
            continue
        s.eq(r.outputs.get("status"), "0", "status 0: warnings only")
        n = 4 if files.startswith("nets") else 5
        s.check("netc check: %d file(s)" % n in r.log, "%d files" % n, r.log)
        doc = sarif_of(s, r)
        if doc:
            s.eq(sorted({lv for _, _, lv in results(doc)}), ["warning"], "warnings only")
        s.check(r.step(FAIL).skipped, "the fail step is skipped")
        s.check(not r.failed, "the job passes")


def test_args(s, repo, tmp, netc):
    r = run_action(s, repo, tmp, "args: -Werror", netc=netc, files="nets/seed.net",
                   args="-Werror")
    if r:
        s.eq(r.outputs.get("status"), "1", "-Werror: the warnings fail")
        doc = sarif_of(s, r)
        if doc:
            s.eq(results(doc), [("nets/seed.net", "param-hotspot", "error"),
                                ("nets/seed.net", "rf-coverage", "error")], "as errors")
        s.check(r.failed, "the job fails")
    r = run_action(s, repo, tmp, "args: budgets", netc=netc, files="nets/lenet5.net",
                   args="--max-params=1K  --rf-min=0.25")
    if r:
        s.eq(r.outputs.get("status"), "1", "a budget exceeded")
        doc = sarif_of(s, r)
        if doc:
            s.eq(results(doc), [("nets/lenet5.net", "budget", "error")], "a budget error")
    r = run_action(s, repo, tmp, "args: -Wno-ID", netc=netc, files="nets/seed.net",
                   args="-Wno-rf-coverage -Wno-param-hotspot -Werror")
    if r:
        s.eq(r.outputs.get("status"), "0", "warnings turned off")
        s.check(not r.failed, "the job passes")


def test_no_upload(s, repo, tmp, netc):
    r = run_action(s, repo, tmp, "upload-sarif: false", netc=netc, **{"upload-sarif": False})
    if not r:
        return
    s.check(r.step(UPLOAD).skipped, "no upload")
    s.check(r.failed and r.step(FAIL).rc == 1, "the job still fails on the error")
    log = r.step("check").out
    m = re.search(r"^::add-matcher::(.*)$", log, re.M)
    if not s.check(m, "a problem matcher is added", log):
        return
    with open(m.group(1), encoding="utf-8") as f:
        pat = json.load(f)["problemMatcher"][0]["pattern"][0]
    s.check("::remove-matcher owner=netc::" in log, "and removed after netc's output")
    section = log[m.end():log.index("::remove-matcher")]
    rx = re.compile(pat["regexp"])
    got = []
    for line in section.split("\n"):
        mm = rx.match(line)
        if mm:
            g = lambda k: mm.group(pat[k])
            got.append((g("file"), int(g("line")), int(g("column")), g("severity"), g("code")))
    s.eq(sorted(got), [("bad/shape.net", 6, 5, "error", "shape"),
                       ("nets/seed.net", 7, 5, "warning", "rf-coverage"),
                       ("nets/seed.net", 9, 5, "warning", "param-hotspot")],
         "the matcher makes an annotation per diagnostic")


def test_misuse(s, repo, tmp, netc):
    cases = [
        ("no file matches", dict(files="*.nope"), "check",
         "::error title=netc::no tracked file matches the input files: *.nope"),
        ("an unknown option", dict(args="--bogus"), "check", "unknown option '--bogus'"),
        ("args: --format", dict(args="--format=json"), "check",
         "::error title=netc::args: --format=json: the action chooses the format"),
    ]
    for label, w, step, msg in cases:
        r = run_action(s, repo, tmp, label, netc=netc, **w)
        if not r:
            continue
        s.eq(r.step(step).rc, 2, "the %s step exits 2" % step)
        s.check(msg in r.log, "it says: %s" % msg, r.log)
        s.check(r.step(UPLOAD).skipped and r.step(FAIL).skipped, "nothing runs after it")
        s.check(r.failed, "the job fails")
    r = run_action(s, repo, tmp, "netc: no-such-netc", netc="no-such-netc")
    if r:
        s.eq(r.step("netc").rc, 2, "a netc that does not exist: the first step exits 2")
        s.check("::error title=netc::the input netc: 'no-such-netc' is not" in r.log,
                "and says so", r.log)
    # no checkout: the workspace is not a git repository
    plain = os.path.join(tmp, "plain")
    os.makedirs(plain, exist_ok=True)
    shutil.copy("examples/seed.net", plain)
    r = run_action(s, plain, tmp, "no git checkout", netc=netc)
    if r:
        s.eq(r.step("check").rc, 2, "no checkout: exit 2")
        s.check("is not a git checkout: run actions/checkout before netc" in r.log,
                "and says so", r.log)


def test_build(s, repo, tmp, netc):
    """No netc input: the action builds netc from its own sources."""
    r = run_action(s, repo, tmp, "building netc")
    if not r:
        return
    b = r.step("netc")
    want = subprocess.run([netc, "--version"], capture_output=True, text=True).stdout.strip()
    s.check(b.rc == 0 and want in b.out, "the build step builds netc and prints %r" % want,
            b.out[-3000:])
    built = b.outputs.get("netc", "")
    s.check(built.endswith("/netc-build/netc") and os.access(built, os.X_OK),
            "netc is built in RUNNER_TEMP", built)
    s.eq(r.step("check").env.get("NETC"), built, "the check step runs the built netc")
    s.eq(r.outputs.get("status"), "1", "and finds the error")
    doc = sarif_of(s, r)
    if doc:
        s.eq(doc["runs"][0]["tool"]["driver"]["version"], want.split()[-1],
             "the report names the built netc's version")


def test_docs(s):
    """docs/ci.md shows the action first, and what it says of the inputs
    and of the problem matcher is what action.yml has."""
    import yaml
    s.context = "docs/ci.md"
    with open("docs/ci.md", encoding="utf-8") as f:
        text = f.read()
    action = ghaction.load("action.yml")
    inputs = action["inputs"]
    blocks = re.findall(r"^```(\w*)\n(.*?)^```", text, re.M | re.S)
    s.check(blocks and blocks[0][1].strip() == "- uses: OWNER/netc@TAG",
            "the first block is the one-line use", blocks[:1])
    uses = 0
    for lang, body in blocks:
        if "uses: OWNER/netc@" not in body:
            continue
        doc = yaml.safe_load(body)
        steps = doc if isinstance(doc, list) else [
            st for job in doc.get("jobs", {}).values() for st in job.get("steps", [])]
        for st in steps:
            if str(st.get("uses", "")).startswith("OWNER/netc@"):
                uses += 1
                for k in st.get("with") or {}:
                    s.check(k in inputs, "with: %s is an input of action.yml" % k)
    s.check(uses >= 3, "the page shows the action (%d uses)" % uses)
    table = re.search(r"^\| input \| default \|.*?\n\n", text, re.M | re.S)
    s.check(table, "a table of the inputs")
    rows = re.findall(r"^\| `([\w-]+)` \| ([^|]*) \|", table.group(0) if table else "", re.M)
    s.eq(sorted(n for n, _ in rows), sorted(inputs), "the inputs table: every input")
    for name, default in rows:
        want = str(inputs.get(name, {}).get("default", ""))
        got = default.strip()
        got = "" if got == "(none)" else got.strip("`")
        s.eq(got, want, "the inputs table: %s's default" % name)
    # the problem matcher of the page is the one the action adds
    page = [b for _, b in blocks if '"problemMatcher"' in b]
    step = [st for st in action["runs"]["steps"] if st.get("id") == "check"][0]["run"]
    m = re.search(r"<<'EOF'\n(.*?)^EOF$", step, re.M | re.S)
    if s.check(page and m, "a matcher on the page and in the action"):
        s.eq(json.loads(m.group(1)), json.loads(page[0]),
             "the action's problem matcher is the page's")


def main():
    global SCHEMA
    args = sys.argv[1:]
    build = "--build" in args
    if build:
        args.remove("--build")
    if len(args) == 3 and args[1] == "--schema":
        if args[2]:
            import jsonschema
            with open(args[2], encoding="utf-8") as f:
                SCHEMA = jsonschema.Draft4Validator(json.load(f))
        args = args[:1]
    if len(args) != 1 or not os.access(args[0], os.X_OK):
        print("usage: test_action.py NETC [--schema SCHEMA] [--build]")
        print("0 passed, 1 failed")
        sys.exit(1)
    s = clitest.Suite(args[0])
    with tempfile.TemporaryDirectory() as tmp:
        repo = make_repo(tmp)
        if build:
            s.test(test_build, s, repo, tmp, s.netc)
        else:
            s.test(test_structure, s)
            s.test(test_docs, s)
            for t in [test_default, test_clean, test_args, test_no_upload, test_misuse]:
                s.test(t, s, repo, tmp, s.netc)
    s.finish()


if __name__ == "__main__":
    main()
