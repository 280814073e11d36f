#!/usr/bin/python3
# test_precommit.py: the pre-commit hooks of .pre-commit-hooks.yaml lint the
# staged .net files of a user's repository, as docs/ci.md says.
#
# Usage: test_precommit.py NETC fast|build|real   (from the repository root)
#
# The hooks' repository is a commit of this source tree (tracked files and
# new ones not ignored) in a temporary directory, as pre-commit clones it at
# the rev a user names. The user's repository has a committed .net file with
# an error (not staged: not checked), a staged file with warnings, a staged
# file with an error, a staged README, and an untracked .net file with
# syntax errors (never checked).
#
# fast:  the hooks' definitions, then netc-check-system's entry run as
#        pre-commit runs it (entry + args + the staged files that match
#        `files`, from the repository's root) with NETC on PATH;
#        netc-check's message when it cannot build netc; and the examples
#        of docs/ci.md name these hooks.
# build: netc-check's entry the same way: it builds netc in the hooks'
#        repository on its first run, not on the second.
# real:  pre-commit itself (Debian's pre-commit): `pre-commit install`, then
#        `git commit` with each hook, as a user commits, configured as
#        docs/ci.md shows. Without pre-commit the test reports itself
#        skipped (exit 77).

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

import clitest

try:
    import yaml
except ImportError as e:
    print("FAIL: %s (Debian: apt-get install python3-yaml, or sh scripts/deps.sh)" % e)
    print("0 passed, 1 failed")
    sys.exit(1)

SKIP = 77
GIT_ENV = {"GIT_AUTHOR_NAME": "netc test", "GIT_AUTHOR_EMAIL": "test@example.org",
           "GIT_COMMITTER_NAME": "netc test", "GIT_COMMITTER_EMAIL": "test@example.org",
           "GIT_CONFIG_NOSYSTEM": "1"}


def git(cwd, *args, env=None):
    e = dict(os.environ, **GIT_ENV)
    if env:
        e.update(env)
    return subprocess.run(["git"] + list(args), cwd=cwd, env=e, capture_output=True,
                          text=True)


def hook_repo(tmp):
    """This source tree committed in a repository of its own."""
    dst = os.path.join(tmp, "netc-hooks")
    names = subprocess.run(["git", "ls-files", "-z", "-co", "--exclude-standard"],
                           capture_output=True, check=True).stdout.decode().split("\0")
    for name in names:
        if not name or not os.path.lexists(name):
            continue
        os.makedirs(os.path.join(dst, os.path.dirname(name)), exist_ok=True)
        shutil.copy2(name, os.path.join(dst, name), follow_symlinks=False)
    git(dst, "init", "-q")
    git(dst, "add", "-A")
    git(dst, "commit", "-qm", "netc")
    rev = git(dst, "rev-parse", "HEAD").stdout.strip()
    return dst, rev


def user_repo(tmp, name="repo"):
    repo = os.path.join(tmp, name)
    os.makedirs(os.path.join(repo, "nets"))
    os.makedirs(os.path.join(repo, "bad"))
    git(repo, "init", "-q")
    shutil.copy(clitest.INPUTS + "/block_use.net", os.path.join(repo, "old.net"))
    git(repo, "add", "old.net")
    git(repo, "commit", "-qm", "an old file with an error")
    shutil.copy("examples/seed.net", os.path.join(repo, "nets/seed.net"))
    shutil.copy(clitest.INPUTS + "/shape.net", os.path.join(repo, "bad/shape.net"))
    shutil.copy(clitest.INPUTS + "/syntax.net", os.path.join(repo, "untracked.net"))
    with open(os.path.join(repo, "README.md"), "w") as f:
        f.write("models\n")
    git(repo, "add", "nets/seed.net", "bad/shape.net", "README.md")
    return repo


def staged(repo):
    """The staged files, as pre-commit lists them."""
    out = git(repo, "diff", "--staged", "--name-only", "--no-ext-diff", "-z",
              "--diff-filter=ACMRTUXB").stdout
    return [f for f in out.split("\0") if f]


def run_hook(hook, hooks_dir, repo, env, args=None):
    """The hook's entry on the staged files that match it, as pre-commit
    runs a hook: from the repository's root, one call (require_serial)."""
    files = [f for f in staged(repo) if re.search(hook["files"], f)
             and not re.search(hook.get("exclude", "^$"), f)]
    argv = shlex.split(hook["entry"])
    if hook["language"] == "script":
        argv[0] = os.path.join(hooks_dir, argv[0])
    argv += list(args if args is not None else hook.get("args", [])) + files
    p = subprocess.run(argv, cwd=repo, env=env, capture_output=True, text=True, timeout=900)
    return p, files


def hooks_by_id():
    with open(".pre-commit-hooks.yaml", encoding="utf-8") as f:
        return {h["id"]: h for h in yaml.safe_load(f)}


