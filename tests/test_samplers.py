"""Samplers: configurations are a pure function of (seed, global index), whatever the chunking.

Chunks go through ``jax.jit(sampler.device_values)`` as in the sweep. Every distinct chunk size is a
compile, so the tests use few sizes and share compiled kernels between equivalent samplers.
"""

import functools
import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from explorer.axes import Axis
from explorer.errors import ExplorerError
from explorer.samplers import (KINDS, MAX_CHUNK, GridSampler, LatinHypercubeSampler, RandomSampler,
                               SobolSampler, make_sampler)

AXES = [
    Axis("unit", "1", low=0.0, high=1.0, scale="linear", count=2),  # x = u: the raw unit-cube point
    Axis("nu", "Hz", low=6e8, high=1.98e9, scale="linear", count=3),
    Axis("batch", "sequences", low=256.0, high=16384.0, scale="log", count=4),
    Axis("n_parallel", "devices", low=8.0, high=4096.0, scale="log", count=5, integer=True),
    Axis("temperature", "nats", values=(4e-3, 1e-3, 2e-2)),
]
NAMES = [a.name for a in AXES]
N = 97  # prime: no chunk size divides it
SIZES = (1, 8, 13, 40)  # few distinct chunk sizes: each one is a compile
EXACT = {"unit", "n_parallel", "temperature"}  # identical bits whatever the chunking


def assert_same(got, expected, names=NAMES, msg="", rtol=2.5e-7):
    """Same configurations. The unit-cube point, integers and listed values must match bit for bit;
    continuous axes to 2 ulp (XLA's vectorised exp and FMA can differ in the last bit between a
    vector body and its scalar tail, so the position in a chunk can move the last bit)."""
    for name in names:
        if name in EXACT:
            np.testing.assert_array_equal(got[name], expected[name], err_msg=f"{msg} {name}")
        else:
            np.testing.assert_allclose(got[name], expected[name], rtol=rtol, atol=0, err_msg=f"{msg} {name}")


_JITTED = {}


def device_fn(sampler, key=None):
    """sampler.device_values jitted with size and dtype static; ``key`` shares it between samplers
    built alike (same kind, axes, samples and seed: the same device function)."""
    key = id(sampler) if key is None else key
    if key not in _JITTED:
        _JITTED[key] = (sampler, jax.jit(sampler.device_values, static_argnums=(1, 2)))
    return _JITTED[key][1]


def generate(sampler, start, size, dtype=jnp.float32, device=None):
    """One chunk as {name: numpy array}, through ``device`` or the sampler's own jitted kernel."""
    values = (device or device_fn(sampler))(sampler.host_inputs(start, size), size, dtype)
    assert set(values) == {a.name for a in sampler.axes}
    for v in values.values():
        assert v.shape == (size,) and v.dtype == dtype
    return {k: np.asarray(v) for k, v in values.items()}


def eager(sampler, start, size, dtype=jnp.float32):
    """One chunk without jit (compiles once per primitive and shape, shared by every sampler)."""
    values = sampler.device_values(sampler.host_inputs(start, size), size, dtype)
    return {k: np.asarray(v) for k, v in values.items()}


def chunked(sampler, sizes, order, total, dtype=jnp.float32, device=None):
    """[0, total) as chunks of ``sizes`` (the last may run past total), produced in ``order``."""
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(int).tolist()
    parts = {}
    for i in order:
        keep = min(sizes[i], total - starts[i])
        chunk = generate(sampler, starts[i], sizes[i], dtype, device)
        parts[i] = {k: v[:keep] for k, v in chunk.items()}
    return {k: np.concatenate([parts[i][k] for i in range(len(sizes))]) for k in parts[0]}


def build(kind, seed=7, samples=N, axes=AXES):
    return make_sampler(kind, list(axes), samples, seed)


def shared(kind):
    """The compiled kernel shared by every ``build(kind)``."""
    return device_fn(build(kind), key=("shared", kind))


@functools.cache
def one_shot(kind):
    """[0, N) in a single chunk, from a fresh sampler."""
    return generate(build(kind), 0, N, device=shared(kind))


