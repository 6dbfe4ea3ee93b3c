"""Cheap, exact rejection of dominated points: what the sweep engine runs on the device
so that only candidates for the front reach the exact merge on the host.

Every test here is one-sided: it may keep a dominated point, but a point it rejects is
strictly dominated by a real reference point. Objectives are minimised (negate the
ones to maximise first).

Grids of minima (2 and 3 objectives) bin objectives by their *float bit patterns*: an
IEEE float read as an unsigned integer (sign bit flipped for positives, all bits for
negatives) is monotone in the float, so ``⌊float(key − key₀) · scale⌋`` is a
logarithmic-looking bin. Every step of it (the conversion and the product rounded to
nearest, the floor, the cap) is monotone, so whatever the rounding, ``bin(a) < bin(p)``
implies ``a < p`` exactly; host and device compute it with the same IEEE operations, so
they agree bin for bin. For 3 objectives, cell
(i, j) of the (time, energy) table, say, holds the least loss over references whose
time and energy bins are both strictly lower; a point p in bin (i, j) with
``table[i, j] ≤ p_loss`` is dominated (strictly better in two objectives, no worse in
the third). One table per choice of binned objectives (``layout``).

The sketch (a few front points tested one by one) covers 1 and 4+ objectives.
"""

from __future__ import annotations

import numpy as np

BINS = 256  # bins per binned objective: a (BINS+1)² float32 table is 258 KiB, cache-resident
SKETCH = 32  # front points tested one by one


def _uint(dtype) -> np.dtype:
    return np.dtype(np.uint64) if np.dtype(dtype).itemsize == 8 else np.dtype(np.uint32)


def order_keys(x, xp=np):
    """Unsigned integers in the same order as the floats ``x`` (float32 → uint32, float64 → uint64).

    Positive floats get their sign bit set, negative ones have every bit flipped; −0.0
    is read as +0.0 first, since the two compare equal (a lower key must mean a lower float).
    """
    if xp is np:
        x = np.asarray(x)
        x = np.where(x == 0, np.zeros_like(x), x)
        bits = x.view(_uint(x.dtype))
    else:
        import jax

        x = xp.where(x == 0, xp.zeros_like(x), x)
        bits = jax.lax.bitcast_convert_type(x, _uint(x.dtype))
    width = bits.dtype.itemsize * 8
    sign = bits >> (width - 1)
    top = bits.dtype.type(1 << (width - 1))
    return xp.where(sign == 1, ~bits, bits | top)


def bin_of(keys, k0, scale, bins: int = BINS, xp=np):
    """Bin of each key: −1 below ``k0``, else ``⌊float(key − k0) · scale⌋`` capped at ``bins − 1``
    (in the float type as wide as the keys: ``scale``'s)."""
    below = keys < k0
    offset = xp.where(below, 0, keys - k0).astype(scale.dtype) * scale
    return xp.where(below, -1, xp.minimum(xp.floor(offset), bins - 1).astype(np.int32)).astype(np.int32)


def scale_for(k0, k1, dtype, bins: int = BINS):
    """Host side: the scale that spreads keys k0 … k1 over the bins (``bins / (span + 1)`` in
    ``dtype``, the objectives' float type)."""
    span = float(max(int(k1), int(k0)) - int(k0))
    return np.dtype(dtype).type(bins / (span + 1.0))


def layout(m: int) -> list[tuple[tuple[int, ...], int]]:
    """The tables kept for m objectives: (binned objectives, objective minimised over them).

    Every choice of m − 1 binned objectives gets a table, so a reference rejects a
    point unless it is within one bin of it in two or more objectives. None for 1 or
    4+ objectives (the sketch handles those).
    """
    if m not in (2, 3):
        return []
    return [(tuple(k for k in range(m) if k != target), target) for target in reversed(range(m))]


