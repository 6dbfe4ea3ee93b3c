"""Gradient-based constrained optimisation of any registered model: many starts and many
scalarization weights in one compiled call.

The problem is the sweep spec's (model, presets, free inputs as ``[axes]`` ranges,
``[objectives]``, ``[constraints]``) plus an ``[optimize]`` table (see
``OptimizeSettings``). Method, per run (a start × a weight vector):

- **Bounds by reparametrisation**: x = lo + σ(z)·(hi − lo), in log x for log axes, so
  z ∈ ℝ is unconstrained and every iterate is inside the box.
- **Scalarisation** of several objectives, normalised by a payoff table: each objective
  is first minimised alone (one compiled call), and the scalarised solves then measure
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
  ``_kkt``), complementarity and a converged flag; the best feasible run is marked
  ``best`` (the knee of the feasible front when there are several objectives).
"""

from __future__ import annotations

import dataclasses
import functools
import itertools

import numpy as np
import pandas as pd

from explorer.errors import ExplorerError
from explorer.problem import Problem, Structure
from explorer.spec import SweepSpec, load_spec

SCALARISATIONS = ("weighted_sum", "chebyshev", "epsilon")
SOLVERS = ("adam", "lbfgs")
_CHEBYSHEV_RHO = 1e-3  # augmentation: keeps weakly dominated points off the front
_CHEBYSHEV_TAU = 1e-3  # smoothing of the max, in normalised objective units


@dataclasses.dataclass(frozen=True)
class OptimizeSettings:
    """The ``[optimize]`` table.

    Attributes:
      scalarization: weighted_sum | chebyshev | epsilon (for 2+ objectives).
      weights: explicit weight vectors, or None to spread ``n_weights`` over the simplex.
      n_weights: weight vectors (or ε levels) when ``weights`` is None.
      starts: starts per weight (scrambled Sobol' in the box).
      outer: augmented-Lagrangian iterations.
      inner: inner solver steps per outer iteration.
      solver: adam | lbfgs.
      learning_rate: Adam step size (in the reparametrised space).
      tolerance: largest constraint violation counted as feasible.
      kkt_tolerance: largest relative stationarity residual counted as converged.
      seed: seed of the starts.
    """

    scalarization: str = "chebyshev"
    weights: tuple[tuple[float, ...], ...] | None = None
    n_weights: int = 16
    starts: int = 32
    outer: int = 12
    inner: int = 150
    solver: str = "adam"
    learning_rate: float = 0.05
    tolerance: float = 1e-4
    kkt_tolerance: float = 1e-2
    seed: int = 0


def parse_settings(raw: dict, n_objectives: int) -> OptimizeSettings:
    """The validated ``[optimize]`` table of a spec dict (one ExplorerError line per mistake)."""
    table = raw.get("optimize", {})
    if not isinstance(table, dict):
        raise ExplorerError("optimize must be a table")
    fields = {f.name: f for f in dataclasses.fields(OptimizeSettings)}
    for key in table:
        if key not in fields:
            raise ExplorerError(f"unknown key optimize.{key} (allowed: {', '.join(sorted(fields))})")
    values = dict(table)
    if values.get("scalarization", "chebyshev") not in SCALARISATIONS:
        raise ExplorerError(f"optimize.scalarization must be one of {', '.join(SCALARISATIONS)}, "
                            f"got {values['scalarization']!r}")
    if values.get("solver", "adam") not in SOLVERS:
        raise ExplorerError(f"optimize.solver must be one of {', '.join(SOLVERS)}, got {values['solver']!r}")
    for key in ("n_weights", "starts", "outer", "inner", "seed"):
        if key in values and (isinstance(values[key], bool) or not isinstance(values[key], int)
                              or values[key] < (0 if key == "seed" else 1)):
            raise ExplorerError(f"optimize.{key} must be a positive integer, got {values[key]!r}")
    for key in ("learning_rate", "tolerance", "kkt_tolerance"):
        if key in values and (not isinstance(values[key], (int, float)) or values[key] <= 0):
            raise ExplorerError(f"optimize.{key} must be a positive number, got {values[key]!r}")
    if "weights" in values:
        w = values["weights"]
        if (not isinstance(w, list) or not w or not all(isinstance(r, list) and len(r) == n_objectives for r in w)
                or any((not isinstance(x, (int, float))) or x < 0 for r in w for x in r)
                or any(sum(r) <= 0 for r in w)):
            raise ExplorerError(f"optimize.weights must be a list of non-negative weight lists of length "
                                f"{n_objectives} (one per objective), each with a positive sum")
        values["weights"] = tuple(tuple(float(x) for x in r) for r in w)
    return OptimizeSettings(**values)


