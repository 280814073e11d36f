#!/usr/bin/env python3
"""gen_safetensors_seeds.py: writes the seed corpus of fuzz_safetensors.

    tests/fuzz/gen_safetensors_seeds.py [DIR]     (default: corpus-safetensors/)

Small safetensors files around the fixed network of fuzz_safetensors.c:
one that matches it exactly, and near misses (a wrong dtype, a wrong shape,
a missing and an extra tensor, offsets that overlap or run past the end,
metadata, an empty header). Standard library only; deterministic.
"""
import json
import os
import struct
import sys

SHAPES = {
    "c.weight": [2, 2, 1, 1], "c.bias": [2],
    "bn.weight": [2], "bn.bias": [2], "bn.running_mean": [2], "bn.running_var": [2],
    "bn.num_batches_tracked": [],
    "d.weight": [2, 1, 1, 1], "d.bias": [2],
    "fc.weight": [2, 32], "fc.bias": [2],
}


def count(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def build(tensors, meta=None, fix=None):
    """tensors: name -> (dtype, shape); fix: name -> (begin, end) override."""
    header, data = {}, b""
    for name, (dtype, shape) in tensors.items():
        size = {"F32": 4, "F16": 2, "I64": 8}[dtype]
        payload = b"".join(struct.pack("<f", 0.25 * (i % 7) - 0.5) for i in range(count(shape)))
        if dtype != "F32":
            payload = bytes(count(shape) * size)
        begin = len(data)
        data += payload
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [begin, len(data)]}
        if fix and name in fix:
            header[name]["data_offsets"] = list(fix[name])
    if meta:
        header["__metadata__"] = meta
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus-safetensors")
    os.makedirs(out, exist_ok=True)
    good = {n: ("I64" if n.endswith("tracked") else "F32", s) for n, s in SHAPES.items()}
    files = {
        "match.safetensors": build(good, meta={"format": "pt"}),
        "f16.safetensors": build(dict(good, **{"c.weight": ("F16", [2, 2, 1, 1])})),
        "bad-shape.safetensors": build(dict(good, **{"fc.weight": ("F32", [32, 2]),
                                                     "d.bias": ("F32", [3])})),
        "missing-extra.safetensors": build(dict({k: v for k, v in good.items() if k != "bn.bias"},
                                                **{"fc.extra": ("F32", [1])})),
        "bad-offsets.safetensors": build(good, fix={"c.bias": (0, 8), "fc.bias": (400, 900)}),
        "empty-header.safetensors": struct.pack("<Q", 2) + b"{}",
        "truncated.safetensors": build(good)[:120],
    }
    for name, data in files.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
