#!/usr/bin/python3
# test_sarif.py: `netc check --format=sarif` is SARIF 2.1.0 that says what
# `--format=json` says.
#
# Usage: test_sarif.py NETC [--schema SCHEMA]
#
# For every example, all examples at once, and error files (a syntax error,
# a shape error with a note, an error inside an imported block whose notes
# are in the calling file), the document must agree with the JSON output of
# the same run: one result per diagnostic, same rule, level, message and
# region (end column exclusive in both), notes as relatedLocations with
# their messages. The driver is "netc" with netc's version and a rule, with
# help text, for every id `netc help warnings` lists. A file cut at
# --error-limit is a notification in the run's invocation.
#
# With --schema, every one of those documents must also validate against
# SCHEMA, the OASIS SARIF 2.1.0 JSON schema (draft-04, as its $schema says),
# with Debian's python3-jsonschema. The repository does not hold the schema
# and no Debian package ships it, so tests/cli/CMakeLists.txt finds it where
# it can (-DNETC_SARIF_SCHEMA=FILE at configure time) and passes an empty
# SCHEMA when it found none: the script then prints how to enable it and
# exits 77, which ctest reports as skipped. A SCHEMA that names a missing
# file is a failure: whoever named it wants it used.

import json
import os
import re
import sys
import urllib.parse

import clitest

SCHEMA = None  # a validator, set in main when --schema is given
VALIDATED = 0  # how many documents it validated

# where the schema comes from and how to tell netc's build about it
SCHEMA_URL = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SKIP = 77  # SKIP_RETURN_CODE in tests/cli/CMakeLists.txt
INPUTS = clitest.INPUTS


def validate(s, doc):
    """With --schema: DOC validates against the SARIF 2.1.0 schema."""
    global VALIDATED
    if SCHEMA is None:
        return
    VALIDATED += 1
    errors = sorted(SCHEMA.iter_errors(doc), key=lambda e: list(e.absolute_path))
    s.check(not errors, "validates against the SARIF 2.1.0 schema",
            "\n".join("%s: %s" % ("/".join(map(str, e.absolute_path)), e.message)
                      for e in errors[:10]))


def help_ids(s):
    """(id, severity, short description) for each line of `netc help warnings`."""
    r = s.run("help", "warnings")
    s.status(r, 0, "netc help warnings exits 0")
    ids = []
    for line in r.out.splitlines():
        m = re.match(r"^  ([a-z][a-z0-9-]*)\s+(warning|error)\s+(\S.*)$", line)
        if m:
            ids.append(m.groups())
    s.check(len(ids) >= 17, "netc help warnings lists the diagnostic ids", r.out)
    return ids


def expected_uri(path):
    """The artifact URI netc should write for a path it was given: relative
    paths stay relative, percent-encoded."""
    return urllib.parse.quote(path, safe="/")


def region_of(loc):
    reg = loc["physicalLocation"]["region"]
    return (reg.get("startLine"), reg.get("startColumn"), reg.get("endLine"), reg.get("endColumn"))


def uri_of(loc):
    return loc["physicalLocation"]["artifactLocation"]["uri"]


def check_uri(s, uri, what):
    s.check(not uri.startswith("/"), "%s: uri %r is relative (no leading '/')" % (what, uri))
    s.check(urllib.parse.urlsplit(uri).scheme == "",
            "%s: uri %r has no scheme (relative to the working directory)" % (what, uri))
    s.check(re.fullmatch(r"(?:[A-Za-z0-9._~!$&'()*+,;=:@/-]|%[0-9A-F]{2})+", uri) is not None,
            "%s: uri %r is a valid, percent-encoded URI reference" % (what, uri))


