#!/usr/bin/python3
# test_graph.py: `netc graph FILE [--format=dot|svg] [-o FILE]`.
#
# The DOT of every example must be accepted by Graphviz (`dot -Tsvg`, which
# must be installed: Debian's graphviz), hold one node per layer of the
# summary, one edge per layer input labelled with the tensor's shape, one
# cluster per block call holding that call's layers, and highlight exactly
# the layers that have warnings. --format=svg runs dot; where dot is missing
# netc says so, naming Graphviz, and exits 2.

import json
import os
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET

import clitest

SVG = "{http://www.w3.org/2000/svg}"


def dot_attrs(text):
    """key=value pairs of a DOT attribute list (values quoted or bare)."""
    out = {}
    for m in re.finditer(r'(\w+)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\]\s]+)', text):
        v = m.group(2)
        if v.startswith('"'):
            v = v[1:-1].replace('\\"', '"')
        out[m.group(1)] = v
    return out


def parse_dot(text):
    """Nodes {name: attrs}, edges [(from, to, attrs)], clusters
    {id: (label, [nodes])}, the default node attributes."""
    nodes, edges, clusters, default = {}, [], {}, {}
    stack = []
    for line in text.split("\n"):
        t = line.strip()
        m = re.match(r'^subgraph "(cluster_[^"]*)" \{$', t)
        if m:
            stack.append(m.group(1))
            clusters[m.group(1)] = [None, []]
            continue
        if t == "}" and stack:
            stack.pop()
            continue
        m = re.match(r'^label="((?:[^"\\]|\\.)*)";$', t)
        if m and stack:
            clusters[stack[-1]][0] = m.group(1)
            continue
        m = re.match(r'^node \[(.*)\];$', t)
        if m:
            default = dot_attrs(m.group(1))
            continue
        m = re.match(r'^"((?:[^"\\]|\\.)*)" -> "((?:[^"\\]|\\.)*)"(?: \[(.*)\])?;$', t)
        if m:
            edges.append((m.group(1), m.group(2), dot_attrs(m.group(3) or "")))
            continue
        m = re.match(r'^"((?:[^"\\]|\\.)*)" \[(.*)\];$', t)
        if m:
            nodes[m.group(1)] = dot_attrs(m.group(2))
            if stack:
                clusters[stack[-1]][1].append(m.group(1))
    return nodes, edges, {k: tuple(v) for k, v in clusters.items()}, default


def shape_text(shape):
    return "(%d)" % shape[0] if len(shape) == 1 else "×".join(str(d) for d in shape)


def block_calls(path):
    """local name -> the blocks called by that name in `name = block(...)`
    statements of the file (quoted names unquoted), where block is a block
    defined in it; inline calls draw no cluster and are left out."""
    with open(path, encoding="utf-8") as f:
        src = re.sub(r"#[^\n]*", "", f.read())
    blocks = set(re.findall(r"\bblock\s+([A-Za-z_]\w*)\s*\(", src))
    calls = {}
    for m in re.finditer(r'("[^"]*"|[A-Za-z_][\w.]*)\s*=\s*([A-Za-z_]\w*)\s*\(', src):
        if m.group(2) in blocks:
            calls.setdefault(m.group(1).strip('"'), set()).add(m.group(2))
    return calls


def cluster_call(cluster, calls):
    """The local call name a cluster's full name ends with, or None: a call
    inside a block is named prefix + "." + its local name."""
    best = None
    for c in calls:
        if (cluster == c or cluster.endswith("." + c)) and (best is None or len(c) > len(best)):
            best = c
    return best


def highlighted(attrs, default):
    return ("penwidth" in attrs or
            attrs.get("fillcolor", default.get("fillcolor")) != default.get("fillcolor"))


