"""Gradient-based constrained optimisation of any registered model: many starts and many
scalarization weights in one compiled call.

The problem is the sweep spec's (model, presets, free inputs as ``[axes]`` ranges,
``[objectives]``, ``[constraints]``) plus an ``[optimize]`` table (see
``OptimizeSettings``). Method, per run (a start × a weight vector):

- **Bounds by reparametrisation**: x = lo + σ(z)·(hi − lo), in log x for log axes, so
  z ∈ ℝ is unconstrained and every iterate is inside the box.
- **Scalarization** of several objectives, normalised by a payoff table: each objective
  is first minimised alone (one compiled call), and the scalarized solves then measure
  every objective from the ideal point (less 1% of the range) in units of the range up
  to the nadir of those extremes: ``weighted_sum`` Σwₖf̃ₖ (reaches only the convex part of a
  front); ``chebyshev`` (augmented): maxₖ wₖf̃ₖ + ρΣwₖf̃ₖ, the max smoothed as
  τ·log Σ exp(wₖf̃ₖ/τ) (τ = 1e-3, error ≤ τ·log m), which reaches non-convex parts of a
  front; ``epsilon``: minimise f̃₁
  subject to f̃ₖ ≤ εₖ, the levels spread over the normalised range.
- **Inequality constraints** g ≤ 0 (margins, bounds) by an augmented Lagrangian (PHR):
  ℒ = f + (1/2ρ)Σ[max(0, λ + ρg)² − λ²]; after each inner solve λ ← max(0, λ + ρg), and ρ
  grows ×10 when the violation did not fall below a quarter of its previous value.
- **Inner solver**: optax Adam or L-BFGS for a fixed number of steps; outer and inner
  loops are ``lax.scan`` with fixed trip counts, so vmapped lanes never wait on each other.
- **Integers** (device counts) are relaxed during descent, then every run tries the
  floor/ceil neighbours of its integer variables and keeps the best feasible one.
- **Report**: per run the optimum, objective, every constraint, the largest violation, a
  KKT residual (stationarity with multipliers re-estimated at the final point, see
  ``shadow_prices.kkt_multipliers``), complementarity, the multipliers as shadow prices in
  physical units (``shadow[CONSTRAINT]``, single-objective problems) and a converged flag;
  the best feasible run is marked ``best`` (the knee of the feasible front when there are
  several objectives).
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pandas as pd

from explorer.optimize_program import compiled_solver, optimization_problem, to_x, to_z
from explorer.optimize_settings import OptimizeSettings, parse_settings, simplex_weights
from explorer.problem import Problem, Structure
from explorer.shadow_prices import kkt_multipliers, shadow_price_columns, shadow_price_units
from explorer.spec import load_spec
from explorer.sweep_output import front_scope

__all__ = ["OptimizeSettings", "optimization_problem", "optimize", "parse_settings", "simplex_weights"]

def optimize(spec, *, out: str | None = None, write: bool = True, progress: bool = False,
             start_at: dict | None = None, metadata: dict | None = None) -> pd.DataFrame:
    """Solves the ``[optimize]`` problem of a spec; one row per run plus the best marked.

    Args:
      spec: TOML path, dict, or SweepSpec with its raw dict carrying ``optimize``.
      out: Parquet path (default: the spec's output.path). What it holds follows
        output.mode: ``frontier`` (default) the feasible runs on the Pareto front of the
        objectives (the sweep's schema plus the weights and convergence columns),
        ``feasible`` every feasible run, ``all`` every run.
      write: write the Parquet file.
      progress: a progress bar on stderr over the phases (compile and normalise, payoff
        table, descent, integer rounding), each named as it runs.
      start_at: a point (free input → value) that replaces the first start of every weight
        (a known good configuration: a schedule starts from the best constant one).
      metadata: entries added to the file's metadata.

    Returns:
      DataFrame: run, start, weight columns, the free variables, every model output,
      every constraint (g_*), objective, max_violation, kkt_residual, complementarity,
      converged, feasible, best, on_front.
    """
    import jax

    spec = load_spec(spec, path=out)
    settings = parse_settings(spec.raw, len(spec.objectives))
    # optax's L-BFGS mixes int32 and int64 counters in x64 mode, which a caller's strict
    # dtype promotion would reject; the solver itself does not depend on promotion rules.
    with jax.enable_x64(spec.dtype == "float64"), jax.numpy_dtype_promotion("standard"):
        frame = _solve(optimization_problem(spec), settings, progress, start_at)
    if write:
        from explorer import io

        keep = {"frontier": frame.on_front, "feasible": frame.feasible, "all": np.ones(len(frame), bool)}[spec.mode]
        io.write(frame[np.asarray(keep)].reset_index(drop=True), spec.path,
                 _metadata(spec, settings, frame) | (metadata or {}))
    frame.attrs["path"] = str(spec.path)
    return frame


def _solve(problem: Problem, st: OptimizeSettings, progress: bool = False, start_at: dict | None = None) -> pd.DataFrame:
    import jax.numpy as jnp
    from scipy.stats import qmc
    from tqdm import tqdm

    structure = problem.structure
    dtype = jnp.float64 if structure.dtype == "float64" else jnp.float32
    m = len(structure.objectives)
    solve_all, evaluate = compiled_solver(structure, st)
    fixed = problem.fixed_arrays(dtype)
    bounds = jnp.asarray(problem.bound_values, dtype)
    u_starts = qmc.Sobol(len(structure.free), scramble=True, seed=st.seed).random(st.starts)
    if start_at is not None:
        u_starts[0] = [a.to_unit(start_at[a.name]) for a in structure.free]
    z_starts = to_z(u_starts)
    if m > 1:
        weights = np.asarray(st.weights, float) if st.weights else simplex_weights(m, st.n_weights)
        if st.scalarization != "epsilon":
            weights = weights / weights.sum(axis=1, keepdims=True)
    else:
        weights = np.ones((1, 1))
    # every call of the solve gets the same number of rows (padded, then sliced), and every call
    # of evaluate one row per run, so each of the two programs compiles once, not once per call
    rows = max(len(weights), m if m > 1 else 1) * st.starts
    n_runs = len(weights) * st.starts

    def objectives_at(z):  # signed objectives at z (rows), by evaluate on one row per run
        x = to_x(structure, jnp.asarray(z[np.arange(n_runs) % len(z)], dtype))
        out, _ = evaluate(x, fixed, bounds)
        return np.asarray(structure.objective_values(out), float)[: len(z)]

    def padded(fn, row_args, *rest):
        n = len(row_args[0])
        take = np.arange(rows) % n
        out = fn(*(jnp.asarray(a[take], dtype) for a in row_args), *rest)
        return tuple(np.asarray(a, float)[:n] for a in (out if isinstance(out, tuple) else (out,)))

    bar = tqdm(total=4 if m > 1 else 3, desc="optimize", unit="phase", disable=not progress, leave=False)
    names = []

    def phase(name):  # the previous phase is done; show the next one
        bar.update(1 if names else 0)
        names.append(name)
        bar.set_postfix_str(name, refresh=True)

    # normalisation: the range of each objective over the starts, from a utopia point one
    # range below the best start (so wₖf̃ₖ > 0 where optima beat every start)
    phase("compiling and normalising")
    f0 = objectives_at(z_starts)
    ideal, span = _normalisation(f0, margin=1.0)
    if m > 1:
        # payoff table: solve each objective alone, then normalise between the ideal point
        # (less 1% of the range) and the nadir of those extremes, so the weights spread
        # over the front instead of over everything the starts happened to visit
        phase(f"payoff table: {m} objectives alone, {m * st.starts} runs")
        extreme_w = np.repeat(np.eye(m), st.starts, axis=0)
        extreme_z = np.tile(z_starts, (m, 1))
        _, _, g_ext, f_ext, _, _ = padded(
            solve_all, (extreme_z, extreme_w), (fixed, bounds, jnp.asarray(ideal, dtype), jnp.asarray(span, dtype)))
        ok = np.max(g_ext[:, : structure.n_constraints], axis=1, initial=0.0) <= st.tolerance
        if ok.any():
            payoff = np.array([f_ext[ok & (extreme_w[:, k] == 1)].min(axis=0) if (ok & (extreme_w[:, k] == 1)).any()
                               else np.nanmin(f_ext[ok], axis=0) for k in range(m)])
            ideal, span = _normalisation(payoff, margin=0.01)
    runs_w = np.repeat(weights, st.starts, axis=0)
    runs_z = np.tile(z_starts, (len(weights), 1))
    values = (fixed, bounds, jnp.asarray(ideal, dtype), jnp.asarray(span, dtype))
    phase(f"descent: {len(runs_z)} runs")
    z, value, g, _, grad_f, jac_g = padded(solve_all, (runs_z, runs_w), values)
    phase("KKT check and integer rounding")
    multipliers, kkt, comp = kkt_multipliers(grad_f, jac_g, g)
    x = {k: np.asarray(v, float) for k, v in to_x(structure, jnp.asarray(z, dtype)).items()}
    x = _round_integers(structure, st, x, evaluate, fixed, bounds, runs_w, ideal, span)
    outputs, g_model = evaluate({k: jnp.asarray(v, dtype) for k, v in x.items()}, fixed, bounds)
    outputs = {k: np.asarray(v, float) for k, v in outputs.items()}
    bar.update(bar.total - bar.n)
    bar.close()
    frame = _frame(problem, runs_w, x, outputs, np.asarray(g_model, float), value, kkt, comp, st)
    return frame.assign(**shadow_price_columns(problem, multipliers, span))


def _normalisation(points: np.ndarray, margin: float):
    """(utopia, range) per objective from the finite values in ``points`` (rows): the range is
    max − min, and the utopia point lies ``margin`` ranges below the minimum."""
    finite = np.where(np.isfinite(points), points, np.nan)
    any_finite = np.isfinite(finite).any(axis=0)
    best = np.where(any_finite, np.nanmin(np.where(any_finite, finite, 0.0), axis=0), 0.0)
    worst = np.where(any_finite, np.nanmax(np.where(any_finite, finite, 1.0), axis=0), 1.0)
    span = np.where(worst > best, worst - best, np.maximum(np.abs(best), 1.0))
    return best - margin * span, span


def _round_integers(structure: Structure, st: OptimizeSettings, x: dict, evaluate, fixed, bounds, weights,
                    ideal, span) -> dict:
    """Integer variables: per run, the best of the neighbours below and above on its axis's steps —
    least violation beyond the tolerance first, then least weighted normalised objective."""
    import jax.numpy as jnp

    names = [a.name for a in structure.free if a.integer]
    if not names:
        return x
    dtype = next(iter(fixed.values())).dtype if fixed else jnp.float32
    tol = st.tolerance
    best, best_key = None, None
    for choice in itertools.product((np.floor, np.ceil), repeat=len(names)):
        cand = dict(x)
        for name, fn in zip(names, choice):
            a = next(a for a in structure.free if a.name == name)
            cand[name] = a.round_down(x[name]) if fn is np.floor else a.round_up(x[name])
        out, g = evaluate({k: jnp.asarray(v, dtype) for k, v in cand.items()}, fixed, bounds)
        g = np.asarray(g, float)
        excess = np.maximum(np.max(g, axis=1, initial=0.0) - tol, 0.0)
        f = (np.asarray(structure.objective_values(out), float) - ideal) / span
        key = (np.nan_to_num(excess, nan=np.inf), np.nan_to_num(np.sum(weights * f, axis=1), nan=np.inf))
        if best is None:
            best, best_key = cand, key
            continue
        better = (key[0] < best_key[0]) | ((key[0] == best_key[0]) & (key[1] < best_key[1]))
        best = {k: np.where(better, cand[k], best[k]) for k in cand}
        best_key = (np.where(better, key[0], best_key[0]), np.where(better, key[1], best_key[1]))
    return best


def _frame(problem, runs_w, x, outputs, g, value, kkt, comp, st) -> pd.DataFrame:
    from explorer.pareto import is_nondominated, knee_point

    structure = problem.structure
    objectives = list(structure.objectives)
    n = len(value)
    frame = pd.DataFrame({"run": np.arange(n), "start": np.arange(n) % st.starts})
    if len(objectives) > 1:
        for k, name in enumerate(objectives):
            frame[f"weight_{name}"] = runs_w[:, k]
    for name in structure.model.design_names:
        frame[name] = x.get(name, np.full(n, problem.fixed.get(name, np.nan)))
    for name in x:
        if name not in frame:
            frame[name] = x[name]
    for name in structure.model.output_names:
        frame[name] = np.broadcast_to(outputs[name], (n,))
    for k, name in enumerate(problem.constraint_names):
        frame[f"g[{name}]"] = g[:, k]
    violation = np.max(np.maximum(g, 0.0), axis=1, initial=0.0) if g.shape[1] else np.zeros(n)
    frame["objective"] = value
    frame["max_violation"] = violation
    frame["kkt_residual"] = kkt
    frame["complementarity"] = comp
    finite = np.all(np.isfinite(frame[objectives].to_numpy(float)), axis=1)
    frame["feasible"] = (violation <= st.tolerance) & finite
    frame["converged"] = frame["feasible"] & (kkt <= st.kkt_tolerance)
    signed = frame[objectives].to_numpy(float) * structure.signs
    on_front = np.zeros(n, bool)
    feasible = frame["feasible"].to_numpy()
    if feasible.any():
        on_front[feasible] = is_nondominated(signed[feasible])
    frame["on_front"] = on_front
    frame["best"] = False
    if feasible.any():
        if len(objectives) == 1:  # the least objective among feasible runs; runs within 1e-5 of it
            # reached the same optimum, and the most feasible of them represents it
            least = np.min(signed[feasible, 0])
            same = feasible & (signed[:, 0] <= least + 1e-5 * max(abs(least), 1e-30))
            best = int(np.argmin(np.where(same, violation, np.inf)))
            on_front[:] = False  # one objective: the front is the best run
            on_front[best] = True
            frame["on_front"] = on_front
        else:  # the knee of the feasible front
            rows = np.flatnonzero(on_front)
            best = int(rows[knee_point(signed[rows])])
        frame.loc[best, "best"] = True
    return frame


def _metadata(spec, settings, frame) -> dict:
    import datetime

    model = spec.model
    return {
        "model": model.name, "model_version": model.version, "kind": "optimize",
        **model.column_info([*model.design_names, *(a.name for a in spec.axes), *model.output_names]),
        "shadow_price_units": shadow_price_units(Problem.from_spec(spec)),
        "spec": spec.raw, "presets": spec.presets, "mode": spec.mode, "params": spec.params, "seed": settings.seed,
        "objectives": [{"name": n, "maximize": mx} for n, mx in spec.objectives],
        **({"answers": front_scope([n for n, _ in spec.objectives])} if spec.mode == "frontier" else {}),
        "optimize": dataclasses.asdict(settings), "runs": len(frame),
        "converged": int(frame.converged.sum()), "feasible": int(frame.feasible.sum()),
        "on_front": int(frame.on_front.sum()), "dtype": spec.dtype,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