# --- chunk invariance -----------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_chunk_invariance(kind, data):
    pieces = data.draw(st.lists(st.sampled_from(SIZES), min_size=1, max_size=12), label="sizes")
    sizes, covered = [], 0
    for s in itertools.cycle(pieces):  # chunks until at most one chunk remains
        if covered + s >= N:
            break
        sizes.append(s)
        covered += s
    remaining = N - covered
    # the last chunk is as large as what remains, or larger (then only `remaining` rows are used)
    sizes.append(data.draw(st.sampled_from([s for s in SIZES + (64,) if s >= remaining]), label="last"))
    order = data.draw(st.permutations(range(len(sizes))), label="order")
    sampler = build(kind)  # fresh host side: the state of a stateful sampler must not matter
    got = chunked(sampler, sizes, order, N, device=shared(kind))
    assert_same(got, one_shot(kind), msg=f"{kind} sizes={sizes} order={order}")


@pytest.mark.parametrize("kind", KINDS)
def test_chunk_invariance_reused_sampler(kind):
    sampler = build(kind)
    a = generate(sampler, 40, 40, device=shared(kind))
    c = generate(sampler, 0, 13, device=shared(kind))
    generate(sampler, 70, 8, device=shared(kind))
    b = generate(sampler, 40, 40, device=shared(kind))
    d = generate(sampler, 0, 13, device=shared(kind))
    assert_same(a, b)
    assert_same(c, d)
    assert_same(a, {k: v[40:80] for k, v in one_shot(kind).items()})
    assert_same(c, {k: v[:13] for k, v in one_shot(kind).items()})


@pytest.mark.parametrize("kind", KINDS)
def test_values_on_axes(kind):
    """Every sampler stays on its axes: in range, integers integral, values from the list."""
    got = one_shot(kind)
    for axis in AXES:
        x = got[axis.name].astype(np.float64)
        if axis.values is not None:
            assert set(np.unique(x)) <= set(np.float32(axis.values).astype(np.float64))
        else:
            assert np.all(x >= axis.low * (1 - 2e-6)) and np.all(x <= axis.high * (1 + 2e-6))
        if axis.integer:
            assert np.all(x == np.round(x))
    assert len(np.unique(got["temperature"])) == 3
    if kind != "grid":  # 97 distinct points (the grid's first 97 vary only the last axes)
        assert len(np.unique(got["nu"])) == N


# --- grid -----------------------------------------------------------------------------------------

def test_grid_row_major_product():
    with jax.enable_x64(True):
        sampler = GridSampler(AXES)
        assert sampler.total == 2 * 3 * 4 * len(AXES[3].grid_values()) * 3 == 360
        got = generate(sampler, 0, sampler.total, jnp.float64)
    expected = np.array(list(itertools.product(*[a.grid_values() for a in AXES])))
    assert len(expected) == sampler.total
    for k, name in enumerate(NAMES):
        np.testing.assert_array_equal(got[name], expected[:, k])


def test_grid_last_axis_fastest():
    axes = [Axis("a", "1", values=(1.0, 2.0)), Axis("b", "1", values=(10.0, 20.0, 30.0))]
    got = generate(GridSampler(axes), 0, 6)
    np.testing.assert_array_equal(got["a"], [1, 1, 1, 2, 2, 2])
    np.testing.assert_array_equal(got["b"], [10, 20, 30, 10, 20, 30])


@settings(max_examples=25, deadline=None)
@given(start=st.integers(0, 400), size=st.sampled_from(SIZES + (64,)))
def test_grid_chunk_at_any_start(start, size):
    """float32 chunks anywhere (also across the end, where the grid wraps around)."""
    sampler = build("grid")
    expected = list(itertools.product(*[a.grid_values() for a in AXES]))
    got = generate(sampler, start, size, device=shared("grid"))
    assert sampler.total < 400 + 64
    for j in range(size):
        row = expected[(start + j) % sampler.total]  # past the end the grid wraps around
        for k, name in enumerate(NAMES):
            assert got[name][j] == np.float32(row[k])


def _decode(index, tables):
    """Row-major mixed-radix decode with Python integers."""
    digits = []
    for table in reversed(tables):
        index, d = divmod(index, len(table))
        digits.append(d)
    return [t[d] for t, d in zip(tables, digits[::-1])]


