"""Samplers that generate a chunk of configurations from (seed, chunk start) alone.

Every sampler has ``host_inputs(start, size)`` (a few numbers computed on the
host: digits, counters, or for Sobol the points themselves) and, jittable,
``values_at(inputs, j, dtype)``: the configurations at positions start + j (j an
int32 array of any shape). ``device_values(inputs, size, dtype)`` is the whole
chunk, and ``block_values`` the whole chunk as arrays that broadcast to it (a grid
slab is an outer product: each axis stays a short vector, and the model computes
every intermediate on the axes it depends on only). The same spec thus gives the
same configurations on any device and with any chunking.

- ``grid``: full factorial; the flat index is decoded in mixed radix on the
  device (the chunk start's digits come from the host as Python ints, so
  grids beyond 2³¹ points work).
- ``random``: uniform; each value is a counter-based hash of (seed, 64-bit
  index, axis) — the lowbias32 integer hash (Wellons 2018) chained over the
  words — so no state and no host-to-device copy per configuration.
- ``sobol``: scrambled Sobol' (Joe–Kuo directions, a linear matrix scramble and a digital
  shift, as SciPy's ``qmc.Sobol``) computed on the device from the index (explorer.sobol):
  no points travel to the device.
- ``lhs``: Latin hypercube on the device: one random permutation of the
  strata per axis (``jax.random.permutation``, made once per run) plus a hashed
  jitter inside each stratum.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np

from explorer import sobol
from explorer.axes import Axis
from explorer.errors import ExplorerError

KINDS = ("grid", "random", "sobol", "lhs")
MAX_CHUNK = 1 << 24  # configurations per chunk (int32 indices; ~1 GB of columns per chunk)


def _lowbias32(x):
    """Chris Wellons' lowbias32 integer hash on uint32 arrays."""
    x = x ^ (x >> 16)
    x = x * jnp.uint32(0x7FEB352D)
    x = x ^ (x >> 15)
    x = x * jnp.uint32(0x846CA68B)
    return x ^ (x >> 16)


def hash_uniform(seed: int, hi, lo, axis: int, dtype):
    """Uniform [0, 1) from (seed, index hi word, index lo word, axis): pure function of its inputs."""
    # Start from a non-zero state (lowbias32(0) = 0 would absorb a zero seed word), then
    # chain every 32-bit word of the seed (a Python int) and the word count.
    h = _lowbias32(jnp.uint32((axis * 0x9E3779B9 + 0x85EBCA6B) & 0xFFFFFFFF))
    words = 0
    while True:
        h = _lowbias32(h ^ jnp.uint32(seed & 0xFFFFFFFF))
        seed >>= 32
        words += 1
        if not seed:
            break
    h = _lowbias32(h ^ jnp.uint32(words))
    h = _lowbias32(h ^ hi)
    h = _lowbias32(h ^ lo)
    if jnp.dtype(dtype) == jnp.float64:
        return h.astype(dtype) * (1.0 / 4294967296.0)
    return (h >> 8).astype(dtype) * (1.0 / 16777216.0)


