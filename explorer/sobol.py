"""Scrambled Sobol' points computed on the device from (seed, index) alone.

Direction numbers: Joe & Kuo (2008), "Constructing Sobol sequences with better
two-dimensional projections", SIAM J. Sci. Comput. 30(5), file new-joe-kuo-6.21201 (the
table SciPy's ``qmc.Sobol`` uses), first 32 dimensions. Point i is, with 32-bit digits
and Gray-code order g = i ⊕ (i >> 1) (Bratley & Fox 1988, as SciPy orders them),

    x_i = shift ⊕ ⊕_{k : bit k of g set} V_k,        u_i = x_i / 2³²,

so the unscrambled points (shift = 0, no matrix scramble) are SciPy's ``qmc.Sobol(d,
scramble=False, bits=32)``, bit for bit.

Scrambling (Matoušek 1998, "On the L2-discrepancy for anchored boxes"; SciPy's default): a
random lower-triangular binary matrix per dimension (a linear matrix scramble, LMS) and a
random digital shift. The matrix acts linearly over GF(2), so it is applied once to the 32
direction numbers of each dimension (``scrambled_directions``); the shift is one XOR per
point on the device. Both keep the (t, m, s)-net property: every run of 2^k points from a
multiple of 2^k fills each axis's 2^k equal intervals once.

The device never loops over digits: since the low 10 (and 20) bits of an index do not
overlap the rest, g splits as gray(i) = gray(i & ~1023) ⊕ gray(i & 1023), and x_i is the XOR
of three table entries (``SobolTables``): low 10 bits, middle 10 bits, top 12 bits.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

BITS = 32
MAX_DIMENSIONS = 32
MAX_POINTS = 1 << BITS
_LOW = 10  # bits per table of the low and middle digits
_TOP = BITS - 2 * _LOW

# (primitive polynomial with its leading and trailing 1, initial m_1 … m_s) of dimensions 2…32
# (dimension 1 is van der Corput's: every m_k = 1): Joe & Kuo, new-joe-kuo-6.21201.
JOE_KUO = (
    (3, (1,)), (7, (1, 3)), (11, (1, 3, 1)), (13, (1, 1, 1)), (19, (1, 1, 3, 3)), (25, (1, 3, 5, 13)),
    (37, (1, 1, 5, 5, 17)), (41, (1, 1, 5, 5, 5)), (47, (1, 1, 7, 11, 19)), (55, (1, 1, 5, 1, 1)),
    (59, (1, 1, 1, 3, 11)), (61, (1, 3, 5, 5, 31)), (67, (1, 3, 3, 9, 7, 49)), (91, (1, 1, 1, 15, 21, 21)),
    (97, (1, 3, 1, 13, 27, 49)), (103, (1, 1, 1, 15, 7, 5)), (109, (1, 3, 1, 15, 13, 25)),
    (115, (1, 1, 5, 5, 19, 61)), (131, (1, 3, 7, 11, 23, 15, 103)), (137, (1, 3, 7, 13, 13, 15, 69)),
    (143, (1, 1, 3, 13, 7, 35, 63)), (145, (1, 3, 5, 9, 1, 25, 53)), (157, (1, 3, 1, 13, 9, 35, 107)),
    (167, (1, 3, 1, 5, 27, 61, 31)), (171, (1, 1, 5, 11, 19, 41, 61)), (185, (1, 3, 5, 3, 3, 13, 69)),
    (191, (1, 1, 7, 13, 1, 19, 1)), (193, (1, 3, 7, 5, 13, 19, 59)), (203, (1, 1, 3, 9, 25, 29, 41)),
    (211, (1, 3, 5, 13, 23, 1, 55)), (213, (1, 3, 7, 3, 13, 59, 17)),
)


def directions(dimensions: int) -> np.ndarray:
    """Unscrambled direction numbers V (dimensions × 32, uint32; V[d, k] = m_k · 2^(31−k)),
    from the Joe–Kuo polynomials by Bratley and Fox's recurrence
    m_k = 2a₁m_{k−1} ⊕ 4a₂m_{k−2} ⊕ … ⊕ 2^s m_{k−s} ⊕ m_{k−s}."""
    if not 1 <= dimensions <= MAX_DIMENSIONS:
        raise ValueError(f"the sobol sampler takes 1 to {MAX_DIMENSIONS} axes; got {dimensions}")
    v = np.zeros((dimensions, BITS), np.uint64)
    v[0] = 1
    for d in range(1, dimensions):
        poly, start = JOE_KUO[d - 1]
        s = poly.bit_length() - 1
        m = list(start)
        for k in range(s, BITS):
            new = m[k - s] ^ (m[k - s] << s)
            for i in range(1, s):
                if (poly >> (s - i)) & 1:
                    new ^= m[k - i] << i
            m.append(new)
        v[d] = m
    return (v << (BITS - 1 - np.arange(BITS, dtype=np.uint64))).astype(np.uint32)


def _parity(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.uint64)
    for shift in (32, 16, 8, 4, 2, 1):
        x ^= x >> np.uint64(shift)
    return (x & np.uint64(1)).astype(np.uint32)


def scrambled_directions(v: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(LMS-scrambled direction numbers, digital shifts (dimensions,)), both uint32, from ``seed``.

    Output digit r (weight 2^−(r+1)) of each direction number is the XOR of its digits
    l ≤ r selected by row r of a random lower-triangular matrix with a unit diagonal.
    """
    rng = np.random.default_rng(seed)
    dims = v.shape[0]
    out = np.zeros_like(v)
    for d in range(dims):
        for r in range(BITS):
            # row r: digit r itself, and a random choice of the more significant digits 0 … r−1
            mask = (1 << (BITS - 1 - r)) | (int(rng.integers(0, 1 << r)) << (BITS - r) if r else 0)
            out[d] |= _parity(v[d] & np.uint32(mask)) << np.uint32(BITS - 1 - r)
    shift = rng.integers(0, 1 << BITS, size=dims, dtype=np.uint64).astype(np.uint32)
    return out, shift


