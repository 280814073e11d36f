# ghaction.py: runs a composite GitHub Action (action.yml) on this machine,
# step by step, as a GitHub runner does, so that tests/cli/test_action.py
# can catch a broken action before a user's pull request does.
#
# What it reproduces of the runner:
# - the inputs: the action's defaults, overridden by the workflow's `with:`;
# - each step's `if:` (an implicit success() unless the expression calls
#   always() or failure()), written with `inputs.X`, `steps.ID.outputs.X`,
#   ==, !=, && and ||;
# - `run:` steps under `bash --noprofile --norc -eo pipefail`, GitHub's
#   command line for `shell: bash`, in the workspace, with the step's `env:`
#   (its ${{ }} expressions evaluated), RUNNER_TEMP, GITHUB_ACTION_PATH,
#   GITHUB_WORKSPACE, and fresh GITHUB_OUTPUT, GITHUB_PATH, GITHUB_ENV and
#   GITHUB_STEP_SUMMARY files, read back after the step as the runner does;
# - `uses:` steps are not run: they are recorded with their evaluated
#   `with:`, for the test to look at what they would have been given;
# - the action's outputs, evaluated at the end.
#
# It refuses what it cannot reproduce (another shell, an expression outside
# that grammar) rather than guess. Needs Debian's python3-yaml.

import os
import re
import subprocess

import yaml

BASH = ["bash", "--noprofile", "--norc", "-eo", "pipefail"]


class ActionError(Exception):
    """action.yml uses something this runner does not reproduce."""


class Step:
    def __init__(self, spec, index):
        self.spec = spec
        self.id = spec.get("id", "__step%d" % index)
        self.name = spec.get("name", self.id)
        self.ran = False
        self.skipped = False
        self.rc = None
        self.out = ""
        self.outputs = {}
        self.env = {}
        self.inputs = {}   # `with:` of a `uses:` step, evaluated


class Run:
    """One run of the action: its steps, their output, the job's result."""

    def __init__(self, steps, outputs, failed):
        self.steps, self.outputs, self.failed = steps, outputs, failed

    def step(self, name_or_id):
        for s in self.steps:
            if s.id == name_or_id or s.name == name_or_id:
                return s
        raise KeyError(name_or_id)

    @property
    def log(self):
        return "".join(s.out for s in self.steps)


def load(path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def _read_outputs(path):
    """GITHUB_OUTPUT: NAME=VALUE lines, or NAME<<DELIM ... DELIM."""
    out = {}
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^([^=<]+)<<(.+)$", line)
        if m:
            name, delim, val = m.group(1), m.group(2), []
            i += 1
            while i < len(lines) and lines[i] != delim:
                val.append(lines[i])
                i += 1
            out[name] = "\n".join(val)
        elif "=" in line:
            k, v = line.split("=", 1)
            out[k] = v
        i += 1
    return out


class Context:
    def __init__(self, inputs, steps, action_path, workspace):
        self.inputs, self.steps = inputs, steps
        self.github = {"action_path": action_path, "workspace": workspace}
        self.failed = False

    def value(self, ref):
        parts = ref.split(".")
        if parts[0] == "inputs" and len(parts) == 2:
            if parts[1] not in self.inputs:
                raise ActionError("no input %r" % parts[1])
            return self.inputs[parts[1]]
        if parts[0] == "steps" and len(parts) == 4 and parts[2] == "outputs":
            if parts[1] not in self.steps:
                raise ActionError("no step id %r before this one" % parts[1])
            return self.steps[parts[1]].outputs.get(parts[3], "")
        if parts[0] == "github" and len(parts) == 2 and parts[1] in self.github:
            return self.github[parts[1]]
        raise ActionError("cannot evaluate %r" % ref)

    def expr(self, e):
        """An expression: OR of ANDs of comparisons, always(), success(),
        failure(), or a reference."""
        e = e.strip()
        if e.startswith("${{") and e.endswith("}}"):
            e = e[3:-2].strip()
        ors = [x.strip() for x in e.split("||")]
        return any(all(self._term(t.strip()) for t in o.split("&&")) for o in ors)

    def _term(self, t):
        if t == "always()":
            return True
        if t == "success()":
            return not self.failed
        if t == "failure()":
            return self.failed
        m = re.fullmatch(r"([\w.-]+)\s*(==|!=)\s*'([^']*)'", t)
        if m:
            eq = str(self.value(m.group(1))) == m.group(3)
            return eq if m.group(2) == "==" else not eq
        m = re.fullmatch(r"[\w.-]+", t)
        if m:
            return bool(self.value(t))
        raise ActionError("cannot evaluate the condition %r" % t)

    def subst(self, text):
        """${{ ref }} in a string."""
        return re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", lambda m: str(self.value(m.group(1))),
                      str(text))