def divisors(n: int) -> list[int]:
    """Every divisor of n ≥ 1, found up to √n (O(√n), not O(n))."""
    small = [d for d in range(1, math.isqrt(n) + 1) if n % d == 0]
    return small + [n // d for d in reversed(small) if d * d != n]


def slab_length(radices: list[int], chunk_size: int) -> int:
    """The longest slab of a grid with axis counts ``radices`` (last fastest) of at most
    ``chunk_size`` points: the trailing axes whole times a divisor of the next count."""
    trailing = 1
    for radix in reversed(radices):
        if trailing * radix > chunk_size:
            return trailing * max(d for d in divisors(radix) if trailing * d <= chunk_size)
        trailing *= radix
    return trailing


class _Sampler:
    """What every sampler shares: a chunk is its values at positions 0..size−1.

    ``random_access``: ``values_at(host_inputs(0, ·), j)`` gives configuration j of the
    whole sweep for any j < min(total, 2³¹), not only of the first chunk.
    """

    random_access = True

    def chunk_length(self, chunk_size: int) -> int:
        """The chunk length the engine uses for a requested ``chunk_size``."""
        return chunk_size

    def device_values(self, inputs, size: int, dtype):
        """The chunk's ``size`` configurations as {axis: array of ``size``} (chunk order), on the device."""
        return self.values_at(inputs, jnp.arange(size, dtype=jnp.int32), dtype)

    def block_values(self, inputs, size: int, dtype):
        """The chunk as arrays broadcasting to ``size`` values in chunk order (here: flat)."""
        return self.device_values(inputs, size, dtype)


class GridSampler(_Sampler):
    """The full grid of the axes' values, decoded on the device from a chunk's start (mixed radix)."""

    def __init__(self, axes: list[Axis]):
        self.axes = axes
        self.tables = [a.grid_values() for a in axes]
        self.radices = [len(t) for t in self.tables]
        self.total = int(np.prod(self.radices, dtype=object))

    def chunk_length(self, chunk_size: int) -> int:
        """The longest slab of the grid of at most ``chunk_size`` points: the trailing axes
        whole and a divisor of the next axis's count, so that every chunk (its start a
        multiple of the length) is an outer product of axis ranges."""
        return slab_length(self.radices, chunk_size)

    def _slab(self, size: int) -> tuple[int, int]:
        """(axis split by a chunk of ``size``, points per step of that axis)."""
        trailing = 1
        for k in reversed(range(len(self.radices))):
            if trailing * self.radices[k] > size:
                return k, trailing
            trailing *= self.radices[k]
        return -1, trailing

    def host_inputs(self, start: int, size: int):
        """The start position's digit on every axis (all a chunk needs from the host)."""
        digits = []
        for radix in reversed(self.radices):  # last axis varies fastest
            start, d = divmod(start, radix)
            digits.append(d)
        return {"digits": np.asarray(digits[::-1], dtype=np.int32)}

    def values_at(self, inputs, j, dtype):
        """Mixed-radix decode of start + j, carried digit by digit from the start's digits."""
        out, carry = {}, jnp.zeros(j.shape, jnp.int32)
        rest = j
        for k in reversed(range(len(self.axes))):
            radix = self.radices[k]
            total = rest % radix + inputs["digits"][k] + carry
            rest = rest // radix
            carry = (total >= radix).astype(jnp.int32)
            out[self.axes[k].name] = jnp.asarray(self.tables[k], dtype)[total - radix * carry]
        return out

    def block_values(self, inputs, size: int, dtype):
        """A slab chunk (``size`` from ``chunk_length``, start a multiple of it) as an outer
        product: axes before the split axis fixed, ``size // trailing`` steps of the split
        axis, the trailing axes whole; shapes broadcast to the chunk in row-major order."""
        split, trailing = self._slab(size)
        if size % trailing or (split >= 0 and self.radices[split] % (size // trailing)):
            return self.device_values(inputs, size, dtype)  # not a slab: flat
        n = len(self.axes)
        out = {}
        for k, (axis, table) in enumerate(zip(self.axes, self.tables)):
            shape = [1] * n
            table = jnp.asarray(table, dtype)
            if k < split:
                value = table[inputs["digits"][k]].reshape(shape)
            elif k == split:
                shape[k] = size // trailing
                value = jax.lax.dynamic_slice(table, (inputs["digits"][k],), (shape[k],)).reshape(shape)
            else:
                shape[k] = self.radices[k]
                value = table.reshape(shape)
            out[axis.name] = value
        return out


class RandomSampler(_Sampler):
    """Uniform points, hashed on the device from (seed, index, axis): counter-based, no state."""

    def __init__(self, axes: list[Axis], samples: int, seed: int):
        self.axes, self.total, self.seed = axes, samples, seed

    def host_inputs(self, start: int, size: int):
        """The chunk's 64-bit start index as two uint32 words."""
        return {"hi": np.uint32(start >> 32), "lo": np.uint32(start & 0xFFFFFFFF)}

    def values_at(self, inputs, j, dtype):
        """The points at chunk positions ``j`` (traced)."""
        lo = inputs["lo"] + j.astype(jnp.uint32)
        hi = inputs["hi"] + (lo < inputs["lo"]).astype(jnp.uint32)
        return {a.name: a.from_unit(hash_uniform(self.seed, hi, lo, k, dtype)) for k, a in enumerate(self.axes)}


class SobolSampler(_Sampler):
    """Scrambled Sobol' points computed on the device from (seed, index) (explorer.sobol):
    the scrambled direction numbers are constants of the program, a chunk's only input is its
    start index."""

    def __init__(self, axes: list[Axis], samples: int, seed: int):
        if samples > sobol.MAX_POINTS:
            raise ExplorerError(f"sobol sampler supports at most 2^32 samples; got {samples}")
        if len(axes) > sobol.MAX_DIMENSIONS:
            raise ExplorerError(f"sobol sampler supports at most {sobol.MAX_DIMENSIONS} axes; got {len(axes)}")
        self.axes, self.total, self.seed = axes, samples, seed
        self.tables = sobol.sobol_tables(len(axes), seed)

    def host_inputs(self, start: int, size: int):
        """The chunk's start index."""
        return {"start": np.uint32(start)}

    def _values(self, digits, dtype):
        return {a.name: a.from_unit(sobol.unit(d, dtype)) for a, d in zip(self.axes, digits)}

    def values_at(self, inputs, j, dtype):
        """The points at chunk positions ``j`` (traced)."""
        return self._values(sobol.digits_at(self.tables, inputs["start"] + j.astype(jnp.uint32)), dtype)

    def block_values(self, inputs, size: int, dtype):
        """The whole chunk as (size/1024, 1024) arrays when it is made of whole rows of 1,024
        points (each row's upper digits computed once), else flat."""
        if size % 1024:
            return self.device_values(inputs, size, dtype)
        return self._values(sobol.digits_of_run(self.tables, inputs["start"], size // 1024), dtype)


class LatinHypercubeSampler(_Sampler):
    """A Latin hypercube: one device-side permutation per axis, jittered within its cell."""

    MAX_SAMPLES = 1 << 28  # one int32 permutation per axis lives on the device

    def __init__(self, axes: list[Axis], samples: int, seed: int):
        if samples > self.MAX_SAMPLES:
            raise ExplorerError(f"lhs sampler supports at most {self.MAX_SAMPLES} samples; got {samples}")
        self.axes, self.total, self.seed = axes, samples, seed
        key = jax.random.key(seed)
        self.perms = jnp.stack([jax.random.permutation(jax.random.fold_in(key, k), samples).astype(jnp.int32)
                                for k in range(len(axes))])

    def host_inputs(self, start: int, size: int):
        """The chunk's start index."""
        return {"start": np.int32(start)}

    def values_at(self, inputs, j, dtype):
        """The points at chunk positions ``j`` (traced)."""
        j = inputs["start"] + j
        safe = jnp.minimum(j, self.total - 1)
        lo = j.astype(jnp.uint32)
        out = {}
        for k, a in enumerate(self.axes):
            jitter = hash_uniform(self.seed, jnp.uint32(0), lo, k, dtype)
            stratum = self.perms[k][safe].astype(dtype)
            start, end = stratum / self.total, (stratum + 1.0) / self.total
            # stratum + jitter can round up to the next stratum in float32: keep u below its end
            u = jnp.minimum(start + jitter / self.total, jnp.nextafter(end, start))
            out[a.name] = a.from_unit(u)
        return out


def make_sampler(kind: str, axes: list[Axis], samples: int | None, seed: int):
    """The sampler ``kind`` over ``axes``; ``samples`` is ignored for grids."""
    if kind == "grid":
        return GridSampler(axes)
    cls = {"random": RandomSampler, "sobol": SobolSampler, "lhs": LatinHypercubeSampler}.get(kind)
    if cls is None:
        raise ExplorerError(f"unknown sampler {kind!r} (known: {', '.join(KINDS)})")
    return cls(axes, int(samples), seed)