def grid_of_minima(points: np.ndarray, dtype=np.float32, bins: int = BINS) -> dict:
    """Host side: the tables of an archive (n × m, minimised, finite) in ``dtype``.

    Returns {"k0": (m,), "scale": (m,), "tables": (t, bins+1[, bins+1])}: every
    objective's key range (bins span the archive itself: a point below every
    reference cannot be dominated, one above lands in the last bin) and one prefix-
    minimum table per entry of ``layout(m)``; cell c holds references whose bin is
    c − 1, so a point in bin i looks at references in bins < i.
    """
    m = points.shape[1]
    tables_layout = layout(m)
    udt = _uint(dtype)
    pts = np.asarray(points, dtype)
    pts = pts[np.all(np.isfinite(pts), axis=1)]
    a = m - 1 if tables_layout else 0
    tables = np.full((len(tables_layout),) + (bins + 1,) * a, np.inf, dtype)
    k0 = np.zeros(m if tables_layout else 0, udt)
    scale = np.ones(len(k0), dtype)
    if not tables_layout or len(pts) == 0:
        return {"k0": k0, "scale": scale, "tables": tables}
    for k in range(m):
        keys = order_keys(pts[:, k])
        k0[k] = keys.min()
        scale[k] = scale_for(k0[k], keys.max(), dtype, bins)
    return add_to_grid({"k0": k0, "scale": scale, "tables": tables}, pts, bins)


def add_to_grid(grid: dict, points: np.ndarray, bins: int = BINS) -> dict:
    """Host side: ``grid`` with more reference points (n × m, minimised, finite) folded in,
    keeping its bins (points beyond them land in the first or last cell). A new dict: the
    old tables may still be in use by a computation in flight."""
    tables_layout = layout(points.shape[1])
    tables = grid["tables"].copy()
    grid = {**grid, "tables": tables}
    pts = np.asarray(points, tables.dtype)
    pts = pts[np.all(np.isfinite(pts), axis=1)]
    if not tables_layout or len(pts) == 0:
        return grid
    cells = [bin_of(order_keys(pts[:, k]), grid["k0"][k], grid["scale"][k], bins) + 1 for k in range(pts.shape[1])]
    for t, (axes, target) in enumerate(tables_layout):
        np.minimum.at(tables[t], tuple(cells[k] for k in axes), pts[:, target])
        for axis in range(len(axes)):
            np.minimum.accumulate(tables[t], axis=axis, out=tables[t])
    return grid


def _cells(cols, grid, bins: int, xp):
    """Each objective's bin (−1 below the range) for the rows of ``cols``."""
    return [bin_of(order_keys(c, xp), grid["k0"][k], grid["scale"][k], bins, xp) for k, c in enumerate(cols)]


def _table_lookup(cols, binned, tables, xp):
    """Rows that some table's references dominate, given every objective's bin."""
    dominated = xp.zeros(np.broadcast_shapes(*(c.shape for c in cols)), bool)
    for t, (axes, target) in enumerate(layout(len(cols))):
        inside = True
        for k in axes:
            inside = inside & (binned[k] >= 0)
        best = tables[(t,) + tuple(xp.maximum(binned[k], 0) for k in axes)]
        dominated = dominated | (inside & (best <= cols[target]))
    return dominated


def dominated_by_table(obj, grid, bins: int = BINS, xp=None):
    """Rows of ``obj`` (an (n, m) array, or a list of m arrays that broadcast together) that
    the tables' references dominate. Runs on the device (jax.numpy, the default) or on the
    host (``xp=numpy``)."""
    if xp is None:
        import jax.numpy as xp
    cols = _objective_columns(obj)
    if not layout(len(cols)):
        return xp.zeros(np.broadcast_shapes(*(c.shape for c in cols)), bool)
    return _table_lookup(cols, _cells(cols, grid, bins, xp), grid["tables"], xp)