def simplex_weights(m: int, n: int) -> np.ndarray:
    """About ``n`` weight vectors spread over the (m−1)-simplex, extremes included."""
    if m == 1:
        return np.ones((1, 1))
    h = 1
    while _count(m, h + 1) <= n:
        h += 1
    grid = [c for c in itertools.product(range(h + 1), repeat=m) if sum(c) == h]
    return np.asarray(grid, float) / h


def _count(m, h):
    from math import comb

    return comb(h + m - 1, m - 1)


def optimization_problem(spec: SweepSpec) -> Problem:
    """The spec's problem with its axes as the free variables (each must be a range)."""
    for axis in spec.axes:
        if axis.values is not None:
            raise ExplorerError(f"axes.{axis.name}: the optimiser needs a range (low, high), not values")
    return Problem.from_spec(spec)


def to_x(structure: Structure, z):
    """Unconstrained z (one column per free input) → the free inputs: x = axis(σ(z)), relaxed."""
    import jax

    return {a.name: a.from_unit(jax.nn.sigmoid(z[..., k]), relaxed=True) for k, a in enumerate(structure.free)}


def to_z(u):
    """Unit-cube points u ∈ (0, 1) → z (logit)."""
    u = np.clip(u, 1e-6, 1 - 1e-6)
    return np.log(u) - np.log1p(-u)


@functools.lru_cache(maxsize=16)
def _compiled(structure: Structure, st: OptimizeSettings):
    """(objectives at z, solver over runs, outputs at x): jitted once per problem structure and
    settings (both frozen dataclasses: every field is part of the cache key)."""
    import jax
    import jax.numpy as jnp
    import optax

    m = len(structure.objectives)
    n_g = structure.n_constraints + (m - 1 if (m > 1 and st.scalarization == "epsilon") else 0)
    # Adam's step decays (cosine, ×1e-3) within each inner solve and restarts with the
    # next multipliers: a constant step leaves iterates hovering ±lr around the optimum.
    schedule = optax.cosine_decay_schedule(st.learning_rate, st.inner, alpha=1e-3)
    solver = optax.adam(schedule) if st.solver == "adam" else optax.lbfgs()

    def objectives_at(z, fixed):
        return structure.objective_values(structure.evaluate(to_x(structure, z), fixed))

    def run(z0, w, values):
        fixed, bound_values, ideal, span = values

        def parts(z):
            out = structure.evaluate(to_x(structure, z), fixed)
            f_norm = (structure.objective_values(out) - ideal) / span
            value, g_extra = _scalarise(st.scalarization, f_norm, w)
            return value, jnp.concatenate([structure.constraint_values(out, bound_values), g_extra])

        def lagrangian(z, lam, rho):
            value, g = parts(z)
            return value + (jnp.sum(jnp.maximum(0.0, lam + rho * g) ** 2) - jnp.sum(lam**2)) / (2.0 * rho)

        def outer(carry, _):
            z, lam, rho, last_violation = carry
            fn = lambda zz: lagrangian(zz, lam, rho)  # noqa: E731

            def inner(c, _):
                zz, s = c
                if st.solver == "lbfgs":
                    value, grad = optax.value_and_grad_from_state(fn)(zz, state=s)
                    updates, s = solver.update(grad, s, zz, value=value, grad=grad, value_fn=fn)
                else:
                    updates, s = solver.update(jax.grad(fn)(zz), s, zz)
                zz_new = optax.apply_updates(zz, updates)
                return (jnp.where(jnp.all(jnp.isfinite(zz_new)), zz_new, zz), s), None

            (z, _), _ = jax.lax.scan(inner, (z, solver.init(z)), None, length=st.inner)
            g = parts(z)[1]
            violation = jnp.max(jnp.maximum(g, 0.0), initial=0.0)
            lam = jnp.maximum(0.0, lam + rho * g)
            rho = jnp.where(violation > 0.25 * last_violation, jnp.minimum(rho * 10.0, 1e6), rho)
            return (z, lam, rho, violation), None

        dtype = z0.dtype
        carry = (z0, jnp.zeros((n_g,), dtype), jnp.asarray(10.0, dtype), jnp.asarray(jnp.inf, dtype))
        (z, _, _, _), _ = jax.lax.scan(outer, carry, None, length=st.outer)
        value, g = parts(z)
        return z, value, g, jax.grad(lambda zz: parts(zz)[0])(z), jax.jacrev(lambda zz: parts(zz)[1])(z)

    def evaluate(x, fixed, bounds):
        out = structure.evaluate(x, fixed)
        return out, structure.constraint_values(out, bounds)

    return jax.jit(objectives_at), jax.jit(jax.vmap(run, in_axes=(0, 0, None))), jax.jit(evaluate)


