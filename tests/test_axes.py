"""Sweep axes: the grid each axis visits and the map from [0, 1) onto it."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.axes import Axis

U32 = np.float32(1.0) - np.float32(2.0**-24)  # the largest float32 below 1


def unit_grid(n, dtype=jnp.float32):
    """n sorted points covering [0, 1): 0, ..., and the largest float below 1."""
    u = np.linspace(0.0, 1.0, n)
    u[-1] = U32 if dtype == jnp.float32 else 1.0 - 2.0**-52
    return jnp.asarray(u, dtype)


# --- grid_values ----------------------------------------------------------------------------------

def test_grid_linear_is_linspace():
    axis = Axis("nu", "Hz", low=6e8, high=1.98e9, scale="linear", count=7)
    grid = axis.grid_values()
    np.testing.assert_allclose(grid, np.linspace(6e8, 1.98e9, 7), rtol=0, atol=0)
    assert grid[0] == 6e8 and grid[-1] == 1.98e9
    np.testing.assert_allclose(np.diff(grid), (1.98e9 - 6e8) / 6, rtol=1e-12)


def test_grid_log_is_geometric():
    axis = Axis("batch", "sequences", low=256.0, high=16384.0, scale="log", count=7)
    grid = axis.grid_values()
    assert len(grid) == 7
    assert grid[0] == pytest.approx(256.0, rel=1e-14) and grid[-1] == pytest.approx(16384.0, rel=1e-14)
    ratios = grid[1:] / grid[:-1]
    np.testing.assert_allclose(ratios, 2.0, rtol=1e-12)  # 256 · 2^k


def test_grid_log_tiny_values():
    axis = Axis("temperature", "nats", low=1e-3, high=3e-2, scale="log", count=5)
    grid = axis.grid_values()
    assert grid[0] == pytest.approx(1e-3, rel=1e-12, abs=0)
    assert grid[-1] == pytest.approx(3e-2, rel=1e-12, abs=0)
    np.testing.assert_allclose(np.log(grid), np.linspace(math.log(1e-3), math.log(3e-2), 5), rtol=1e-12)


def test_grid_count_one_is_low():
    for scale in ("linear", "log"):
        axis = Axis("x", "1", low=3.0, high=9.0, scale=scale, count=1)
        np.testing.assert_array_equal(axis.grid_values(), [3.0])


def test_grid_integer_rounds_and_dedups():
    axis = Axis("n_parallel", "devices", low=1.0, high=4.0, scale="linear", count=10, integer=True)
    np.testing.assert_array_equal(axis.grid_values(), [1.0, 2.0, 3.0, 4.0])
    log_axis = Axis("n_parallel", "devices", low=8.0, high=64.0, scale="log", count=40, integer=True)
    grid = log_axis.grid_values()
    assert np.all(grid == np.round(grid))
    assert np.all(np.diff(grid) > 0)  # sorted, no duplicates
    assert grid[0] == 8.0 and grid[-1] == 64.0
    assert len(grid) < 40  # 40 geometric points over 8..64 collide once rounded
    np.testing.assert_array_equal(grid, np.unique(np.round(np.geomspace(8.0, 64.0, 40))))


def test_grid_integer_without_duplicates_keeps_count():
    axis = Axis("n", "1", low=0.0, high=100.0, count=11, integer=True)
    np.testing.assert_array_equal(axis.grid_values(), np.arange(0.0, 101.0, 10.0))


def test_grid_values_axis():
    axis = Axis("batch", "sequences", values=(512.0, 1024.0, 4096.0))
    grid = axis.grid_values()
    assert grid.dtype == np.float64
    np.testing.assert_array_equal(grid, [512.0, 1024.0, 4096.0])
    # values ignore low/high/scale/count
    other = Axis("batch", "sequences", values=(7.0,), low=100.0, high=200.0, scale="log", count=50)
    np.testing.assert_array_equal(other.grid_values(), [7.0])


def test_grid_integer_stays_within_range():
    axis = Axis("n", "1", low=2.4, high=5.6, count=5, integer=True)
    grid = axis.grid_values()
    assert grid.min() >= 3.0 and grid.max() <= 5.0


# --- from_unit ------------------------------------------------------------------------------------

def test_from_unit_linear_endpoints_and_midpoint():
    axis = Axis("x", "1", low=2.0, high=7.0)
    with jax.enable_x64(True):
        x = np.asarray(axis.from_unit(jnp.asarray([0.0, 0.5, 0.25, 1.0 - 2.0**-52], jnp.float64)))
    assert x[0] == 2.0
    assert x[1] == 4.5 and x[2] == 3.25
    assert x[3] < 7.0 and x[3] == pytest.approx(7.0, rel=1e-15)


def test_from_unit_log_endpoints_and_midpoint():
    axis = Axis("b", "1", low=10.0, high=1000.0, scale="log")
    with jax.enable_x64(True):
        x = np.asarray(axis.from_unit(jnp.asarray([0.0, 0.5, 1.0 - 2.0**-52], jnp.float64)))
    assert x[0] == pytest.approx(10.0, rel=1e-14)
    assert x[1] == pytest.approx(100.0, rel=1e-14)  # geometric mean
    assert x[2] == pytest.approx(1000.0, rel=1e-13)


def test_from_unit_float32_endpoints():
    lin = Axis("x", "1", low=2.0, high=7.0)
    log = Axis("b", "1", low=1e-3, high=3e-2, scale="log")
    u = jnp.asarray([0.0, U32], jnp.float32)
    xl, xg = np.asarray(lin.from_unit(u)), np.asarray(log.from_unit(u))
    assert xl.dtype == np.float32 and xg.dtype == np.float32
    assert xl[0] == 2.0 and xl[1] == pytest.approx(7.0, rel=1e-6)
    assert xg[0] == pytest.approx(1e-3, rel=1e-6, abs=0) and xg[1] == pytest.approx(3e-2, rel=1e-6, abs=0)


def test_from_unit_preserves_shape():
    axis = Axis("x", "1", low=0.0, high=4.0)
    u = jnp.full((3, 5), 0.5, jnp.float32)
    x = axis.from_unit(u)
    assert x.shape == (3, 5)
    np.testing.assert_array_equal(np.asarray(x), 2.0)


@pytest.mark.parametrize("axis", [
    Axis("x", "1", low=-3.0, high=7.0),
    Axis("x", "1", low=1e-3, high=3e-2, scale="log"),
    Axis("n", "1", low=8.0, high=65536.0, scale="log", integer=True),
    Axis("n", "1", low=0.0, high=10.0, integer=True),
    Axis("v", "1", values=(1.0, 2.5, 4.0, 9.0)),
], ids=["linear", "log", "log-integer", "linear-integer", "values"])
def test_from_unit_monotone(axis):
    with jax.enable_x64(True):
        u = unit_grid(2001, jnp.float64)
        x = np.asarray(axis.from_unit(u))
    assert np.all(np.diff(x) >= 0)
    if axis.values is None and not axis.integer:
        assert np.all(np.diff(x) > 0)  # strictly increasing on a continuous axis
    u32 = unit_grid(2001)
    assert np.all(np.diff(np.asarray(axis.from_unit(u32))) >= 0)


@settings(max_examples=60, deadline=None)
@given(low=st.floats(-50.0, 50.0), width=st.floats(0.05, 80.0), scale=st.sampled_from(["linear", "log"]))
def test_from_unit_integer_rounds_and_clips(low, width, scale):
    if scale == "log":
        low = abs(low) + 0.01
    high = low + width
    lo_int, hi_int = math.ceil(low), math.floor(high)
    if lo_int > hi_int:
        return  # no integer in range (the spec rejects such axes)
    axis = Axis("n", "1", low=low, high=high, scale=scale, integer=True)
    with jax.enable_x64(True):
        u = unit_grid(257, jnp.float64)
        x = np.asarray(axis.from_unit(u))
        cont = np.asarray(Axis("n", "1", low=low, high=high, scale=scale).from_unit(u))
    assert np.all(x == np.round(x))
    assert x.min() >= lo_int and x.max() <= hi_int
    assert x[0] == lo_int and x[-1] == hi_int  # both ends of the integer range are reached
    # the nearest integer, unless clipped back into range
    np.testing.assert_array_equal(x, np.clip(np.round(cont), lo_int, hi_int))


def test_from_unit_integer_example():
    axis = Axis("n", "1", low=2.4, high=5.6, integer=True)
    x = np.asarray(axis.from_unit(jnp.asarray([0.0, 0.2, 0.5, 0.8, U32], jnp.float32)))
    np.testing.assert_array_equal(x, [3.0, 3.0, 4.0, 5.0, 5.0])


def test_from_unit_values_equal_bins():
    axis = Axis("v", "1", values=(10.0, 20.0, 30.0, 40.0))
    u = jnp.asarray([0.0, 0.2499, 0.25, 0.4999, 0.5, 0.7499, 0.75, float(U32), 1.0], jnp.float32)
    x = np.asarray(axis.from_unit(u))
    np.testing.assert_array_equal(x, [10, 10, 20, 20, 30, 30, 40, 40, 40])  # u = 1 clips to the last value
    assert x.dtype == np.float32


def test_from_unit_values_only_listed(rng):
    values = (0.1, 3.0, 2.0, 1e9)
    axis = Axis("v", "1", values=values)
    x = np.asarray(axis.from_unit(jnp.asarray(rng.random(5000), jnp.float32)))
    assert set(np.unique(x).tolist()) == set(np.float32(values).tolist())


def test_from_unit_traceable():
    axis = Axis("n", "1", low=8.0, high=512.0, scale="log", integer=True)
    u = jnp.asarray(np.linspace(0, 0.999, 50), jnp.float32)
    np.testing.assert_array_equal(np.asarray(jax.jit(axis.from_unit)(u)), np.asarray(axis.from_unit(u)))


@pytest.mark.parametrize("axis", [Axis("b", "1", low=1.0, high=100.0, scale="log"),
                                  Axis("n", "1", low=8.0, high=64.0, integer=True)], ids=["log", "integer"])
def test_from_unit_float32_under_x64(axis):
    with jax.enable_x64(True):
        x = axis.from_unit(jnp.asarray([0.0, 0.5], jnp.float32))
    assert x.dtype == jnp.float32


def test_multiple_of_grid_from_unit_and_rounding():
    axis = Axis("n_parallel", "devices", low=512, high=65536, scale="log", count=120, integer=True, multiple_of=32.0)
    grid = axis.grid_values()
    assert np.all(grid % 32 == 0) and np.all(np.diff(grid) > 0) and grid[0] == 512 and grid[-1] == 65536
    x = np.asarray(axis.from_unit(jnp.linspace(0.0, 0.999, 1000, dtype=jnp.float32)))
    assert np.all(x % 32 == 0) and x.min() >= 512 and x.max() <= 65536
    # the optimiser's neighbours: 1000 → 992 below and 1024 above; clipped into the range
    assert axis.round_down(1000.0) == 992.0 and axis.round_up(1000.0) == 1024.0
    assert axis.round_down(100.0) == 512.0 and axis.round_up(1e6) == 65536.0