def reject_and_fold(obj, candidate, grid, bins: int = BINS):
    """Device side: folds the ``candidate`` rows of ``obj`` (n × m, minimised) into the tables,
    then tests every row against them. Returns (dominated, the grid with the folded tables).

    The candidates must be real points (feasible configurations as this program computes
    them). One pass serves both the archive's references and the rows' own: a row lands in
    cell bin + 1 and looks at cells up to its bin, so it never rejects itself or an equal
    row. For 1 and 4+ objectives (no tables) nothing is rejected and the grid is unchanged.
    """
    import jax.numpy as jnp

    cols = _objective_columns(obj)
    tables_layout = layout(len(cols))
    if not tables_layout:
        return jnp.zeros(cols[0].shape, bool), grid
    binned = _cells(cols, grid, bins, jnp)
    a = len(cols) - 1
    dropped = (bins + 1) ** a  # an index past the table: scatter drops it
    tables = []
    for t, (axes, target) in enumerate(tables_layout):
        cell = jnp.zeros(cols[0].shape, jnp.int32)
        for k in axes:
            cell = cell * (bins + 1) + binned[k] + 1
        cell = jnp.where(candidate, cell, dropped)
        table = grid["tables"][t].reshape(-1).at[cell].min(cols[target], mode="drop").reshape((bins + 1,) * a)
        tables.append(table)
    tables = jnp.stack(tables)
    for axis in range(1, a + 1):
        tables = _prefix_min(tables, axis)
    return _table_lookup(cols, binned, tables, jnp), {**grid, "tables": tables}


def survivors(obj, candidate, grid, sketch):
    """Device side, the sweep's exact rejection: the ``candidate`` rows of ``obj`` (n × m,
    minimised) that neither the tables, with every candidate folded in, nor (for 1 or 4+
    objectives) the sketch dominate. Returns (kept rows, the folded grid)."""
    dominated, grid = reject_and_fold(obj, candidate, grid)
    if not layout(obj.shape[1]):
        dominated = dominated_by_any(obj, sketch)
    return candidate & ~dominated, grid


def _prefix_min(x, axis: int):
    """Running minimum along ``axis`` as a scan over that axis: XLA's own cumulative
    minimum on a CPU is a window as long as the axis (quadratic), this is linear."""
    import jax
    import jax.numpy as jnp

    def running(carry, row):
        carry = jnp.minimum(carry, row)
        return carry, carry

    moved = jnp.moveaxis(x, axis, 0)
    start = jnp.full(moved.shape[1:], jnp.inf, x.dtype)
    return jnp.moveaxis(jax.lax.scan(running, start, moved)[1], 0, axis)


def sketch_points(points: np.ndarray, size: int = SKETCH) -> np.ndarray:
    """Up to ``size`` front points (each objective's minimum, then spread along the first
    objective), padded with +inf rows, which dominate nothing."""
    m = points.shape[1]
    sketch = np.full((size, m), np.inf)
    if len(points) <= size:
        sketch[: len(points)] = points
    else:
        extremes = [int(np.argmin(points[:, k])) for k in range(m)]
        spread = np.argsort(points[:, 0], kind="stable")[np.linspace(0, len(points) - 1, size - m).astype(int)]
        sketch[:] = points[np.concatenate([extremes, spread])]
    return sketch


def dominated_by_any(obj, reference):
    """Mask of the rows of ``obj`` (m arrays, or n × m) that some row of ``reference`` dominates.

    Unrolled over the (few, fixed) reference rows and the objectives: one fused
    pass of column comparisons. Rows of +inf in ``reference`` dominate nothing.
    """
    import jax.numpy as jnp

    cols = _objective_columns(obj)
    dominated = jnp.zeros(jnp.broadcast_shapes(*(c.shape for c in cols)), bool)
    for j in range(reference.shape[0]):
        no_worse = cols[0] >= reference[j, 0]
        better = cols[0] > reference[j, 0]
        for k in range(1, len(cols)):
            no_worse = no_worse & (cols[k] >= reference[j, k])
            better = better | (cols[k] > reference[j, k])
        dominated = dominated | (no_worse & better)
    return dominated


def _objective_columns(obj) -> list:
    return list(obj) if isinstance(obj, (list, tuple)) else [obj[:, k] for k in range(obj.shape[1])]