def compare(s, label, args, ids, version):
    """Runs check --format=sarif and --format=json with ARGS and compares."""
    s.context = label
    sr = s.run("check", "--format=sarif", *args)
    jr = s.run("check", "--format=json", *args)
    s.check(sr.rc in (0, 1), "sarif run exits 0 or 1, not %d" % sr.rc, sr.err)
    s.eq(sr.rc, jr.rc, "the same exit status as --format=json")
    try:
        doc = json.loads(sr.out)
    except ValueError as e:
        s.check(False, "standard output is one JSON document: %s" % e, sr.out[:2000])
        return
    s.passed += 1
    jdoc = json.loads(jr.out)

    validate(s, doc)
    s.eq(doc.get("version"), "2.1.0", "version")
    if not s.eq(len(doc.get("runs", [])), 1, "one run"):
        return
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    s.eq(driver.get("name"), "netc", "tool.driver.name")
    s.eq(driver.get("version"), version, "tool.driver.version is netc --version's")

    # the rules: one per id of `netc help warnings`, in order, described
    rules = driver.get("rules", [])
    rule_ids = [r["id"] for r in rules]
    s.eq(rule_ids, [i for i, _, _ in ids], "a rule per id of netc help warnings, in its order")
    s.eq(len(set(rule_ids)), len(rule_ids), "rule ids are unique")
    severity = {i: sev for i, sev, _ in ids}
    short = {i: d for i, _, d in ids}
    for r in rules:
        rid = r["id"]
        s.check(r.get("shortDescription", {}).get("text", "").strip(),
                "rule %s: a shortDescription" % rid)
        s.eq(r.get("shortDescription", {}).get("text"), short.get(rid),
             "rule %s: shortDescription is netc help warnings' line" % rid)
        s.check(r.get("fullDescription", {}).get("text", "").strip(),
                "rule %s: a fullDescription" % rid)
        s.check(r.get("help", {}).get("text", "").strip(), "rule %s: help text" % rid)
        s.check(len(r.get("help", {}).get("text", "")) >
                len(r.get("fullDescription", {}).get("text", "")),
                "rule %s: the help says more than the description (what to do)" % rid)
        s.eq(r.get("defaultConfiguration", {}).get("level"), severity.get(rid),
             "rule %s: defaultConfiguration.level" % rid)

    # the results against the JSON diagnostics
    s.eq(run.get("columnKind"), "unicodeCodePoints", "columns count characters")
    results = run.get("results", [])
    diags = [(f["file"], d) for f in jdoc["files"] for d in f["diagnostics"]]
    s.eq(len(results), len(diags), "as many results as --format=json diagnostics")

    def json_key(fd):
        f, d = fd
        return (expected_uri(f), d["line"], d["column"], d["end_line"], d["end_column"],
                d["id"], d["message"])

    def sarif_key(r):
        loc = r["locations"][0]
        return (uri_of(loc),) + region_of(loc) + (r.get("ruleId"), r["message"]["text"])

    for r in results:
        rid = r.get("ruleId")
        s.check(rid in rule_ids, "result ruleId %r is a rule" % rid)
        idx = r.get("ruleIndex")
        s.check(isinstance(idx, int) and 0 <= idx < len(rules) and rules[idx]["id"] == rid,
                "result %s: ruleIndex %r points at its rule" % (rid, idx))
        s.eq(len(r.get("locations", [])), 1, "result %s: one location" % rid)
        if not r.get("locations"):
            continue
        check_uri(s, uri_of(r["locations"][0]), "result " + rid)
        sl, sc, el, ec = region_of(r["locations"][0])
        s.check(el >= sl and (el > sl or ec >= sc),
                "result %s: the region ends after it starts: %r" % (rid, (sl, sc, el, ec)))
        for k, rel in enumerate(r.get("relatedLocations", [])):
            check_uri(s, uri_of(rel), "result %s note %d" % (rid, k))
            s.eq(rel.get("id"), k, "result %s: relatedLocation ids count from 0" % rid)

    by_json = sorted(diags, key=json_key)
    by_sarif = sorted(results, key=sarif_key)
    s.eq([sarif_key(r) for r in by_sarif], [json_key(d) for d in by_json],
         "results and JSON diagnostics: same files, regions, ids and messages")
    for (f, d), r in zip(by_json, by_sarif):
        what = "%s:%d %s" % (f, d["line"], d["id"])
        s.eq(r.get("level"), d["severity"], what + ": level is the JSON severity")
        if d.get("layer") is not None:
            s.eq(r.get("properties", {}).get("layer"), d["layer"], what + ": properties.layer")
        rel = r.get("relatedLocations", [])
        s.eq(len(rel), len(d["notes"]), what + ": a relatedLocation per note")
        for note, loc in zip(d["notes"], rel):
            s.eq(loc.get("message", {}).get("text"), note["message"], what + ": note message")
            s.eq(uri_of(loc), expected_uri(note.get("file", f)), what + ": note's file")
            reg = region_of(loc)
            s.eq(reg[:2], (note["line"], note["column"]), what + ": note's line and column")