def path_with(netc, tmp):
    bindir = os.path.join(tmp, "bin")
    os.makedirs(bindir, exist_ok=True)
    if not os.path.lexists(os.path.join(bindir, "netc")):
        os.symlink(netc, os.path.join(bindir, "netc"))
    return dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""))


def check_outcome(s, p, what):
    """The staged error fails the hook; the warnings show; the files that
    are not staged are not read."""
    out = p.stdout + p.stderr
    s.eq(p.returncode, 1, what + ": the staged error fails the hook")
    s.check("bad/shape.net:6:5: error:" in out, what + ": the error is shown", out)
    s.check("nets/seed.net:7:5: warning:" in out, what + ": so are the warnings", out)
    s.check("untracked.net" not in out and "old.net" not in out,
            what + ": files that are not staged are not checked", out)


def test_definitions(s):
    s.context = ".pre-commit-hooks.yaml"
    hooks = hooks_by_id()
    s.eq(sorted(hooks), ["netc-check", "netc-check-system"], "the hook ids")
    for hid, h in hooks.items():
        for key in ["name", "entry", "language", "files"]:
            s.check(h.get(key), "%s: a %s" % (hid, key))
        s.check(h.get("require_serial") is True,
                "%s: require_serial: one netc for all the files, as one report" % hid)
        rx = re.compile(h.get("files", "^$"))
        for name in ["a.net", "models/resnet.net", "my model.net"]:
            s.check(rx.search(name), "%s: files matches %s" % (hid, name))
        for name in ["a.netrc", "a.net.bak", "README.md", "dotnet.csproj"]:
            s.check(not rx.search(name), "%s: files does not match %s" % (hid, name))
    s.eq(hooks["netc-check-system"].get("language"), "system", "netc-check-system: system")
    s.eq(shlex.split(hooks["netc-check-system"]["entry"]), ["netc", "check"],
         "netc-check-system runs netc check")
    script = shlex.split(hooks["netc-check"]["entry"])
    s.eq(hooks["netc-check"].get("language"), "script", "netc-check: a script of the repo")
    s.check(os.access(script[0], os.X_OK), "netc-check: %s is executable" % script[0])
    s.eq(script[1:], ["check"], "netc-check runs netc check")


def test_system(s, netc, tmp):
    hooks_dir = None   # language: system runs nothing of the hooks' repository
    repo = user_repo(tmp)
    hook = hooks_by_id()["netc-check-system"]
    env = path_with(netc, tmp)
    p, files = run_hook(hook, hooks_dir, repo, env)
    s.context = "netc-check-system"
    s.eq(sorted(files), ["bad/shape.net", "nets/seed.net"], "the staged .net files")
    check_outcome(s, p, "netc-check-system")
    # warnings alone pass; -Werror makes them fail
    git(repo, "rm", "-q", "--cached", "bad/shape.net")
    p, _ = run_hook(hook, hooks_dir, repo, env)
    s.eq(p.returncode, 0, "warnings alone pass")
    s.check("[rf-coverage]" in p.stderr, "and are shown", p.stderr)
    p, _ = run_hook(hook, hooks_dir, repo, env, args=["-Werror"])
    s.eq(p.returncode, 1, "args: [-Werror]: the warnings fail")


def test_cannot_build(s, netc, tmp):
    """netc-check without the tools to build netc: exit 2, and what to do."""
    hooks_dir, _ = hook_repo(tmp)
    repo = user_repo(tmp, "repo-nobuild")
    bindir = os.path.join(tmp, "bare-bin")
    os.makedirs(bindir)
    for tool in ["dirname", "mkdir", "tail", "cp", "mv"]:
        os.symlink(shutil.which(tool), os.path.join(bindir, tool))
    env = dict(os.environ, PATH=bindir)
    hook = hooks_by_id()["netc-check"]
    p, _ = run_hook(hook, hooks_dir, repo, env)
    s.context = "netc-check, no cmake"
    s.eq(p.returncode, 2, "exit 2")
    s.check("netc-check: building netc needs cmake cc flex bison" in p.stderr,
            "names the missing tools", p.stderr)
    s.check("netc-check-system" in p.stderr and "deps.sh --build" in p.stderr,
            "and the ways out", p.stderr)


def test_build(s, netc, tmp):
    hooks_dir, _ = hook_repo(tmp)
    repo = user_repo(tmp)
    hook = hooks_by_id()["netc-check"]
    s.context = "netc-check"
    p, _ = run_hook(hook, hooks_dir, repo, dict(os.environ))
    s.check("netc-check: building netc" in p.stderr, "the first run builds netc", p.stderr)
    check_outcome(s, p, "netc-check, first run")
    p, _ = run_hook(hook, hooks_dir, repo, dict(os.environ))
    s.check("building" not in p.stderr, "the second run uses the netc it built", p.stderr)
    check_outcome(s, p, "netc-check, second run")
    built = os.path.join(hooks_dir, "build-pre-commit/bin/netc")
    v = subprocess.run([built, "--version"], capture_output=True, text=True).stdout
    want = subprocess.run([netc, "--version"], capture_output=True, text=True).stdout
    s.eq(v, want, "it is this netc")