def test_examples(s):
    for path in clitest.EXAMPLES:
        s.context = path
        r = s.run("graph", path)
        s.status(r, 0)
        summ = json.loads(s.run("summary", "--format=json", path).out)
        layers = {l["name"]: l for l in summ["layers"]}
        nodes, edges, clusters, default = parse_dot(r.out)

        # Graphviz accepts it, and draws what we count
        d = subprocess.run(["dot", "-Tsvg"], input=r.out.encode(), capture_output=True)
        s.eq(d.returncode, 0, "dot -Tsvg accepts the DOT")
        s.eq(d.stderr.decode(), "", "dot -Tsvg says nothing on standard error")
        try:
            root = ET.fromstring(d.stdout)
            groups = [g.get("class") for g in root.iter(SVG + "g")]
            s.eq(groups.count("node"), len(layers), "dot draws one node per layer")
            s.eq(groups.count("edge"), sum(len(l["inputs"]) for l in summ["layers"]),
                 "dot draws one edge per input")
            s.eq(groups.count("cluster"), len(clusters), "dot draws the clusters")
        except ET.ParseError as e:
            s.check(False, "dot's SVG parses: %s" % e)

        # a node per layer, an edge per input
        s.eq(sorted(nodes), sorted(layers), "one node per layer of the summary")
        want_edges = sorted((i, l["name"]) for l in summ["layers"] for i in l["inputs"])
        s.eq(sorted((a, b) for a, b, _ in edges), want_edges, "one edge per layer input")
        for a, b, attrs in edges:
            if a in layers:
                s.eq(attrs.get("label"), shape_text(layers[a]["shape"]),
                     "edge %s -> %s: labelled with the tensor's shape" % (a, b))
        for name, attrs in nodes.items():
            label = attrs.get("label", "").split("\\n")
            l = layers.get(name)
            if not l:
                continue
            s.eq(label[0], name, "node %s: its label starts with its name" % name)
            s.check(shape_text(l["shape"]) in label, "node %s: its label has its shape" % name,
                    label)
            rf = l["rf"]
            # a fractional jump is the string "1/2" in JSON and in the label
            s.check("RF %d×%d, jump %s" % (rf["size"][0], rf["size"][1], rf["jump"][0]) in label
                    or "RF %d×%d, jump %s×%s" % (rf["size"][0], rf["size"][1], rf["jump"][0],
                                                rf["jump"][1]) in label,
                    "node %s: its label has its receptive field" % name, label)

        # a cluster per block call, holding the call's layers
        calls = block_calls(path)
        # the network's own calls each have a cluster with every layer of
        # their prefix; calls inside blocks are nested clusters
        top = {c for c in calls if any(n.startswith(c + ".") for n in layers)}
        for c in top:
            s.check("cluster_" + c in clusters, "a cluster for call %s" % c)
        for k, (label, members) in clusters.items():
            full = k[len("cluster_"):]
            c = cluster_call(full, calls)
            s.check(any(label == "%s (%s)" % (full, b) for b in calls.get(c, ())),
                    "cluster %s: labelled call (block)" % full, label)
            s.check(all(n.startswith(full + ".") for n in members),
                    "cluster %s: holds only layers of its prefix" % full)

        # the layers with warnings, and only those, are highlighted
        j = json.loads(s.run("check", "--format=json", path).out)
        warned = {d["layer"] for f in j["files"] for d in f["diagnostics"]
                  if d["severity"] == "warning" and d.get("layer")}
        lit = {n for n, a in nodes.items() if highlighted(a, default)}
        s.eq(sorted(lit), sorted(warned), "highlighted nodes are the layers with warnings")
        for f in j["files"]:
            for d in f["diagnostics"]:
                if d.get("layer") in nodes:
                    s.check("[%s]" % d["id"] in nodes[d["layer"]].get("tooltip", ""),
                            "node %s: its tooltip names [%s]" % (d["layer"], d["id"]))