def run(action_dir, workspace, tmp, with_=None, env=None):
    """Runs the action at ACTION_DIR (its action.yml) in WORKSPACE, with
    RUNNER_TEMP under TMP. Returns a Run."""
    action = load(os.path.join(action_dir, "action.yml"))
    if action.get("runs", {}).get("using") != "composite":
        raise ActionError("not a composite action")
    inputs = {k: str(v.get("default", "")) for k, v in action.get("inputs", {}).items()}
    for k, v in (with_ or {}).items():
        if k not in inputs:
            raise ActionError("the action has no input %r" % k)
        inputs[k] = str(v).lower() if isinstance(v, bool) else str(v)
    runner_temp = os.path.join(tmp, "runner_temp")
    os.makedirs(runner_temp, exist_ok=True)
    base_env = dict(env if env is not None else os.environ)
    path_extra = []
    steps, by_id = [], {}
    ctx = Context(inputs, by_id, action_dir, workspace)
    for i, spec in enumerate(action["runs"]["steps"]):
        st = Step(spec, i)
        steps.append(st)
        cond = spec.get("if")
        if cond is None:
            go = not ctx.failed
        else:
            text = str(cond)
            implicit = not re.search(r"\b(always|failure|success|cancelled)\(\)", text)
            go = ctx.expr(text) and (not implicit or not ctx.failed)
        by_id[st.id] = st
        if not go:
            st.skipped = True
            continue
        st.env = {k: ctx.subst(v) for k, v in (spec.get("env") or {}).items()}
        if "uses" in spec:
            st.inputs = {k: ctx.subst(v) for k, v in (spec.get("with") or {}).items()}
            st.ran = True
            st.rc = 0
            continue
        if spec.get("shell") != "bash":
            raise ActionError("step %r: shell %r, not bash" % (st.name, spec.get("shell")))
        script = spec["run"]
        if "${{" in script:
            raise ActionError("step %r: ${{ }} inside run: (pass it through env:)" % st.name)
        files = {}
        for name in ["GITHUB_OUTPUT", "GITHUB_PATH", "GITHUB_ENV", "GITHUB_STEP_SUMMARY"]:
            files[name] = os.path.join(tmp, "%s_%d" % (name.lower(), i))
            open(files[name], "w").close()
        script_path = os.path.join(runner_temp, "step_%d.sh" % i)
        with open(script_path, "w", encoding="utf-8") as f:
            f.write(script)
        e = dict(base_env)
        e.update(files)
        e.update(RUNNER_TEMP=runner_temp, GITHUB_ACTION_PATH=action_dir,
                 GITHUB_WORKSPACE=workspace, GITHUB_ACTIONS="true", CI="true")
        if path_extra:
            e["PATH"] = os.pathsep.join(path_extra + [e.get("PATH", "")])
        e.update(st.env)
        p = subprocess.run(BASH + [script_path], cwd=workspace, env=e,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=900)
        st.ran = True
        st.rc = p.returncode
        st.out = p.stdout.decode("utf-8", "replace")
        st.outputs = _read_outputs(files["GITHUB_OUTPUT"])
        with open(files["GITHUB_PATH"], encoding="utf-8") as f:
            path_extra = [l for l in f.read().split("\n") if l][::-1] + path_extra
        base_env.update(_read_outputs(files["GITHUB_ENV"]))
        if st.rc != 0:
            ctx.failed = True
    outputs = {k: ctx.subst(v.get("value", "")) for k, v in action.get("outputs", {}).items()}
    return Run(steps, outputs, ctx.failed)