def test_grid_beyond_int32():
    axes = [Axis("a", "1", low=0.0, high=1.0, count=2000),
            Axis("b", "1", low=1.0, high=1e4, scale="log", count=1500),
            Axis("c", "1", low=-5.0, high=5.0, count=1001),
            Axis("d", "1", values=(0.5, 1.5, 2.5))]
    sampler = GridSampler(axes)
    tables = [a.grid_values() for a in axes]
    assert sampler.total == 2000 * 1500 * 1001 * 3 > 2**32
    carry_b = (1999 * 1500 + 7) * 3003 + 1000 * 3 + 2  # c and d at their last digit: b carries
    with jax.enable_x64(True):
        for start, size in [(2**31 - 20, 40), (2**32 - 20, 40), (carry_b - 10, 40),
                            (sampler.total - 40, 40), (2**32 - 3000, 4000)]:
            got = generate(sampler, start, size, jnp.float64)
            for j in range(size):
                row = _decode(start + j, tables)
                for k, axis in enumerate(axes):
                    assert got[axis.name][j] == row[k], (start, j, axis.name)
        last = generate(sampler, sampler.total - 40, 40, jnp.float64)
    # the last configuration is the top corner
    assert [float(last[a.name][-1]) for a in axes] == [1.0, pytest.approx(1e4, rel=1e-12), 5.0, 2.5]


def test_grid_ignores_seed_and_samples():
    a, b = make_sampler("grid", AXES, None, 0), make_sampler("grid", AXES, 12345, 99)
    assert a.total == b.total == 360
    for start in (0, 17, 359):
        np.testing.assert_array_equal(a.host_inputs(start, 8)["digits"], b.host_inputs(start, 8)["digits"])
    np.testing.assert_array_equal(generate(b, 0, N, device=shared("grid"))["nu"], one_shot("grid")["nu"])


@pytest.mark.parametrize("radices,chunk,expected", [
    ((2, 3, 4, 5, 3), 360, 360),   # the whole grid
    ((2, 3, 4, 5, 3), 100, 60),    # trailing 4·5·3 = 60 whole; 3 does not fit twice
    ((2, 3, 4, 5, 3), 200, 180),   # 3 steps of the second axis
    ((6, 6, 6, 6), 128, 108),      # 3 steps of 36: the largest divisor of 6 with d·36 ≤ 128
    ((7, 64), 200, 64),            # 7 is prime: one row of 64 at a time
    ((1000,), 97, 50),             # one axis: the largest divisor of 1000 up to 97
    ((13, 17), 16, 1),             # prime counts: runs of one point
])
def test_grid_chunk_length_is_a_slab(radices, chunk, expected):
    axes = [Axis(f"x{k}", "1", low=1.0, high=2.0, count=r) for k, r in enumerate(radices)]
    sampler = GridSampler(axes)
    assert sampler.chunk_length(chunk) == expected
    assert sampler.total % expected == 0


@pytest.mark.parametrize("chunk", [15, 60, 180, 360])
def test_grid_block_values_broadcast_to_the_flat_chunk(chunk):
    """A slab as an outer product of axis ranges equals the flat decode, point by point."""
    sampler = GridSampler(AXES)
    size = sampler.chunk_length(chunk)
    assert size == chunk
    for start in range(0, sampler.total, size):
        inputs = sampler.host_inputs(start, size)
        block = sampler.block_values(inputs, size, jnp.float32)
        flat = sampler.device_values(inputs, size, jnp.float32)
        shape = np.broadcast_shapes(*(v.shape for v in block.values()))
        assert int(np.prod(shape)) == size and sum(d > 1 for d in shape) <= len(AXES)
        for name in NAMES:
            np.testing.assert_array_equal(np.broadcast_to(np.asarray(block[name]), shape).reshape(-1),
                                          np.asarray(flat[name]), err_msg=f"{start} {name}")


