#!/usr/bin/python3
# test_man.py: the man page, docs/netc.1, describes what `netc help` says,
# so that the two cannot drift apart.
#
# Usage: test_man.py NETC   (from the repository root)
#
# - every command `netc help` lists has a subsection `.SS "netc COMMAND ..."`
#   under COMMANDS and a line in the SYNOPSIS, and no subsection names a
#   command netc does not have;
# - every option `netc help COMMAND` names (on its usage line, in its option
#   list or in its text: --format, -Werror, -o, ...) is in that command's
#   subsection, or, if `netc help` lists it as a common option, under
#   COMMON OPTIONS; each value of a `--flag=a|b|c` list is named there too;
# - every environment variable `netc help COMMAND` names is under
#   ENVIRONMENT;
# - every id of `netc help warnings` is under DIAGNOSTICS with its severity;
# - every option the man page describes is one netc takes (no "unknown
#   option" for it);
# - the .TH line carries `netc --version`'s version, and groff formats the
#   page without a warning.
#
# So a new option in netc's help needs its entry in the man page before
# this test passes again: that is the point.

import re
import shutil
import subprocess

import clitest

MAN = "docs/netc.1"

# an option in help text: -o, --format, -Werror, -Wno-ID, --rf-min; not the
# hyphen inside a word (multiply-accumulates) or a file name
FLAG = re.compile(r"(?<![\w/.$-])(--?[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*)")
# --format=text|json|sarif: the values
VALUES = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*)=([a-z0-9]+(?:\|[a-z0-9]+)+)")
# an environment variable: $CC, NETC_CFLAGS
ENV = re.compile(r"\$([A-Z][A-Z0-9_]*)|\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b")


# -- reading the man page ---------------------------------------------------

def roff_args(s):
    """The arguments of a macro line: split at spaces, "..." groups."""
    args, cur, quoted, have = [], [], False, False
    for ch in s:
        if ch == '"':
            quoted = not quoted
            have = True
        elif ch == " " and not quoted:
            if have or cur:
                args.append("".join(cur))
            cur, have = [], False
        else:
            cur.append(ch)
    if have or cur:
        args.append("".join(cur))
    return args


def unescape(s):
    s = re.sub(r"\\f(\(..|\[[^]]*\]|.)", "", s)  # font changes
    s = s.replace("\\-", "-").replace("\\&", "").replace("\\(em", "\u2014")
    s = s.replace("\\e", "\\")
    return s


def man_sections(text):
    """{section title: text} for each .SH and .SS, as the reader sees the
    words (fonts dropped, \\- as -), and the .TP tags of each."""
    sections, tags = {}, {}
    title = None
    lines = text.split("\n")
    after_tp = False
    for line in lines:
        if line.startswith(".\\\"") or line.startswith("'\\\""):
            continue
        m = re.match(r"^\.(SH|SS)\s+(.*)$", line)
        if m:
            title = unescape(" ".join(roff_args(m.group(2))))
            sections[title] = ""
            tags[title] = []
            after_tp = False
            continue
        m = re.match(r"^\.(B|I|BI|BR|IB|IR|RB|RI)(?:\s+(.*))?$", line)
        if m:
            args = roff_args(m.group(2) or "")
            words = unescape((" " if m.group(1) in ("B", "I") else "").join(args))
        elif line.startswith("."):
            words = ""
            if line.startswith(".TP"):
                after_tp = True
                continue
        else:
            words = unescape(line)
        if title is not None:
            sections[title] += words + "\n"
            if after_tp and words:
                tags[title].append(words)
        after_tp = False
    return sections, tags


def has_flag(text, flag):
    return re.search(r"(?<![\w-])" + re.escape(flag) + r"(?![A-Za-z0-9-])", text) is not None


# -- reading netc's help ----------------------------------------------------

def help_commands(usage):
    """The commands and the common options of `netc help`."""
    commands, common, block = [], [], None
    for line in usage.split("\n"):
        if line.endswith(":") and not line.startswith(" "):
            block = line[:-1]
            continue
        m = re.match(r"^  (\S+)", line)
        if m and block == "commands":
            commands.append(m.group(1))
        elif m and block == "common options":
            common += FLAG.findall(m.group(1))
    return commands, common


