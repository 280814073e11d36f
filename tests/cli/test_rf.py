#!/usr/bin/python3
# test_rf.py: `netc rf FILE [--layer NAME] [--svg OUT.svg]`.
#
# The text is the growth table of the receptive field along its path, pinned
# for examples/seed.net; the default layer is the last spatial one; an
# unknown --layer is bad usage. The SVG must be well-formed, self-contained
# (no script, no image, no URL but the SVG namespace), and draw what the
# table says: the input grid, one rect.field per layer of the growth path
# where the field grows, each as large as that layer's field in grid cells, nested
# from the outermost (the layer's) in, and the corner unit's field, dashed.

import json
import math
from fractions import Fraction
import os
import re
import tempfile
import xml.etree.ElementTree as ET

import clitest

SVG = "{http://www.w3.org/2000/svg}"

SEED_TEXT = """\
Receptive field of 'conv2d_3' (conv2d) in network 'mnist_nopool', input 'x' 28×28

Layer (type)              Window        Size      Jump   Pad    Covers (centre unit)
x (input)                               1×1       1      0      1×1 (3.6% × 3.6%)
conv2d_1 (conv2d)         3×3 /1        3×3       1      0      3×3 (11% × 11%)
conv2d_2 (conv2d)         3×3 /1        5×5       1      0      5×5 (18% × 18%)
conv2d_3 (conv2d)         3×3 /1        7×7       1      0      7×7 (25% × 25%)

'conv2d_3' sees 7×7 of the 28×28 input.
"""


def table_rows(text):
    """(name, op, size_h, size_w, jump, pad) of each row of the table."""
    rows = []
    for line in text.split("\n"):
        m = re.match(r"^(\S+) \((\w+)\)\s.*?(\d+)×(\d+)\s+(\S+)\s+(\S+)\s+\d+×\d+ \(", line)
        if m:
            rows.append((m.group(1), m.group(2), int(m.group(3)), int(m.group(4)),
                         m.group(5), m.group(6)))
    return rows


def last_spatial(summ):
    spatial = [l["name"] for l in summ["layers"] if len(l["shape"]) == 3 and l["op"] != "input"]
    return spatial[-1] if spatial else None


def fnum(e, attr):
    return float(e.get(attr))


def box(e):
    x, y = fnum(e, "x"), fnum(e, "y")
    return (x, y, x + fnum(e, "width"), y + fnum(e, "height"))


def inside(inner, outer, eps=0.02):
    return (outer[0] <= inner[0] + eps and outer[1] <= inner[1] + eps and
            inner[2] <= outer[2] + eps and inner[3] <= outer[3] + eps)


def check_self_contained(s, raw):
    """No external reference of any kind in the SVG's text."""
    urls = set(re.findall(r"https?://[^\s\"'<>)]*", raw))
    s.eq(urls - {"http://www.w3.org/2000/svg"}, set(), "no URL but the SVG namespace")
    root = ET.fromstring(raw)
    tags = {e.tag.replace(SVG, "") for e in root.iter()}
    for bad in ["script", "image", "foreignObject", "use", "style", "a", "iframe", "link"]:
        s.check(bad not in tags, "no <%s> element" % bad)
    attrs = {k for e in root.iter() for k in e.attrib}
    s.check(not any(k.endswith("href") for k in attrs), "no href attribute", attrs)
    s.check(not any(re.match(r"^on", k.split("}")[-1]) for k in attrs),
            "no event handler attribute", attrs)
    s.check(not re.search(r"url\((?!#)|@import|<!ENTITY|<\?xml-stylesheet", raw),
            "no external url(), @import, entity or style sheet")