def test_resnet_clusters(s):
    s.context = "examples/resnet18.net"
    _, _, clusters, _ = parse_dot(s.run("graph", "examples/resnet18.net").out)
    want = ["layer%d.%d" % (a, b) for a in range(1, 5) for b in range(2)]
    s.eq(sorted(k[len("cluster_"):] for k in clusters), want, "8 clusters, layer1.0 … layer4.1")
    s.eq(len(clusters.get("cluster_layer2.0", (None, []))[1]), 9,
         "layer2.0 (basic_down) holds 9 layers, the downsample included")


def test_mnist_warning(s):
    s.context = "examples/mnist.net"
    nodes, _, _, default = parse_dot(s.run("graph", "examples/mnist.net").out)
    lit = sorted(n for n, a in nodes.items() if highlighted(a, default))
    s.eq(lit, ["maxpool2d_2"], "only maxpool2d_2 (dropped-pixels) is highlighted")
    tip = nodes.get("maxpool2d_2", {}).get("tooltip", "")
    s.check("dropped-pixels" in tip and "11×11" in tip,
            "maxpool2d_2's tooltip is the warning", tip)


def test_svg(s):
    s.context = "--format=svg"
    r = s.run("graph", "--format=svg", "examples/mnist.net")
    s.status(r, 0)
    try:
        root = ET.fromstring(r.out.encode())
        s.eq(root.tag, SVG + "svg", "SVG on standard output")
    except ET.ParseError as e:
        s.check(False, "SVG on standard output parses: %s" % e, r.out[:500])
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "mnist.svg")
        r = s.run("graph", "--format=svg", "-o", out, "examples/mnist.net")
        s.status(r, 0)
        s.eq(r.out, "", "-o: nothing on standard output")
        s.check(os.path.isfile(out), "-o: the file is written")
        if os.path.isfile(out):
            root = ET.parse(out).getroot()
            s.eq(root.tag, SVG + "svg", "-o: the file is SVG")
            titles = [t.text for t in root.iter(SVG + "title")]
            s.check("maxpool2d_2" in titles, "the SVG has the node maxpool2d_2", titles)
        # DOT to a file is the DOT of standard output
        out = os.path.join(tmp, "mnist.dot")
        r = s.run("graph", "-o", out, "examples/mnist.net")
        s.status(r, 0)
        with open(out, encoding="utf-8") as f:
            s.eq(f.read(), s.run("graph", "examples/mnist.net").out, "-o FILE holds the DOT")
    r = s.run("graph", "--format=png", "examples/mnist.net")
    s.status(r, 2, "--format=png is bad usage (exit 2)")


def test_without_dot(s):
    """PATH without dot: --format=svg fails clearly, --format=dot works."""
    with tempfile.TemporaryDirectory() as tmp:
        bindir = os.path.join(tmp, "bin")
        os.mkdir(bindir)
        for tool in ["sh", "cat", "env", "ls"]:
            p = shutil.which(tool)
            if p:
                os.symlink(p, os.path.join(bindir, tool))
        out = os.path.join(tmp, "g.svg")
        for label, path in [("PATH with tools but no dot", bindir), ("PATH=/nonexistent",
                                                                       "/nonexistent")]:
            env = dict(os.environ, PATH=path)
            s.context = label
            r = s.run("graph", "--format=svg", "examples/mnist.net", env=env)
            s.status(r, 2, "--format=svg without dot: exit 2")
            s.eq(r.out, "", "nothing on standard output")
            s.check(re.search(r"graphviz", r.err, re.I) and "dot" in r.err,
                    "the error names Graphviz and dot", r.err)
            r = s.run("graph", "--format=svg", "-o", out, "examples/mnist.net", env=env)
            s.status(r, 2, "--format=svg -o FILE without dot: exit 2")
            s.check(not os.path.exists(out), "no output file is left behind")
            r = s.run("graph", "examples/mnist.net", env=env)
            s.status(r, 0, "--format=dot needs no dot")
            s.check(r.out.startswith("digraph"), "DOT on standard output", r.out[:200])


if __name__ == "__main__":
    clitest.main([test_examples, test_resnet_clusters, test_mnist_warning, test_svg,
                  test_without_dot])