@pytest.mark.parametrize("kind", KINDS)
def test_values_at_any_positions_match_the_chunk(kind):
    sampler = build(kind)
    inputs = sampler.host_inputs(40, 40)
    whole = sampler.device_values(inputs, 40, jnp.float32)
    j = jnp.asarray(np.array([[39, 0], [7, 7]], np.int32))
    picked = sampler.values_at(inputs, j, jnp.float32)
    for name in NAMES:
        assert picked[name].shape == (2, 2)
        assert_same({name: np.asarray(picked[name]).ravel()}, {name: np.asarray(whole[name])[[39, 0, 7, 7]]},
                    names=[name])
    if kind != "grid":  # flat samplers: the block is the flat chunk itself
        block = sampler.block_values(inputs, 40, jnp.float32)
        for name in NAMES:
            np.testing.assert_array_equal(np.asarray(block[name]), np.asarray(whole[name]))


@pytest.mark.parametrize("kind", KINDS)
def test_random_access_reaches_the_whole_sweep_from_the_first_chunk(kind):
    # the engine's scout decodes positions anywhere in the sweep with the first chunk's inputs
    sampler = build(kind)
    assert sampler.random_access
    j = np.array([45, 96, 3, 80], np.int32)
    picked = sampler.values_at(sampler.host_inputs(0, 40), jnp.asarray(j), jnp.float32)
    assert_same({n: np.asarray(v) for n, v in picked.items()}, {n: v[j] for n, v in one_shot(kind).items()})


# --- random ---------------------------------------------------------------------------------------

def test_random_reproducible_and_seed_dependent():
    a = one_shot("random")  # seed 7
    b = generate(RandomSampler(AXES, N, 7), 0, N)  # another instance, its own compile
    c = generate(RandomSampler(AXES, N, 8), 0, N)
    for name in NAMES:
        np.testing.assert_array_equal(a[name], b[name])
    for name in ("unit", "nu", "batch"):
        assert np.mean(a[name] == c[name]) < 0.05
    assert not np.array_equal(a["temperature"], c["temperature"])


def test_random_range_integer_and_values():
    axes = [Axis("x", "1", low=-2.0, high=3.0), Axis("y", "1", low=1e-3, high=3e-2, scale="log"),
            Axis("n", "1", low=7.5, high=64.9, scale="log", integer=True),
            Axis("v", "1", values=(0.25, 7.0, 3.0, 11.0, 0.125))]
    got = generate(RandomSampler(axes, 5000, 1), 0, 5000)
    assert np.all(got["x"] >= -2.0) and np.all(got["x"] <= 3.0)
    assert np.all(got["y"] >= np.float32(1e-3) * (1 - 1e-6)) and np.all(got["y"] <= np.float32(3e-2) * (1 + 1e-6))
    n = got["n"]
    assert np.all(n == np.round(n)) and n.min() == 8.0 and n.max() == 64.0
    assert set(np.unique(got["v"]).tolist()) == {0.25, 7.0, 3.0, 11.0, 0.125}  # all listed, nothing else
    counts = np.unique(got["v"], return_counts=True)[1]
    assert counts.min() > 800  # each of 5 values about 1000 times


def test_random_ks_uniform_linear_and_log():
    axes = [Axis("lin", "1", low=2.0, high=7.0), Axis("log", "1", low=1.0, high=1e3, scale="log")]
    n = 20000
    got = generate(RandomSampler(axes, n, 11), 0, n)
    u_lin = (got["lin"].astype(np.float64) - 2.0) / 5.0
    u_log = np.log(got["log"].astype(np.float64)) / np.log(1e3)
    assert stats.kstest(u_lin, "uniform").pvalue > 1e-3
    assert stats.kstest(u_log, "uniform").pvalue > 1e-3
    # and log-axis samples are NOT uniform on the linear scale
    assert stats.kstest((got["log"].astype(np.float64) - 1.0) / 999.0, "uniform").pvalue < 1e-6
    # axes are independent streams
    assert abs(np.corrcoef(u_lin, u_log)[0, 1]) < 0.05