def test_man(s):
    with open(MAN, encoding="utf-8") as f:
        text = f.read()
    sections, tags = man_sections(text)
    s.context = MAN
    for sec in ["NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "COMMON OPTIONS",
                "DIAGNOSTICS", "ENVIRONMENT", "EXIT STATUS", "EXAMPLES", "SEE ALSO"]:
        s.check(sec in sections, "a section %s" % sec, list(sections))

    # the version
    v = s.run("--version").out.strip()
    m = re.search(r'^\.TH NETC 1 "[^"]*" "([^"]*)"', text, re.M)
    s.check(m and m.group(1) == v, ".TH names %r, as netc --version says" % v,
            m.group(0) if m else "no .TH line")

    # the commands
    r = s.run("help")
    s.status(r, 0, "netc help")
    commands, common = help_commands(r.out)
    s.check(len(commands) >= 7, "netc help lists its commands", r.out)
    sub = {}
    for title in sections:
        m = re.match(r"^netc (\S+)", title)
        if m:
            sub[m.group(1)] = title
    s.eq(sorted(sub), sorted(commands),
         "a subsection 'netc COMMAND' for each command of netc help, and no other")
    for c in commands:
        s.check(has_flag(sections.get("SYNOPSIS", ""), "netc " + c) or
                re.search(r"^netc %s\b" % re.escape(c), sections.get("SYNOPSIS", ""), re.M),
                "the SYNOPSIS shows netc %s" % c)

    # the common options
    common_text = sections.get("COMMON OPTIONS", "")
    s.check(len(common) >= 3, "netc help lists common options", common)
    for flag in common:
        s.check(has_flag(common_text, flag), "COMMON OPTIONS describes %s (netc help)" % flag)
    for flag, values in VALUES.findall(r.out):
        for val in values.split("|"):
            s.check(re.search(r"\b%s\b" % re.escape(val), common_text),
                    "COMMON OPTIONS names %s's value %s" % (flag, val))

    # each command's options and environment
    env_text = sections.get("ENVIRONMENT", "")
    for c in commands:
        if c == "help" or c not in sub:
            continue
        s.context = "%s: netc %s" % (MAN, c)
        h = s.run("help", c)
        s.status(h, 0, "netc help %s" % c)
        own = sections[sub[c]]
        flags = sorted(set(FLAG.findall(h.out)))
        s.check(flags, "netc help %s names options" % c, h.out)
        for flag in flags:
            where = own + (common_text if flag in common else "")
            s.check(has_flag(where, flag), "the subsection describes %s (netc help %s)"
                    % (flag, c))
        for flag, values in VALUES.findall(h.out):
            for val in values.split("|"):
                s.check(re.search(r"\b%s\b" % re.escape(val), own),
                        "the subsection names %s's value %s" % (flag, val))
        for a, b in ENV.findall(h.out):
            var = a or b
            s.check(re.search(r"\b%s\b" % var, env_text),
                    "ENVIRONMENT describes %s (netc help %s)" % (var, c))

    # the diagnostic ids, with their severities
    s.context = MAN + ": DIAGNOSTICS"
    w = s.run("help", "warnings")
    ids = re.findall(r"^  ([a-z][a-z0-9-]*)\s+(warning|error)\s", w.out, re.M)
    s.check(len(ids) >= 17, "netc help warnings lists the ids", w.out)
    diag_tags = tags.get("DIAGNOSTICS", [])
    s.eq(diag_tags, ["%s (%s)" % i for i in ids],
         "an entry 'ID (severity)' per id of netc help warnings, in its order")

    # every option the page describes is one netc takes
    for title in list(sub.values()) + ["COMMON OPTIONS"]:
        c = re.match(r"^netc (\S+)", title)
        cmd = c.group(1) if c else "check"
        if cmd == "help":
            continue
        for tag in tags.get(title, []):
            for opt in tag.split(", "):
                argv = opt.split()
                if not argv or not argv[0].startswith("-"):
                    continue
                argv[0] = argv[0].split("|")[0]   # --format=text|json: one value
                s.context = "%s: %s" % (MAN, title)
                r = s.run(cmd, *argv, "no/such/file.net")
                if not c and "unknown option" in r.err:
                    r = s.run(*argv)   # netc --version: an option of netc itself
                s.check("unknown option" not in r.err and r.rc in (0, 1, 2),
                        "netc %s takes %s, which the page describes" % (cmd, opt), r.err)


def test_groff(s):
    """groff formats the page with every warning on, and says nothing."""
    s.context = MAN
    groff = shutil.which("groff")
    if not s.check(groff, "groff is installed (Debian's groff-base; sh scripts/deps.sh)"):
        return
    p = subprocess.run([groff, "-man", "-Tutf8", "-ww", "-z", MAN], capture_output=True,
                       text=True)
    s.eq((p.returncode, p.stderr), (0, ""), "groff -man -ww: no warning")
    p = subprocess.run([groff, "-man", "-Tutf8", MAN], capture_output=True, text=True)
    page = re.sub(r".\x08", "", p.stdout)
    for heading in ["NAME", "SYNOPSIS", "COMMANDS", "DIAGNOSTICS", "EXIT STATUS"]:
        s.check(re.search(r"^%s$" % heading, page, re.M), "the formatted page has %s" % heading)


if __name__ == "__main__":
    clitest.main([test_man, test_groff])
