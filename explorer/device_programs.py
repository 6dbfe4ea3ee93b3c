"""The sweep's two device stages, as pure functions of a plan and their inputs.

- ``prefilter`` evaluates the model on a whole chunk (its values from ``chunk_values``: in
  the same program for a grid, whose chunk is an outer product of axis ranges, so every
  intermediate is computed on the axes it depends on only; a program of its own for the
  other samplers) and
  lists the runs of points the tables do not dominate (relaxed by the plan's slack,
  which absorbs rounding differences between the two programs);
- ``exact_stage`` re-evaluates those candidates point by point, in a device-side loop
  of steps, folds them into the tables, decides on the very values it returns, and
  compacts the survivors.

``compiled(plan, device)`` compiles both for one device once per plan (an LRU cache
keyed on the frozen, hashable plan). docs/engine.md explains the whole design.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np

from explorer import program_cache
from explorer.dominance import dominated_by_any, dominated_by_table, grid_of_minima, layout, sketch_points, survivors


class Tables(NamedTuple):
    """What the device rejects against: the grids of minima (2–3 objectives; a dict of
    arrays) and the sketch of front points (1 or 4+ objectives; SKETCH × m, minimised)."""

    grid: dict
    sketch: object


class Candidates(NamedTuple):
    """The prefilter's answer for a chunk: start positions of the surviving runs (int32,
    one slot per run of the chunk), the number of candidate points, and the chunk's count
    of feasible points (None when there was no prefilter)."""

    starts: object
    count: object
    feasible: object


class ExactResult(NamedTuple):
    """One call of the exact stage: ``rows``, every column packed in one (columns × capacity)
    array (``row_columns`` order) whose first ``kept`` entries are the survivors; ``offset``,
    where the next call continues; ``valid`` and ``feasible``, the points evaluated and how
    many were feasible; ``grid``, the tables after the call."""

    rows: dict
    kept: object
    offset: object
    valid: object
    feasible: object
    grid: dict


class Programs(NamedTuple):
    """Both stages compiled for one device: callables of (inputs, …) (``prefilter`` is None
    outside frontier mode; for samplers other than the grid it dispatches two programs)."""

    prefilter: object
    exact: object


def host_tables(plan, points: np.ndarray) -> Tables:
    """Host-side tables of reference points (n × m, minimised) in the plan's dtype."""
    dtype = np.dtype(plan.structure.dtype)
    return Tables(grid_of_minima(points, dtype), sketch_points(points).astype(dtype))


def host_inputs(plan, chunk_id: int) -> dict:
    """The sampler's host inputs of chunk ``chunk_id``, floats in the plan's dtype."""
    dtype = np.dtype(plan.structure.dtype)
    inputs = plan.sampler.host_inputs(int(chunk_id) * plan.chunk, plan.chunk)
    return {k: (np.asarray(v, dtype) if np.asarray(v).dtype.kind == "f" else v) for k, v in inputs.items()}


def true_positions(mask):
    """Device side: the positions of ``mask``'s true entries in order, then zeros (int32, as
    long as the mask). One running sum and one scatter: ``jnp.nonzero`` takes two running
    sums and a scatter-add."""
    import jax.numpy as jnp

    n = mask.shape[0]
    rank = jnp.cumsum(mask, dtype=jnp.int32) - 1
    return jnp.zeros(n, jnp.int32).at[jnp.where(mask, rank, n)].set(jnp.arange(n, dtype=jnp.int32), mode="drop")


def row_columns(plan) -> list[str]:
    """The exact stage's packed rows, in order: the plan's columns (``feasible``, in "all" mode,
    as 0/1 in the float type)."""
    return [c for c in plan.columns if c != "feasible"] + (["feasible"] if plan.mode == "all" else [])


def transfer_rows(kept: int, capacity: int) -> int:
    """Rows copied to the host for ``kept`` survivors: the power of two at or above, at most
    ``capacity`` (one compiled slice per bucket, so a few sizes serve every call)."""
    return min(1 << max(int(kept) - 1, 0).bit_length(), capacity)