def test_examples(s, ids, version):
    for path in clitest.EXAMPLES:
        compare(s, path, [path], ids, version)
    compare(s, "all examples at once", clitest.EXAMPLES, ids, version)


def test_errors(s, ids, version):
    for name in ["syntax.net", "shape.net", "block_use.net"]:
        path = os.path.join(INPUTS, name)
        compare(s, path, [path], ids, version)
        s.context = path
        r = s.run("check", "--format=sarif", path)
        s.status(r, 1, "an input with errors exits 1")
        levels = [x["level"] for x in json.loads(r.out)["runs"][0]["results"]]
        s.check("error" in levels, "a result of level error", levels)


def test_error_specifics(s, ids, version):
    """What the error files must show, beyond agreeing with JSON."""
    def results(path, *flags):
        r = s.run("check", "--format=sarif", *flags, path)
        return json.loads(r.out)["runs"][0]["results"]

    s.context = "syntax.net"
    res = [r for r in results(INPUTS + "/syntax.net") if r["ruleId"] == "syntax"]
    s.eq([region_of(r["locations"][0])[:2] for r in res], [(4, 33), (6, 20)],
         "both syntax errors, at 4:33 and 6:20 (recovery at ';')")

    s.context = "shape.net"
    res = results(INPUTS + "/shape.net")
    if s.eq([r["ruleId"] for r in res], ["shape"], "one shape error"):
        s.eq(region_of(res[0]["locations"][0]), (6, 5, 6, 32), "its region")
        s.eq(len(res[0].get("relatedLocations", [])), 1, "its note")
        s.eq(region_of(res[0]["relatedLocations"][0])[:2], (5, 5), "the note at the pool")

    # the error is in block_lib.net, the notes in block_use.net
    s.context = "block_use.net"
    res = results(INPUTS + "/block_use.net")
    if s.eq([r["ruleId"] for r in res], ["shape"], "one shape error"):
        r = res[0]
        s.eq(uri_of(r["locations"][0]), INPUTS + "/block_lib.net", "the error is in the block")
        s.eq(region_of(r["locations"][0])[:2], (4, 5), "at the conv in the block")
        uris = [uri_of(x) for x in r.get("relatedLocations", [])]
        s.check(uris and uris[0] == INPUTS + "/block_use.net",
                "the first note is at the call, in block_use.net", uris)
        s.eq(region_of(r["relatedLocations"][0])[:2], (6, 5), "the call's line and column")

    # -Werror: the warnings become results of level error, exit 1
    s.context = "-Werror"
    r = s.run("check", "--format=sarif", "-Werror", "examples/seed.net")
    s.status(r, 1)
    levels = sorted({x["level"] for x in json.loads(r.out)["runs"][0]["results"]})
    s.eq(levels, ["error"], "-Werror: every result is an error")
    # SARIF goes to standard output alone: nothing on standard error
    r = s.run("check", "--format=sarif", "examples/seed.net")
    s.eq(r.err, "", "no text diagnostics on standard error with --format=sarif")


def test_stdin_and_paths(s, ids, version):
    """Standard input and an absolute path inside the working directory."""
    s.context = "stdin"
    with open("examples/seed.net", "rb") as f:
        src = f.read()
    r = s.run("check", "--format=sarif", "-", stdin=src)
    s.status(r, 0)
    doc = json.loads(r.out)
    validate(s, doc)
    for res in doc["runs"][0]["results"]:
        check_uri(s, uri_of(res["locations"][0]), "stdin result")
    s.context = "absolute path"
    r = s.run("check", "--format=sarif", os.path.abspath("examples/seed.net"))
    uris = {uri_of(x["locations"][0]) for x in json.loads(r.out)["runs"][0]["results"]}
    s.eq(uris, {"examples/seed.net"}, "an absolute path under the working directory "
         "becomes relative to it")


