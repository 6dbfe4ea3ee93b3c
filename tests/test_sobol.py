"""explorer.sobol: Sobol' points on the device against SciPy (unscrambled, bit for bit) and
the net properties that scrambling must keep."""

import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats
from scipy.stats import qmc

from explorer import sobol


def test_direction_numbers_rejects_unsupported_dimensions():
    with pytest.raises(ValueError, match="1 to 32 axes"):
        sobol.directions(33)


def _unit_points(seed, start, n, dtype=jnp.float64):
    """Points start … start+n−1 in the unit cube, through the sampler's device path."""
    tables = sobol.sobol_tables(3, seed)
    with jax.enable_x64(True):
        index = jnp.uint32(start) + jnp.arange(n, dtype=jnp.uint32)
        return np.stack([np.asarray(sobol.unit(d, dtype)) for d in sobol.digits_at(tables, index)], axis=1)


@pytest.mark.parametrize("dimensions", [1, 3, 32])
@pytest.mark.parametrize("start", [0, 1000, 3 * 2**20 + 5, 2**24 + 2**22 + 7])
def test_unscrambled_sobol_equals_scipy(dimensions, start):
    """Joe–Kuo direction numbers and Gray-code order: SciPy's unscrambled points, bit for bit."""
    engine = qmc.Sobol(d=dimensions, scramble=False, bits=32)
    if start:
        engine.fast_forward(start)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        expected = engine.random(2048)
    tables = sobol.sobol_tables(dimensions, None)
    with jax.enable_x64(True):
        index = jnp.uint32(start) + jnp.arange(2048, dtype=jnp.uint32)
        flat = np.stack([np.asarray(sobol.unit(d, jnp.float64)) for d in sobol.digits_at(tables, index)], 1)
        rows = np.stack([np.asarray(sobol.unit(d, jnp.float64)).ravel()
                         for d in sobol.digits_of_run(tables, jnp.uint32(start - start % 1024), 3)], 1)
    np.testing.assert_array_equal(flat, expected)
    np.testing.assert_array_equal(rows[start % 1024:start % 1024 + 2048], expected)


@pytest.mark.parametrize("seed", [0, 3, 12345])
def test_scrambled_sobol_nets_are_balanced(seed):
    """Every run of 2^k points from a multiple of 2^k puts one point in each of 2^k equal
    intervals of every axis, and the first two axes form a (0, m, 2)-net (one point per cell
    of a 2^a × 2^(m−a) grid): a linear matrix scramble and a digital shift keep both."""
    u = _unit_points(seed, 0, 4096)
    for k in range(1, 13):
        n = 2**k
        for off in range(0, 4096, n)[:4]:
            cells = np.floor(u[off:off + n] * n).astype(int)
            for axis in range(u.shape[1]):
                assert sorted(cells[:, axis]) == list(range(n)), (k, off, axis)
    for a in range(7):
        cells = np.floor(u[:128, 0] * 2**a) * 2 ** (7 - a) + np.floor(u[:128, 1] * 2 ** (7 - a))
        assert sorted(cells.astype(int)) == list(range(128))


def test_scrambled_sobol_depends_on_the_seed_and_is_uniform():
    a, b = _unit_points(1, 0, 4096), _unit_points(2, 0, 4096)
    assert np.mean(np.abs(a - b) < 1e-9) < 0.01
    for axis in range(a.shape[1]):  # a scrambled point set is a uniform sample: KS against U(0, 1)
        assert stats.kstest(a[:, axis], "uniform").pvalue > 1e-3
    unscrambled = _unit_points(None, 0, 4)
    np.testing.assert_array_equal(unscrambled[0], 0.0)  # Sobol's first point; scrambling moves it
    assert np.all(a[0] > 0)


def test_sobol_float32_keeps_the_top_24_bits():
    u64 = _unit_points(7, 0, 512)
    u32 = _unit_points(7, 0, 512, jnp.float32)
    np.testing.assert_array_equal(u32, (np.floor(u64 * 2**24) / 2**24).astype(np.float32))


@pytest.mark.parametrize("start", [2**31 + 17, 2**32 - 2048])
def test_high_indices_xor_every_selected_direction(start):
    """Beyond what SciPy can fast-forward to in a test: the three tables give the XOR of the
    directions that the Gray code of the index selects, computed digit by digit."""
    v = sobol.directions(3).astype(np.uint64)
    index = np.arange(start, start + 2048, dtype=np.uint64)
    gray = index ^ (index >> np.uint64(1))
    expected = np.zeros((2048, 3), np.uint64)
    for k in range(32):
        expected ^= np.where(((gray >> np.uint64(k)) & np.uint64(1))[:, None] == 1, v[:, k], np.uint64(0))
    tables = sobol.sobol_tables(3, None)
    got = np.stack([np.asarray(d) for d in sobol.digits_at(tables, jnp.asarray(index.astype(np.uint32)))], 1)
    np.testing.assert_array_equal(got, expected.astype(np.uint32))