def doc_configs():
    """The .pre-commit-config.yaml blocks of docs/ci.md, parsed."""
    with open("docs/ci.md", encoding="utf-8") as f:
        text = f.read()
    blocks = re.findall(r"^```yaml\n(# \.pre-commit-config\.yaml\n.*?)^```", text, re.M | re.S)
    return [yaml.safe_load(b) for b in blocks], text


def test_docs(s):
    """docs/ci.md: the hook repository's use first, with a hook it has; the
    table of hooks; the local hook is netc-check-system's."""
    s.context = "docs/ci.md"
    hooks = hooks_by_id()
    configs, text = doc_configs()
    if not s.eq(len(configs), 2, "two .pre-commit-config.yaml examples"):
        return
    first = configs[0]["repos"][0]
    s.eq(first.get("repo"), "https://github.com/OWNER/netc", "the first uses netc's repository")
    s.eq(first.get("rev"), "TAG", "at a tag")
    s.eq([h["id"] for h in first["hooks"]], ["netc-check"], "its hook netc-check")
    table = re.findall(r"^\| `([\w-]+)` \|", text[text.index("## Before the commit"):], re.M)
    s.eq(sorted(table), sorted(hooks), "the table lists the hooks")
    local = configs[1]["repos"][0]
    s.eq(local.get("repo"), "local", "the second is a local hook")
    h = local["hooks"][0]
    sysh = hooks["netc-check-system"]
    for key in ["entry", "language", "files", "require_serial"]:
        s.eq(h.get(key), sysh.get(key), "the local hook's %s is netc-check-system's" % key)


def test_real(s, netc, tmp):
    pc = shutil.which("pre-commit")
    hooks_dir, rev = hook_repo(tmp)
    env = path_with(netc, tmp)
    env.update(GIT_ENV, PRE_COMMIT_HOME=os.path.join(tmp, "pre-commit-home"))
    for hid in ["netc-check-system", "netc-check"]:
        s.context = "pre-commit, " + hid
        repo = user_repo(tmp, "repo-" + hid)
        # docs/ci.md's configuration, with this repository, rev and hook
        config = doc_configs()[0][0]
        config["repos"][0].update(repo=hooks_dir, rev=rev)
        config["repos"][0]["hooks"][0]["id"] = hid
        with open(os.path.join(repo, ".pre-commit-config.yaml"), "w") as f:
            yaml.safe_dump(config, f)
        git(repo, "add", ".pre-commit-config.yaml")
        p = subprocess.run([pc, "install"], cwd=repo, env=env, capture_output=True, text=True)
        s.eq(p.returncode, 0, "pre-commit install")
        p = git(repo, "commit", "-m", "models", env=env)
        check_outcome(s, p, "git commit")
        s.check("- hook id: %s" % hid in p.stdout + p.stderr, "pre-commit names the hook",
                p.stdout + p.stderr)
        s.check(git(repo, "rev-list", "--count", "HEAD").stdout.strip() == "1",
                "the commit did not happen")
        git(repo, "rm", "-q", "--cached", "bad/shape.net")
        p = git(repo, "commit", "-m", "models", env=env)
        s.eq(p.returncode, 0, "warnings alone: the commit happens")
        s.check("building" not in p.stdout + p.stderr, "netc is not built again")


def main():
    if len(sys.argv) != 3 or sys.argv[2] not in ("fast", "build", "real"):
        print("usage: test_precommit.py NETC fast|build|real")
        print("0 passed, 1 failed")
        sys.exit(1)
    mode = sys.argv[2]
    if mode == "real" and not shutil.which("pre-commit"):
        print("SKIP: cli.pre-commit.real: pre-commit is not installed, so the hooks were not "
              "run by pre-commit itself. To enable it: apt-get install pre-commit "
              "(sh scripts/deps.sh installs it)")
        sys.exit(SKIP)
    s = clitest.Suite(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        if mode == "fast":
            s.test(test_definitions, s)
            s.test(test_docs, s)
            s.test(test_system, s, s.netc, os.path.join(tmp, "a"))
            s.test(test_cannot_build, s, s.netc, os.path.join(tmp, "b"))
        elif mode == "build":
            s.test(test_build, s, s.netc, tmp)
        else:
            s.test(test_real, s, s.netc, tmp)
    s.finish()


if __name__ == "__main__":
    main()