def check_svg(s, path, text, summ, layer):
    """The picture of LAYER's field agrees with its table TEXT."""
    with open(path, "rb") as f:
        raw = f.read().decode("utf-8")
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as e:
        s.check(False, "the SVG is well-formed XML: %s" % e)
        return
    s.eq(root.tag, SVG + "svg", "the root is <svg> in the SVG namespace")
    s.check(re.fullmatch(r"\d+", root.get("width", "")) and
            re.fullmatch(r"\d+", root.get("height", "")),
            "width and height in pixels", root.attrib)
    check_self_contained(s, raw)

    rows = table_rows(text)
    layers = {l["name"]: l for l in summ["layers"]}
    src = layers[rows[0][0]] if rows and rows[0][0] in layers else None
    if not s.check(src and len(src["shape"]) == 3, "the path starts at a spatial input", rows[:1]):
        return
    H, W = src["shape"][0], src["shape"][1]

    grid = [e for e in root.iter(SVG + "rect") if e.get("id") == "input"]
    if not s.eq(len(grid), 1, "one rect#input, the input grid"):
        return
    g = box(grid[0])
    cell = (g[2] - g[0]) / W
    s.check(abs((g[3] - g[1]) / H - cell) < 0.01, "the grid's cells are square",
            (g, H, W))
    s.check(cell > 0, "the grid has a size", cell)

    fields = [e for e in root.iter(SVG + "rect") if e.get("class") == "field"]
    # the layers where the field grows: the first of each run of equal
    # fields after the input; the run of the layer itself is named after it
    path_rows, prev = [], rows[0]
    for r in rows[1:]:
        if (r[2], r[3]) != (prev[2], prev[3]):
            path_rows.append(r)
        prev = r
    if path_rows and (path_rows[-1][2], path_rows[-1][3]) == (rows[-1][2], rows[-1][3]):
        path_rows[-1] = rows[-1]
    else:
        path_rows.append(rows[-1])
    s.eq([e.get("data-layer") for e in fields], [r[0] for r in reversed(path_rows)],
         "one rect.field per layer of the growth path, outermost first")
    for e, r in zip(fields, reversed(path_rows)):
        name, _, sh, sw = r[:4]
        s.check(abs(fnum(e, "width") - sw * cell) < 0.02 and
                abs(fnum(e, "height") - sh * cell) < 0.02,
                "field of %s: %d×%d cells of %.2f px" % (name, sh, sw, cell),
                (e.get("width"), e.get("height")))
        if name in layers:
            rf = layers[name]["rf"]["size"]
            s.eq((sh, sw), (rf[0], rf[1]), "field of %s: the summary's rf size" % name)
    boxes = [box(e) for e in fields]
    for k in range(len(boxes) - 1):
        s.check(inside(boxes[k + 1], boxes[k]),
                "the field of %s lies inside that of %s" % (fields[k + 1].get("data-layer"),
                                                            fields[k].get("data-layer")))

    # the target unit: the centre one, (n − 1) // 2 on each axis
    L = layers[layer]
    if fields and len(L["shape"]) == 3:
        rf = L["rf"]
        cy, cx = (L["shape"][0] - 1) // 2, (L["shape"][1] - 1) // 2
        # a fractional field starts at the position it reaches into
        want = (g[0] + math.floor(cx * Fraction(rf["jump"][1]) - Fraction(rf["pad"][1])) * cell,
                g[1] + math.floor(cy * Fraction(rf["jump"][0]) - Fraction(rf["pad"][0])) * cell)
        s.check(abs(boxes[0][0] - want[0]) < 0.02 and abs(boxes[0][1] - want[1]) < 0.02,
                "the outermost field is the centre unit's", (boxes[0][:2], want))

    corner = [e for e in root.iter(SVG + "rect") if e.get("class") == "corner"]
    if s.eq(len(corner), 1, "one rect.corner"):
        c = corner[0]
        rf = L["rf"]
        s.check(c.get("stroke-dasharray"), "the corner field is dashed")
        s.eq(c.get("fill"), "none", "the corner field is not filled")
        s.check(abs(fnum(c, "x") - (g[0] + math.floor(-Fraction(rf["pad"][1])) * cell)) < 0.02 and
                abs(fnum(c, "y") - (g[1] + math.floor(-Fraction(rf["pad"][0])) * cell)) < 0.02,
                "the corner field starts at −pad", (c.attrib, rf))
        s.check(abs(fnum(c, "width") - rf["size"][1] * cell) < 0.02 and
                abs(fnum(c, "height") - rf["size"][0] * cell) < 0.02,
                "the corner field is as large as the layer's field")

    # everything drawn lies inside the picture
    wpx, hpx = float(root.get("width")), float(root.get("height"))
    for e in root.iter(SVG + "rect"):
        if e.get("x") is None:
            continue
        b = box(e)
        s.check(b[0] >= -0.01 and b[1] >= -0.01 and b[2] <= wpx + 0.01 and b[3] <= hpx + 0.01,
                "rect %s inside the %gx%g picture" % (e.get("data-layer") or e.get("id"),
                                                      wpx, hpx), b)
    texts = " ".join("".join(t.itertext()) for t in root.iter(SVG + "text"))
    s.check("%d×%d" % tuple(L["rf"]["size"]) in texts, "the text gives the field's size")