def survivor_rows(plan, result: ExactResult, kept: int) -> dict:
    """Host side: the first ``kept`` rows of an exact call as column → array. Only a power-of-two
    bucket of rows leaves the device (``transfer_rows``), so the copy grows with the survivors."""
    block = np.asarray(result.rows[:, :transfer_rows(kept, result.rows.shape[1])])[:, :kept]
    rows = {c: block[k].copy() for k, c in enumerate(row_columns(plan))}
    if "feasible" in rows:
        rows["feasible"] = rows["feasible"] > 0.5
    return rows


def evaluate_columns(plan, values) -> dict:
    """Swept and fixed inputs plus every model output, in whatever shapes broadcast (traced)."""
    import jax.numpy as jnp

    dtype = jnp.dtype(plan.structure.dtype)
    fixed = {k: jnp.asarray(v, dtype) for k, v in plan.fixed}
    design, params = plan.structure.inputs(values, fixed)
    outputs = plan.model.fn(design, params)
    return {**design, **{k: values[k] for k in plan.param_axes},
            **{k: jnp.asarray(outputs[k]).astype(dtype) for k in plan.model.output_names}}


def _feasible(plan, cols, slack: float = 0.0):
    return plan.structure.feasible(cols, plan.bound_values, slack)


def _objectives(plan, cols) -> list:
    s = plan.structure
    return [cols[o] * sign for o, sign in zip(s.objectives, s.signs)]


def _dominated(obj, tables: Tables):
    """The tables' rejection: the grid of minima (2–3 objectives) or the sketch (others)."""
    if layout(len(obj)):
        return dominated_by_table(obj, tables.grid)
    return dominated_by_any(obj, tables.sketch)


def chunk_values(plan, inputs) -> dict:
    """The sampler's values of a whole chunk, in shapes that broadcast to it (the prefilter's
    input). For every sampler but the grid a program of its own: fused into the prefilter, the
    Sobol' sampler's values cost 21 ms more per 2²⁰ points than given to it (48 against 27 ms;
    random: 31 against 29); a grid slab's values are short vectors, fused in for free."""
    import jax.numpy as jnp

    return plan.sampler.block_values(inputs, plan.chunk, jnp.dtype(plan.structure.dtype))


