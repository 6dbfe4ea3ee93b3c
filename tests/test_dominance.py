"""Device-side rejection: every test is one-sided (a rejected point is truly dominated), and useful."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from explorer.dominance import (BINS, add_to_grid, bin_of, dominated_by_any, dominated_by_table, grid_of_minima,
                                layout, order_keys, reject_and_fold, scale_for, sketch_points)


def truly_dominated(points, reference):
    """O(n·r) reference: rows of ``points`` some row of ``reference`` dominates (minimised)."""
    le = np.all(reference[None, :, :] <= points[:, None, :], axis=2)
    lt = np.any(reference[None, :, :] < points[:, None, :], axis=2)
    return np.any(le & lt, axis=1)


def device(grid):
    return {k: jnp.asarray(v) for k, v in grid.items()}


ROWS = 64  # hypothesis draws up to this many rows; device calls see them padded to it (one compile)


def by_table(points, grid):
    padded = np.concatenate([points, np.full((ROWS - len(points), points.shape[1]), np.inf, points.dtype)])
    return np.asarray(_BY_TABLE(jnp.asarray(padded), device(grid)))[: len(points)]


def fold(points, candidate, grid):
    """reject_and_fold on the device: (rejected rows, the folded grid back on the host)."""
    pad = ROWS - len(points)
    padded = np.concatenate([points, np.full((pad, points.shape[1]), np.inf, points.dtype)])
    mask = np.concatenate([candidate, np.zeros(pad, bool)])
    rejected, folded = _FOLD(jnp.asarray(padded), jnp.asarray(mask), device(grid))
    return np.asarray(rejected)[: len(points)], {k: np.asarray(v) for k, v in folded.items()}


_BY_TABLE = jax.jit(dominated_by_table)
_FOLD = jax.jit(reject_and_fold)


FLOATS = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False, width=32)


@settings(max_examples=200, deadline=None)
@given(a=FLOATS, b=FLOATS)
def test_order_keys_are_monotone_in_the_floats(a, b):
    x = np.array([a, b], np.float32)
    keys = order_keys(x)
    assert keys.dtype == np.uint32
    if x[0] < x[1]:
        assert keys[0] < keys[1]
    elif x[0] > x[1]:
        assert keys[0] > keys[1]


def test_order_keys_hand_values_and_device_agree():
    x = np.array([-np.inf, -2.0, -1.0, -1e-30, 0.0, 1e-30, 1.0, 2.0, np.inf], np.float32)
    keys = order_keys(x)
    assert np.all(keys[1:] > keys[:-1])
    assert keys[4] == 0x80000000  # zero in the middle
    assert order_keys(np.array([-0.0], np.float32))[0] == keys[4]  # −0.0 equals +0.0: the same key
    np.testing.assert_array_equal(np.asarray(order_keys(jnp.asarray(x), jnp)), keys)
    np.testing.assert_array_equal(np.asarray(order_keys(jnp.asarray(np.float32([-0.0, 0.0])), jnp)), [keys[4]] * 2)
    with jax.enable_x64(True):
        x64 = x.astype(np.float64)
        k64 = order_keys(x64)
        assert k64.dtype == np.uint64 and np.all(k64[1:] > k64[:-1])
        np.testing.assert_array_equal(np.asarray(order_keys(jnp.asarray(x64), jnp)), k64)


@pytest.mark.parametrize("span", [0, 1, 255, 256, 511, 512, 513, 2**20, 2**31 + 5, 2**32 - 1001])
def test_scale_spreads_the_whole_span_over_every_bin(span):
    k0, k1 = np.uint32(1000), np.uint32(1000 + span)
    scale = scale_for(k0, k1, np.float32)
    keys = np.unique(np.linspace(999, int(k1), 4099).astype(np.uint32))
    bins = bin_of(keys, k0, scale)
    assert bins[0] == -1 and bins[1] == 0 and np.all(np.diff(bins) >= 0) and bins[-1] < BINS
    if span >= 4 * BINS:  # a wide span uses every bin: the top key lands in the last one
        assert bins[-1] == BINS - 1 and len(np.unique(bins)) == BINS + 1
    device_bins = np.asarray(jax.jit(lambda k: bin_of(k, jnp.asarray(k0), jnp.asarray(scale), BINS, jnp))(keys))
    np.testing.assert_array_equal(device_bins, bins)  # host and device agree bin for bin


@settings(max_examples=200, deadline=None)
@given(a=st.integers(0, 2**32 - 1), b=st.integers(0, 2**32 - 1), k0=st.integers(0, 2**32 - 1),
       span=st.integers(0, 2**32 - 1))
def test_bins_are_monotone_in_the_keys(a, b, k0, span):
    keys = np.array([min(a, b), max(a, b)], np.uint32)
    k0 = np.uint32(k0)
    bins = bin_of(keys, k0, scale_for(k0, np.uint32(min(int(k0) + span, 2**32 - 1)), np.float32))
    assert bins[0] <= bins[1]


def test_layout_covers_every_choice_of_binned_objectives():
    assert layout(1) == [] and layout(4) == []
    assert layout(2) == [((0,), 1), ((1,), 0)]
    assert layout(3) == [((0, 1), 2), ((0, 2), 1), ((1, 2), 0)]


POINTS = st.integers(2, 3).flatmap(lambda m: st.tuples(
    hnp.arrays(np.float32, st.tuples(st.integers(1, 60), st.just(m)),
               elements=st.floats(-4, 4, width=32).map(lambda v: np.float32(np.round(v, 1)))),
    hnp.arrays(np.float32, st.tuples(st.integers(1, 60), st.just(m)),
               elements=st.floats(-4, 4, width=32).map(lambda v: np.float32(np.round(v, 1))))))


@settings(max_examples=60, deadline=None)
@given(data=POINTS)
@example(data=(np.array([[0.0, -0.0]], np.float32), np.array([[0.0, 0.0]], np.float32)))  # −0 ties +0
def test_table_rejects_only_truly_dominated_points(data):
    # rounded values: many ties, equal rows and negative numbers
    reference, points = data
    grid = grid_of_minima(reference)
    rejected = by_table(points, grid)
    assert not np.any(rejected & ~truly_dominated(points, reference))
    # the reference itself: nothing in it is rejected by a table of itself unless dominated there
    own = by_table(reference, grid)
    assert not np.any(own & ~truly_dominated(reference, reference))


@settings(max_examples=60, deadline=None)
@given(data=POINTS)
def test_fold_rejects_only_points_the_references_or_another_candidate_dominate(data):
    reference, points = data
    candidate = np.arange(len(points)) % 3 != 1
    rejected, _ = fold(points, candidate, grid_of_minima(reference))
    assert not np.any(rejected & ~truly_dominated(points, np.concatenate([reference, points[candidate]])))


@settings(max_examples=40, deadline=None)
@given(data=POINTS)
def test_device_fold_equals_host_fold_and_host_lookup_equals_device(data):
    reference, points = data
    candidate = np.arange(len(points)) % 2 == 0
    grid = grid_of_minima(reference)
    _, folded = fold(points, candidate, grid)
    np.testing.assert_array_equal(folded["tables"], add_to_grid(grid, points[candidate])["tables"])
    np.testing.assert_array_equal(dominated_by_table(points, folded, xp=np), by_table(points, folded))


@settings(max_examples=40, deadline=None)
@given(data=POINTS)
def test_added_points_reject_as_if_built_in(data):
    first, more = data
    grid = add_to_grid(grid_of_minima(first), more)
    probe = np.concatenate([first, more])[:ROWS] + np.float32(0.05)
    rejected = by_table(probe, grid)
    assert not np.any(rejected & ~truly_dominated(probe, np.concatenate([first, more])))


@pytest.mark.parametrize("m", [2, 3])
def test_tables_reject_almost_everything_dominated_on_smooth_data(m, rng):
    # a front on a sphere and points behind it: the tables are coarse but must be useful
    def sphere(n, radius):
        x = np.abs(rng.normal(size=(n, m)))
        return (radius * x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)

    front = 1.0 - sphere(5000, 1.0)
    behind = 1.0 - sphere(20000, 0.9)  # every one is dominated by some front point
    assert truly_dominated(behind[:500], front).all()
    rejected = np.asarray(dominated_by_table(jnp.asarray(behind), device(grid_of_minima(front))))
    assert rejected.mean() > 0.95
    # the same, with the front folded in on the device alongside the points it must reject
    grid = grid_of_minima(front[:10])
    rejected, _ = jax.jit(reject_and_fold)(jnp.asarray(np.concatenate([front, behind])), jnp.ones(25000, bool),
                                           device(grid))
    rejected = np.asarray(rejected)
    assert not rejected[:5000].any() and rejected[5000:].mean() > 0.9


def test_empty_archive_and_other_objective_counts_reject_nothing():
    for m in (1, 2, 3, 4):
        grid = grid_of_minima(np.empty((0, m), np.float32))
        pts = jnp.asarray(np.ones((5, m), np.float32))
        assert not np.asarray(dominated_by_table(pts, device(grid))).any()
    grid = grid_of_minima(np.zeros((3, 4), np.float32))  # 4 objectives: no tables (the sketch's job)
    assert grid["tables"].shape[0] == 0


def test_float64_tables_are_exact_at_float64_resolution():
    with jax.enable_x64(True):
        base = np.array([[1.0, 1.0, 1.0]])
        grid = grid_of_minima(base, np.float64)
        probe = np.array([[1.0 + 1e-12, 1.0 + 1e-12, 1.0], [1.0, 1.0 + 1e-12, 1.0], [2.0, 2.0, 2.0]])
        rejected = np.asarray(dominated_by_table(jnp.asarray(probe), device(grid)))
        assert not rejected[1]  # ties in the first objective: not dominated through the table
        assert rejected[2]


def test_sketch_and_dominated_by_any():
    pts = np.array([[1.0, 5.0], [2.0, 3.0], [4.0, 1.0]])
    sketch = sketch_points(pts, size=4)
    assert np.isinf(sketch[3]).all() and (sketch[:3] == pts).all()
    probe = jnp.asarray(np.array([[2.0, 3.0], [2.5, 3.0], [0.5, 9.0], [4.0, 1.0 + 1e-3]]))
    got = np.asarray(dominated_by_any(probe, jnp.asarray(sketch)))
    np.testing.assert_array_equal(got, [False, True, False, True])
    many = np.random.default_rng(0).random((100, 3))
    sketch = sketch_points(many, size=8)
    assert len(sketch) == 8 and all(sketch[k, k] == many[:, k].min() for k in range(3))