def test_seed_text(s):
    s.context = "netc rf examples/seed.net"
    r = s.run("rf", "examples/seed.net")
    s.status(r, 0)
    s.eq(r.out, SEED_TEXT, "the exact growth table")
    s.check("[rf-coverage]" in r.err, "the rf-coverage warning on standard error", r.err)
    s.eq(s.run("rf", "--layer", "conv2d_3", "examples/seed.net").out, SEED_TEXT,
         "--layer conv2d_3 is the default")


def test_default_layer(s):
    for path in clitest.EXAMPLES:
        s.context = "netc rf " + path
        summ = json.loads(s.run("summary", "--format=json", path).out)
        want = last_spatial(summ)
        r = s.run("rf", path)
        s.status(r, 0)
        first = r.out.split("\n", 1)[0]
        s.check(first.startswith("Receptive field of '%s' (" % want),
                "the default layer is the last spatial one, %s" % want, first)
        s.eq(s.run("rf", "--layer", want, path).out, r.out, "--layer %s: the same" % want)
        rows = table_rows(r.out)
        s.eq(rows[-1][0] if rows else None, want, "the table ends at the layer")
        layers = {l["name"]: l for l in summ["layers"]}
        for name, op, sh, sw, _, _ in rows:
            if name in layers:
                s.eq((op, sh, sw), (layers[name]["op"],) + tuple(layers[name]["rf"]["size"]),
                     "row %s: op and field size as in the summary" % name)


def test_bad_layer(s):
    s.context = "--layer"
    r = s.run("rf", "--layer", "no_such_layer", "examples/seed.net")
    s.status(r, 2, "an unknown --layer is bad usage (exit 2)")
    s.eq(r.out, "", "nothing on standard output")
    s.check("no_such_layer" in r.err, "the error names the layer", r.err)
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "missing", "x.svg")
        r = s.run("rf", "examples/seed.net", "--svg", out)
        s.status(r, 2, "--svg into a missing directory: exit 2")


def test_svg(s):
    with tempfile.TemporaryDirectory() as tmp:
        cases = [(p, None) for p in clitest.EXAMPLES]
        cases += [("examples/mnist.net", "maxpool2d_2"), ("examples/seed.net", "dense_1"),
                  ("examples/resnet18.net", "layer2.0.downsample.0")]
        for path, layer in cases:
            s.context = "netc rf %s%s --svg" % (path, " --layer " + layer if layer else "")
            summ = json.loads(s.run("summary", "--format=json", path).out)
            layer = layer or last_spatial(summ)
            out = os.path.join(tmp, "rf.svg")
            r = s.run("rf", "--layer", layer, "--svg", out, path)
            if s.status(r, 0) and s.check(os.path.isfile(out), "the SVG is written"):
                check_svg(s, out, r.out, summ, layer)
            if os.path.exists(out):
                os.unlink(out)


def test_seed_svg(s):
    """The picture of the introduction: 28×28 grid, 3×3 ⊂ 5×5 ⊂ 7×7 at the centre."""
    s.context = "seed SVG"
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "seed.svg")
        s.status(s.run("rf", "examples/seed.net", "--svg", out), 0)
        root = ET.parse(out).getroot()
        g = box([e for e in root.iter(SVG + "rect") if e.get("id") == "input"][0])
        cell = (g[2] - g[0]) / 28
        got = []
        for e in root.iter(SVG + "rect"):
            if e.get("class") == "field":
                b = box(e)
                got.append((e.get("data-layer"), round((b[1] - g[1]) / cell),
                            round((b[0] - g[0]) / cell), round((b[3] - b[1]) / cell)))
        # conv2d_3's centre unit (10, 10) sees rows 10–16; its conv2d_2 and
        # conv2d_1 units nearest the centre see 11–15 and 12–14
        s.eq(got, [("conv2d_3", 10, 10, 7), ("conv2d_2", 11, 11, 5), ("conv2d_1", 12, 12, 3)],
             "fields (layer, top row, left column, size) in grid cells")
        title = "".join(root.find(SVG + "title").itertext()) if root.find(SVG + "title") is \
            not None else ""
        s.check("conv2d_3" in title, "a <title> naming the layer", title)
        texts = ["".join(t.itertext()) for t in root.iter(SVG + "text")]
        s.check(any("7×7 of the 28×28" in t for t in texts), "the heading says 7×7 of 28×28",
                texts)


if __name__ == "__main__":
    clitest.main([test_seed_text, test_default_layer, test_bad_layer, test_svg, test_seed_svg])