def _scalarise(kind, f_norm, w):
    """(objective, extra constraints) of a scalarization at normalised objectives f_norm."""
    import jax
    import jax.numpy as jnp

    if f_norm.shape[-1] == 1:
        return f_norm[0], jnp.zeros((0,), f_norm.dtype)
    if kind == "weighted_sum":
        return jnp.sum(w * f_norm), jnp.zeros((0,), f_norm.dtype)
    if kind == "chebyshev":  # smoothed max: τ·log Σ exp(wₖf̃ₖ/τ) ≤ max + τ·log m
        smooth_max = _CHEBYSHEV_TAU * jax.nn.logsumexp(w * f_norm / _CHEBYSHEV_TAU)
        return smooth_max + _CHEBYSHEV_RHO * jnp.sum(w * f_norm), jnp.zeros((0,), f_norm.dtype)
    # epsilon: minimise the first objective, the others below levels taken from w
    return f_norm[0], f_norm[1:] - w[1:]


def optimize(spec, *, out: str | None = None, write: bool = True) -> pd.DataFrame:
    """Solves the ``[optimize]`` problem of a spec; one row per run plus the best marked.

    Args:
      spec: TOML path, dict, or SweepSpec with its raw dict carrying ``optimize``.
      out: Parquet path (default: the spec's output.path). What it holds follows
        output.mode: ``frontier`` (default) the feasible runs on the Pareto front of the
        objectives (the sweep's schema plus the weights and convergence columns),
        ``feasible`` every feasible run, ``all`` every run.
      write: write the Parquet file.

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
        frame = _solve(optimization_problem(spec), settings)
    if write:
        from explorer import io

        keep = {"frontier": frame.on_front, "feasible": frame.feasible, "all": np.ones(len(frame), bool)}[spec.mode]
        io.write(frame[np.asarray(keep)].reset_index(drop=True), spec.path, _metadata(spec, settings, frame))
    frame.attrs["path"] = str(spec.path)
    return frame


def _solve(problem: Problem, st: OptimizeSettings) -> pd.DataFrame:
    import jax.numpy as jnp
    from scipy.stats import qmc

    structure = problem.structure
    dtype = jnp.float64 if structure.dtype == "float64" else jnp.float32
    m = len(structure.objectives)
    objectives_at, solve_all, evaluate = _compiled(structure, st)
    fixed = problem.fixed_arrays(dtype)
    bounds = jnp.asarray(problem.bound_values, dtype)
    z_starts = to_z(qmc.Sobol(len(structure.free), scramble=True, seed=st.seed).random(st.starts))

    # normalisation: the range of each objective over the starts, from a utopia point one
    # range below the best start (so wₖf̃ₖ > 0 where optima beat every start)
    f0 = np.asarray(objectives_at(jnp.asarray(z_starts, dtype), fixed), float)
    ideal, span = _normalisation(f0, margin=1.0)
    if m > 1:
        # payoff table: solve each objective alone, then normalise between the ideal point
        # (less 1% of the range) and the nadir of those extremes, so the weights spread
        # over the front instead of over everything the starts happened to visit
        extreme_w = np.repeat(np.eye(m), st.starts, axis=0)
        extreme_z = np.tile(z_starts, (m, 1))
        z_ext, _, g_ext, _, _ = (np.asarray(a, float) for a in solve_all(
            jnp.asarray(extreme_z, dtype), jnp.asarray(extreme_w, dtype),
            (fixed, bounds, jnp.asarray(ideal, dtype), jnp.asarray(span, dtype))))
        f_ext = np.asarray(objectives_at(jnp.asarray(z_ext, dtype), fixed), float)
        ok = np.max(g_ext[:, : structure.n_constraints], axis=1, initial=0.0) <= st.tolerance
        if ok.any():
            payoff = np.array([f_ext[ok & (extreme_w[:, k] == 1)].min(axis=0) if (ok & (extreme_w[:, k] == 1)).any()
                               else np.nanmin(f_ext[ok], axis=0) for k in range(m)])
            ideal, span = _normalisation(payoff, margin=0.01)
    if m > 1:
        weights = np.asarray(st.weights, float) if st.weights else simplex_weights(m, st.n_weights)
        if st.scalarization != "epsilon":
            weights = weights / weights.sum(axis=1, keepdims=True)
    else:
        weights = np.ones((1, 1))
    runs_w = np.repeat(weights, st.starts, axis=0)
    runs_z = np.tile(z_starts, (len(weights), 1))
    values = (fixed, bounds, jnp.asarray(ideal, dtype), jnp.asarray(span, dtype))
    z, value, g, grad_f, jac_g = (np.asarray(a, float) for a in solve_all(
        jnp.asarray(runs_z, dtype), jnp.asarray(runs_w, dtype), values))
    kkt, comp = _kkt(grad_f, jac_g, g)
    x = {k: np.asarray(v, float) for k, v in to_x(structure, jnp.asarray(z, dtype)).items()}
    x = _round_integers(structure, st, x, evaluate, fixed, bounds, runs_w, ideal, span)
    outputs, g_model = evaluate({k: jnp.asarray(v, dtype) for k, v in x.items()}, fixed, bounds)
    outputs = {k: np.asarray(v, float) for k, v in outputs.items()}
    return _frame(problem, runs_w, x, outputs, np.asarray(g_model, float), value, kkt, comp, st)


def _normalisation(points: np.ndarray, margin: float):
    """(utopia, range) per objective from the finite values in ``points`` (rows): the range is
    max − min, and the utopia point lies ``margin`` ranges below the minimum."""
    finite = np.where(np.isfinite(points), points, np.nan)
    any_finite = np.isfinite(finite).any(axis=0)
    best = np.where(any_finite, np.nanmin(np.where(any_finite, finite, 0.0), axis=0), 0.0)
    worst = np.where(any_finite, np.nanmax(np.where(any_finite, finite, 1.0), axis=0), 1.0)
    span = np.where(worst > best, worst - best, np.maximum(np.abs(best), 1.0))
    return best - margin * span, span


def _kkt(grad_f: np.ndarray, jac_g: np.ndarray, g: np.ndarray, active: float = 1e-3):
    """Stationarity and complementarity at each run's final point.

    Multipliers are re-estimated there, not taken from the augmented Lagrangian's
    running estimates: λ* = argmin_{λ ≥ 0} ‖∇f + J_Aᵀλ‖ over the near-active
    constraints A = {j : g_j ≥ −active} (non-negative least squares). The residual
    is ‖∇f + J_Aᵀλ*‖∞ relative to max(1, ‖∇f‖∞), in the reparametrised variables
    (so a variable pinned at its box bound has zero gradient, as box-KKT asks).

    Returns:
      (residual, complementarity max |λ*·g|), one per run.
    """
    from scipy.optimize import nnls

    residual = np.empty(len(grad_f))
    complementarity = np.zeros(len(grad_f))
    for r in range(len(grad_f)):
        gf = np.nan_to_num(grad_f[r], nan=np.inf)
        if not np.all(np.isfinite(gf)):
            residual[r] = np.inf
            continue
        on = np.flatnonzero(g[r] >= -active) if g.shape[1] else np.array([], int)
        J = np.nan_to_num(jac_g[r][on], nan=0.0, posinf=0.0, neginf=0.0)
        if len(on):
            lam, _ = nnls(J.T, -gf)
            stationarity = gf + J.T @ lam
            complementarity[r] = np.max(np.abs(lam * g[r][on]))
        else:
            stationarity = gf
        residual[r] = np.max(np.abs(stationarity)) / max(1.0, np.max(np.abs(gf)))
    return residual, complementarity


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
        if len(objectives) == 1:  # the least objective among feasible runs
            best = int(np.argmin(np.where(feasible, signed[:, 0], np.inf)))
        else:  # the knee of the feasible front
            rows = np.flatnonzero(on_front)
            best = int(rows[knee_point(signed[rows])])
        frame.loc[best, "best"] = True
    return frame


def _metadata(spec, settings, frame) -> dict:
    import datetime

    model = spec.model
    units = {k: model.units[k] for k in (*model.design_names, *model.output_names)}
    return {
        "model": model.name, "model_version": model.version, "units": units, "kind": "optimize",
        "spec": spec.raw, "presets": spec.presets, "mode": spec.mode, "params": spec.params, "seed": settings.seed,
        "objectives": [{"name": n, "maximize": mx} for n, mx in spec.objectives],
        "optimize": dataclasses.asdict(settings), "runs": len(frame),
        "converged": int(frame.converged.sum()), "feasible": int(frame.feasible.sum()),
        "on_front": int(frame.on_front.sum()), "dtype": spec.dtype,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