def test_random_uniform_away_from_zero_index():
    """The (hi, lo) index words: a chunk crossing 2^32 is uniform and chunk-invariant."""
    axis = [Axis("x", "1", low=0.0, high=1.0)]
    s = RandomSampler(axis, 2**33, 5)
    start = 2**32 - 5000
    whole = generate(s, start, 10000)["x"]
    left, right = generate(s, start, 5000)["x"], generate(s, 2**32, 5000)["x"]
    np.testing.assert_array_equal(whole, np.concatenate([left, right]))
    assert stats.kstest(whole.astype(np.float64), "uniform").pvalue > 1e-3
    assert np.mean(right == generate(s, 0, 5000)["x"]) < 0.01  # the high word matters


def test_random_every_seed_bit_matters():
    seeds = [1, 2, 1 + 2**32, 2 + 2**32, 1 + 2**40, 2**63 - 1]
    rows = [eager(RandomSampler(AXES, 64, seed), 0, 64)["nu"] for seed in seeds]
    for i, j in itertools.combinations(range(len(seeds)), 2):
        assert np.mean(rows[i] == rows[j]) < 0.1, (seeds[i], seeds[j])


@pytest.mark.parametrize("k", [1, 5])
def test_random_seed_high_word_not_absorbed(k):
    axis = [Axis("x", "1")]
    a = eager(RandomSampler(axis, 64, k), 0, 64)["x"]
    b = eager(RandomSampler(axis, 64, k * 2**32), 0, 64)["x"]
    assert np.mean(a == b) < 0.1


# --- sobol ----------------------------------------------------------------------------------------

SOBOL_AXES = [Axis("x", "1", low=-1.0, high=3.0), Axis("y", "1", low=1e-3, high=1.0, scale="log"),
              Axis("n", "1", low=8.0, high=512.0, scale="log", integer=True)]


@pytest.mark.parametrize("seed", [0, 7])
@pytest.mark.parametrize("chunks", [[64], [1, 8, 13, 40, 13], [13, 13, 13, 13, 13], [40, 40]],
                         ids=lambda c: "-".join(map(str, c)))
def test_sobol_is_a_function_of_the_index(seed, chunks):
    """Any chunking, in any order, gives the same points: the one-shot chunk's."""
    n = 64
    order = list(range(len(chunks)))[::-1]
    with jax.enable_x64(True):
        got = chunked(SobolSampler(SOBOL_AXES, n, seed), chunks, order, n, jnp.float64)
        whole = generate(SobolSampler(SOBOL_AXES, n, seed), 0, n, jnp.float64)
    for name in whole:
        np.testing.assert_array_equal(got[name], whole[name])


def test_sobol_rejects_too_many_points_or_axes():
    with pytest.raises(ExplorerError, match="at most 2\\^32 samples"):
        SobolSampler(SOBOL_AXES, 2**32 + 1, 0)
    with pytest.raises(ExplorerError, match="at most 32 axes"):
        SobolSampler([Axis(f"a{k}", "1", low=0.0, high=1.0) for k in range(33)], 64, 0)


# --- lhs ------------------------------------------------------------------------------------------

LHS_AXES = [Axis("a", "1", low=3.0, high=11.0), Axis("b", "1", low=-1.0, high=1.0),
            Axis("c", "1", low=1e-3, high=3e-2, scale="log")]


def _position(axis, x):
    """Where x lies in the axis's range, in [0, 1] (on the log scale for log axes)."""
    x = np.asarray(x, np.float64)
    if axis.scale == "log":
        return (np.log(x) - np.log(axis.low)) / (np.log(axis.high) - np.log(axis.low))
    return (x - axis.low) / (axis.high - axis.low)


def _strata(axis, x, n):
    return np.floor(_position(axis, x) * n).astype(int)