def prefilter(plan, values, n_valid, tables: Tables) -> Candidates:
    """Candidates of one chunk (its sampler ``values``, from ``chunk_values``), as the start
    positions of runs of ``plan.block`` consecutive points: every run whose ideal point (each
    objective's least value over the run's feasible points) the tables do not dominate; if
    they dominate the ideal, they dominate every point of the run. Feasibility and the ideal
    are relaxed by the slack.

    Every reduction is first taken over runs (rows of a (chunk/block, block) view): XLA
    on a CPU parallelises a row reduction, not one to a scalar.
    """
    import jax.numpy as jnp

    size, block, slack = plan.chunk, plan.block, plan.slack
    cols = evaluate_columns(plan, values)
    shape = jnp.broadcast_shapes(*(jnp.shape(v) for v in values.values()))
    position = jnp.arange(size, dtype=jnp.int32).reshape(shape)
    valid = position < n_valid
    feasible = valid & _feasible(plan, cols)
    maybe = valid & _feasible(plan, cols, slack)

    def runs(x):
        return jnp.broadcast_to(x, shape).reshape(size // block, block)

    obj = _objectives(plan, cols)
    for o in obj:
        maybe = maybe & jnp.isfinite(o)
    ideal = []  # least (relaxed) value of each objective over the run's possibly feasible points
    for o in obj:
        least = jnp.min(jnp.where(runs(maybe), runs(o), jnp.inf), axis=1)
        ideal.append(least - slack * jnp.abs(least))
    alive = jnp.any(runs(maybe), axis=1) & ~_dominated(ideal, tables)
    starts = true_positions(alive) * block
    count = jnp.sum(alive, dtype=jnp.int32) * block
    return Candidates(starts, count, jnp.sum(runs(feasible), axis=1, dtype=jnp.int32).sum())


def prefilter_of_inputs(plan, inputs, n_valid, tables: Tables) -> Candidates:
    """``prefilter`` of the chunk that ``inputs`` start, its values computed in the same program."""
    return prefilter(plan, chunk_values(plan, inputs), n_valid, tables)


def exact_stage(plan, inputs, n_valid, starts, count, offset, tables: Tables) -> ExactResult:
    """Candidates ``offset`` … ``count`` of the runs that start at ``starts``, evaluated point
    by point in steps of ``plan.step`` until they are done or the call holds ``plan.capacity``
    survivors. In frontier mode every feasible candidate is folded into the tables first.
    """
    import jax
    import jax.numpy as jnp

    size, block, mode = plan.step, plan.block, plan.mode
    dtype = jnp.dtype(plan.structure.dtype)
    columns = row_columns(plan)

    def step(state):
        offset, kept, n_valid_pts, n_feasible, out, grid = state
        position = offset + jnp.arange(size, dtype=jnp.int32)
        j = starts[jnp.minimum(position // block, starts.shape[0] - 1)] + position % block
        cols = {k: jnp.broadcast_to(v, (size,))
                for k, v in evaluate_columns(plan, plan.sampler.values_at(inputs, j, dtype)).items()}
        valid = (position < count) & (j < n_valid)
        feasible = valid & _feasible(plan, cols)
        if mode == "frontier":
            obj = jnp.stack(_objectives(plan, cols), axis=1)
            keep, grid = survivors(obj, feasible & jnp.all(jnp.isfinite(obj), axis=1), grid, tables.sketch)
        else:
            keep = feasible if mode == "feasible" else valid
        index = true_positions(keep)
        cols["feasible"] = feasible.astype(dtype)
        picked = jnp.stack([cols[k][index] for k in columns])
        out = jax.lax.dynamic_update_slice(out, picked, (jnp.zeros((), kept.dtype), kept))
        return (offset + size, kept + keep.sum(dtype=jnp.int32), n_valid_pts + valid.sum(dtype=jnp.int32),
                n_feasible + feasible.sum(dtype=jnp.int32), out, grid)

    def more(state):
        offset, kept = state[0], state[1]
        return (offset < count) & (kept <= plan.capacity)

    rows = plan.capacity + size  # a step that starts at most ``capacity`` rows in always fits
    out = jnp.zeros((len(columns), rows), dtype)
    zero = jnp.zeros((), jnp.int32)
    offset, kept, n_valid_pts, n_feasible, out, grid = jax.lax.while_loop(
        more, step, (offset, zero, zero, zero, out, tables.grid))
    return ExactResult(out, kept, offset, n_valid_pts, n_feasible, grid)


@functools.lru_cache(maxsize=8)
def compiled(plan, device) -> Programs:
    """Both programs of ``plan`` compiled for ``device``: once per plan and device in a process,
    and in a later process without tracing them again (``program_cache``: the exported module
    from disk, its compiled code from JAX's persistent cache)."""
    import jax

    program_cache.register_namedtuples(Tables, Candidates, ExactResult)
    dtype = np.dtype(plan.structure.dtype)
    example = host_inputs(plan, 0)
    with jax.enable_x64(dtype == np.float64):  # a thread's own setting: the caller's does not reach it
        inputs = jax.device_put(example, device)
        tables = jax.device_put(host_tables(plan, np.empty((0, len(plan.structure.objectives)))), device)
        i32 = jax.device_put(np.int32(0), device)
        starts = jax.device_put(np.zeros(plan.chunk // plan.block, np.int32), device)
        exact = program_cache.compile_program("exact_stage", functools.partial(exact_stage, plan), plan,
                                              (inputs, i32, starts, i32, i32, tables))
        first = None
        if plan.frontier and plan.sampler_kind == "grid":  # a slab's values are short vectors: fused in
            first = program_cache.compile_program("prefilter", functools.partial(prefilter_of_inputs, plan), plan,
                                                  (inputs, i32, tables))
        elif plan.frontier:
            values = program_cache.compile_program("chunk_values", functools.partial(chunk_values, plan), plan,
                                                   (inputs,))
            on_values = program_cache.compile_program("prefilter_of_values", functools.partial(prefilter, plan),
                                                      plan, (values(inputs), i32, tables))

            def first(chunk_inputs, n_valid, chunk_tables):  # two dispatches, no wait between them
                return on_values(values(chunk_inputs), n_valid, chunk_tables)
    return Programs(first, exact)
