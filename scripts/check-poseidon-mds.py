#!/usr/bin/env python3
"""Checks the hand-written MDS layer in Sources/Poseidon/Poseidon+MDS.swift against the matrix.

The Swift code computes M·v (M = circ(c) + diag(8, 0, …)) as a cyclic convolution split by CRT
over z^12 - 1 = (z^3 - 1)(z^3 + 1)(z^6 + 1), with the halvings of the way back folded into the
images of the filter. This script re-derives those images from the constants file, asserts they
are the small integers the Swift code hard-codes, and replays every formula of the file (in
wrapping 64-bit arithmetic, as the Swift code runs) against a plain matrix product, on extreme
and random inputs up to the magnitudes the permutation produces. It also checks the bounds the
comments rely on. Run it after any change to Poseidon+MDS.swift or the constants.
"""
import json
import pathlib
import random
import sys

root = pathlib.Path(__file__).resolve().parent.parent
constants = root.parent / "shared/vectors/state-tree/poseidon-constants.json"
if not constants.exists():
    sys.exit(f"missing {constants}: the public vectors must sit in ../shared/vectors")
d = json.loads(constants.read_text())
circ, diag = d["mds_circulant_row"], d["mds_diagonal"]
assert diag == [8] + [0] * 11, "the Swift code adds the diagonal as 8·v[0]"
M = [[circ[(j - i) % 12] + (diag[i] if i == j else 0) for j in range(12)] for i in range(12)]
P = 2**64 - 2**32 + 1
W = 2**64

# --- 1. The images of f(z) = Σ c[k]·z^(-k) (so that (f·v)[i] = Σ_k c[k]·v[i+k]).
f = [circ[(-m) % 12] for m in range(12)]
a = [f[j] + f[j + 6] for j in range(6)]          # f mod z^6 - 1
b = [f[j] - f[j + 6] for j in range(6)]          # f mod z^6 + 1
u = [a[j] + a[j + 3] for j in range(3)]          # f mod z^3 - 1
w = [a[j] - a[j + 3] for j in range(3)]          # f mod z^3 + 1
assert all(x % 4 == 0 for x in u + w) and all(x % 2 == 0 for x in b)
assert [x // 4 for x in u] == [16, 32, 16], u
assert [x // 4 for x in w] == [-1, -8, 2], w
assert [x // 2 for x in b] == [2, -4, 16, 1, -1, -1], b
assert [M[0][j] for j in range(1, 12)] == [15, 41, 16, 2, 28, 13, 13, 39, 18, 34, 20]


# --- 2. The Swift formulas, lane by lane, mod 2^64.
def mds(v):
    v = [x % W for x in v]
    a = [(v[j] + v[j + 6]) % W for j in range(6)]
    b = [(v[j] - v[j + 6]) % W for j in range(6)]
    u = [(a[j] + a[j + 3]) % W for j in range(3)]
    w = [(a[j] - a[j + 3]) % W for j in range(3)]
    su = u[0] + u[1] + u[2]
    cu = [(su + u[2]) << 4, (su + u[0]) << 4, (su + u[1]) << 4]
    nw = [w[0] + (w[1] << 1) - (w[2] << 3), (w[0] << 3) + w[1] + (w[2] << 1), (w[1] << 3) + w[2] - (w[0] << 1)]
    b0, b1, b2, b3, b4, b5 = b
    cq = [2 * b0 + 4 * b5 - 16 * b4 - b3 + b2 + b1,
          2 * b1 - 4 * b0 - 16 * b5 - b4 + b3 + b2,
          2 * b2 - 4 * b1 + 16 * b0 - b5 + b4 + b3,
          2 * b3 - 4 * b2 + 16 * b1 + b0 + b5 + b4,
          2 * b4 - 4 * b3 + 16 * b2 + b1 - b0 + b5,
          2 * b5 - 4 * b4 + 16 * b3 + b2 - b1 - b0]
    p = [cu[j] - nw[j] for j in range(3)] + [cu[j] + nw[j] for j in range(3)]
    out = [p[j] + cq[j] for j in range(6)] + [p[j] - cq[j] for j in range(6)]
    out[0] += v[0] << 3
    return [x % W for x in out]


def row_zero_tail(x):
    x67 = x[6] + x[7]
    d0 = x[1] + x[2] + x67 + x[8]
    d1 = x[1] + x[4] + x[8] + x[9] + x[10]
    d2 = x[1] + x[5] + x67 + x[8] + x[11]
    d3 = x[1] + x[2] + x[5] + x67
    d4 = x[3] + x[5] + x[9] + x[11]
    d5 = x[2] + x[8] + x[10]
    return (d0 + (d1 << 1) + (d2 << 2) + (d3 << 3) + (d4 << 4) + (d5 << 5)) % W


def reduce_pair(lo, hi):
    m32 = 2**32 - 1
    h1 = hi >> 32
    m = ((hi & m32) + (lo >> 32) + h1) % W
    n = ((lo & m32) - h1) % W
    m1 = m >> 32
    return (((m + m1) << 32) + n - m1) % W


def plain(v):
    return [sum(M[i][j] * v[j] for j in range(12)) for i in range(12)]


rng = random.Random(1)
for limit in [2**32, 2**40, 2**48, 2**49]:   # halves: reduced, after 1 and 2 unreduced rounds
    for trial in range(3000):
        kind = trial % 4
        v = [limit - 1 if kind == 0 else 0 if kind == 1 and j % 2 else rng.randrange(limit) for j in range(12)]
        if kind == 3:
            v = [rng.choice([0, limit - 1, rng.randrange(limit)]) for _ in range(12)]
        exact = plain(v)
        assert max(exact) < 2**63
        assert mds(v) == exact, (limit, v)
        assert row_zero_tail(v) == sum(M[0][j] * v[j] for j in range(1, 12))

# --- 3. Bounds used in the comments.
rowmax = max(sum(r) for r in M)
assert rowmax == 264 and (2**32 - 1) * rowmax < 2**41
assert (2**32 - 1) * rowmax**3 < 2**56.2 < 2**63          # three partial rounds unreduced
assert (2**32) * rowmax**2 * sum(M[0][1:]) < 2**63         # the row-0 tail of such words
assert (2**32) * rowmax**3 + 2**32 < 2**63                 # plus split constants

# --- 4. The reduction of a split row, for halves below 2^63.
edge = [0, 1, 2**31, 2**32 - 1, 2**32, 2**32 + 1, 2**41, 2**56, 2**62, 2**63 - 1,
        ((2**31 - 1) << 32) | (2**32 - 1), (2**32 - 1) << 31]
cases = [(lo, hi) for lo in edge for hi in edge]
cases += [(rng.randrange(2**63), rng.randrange(2**63)) for _ in range(200000)]
cases += [(rng.randrange(2**63) & ~(2**32 - 1), rng.randrange(2**63) | (2**32 - 1)) for _ in range(100000)]
for lo, hi in cases:
    r = reduce_pair(lo, hi)
    assert 0 <= r < W and r % P == (lo + hi * 2**32) % P, (lo, hi)

print("Poseidon+MDS.swift formulas and bounds: OK")
sys.exit(0)