@pytest.mark.parametrize("n,seed", [(1, 0), (97, 1), (256, 3)])
def test_lhs_one_per_stratum(n, seed):
    with jax.enable_x64(True):
        got = chunked(LatinHypercubeSampler(LHS_AXES, n, seed), [n // 3 + 1] * 3, [2, 0, 1], n, jnp.float64)
    for axis in LHS_AXES:
        assert sorted(_strata(axis, got[axis.name], n)) == list(range(n)), axis.name
        if n > 50:  # jittered within its stratum, not at its centre
            within = _position(axis, got[axis.name]) * n - _strata(axis, got[axis.name], n)
            assert stats.kstest(within, "uniform").pvalue > 1e-3, axis.name


def test_lhs_one_per_stratum_float32():
    n = 256
    got = generate(LatinHypercubeSampler(LHS_AXES[:2], n, 9), 0, n)
    for axis in LHS_AXES[:2]:
        assert sorted(_strata(axis, got[axis.name], n)) == list(range(n))


def test_lhs_axes_independent_and_seeded():
    n = 256
    a = generate(LatinHypercubeSampler(LHS_AXES, n, 1), 0, n)
    c = generate(LatinHypercubeSampler(LHS_AXES, n, 2), 0, n)
    np.testing.assert_array_equal(LatinHypercubeSampler(LHS_AXES, n, 1).perms,
                                  LatinHypercubeSampler(LHS_AXES, n, 1).perms)  # reproducible
    assert not np.array_equal(_strata(LHS_AXES[0], a["a"], n), _strata(LHS_AXES[0], c["a"], n))
    sa, sb = _strata(LHS_AXES[0], a["a"], n), _strata(LHS_AXES[1], a["b"], n)
    assert not np.array_equal(sa, sb)  # one permutation per axis
    assert abs(stats.spearmanr(sa, sb).statistic) < 0.2


def test_lhs_too_many_samples():
    with pytest.raises(ExplorerError, match="lhs"):
        LatinHypercubeSampler(LHS_AXES, LatinHypercubeSampler.MAX_SAMPLES + 1, 0)


def test_lhs_one_per_stratum_float32_large():
    """float32 stratum + jitter rounds up to the next stratum above ~2^13 unless u is kept below its end."""
    n = 16384
    axis = Axis("u", "1", low=0.0, high=1.0)
    got = generate(LatinHypercubeSampler([axis], n, 3), 0, n)
    assert len(np.unique(_strata(axis, got["u"], n))) == n


# --- float64, make_sampler ------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_float64_mode(kind):
    with jax.enable_x64(True):
        got64 = generate(build(kind), 0, N, jnp.float64, shared(kind))
    for name in NAMES:
        assert got64[name].dtype == np.float64
    got32 = one_shot(kind)
    for name in ("nu", "batch"):  # continuous axes: the same points up to float32 precision
        np.testing.assert_allclose(got64[name], got32[name].astype(np.float64), rtol=2e-6)
    if kind == "random":  # float64 keeps 32 random bits: values off the float32 lattice of 2^-24 steps
        u = got64["unit"] * 2**24
        assert np.mean(np.abs(u - np.round(u)) > 1e-3) > 0.5


@pytest.mark.parametrize("kind,cls", [("grid", GridSampler), ("random", RandomSampler),
                                      ("sobol", SobolSampler), ("lhs", LatinHypercubeSampler)])
def test_make_sampler_kinds(kind, cls):
    sampler = make_sampler(kind, AXES, N, 0)
    assert isinstance(sampler, cls)
    assert sampler.total == (360 if kind == "grid" else N)
    assert sampler.axes == AXES


@pytest.mark.parametrize("kind", ["halton", "", "Grid"])
def test_make_sampler_unknown_kind(kind):
    with pytest.raises(ExplorerError) as err:
        make_sampler(kind, AXES, 10, 0)
    assert repr(kind) in str(err.value) and "\n" not in str(err.value)


def test_max_chunk_is_int32_safe():
    assert 0 < MAX_CHUNK < 2**31


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 200_000))
def test_divisors_are_every_divisor_in_order(n):
    from explorer.samplers import divisors

    assert divisors(n) == [d for d in range(1, n + 1) if n % d == 0]


def test_slab_length_of_a_long_prime_axis_is_immediate():
    from explorer.samplers import slab_length

    prime = 16_777_213  # the largest prime below 2^24: its only divisors are 1 and itself
    assert slab_length([prime, 64], 1 << 20) == 64  # the trailing axis whole, one step of the prime axis
    assert slab_length([12, 10, 64], 1 << 20) == 12 * 10 * 64  # everything fits
    assert slab_length([12, 10, 64], 64 * 10 * 5) == 64 * 10 * 4  # 4, the largest divisor of 12 with 640·d ≤ 3200
