#!/usr/bin/env python3
"""Writes a small synthetic dlib shape_predictor (DLIB-FORMAT.md §6.1) for the `shape` fuzz seed.

3 parts, 2 cascades of 2 depth-2 trees (3 splits, 4 leaves), 4 features per cascade. Run from the
repository root: python3 scripts/fuzz/make-shape-seed.py > Tests/Fixtures/fuzz/shape/tiny-3parts.dat
"""
import math
import sys


def integer(v):
    mag = abs(v)
    payload = bytearray()
    while True:
        payload.append(mag & 0xFF)
        mag >>= 8
        if mag == 0:
            break
    return bytes([len(payload) | (0x80 if v < 0 else 0)]) + bytes(payload)


def real(v):
    # m · 2^e with a 24-bit mantissa, as dlib writes a float.
    if v == 0:
        return integer(0) + integer(0)
    m, e = math.frexp(v)
    return integer(int(m * (1 << 24))) + integer(e - 24)


def column(values):
    return integer(-len(values)) + integer(-1) + b"".join(real(x) for x in values)


parts, cascades, trees, features = 3, 2, 2, 4
out = bytearray(integer(1))
out += column([0.2, 0.3, 0.8, 0.3, 0.5, 0.8])
out += integer(cascades)
for c in range(cascades):
    out += integer(trees)
    for t in range(trees):
        out += integer(3)
        for s in range(3):
            out += integer(s % features) + integer((s + 1 + t) % features) + real(0.25 * (s - 1))
        out += integer(4)
        for leaf in range(4):
            out += column([0.01 * (leaf + 1) * (-1) ** i for i in range(2 * parts)])
out += integer(cascades)
for c in range(cascades):
    out += integer(features) + b"".join(integer(f % parts) for f in range(features))
out += integer(cascades)
for c in range(cascades):
    out += integer(features) + b"".join(real(0.05 * f) + real(-0.025 * f) for f in range(features))
sys.stdout.buffer.write(bytes(out))