def _xor_table(v: np.ndarray, offset: int, count: int) -> np.ndarray:
    """XOR of the directions selected by gray(t << offset) for t < count: (dimensions, count)."""
    t = np.arange(count, dtype=np.uint64) << np.uint64(offset)
    g = t ^ (t >> np.uint64(1))
    out = np.zeros((count, v.shape[0]), np.uint32)
    for k in range(BITS):
        on = ((g >> np.uint64(k)) & np.uint64(1)).astype(bool)
        out[on] ^= v[:, k]
    return np.ascontiguousarray(out.T)


class SobolTables(NamedTuple):
    """What the device needs (uint32): the XOR of the selected directions for the low 10,
    middle 10 and top 12 bits of an index (dimensions × 1024, 1024 and 4096), and the shifts."""

    low: np.ndarray
    middle: np.ndarray
    top: np.ndarray
    shift: np.ndarray


def sobol_tables(dimensions: int, seed: int | None) -> SobolTables:
    """The tables of ``dimensions`` axes, scrambled from ``seed`` (None: SciPy's unscrambled points)."""
    v = directions(dimensions)
    shift = np.zeros(dimensions, np.uint32)
    if seed is not None:
        v, shift = scrambled_directions(v, seed)
    return SobolTables(_xor_table(v, 0, 1 << _LOW), _xor_table(v, _LOW, 1 << _LOW),
                       _xor_table(v, 2 * _LOW, 1 << _TOP), shift)


def digits_at(tables: SobolTables, index):
    """Device side: the 32-bit digits of points ``index`` (uint32, any shape), one array per axis."""
    import jax.numpy as jnp

    low, middle, top = (jnp.asarray(t) for t in tables[:3])
    return [low[d][index & 1023] ^ middle[d][(index >> _LOW) & 1023] ^ top[d][index >> (2 * _LOW)]
            ^ jnp.uint32(tables.shift[d]) for d in range(len(tables.shift))]


def digits_of_run(tables: SobolTables, start, rows: int):
    """Device side: the digits of points start … start + 1024·rows − 1 (``start`` a traced uint32,
    a multiple of 1024), one (rows, 1024) array per axis: a row's upper digits once, then one XOR
    a point."""
    import jax.numpy as jnp

    index = start + jnp.arange(rows, dtype=jnp.uint32) * jnp.uint32(1 << _LOW)
    out = []
    for d in range(len(tables.shift)):
        upper = jnp.asarray(tables.middle[d])[(index >> _LOW) & 1023] ^ jnp.asarray(tables.top[d])[index >> (2 * _LOW)]
        out.append(upper[:, None] ^ jnp.asarray(tables.low[d] ^ tables.shift[d])[None, :])
    return out


def unit(digits, dtype):
    """Digits as points of [0, 1): 24 bits in float32, all 32 in float64."""
    import jax.numpy as jnp

    if jnp.dtype(dtype) == jnp.float64:
        return digits.astype(dtype) * (1.0 / 4294967296.0)
    return (digits >> 8).astype(dtype) * (1.0 / 16777216.0)