def test_error_limit(s, ids, version):
    """A file cut at --error-limit: its first errors are results, and the
    run's invocation says, in a notification on that file, that the list was
    cut; the other files are complete and have no notification."""
    cut = "tests/golden/errors/error-limit.net"  # 26 errors
    args = ["--error-limit=2", cut, INPUTS + "/syntax.net"]
    compare(s, "error limit", args, ids, version)
    s.context = "error limit"
    r = s.run("check", "--format=sarif", *args)
    s.status(r, 1)
    run = json.loads(r.out)["runs"][0]
    res = run["results"]
    s.eq([uri_of(x["locations"][0]) for x in res].count(cut), 2, "two results in the cut file")
    s.eq([uri_of(x["locations"][0]) for x in res].count(INPUTS + "/syntax.net"), 2,
         "both errors of syntax.net, which is not cut")
    inv = run["invocations"]
    s.eq(len(inv), 1, "one invocation")
    s.eq(inv[0].get("executionSuccessful"), True, "netc ran to the end")
    notes = inv[0].get("toolExecutionNotifications", [])
    if s.eq(len(notes), 1, "one notification: the cut file"):
        n = notes[0]
        s.eq(n.get("level"), "warning", "its level")
        s.eq(n["message"]["text"], cut + ": too many errors emitted, stopping now "
             "[--error-limit=]: the results hold its first 2 errors", "its message")
        s.eq([uri_of(x) for x in n.get("locations", [])], [cut], "it names the file")
    r = s.run("check", "--format=sarif", "--error-limit=0", cut)
    run = json.loads(r.out)["runs"][0]
    s.eq(len(run["results"]), 26, "--error-limit=0: every error")
    s.check("toolExecutionNotifications" not in run["invocations"][0],
            "--error-limit=0: no notification", run["invocations"])


def load_schema(path):
    """A draft-04 validator for the SARIF schema at PATH; exits on failure."""
    def fail(msg):
        print("FAIL: " + msg)
        print("0 passed, 1 failed")
        sys.exit(1)

    if not path:
        print("SKIP: cli.sarif.schema: no SARIF 2.1.0 schema was found, so no SARIF document "
              "was validated. To enable it, download %s and configure with "
              "-DNETC_SARIF_SCHEMA=/path/to/sarif-schema-2.1.0.json" % SCHEMA_URL)
        sys.exit(SKIP)
    if not os.path.isfile(path):
        fail("the SARIF schema %s is missing (NETC_SARIF_SCHEMA names it: download %s there, "
             "or configure with -DNETC_SARIF_SCHEMA= another path)" % (path, SCHEMA_URL))
    try:
        import jsonschema
    except ImportError:
        fail("python3-jsonschema is not installed (Debian: apt-get install python3-jsonschema, "
             "or sh scripts/deps.sh)")
    with open(path, encoding="utf-8") as f:
        schema = json.load(f)
    if not str(schema.get("id", "")).endswith("/sarif-schema-2.1.0.json"):
        fail("%s is not the SARIF 2.1.0 schema: its id is %r" % (path, schema.get("id")))
    # the schema says which draft it is; use that validator, and no other
    cls = jsonschema.validators.validator_for(schema, default=None)
    if cls is not jsonschema.Draft4Validator:
        fail("%s has $schema %r: expected draft-04 (jsonschema.Draft4Validator)"
             % (path, schema.get("$schema")))
    cls.check_schema(schema)
    return cls(schema)


def main():
    global SCHEMA
    args = sys.argv[1:]
    if len(args) == 3 and args[1] == "--schema":
        SCHEMA = load_schema(args[2])
    elif len(args) != 1:
        print("usage: test_sarif.py NETC [--schema SCHEMA]")
        print("0 passed, 1 failed")
        sys.exit(1)

    s = clitest.Suite(args[0])
    ids = help_ids(s)
    v = s.run("--version").out.strip()
    version = v[len("netc "):] if v.startswith("netc ") else v
    for t in [test_examples, test_errors, test_error_specifics, test_stdin_and_paths,
              test_error_limit]:
        s.test(t, s, ids, version)
    if SCHEMA is not None:
        s.context = "--schema"
        s.check(VALIDATED >= len(clitest.EXAMPLES) + 5, "every document was validated (%d)"
                % VALIDATED)
    s.finish()


if __name__ == "__main__":
    main()
