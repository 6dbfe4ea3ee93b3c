"""What ``explorer bench`` measures the engine against, on the same configurations: the
model in plain NumPy (``numpy_reference``), flat or broadcast over grid slabs; the grid's and
the samplers' points decoded on the host; and the streaming front on a given set of points
(against moocore's one-shot filter)."""

from __future__ import annotations

import time

import numpy as np

from explorer.models.params import split_choices
from explorer.pareto import ParetoArchive
from explorer.problem import Problem

OBJECTIVES = ("time_s", "energy_j", "final_loss")


def sampled_numpy(spec, start: int, size: int) -> dict:
    """Configurations start..start+size of a sampled spec, as the device sampler makes them, on the host."""
    import jax
    import jax.numpy as jnp

    from explorer.samplers import make_sampler

    sampler = make_sampler(spec.sampler, list(spec.axes), spec.samples, spec.seed)
    values = jax.jit(sampler.device_values, static_argnums=(1, 2))  # one program, not one per operation
    return {k: np.asarray(v) for k, v in values(sampler.host_inputs(start, size), size, jnp.float32).items()}


def grid_numpy(spec, start: int, size: int) -> dict:
    """The grid configurations start..start+size decoded on the host."""
    tables = [a.grid_values() for a in spec.axes]
    index = np.arange(start, start + size)
    out = {}
    for axis, table in zip(reversed(spec.axes), reversed(tables)):
        index, digit = np.divmod(index, len(table))
        out[axis.name] = table[digit]
    return out


def _fixed_design(spec, dtype) -> dict:
    """The design variables that are not axes, at their defaults (scalars of ``dtype``)."""
    axes = {a.name for a in spec.axes}
    return {k: dtype(v) for k, v in spec.model.design_defaults(spec.params).items() if k not in axes}


def numpy_sweep(spec, limit: int, broadcast: bool = False) -> tuple[float, int, np.ndarray]:
    """Evaluates the first ``limit`` configurations with NumPy; returns (seconds, n, objectives of feasible).
    Grid points are decoded by NumPy inside the timing; a sampler's points (made by the JAX
    sampler) before it, so the timing is the model's and the constraints'.

    ``broadcast``: each grid slab as an outer product of its axis ranges (NumPy broadcasting,
    as the engine's prefilter evaluates it) instead of one flat row per configuration.
    """
    import jax.numpy as jnp

    from explorer.numpy_reference import evaluate_numpy
    from explorer.samplers import GridSampler

    model = spec.model
    problem = Problem.from_spec(spec)
    numeric, choices = split_choices(model, spec.params)
    params = {**{k: np.float32(v) for k, v in numeric.items()}, **choices}
    grid = GridSampler(list(spec.axes))
    chunk = grid.chunk_length(min(spec.chunk_size, limit)) if broadcast else min(spec.chunk_size, limit)
    slabs = {start: {k: np.asarray(v) for k, v in grid.block_values(grid.host_inputs(start, chunk), chunk,
                                                                    jnp.float32).items()}
             for start in range(0, limit, chunk)} if broadcast else {}
    sampled = {} if spec.sampler == "grid" else {start: sampled_numpy(spec, start, min(chunk, limit - start))
                                                 for start in range(0, limit, chunk)}  # JAX-made: before the clock
    kept = []
    t = time.perf_counter()
    for start in range(0, limit, chunk):
        if start in slabs:
            design = slabs[start]
        else:  # a sampler's points, made beforehand; the grid's, decoded here by NumPy
            points = sampled.get(start) or grid_numpy(spec, start, min(chunk, limit - start))
            design = {k: v.astype(np.float32) for k, v in points.items()}
        design = {**_fixed_design(spec, np.float32), **design}
        out = evaluate_numpy(model, design, params)
        shape = np.broadcast_shapes(*(np.shape(v) for v in design.values()))
        feasible = np.broadcast_to(problem.structure.feasible(out, problem.bound_values, xp=np), shape)
        obj = np.stack([np.broadcast_to(out[o], shape).reshape(-1) for o in OBJECTIVES], axis=1)
        kept.append(obj[feasible.reshape(-1) & np.all(np.isfinite(obj), axis=1)])
    return time.perf_counter() - t, limit, np.concatenate(kept)


def streaming_front(points: np.ndarray, chunk: int) -> tuple[float, int]:
    """The engine's front on ``points`` (n × m, minimised): device rejection + exact merge. (seconds, size)."""
    import jax
    import jax.numpy as jnp

    from explorer.dominance import grid_of_minima, sketch_points, survivors
    from explorer.survivors import Survivors

    m = points.shape[1]
    kept = jax.jit(lambda obj, grid, sketch: survivors(obj, jnp.all(jnp.isfinite(obj), axis=1), grid, sketch))
    pad = (-len(points)) % chunk
    padded = np.concatenate([points, np.full((pad, m), np.inf)]).astype(np.float32)
    names = [f"o{k}" for k in range(m)]
    archive = ParetoArchive(m)
    sketch = jax.device_put(sketch_points(archive.points).astype(np.float32))
    jax.block_until_ready(kept(padded[:chunk], grid_of_minima(padded[:1]), sketch))  # compile outside the timing
    with Survivors(archive, names, np.ones(m), tables=True) as store:
        t = time.perf_counter()
        grid = jax.device_put(grid_of_minima(padded[: min(chunk, len(points))]))  # the first chunk seeds the tables
        for start in range(0, len(padded), chunk):
            block = padded[start:start + chunk]
            keep, grid = kept(block, grid, sketch)
            keep = np.asarray(keep)
            store.add({name: block[keep, k] for k, name in enumerate(names)})
            if store.full():
                store.merge(grid)
        store.merge(grid)
        return time.perf_counter() - t, len(archive)


def feasible_objectives(spec, n: int) -> np.ndarray:
    """Objectives (minimised) of every feasible configuration of the sweep, computed by the JAX
    model on the problem's structure: margins and bounds, as the engine applies them."""
    import jax
    import jax.numpy as jnp

    problem = Problem.from_spec(spec)
    structure, fixed = problem.structure, problem.fixed_arrays(jnp.float32)

    @jax.jit
    def objectives(free):
        out = structure.evaluate(free, fixed)
        return structure.objective_values(out), structure.feasible(out, problem.bound_values)

    parts = []
    for start in range(0, n, spec.chunk_size):
        size = min(spec.chunk_size, n - start)
        obj, feasible = objectives({k: jnp.asarray(v, jnp.float32) for k, v in grid_numpy(spec, start, size).items()})
        obj, feasible = np.asarray(obj), np.broadcast_to(np.asarray(feasible), (size,))
        parts.append(obj[feasible & np.all(np.isfinite(obj), axis=1)])
    return np.concatenate(parts)
