"""The optimiser's compiled program: the problem's free inputs mapped to an unconstrained z,
the scalarized objective, and the augmented-Lagrangian descent of every run in one call
(docs/optimize.md; ``explorer.optimize`` runs it and reports)."""

from __future__ import annotations

import dataclasses
import functools
import math

import numpy as np

from explorer import program_cache
from explorer.errors import ExplorerError
from explorer.optimize_settings import CHEBYSHEV_RHO, CHEBYSHEV_TAU, OptimizeSettings
from explorer.problem import Problem, Structure
from explorer.spec import SweepSpec

def optimization_problem(spec: SweepSpec) -> Problem:
    """The spec's problem with its axes as the free variables (each must be a range). An
    integer axis with a step in the model's ``integer_steps`` (N in multiples of tp·pp) rounds
    to the least common multiple of that step and its own, unless a parameter of the step is
    free too."""
    for axis in spec.axes:
        if axis.values is not None:
            raise ExplorerError(f"axes.{axis.name}: the optimiser needs a range (low, high), not values")
    free_names = {a.name for a in spec.axes}
    axes = []
    for axis in spec.axes:
        factors = spec.model.integer_steps.get(axis.name, ())
        if axis.integer and factors and not free_names & set(factors):
            step = math.lcm(int(axis.step), int(math.prod(float(spec.params[f]) for f in factors)))
            axis = dataclasses.replace(axis, multiple_of=float(step)) if step != axis.step else axis
        axes.append(axis)
    return Problem.from_spec(spec, tuple(axes))


def to_x(structure: Structure, z):
    """Unconstrained z (one column per free input) → the free inputs: x = axis(σ(z)), relaxed."""
    import jax

    return {a.name: a.from_unit(jax.nn.sigmoid(z[..., k]), relaxed=True) for k, a in enumerate(structure.free)}


def to_z(u):
    """Unit-cube points u ∈ (0, 1) → z (logit)."""
    u = np.clip(u, 1e-6, 1 - 1e-6)
    return np.log(u) - np.log1p(-u)


@functools.lru_cache(maxsize=16)
def compiled_solver(structure: Structure, st: OptimizeSettings):
    """(solver over runs, outputs and constraints at x): jitted once per problem structure and
    settings (both frozen dataclasses: every field is part of the cache key).

    The solver returns, per run, (z, scalarized value, constraints g, signed objectives,
    ∇value, ∂g/∂z) at the final point. Each function compiles once per leading (run)
    dimension, so a caller keeps that dimension the same across its calls (the objectives
    at the starts come from ``evaluate`` too: a program of their own cost 0.6 s of compile)."""
    import jax
    import jax.numpy as jnp
    import optax

    m = len(structure.objectives)
    n_g = structure.n_constraints + (m - 1 if (m > 1 and st.scalarization == "epsilon") else 0)
    # Adam's step decays (cosine, ×1e-3) within each inner solve and restarts with the
    # next multipliers: a constant step leaves iterates hovering ±lr around the optimum.
    schedule = optax.cosine_decay_schedule(st.learning_rate, st.inner, alpha=1e-3)
    solver = optax.adam(schedule) if st.solver == "adam" else optax.lbfgs()

    # whole-number margins (Output.discrete) are met by rounding the integer variables after the
    # descent; during it they read as slack, so their comb of feasible points does not pin z
    discrete = np.array([structure.model.output(name).discrete for name in structure.margins]
                        + [False] * (n_g - len(structure.margins)))

    @jax.jit  # traced once per solve program, however often the descent below calls it
    def scalarized(z, w, values):
        """(scalarized value, (constraints g, ≤ 0 where met; signed objectives)) at z, weights w."""
        fixed, bound_values, ideal, span = values
        out = structure.evaluate(to_x(structure, z), fixed)
        f_norm = (structure.objective_values(out) - ideal) / span
        value, g_extra = _scalarize(st.scalarization, f_norm, w)
        g = jnp.concatenate([structure.constraint_values(out, bound_values), g_extra])
        return value, (jnp.where(discrete, -1.0, g), structure.objective_values(out))

    def run(z0, w, values):
        def parts(z):
            return scalarized(z, w, values)

        def lagrangian(z, lam, rho):
            value, (g, _) = parts(z)
            penalty = (jnp.sum(jnp.maximum(0.0, lam + rho * g) ** 2) - jnp.sum(lam**2)) / (2.0 * rho)
            return value + penalty, (value, g)

        def outer(carry, _):
            z, lam, rho, last_violation, _, best_z, best_value = carry
            fn = lambda zz: lagrangian(zz, lam, rho)[0]  # noqa: E731

            def inner(c, step):
                zz, s, value, g = c
                if st.solver == "lbfgs":
                    objective, grad = optax.value_and_grad_from_state(fn)(zz, state=s)
                    updates, s = solver.update(grad, s, zz, value=objective, grad=grad, value_fn=fn)
                else:  # Adam's gradient comes with the value and g at zz
                    grad, (value, g) = jax.grad(lagrangian, has_aux=True)(zz, lam, rho)
                    updates, s = solver.update(grad, s, zz)
                zz_new = optax.apply_updates(zz, updates)
                keep = (step < st.inner) & jnp.all(jnp.isfinite(zz_new))
                return (jnp.where(keep, zz_new, zz), s, value, g), None

            # Adam: st.inner steps, then one more gradient whose step is dropped: its value and g
            # are z's (one copy of the model in the program, not two)
            steps = st.inner if st.solver == "lbfgs" else st.inner + 1
            start = (z, solver.init(z), jnp.full((), jnp.nan, z.dtype), jnp.zeros((n_g,), z.dtype))
            (z, _, value, g), _ = jax.lax.scan(inner, start, jnp.arange(steps))
            if st.solver == "lbfgs":  # its steps read only the Lagrangian
                value, (g, _) = parts(z)
            violation = jnp.max(jnp.maximum(g, 0.0), initial=0.0)
            lam = jnp.maximum(0.0, lam + rho * g)
            rho = jnp.where(violation > 0.25 * last_violation, jnp.minimum(rho * 10.0, 1e6), rho)
            # the best feasible point any outer iteration ended on is remembered (see below)
            better = (violation <= st.tolerance) & (value < best_value)
            best_z = jnp.where(better, z, best_z)
            best_value = jnp.where(better, value, best_value)
            return (z, lam, rho, violation, value, best_z, best_value), None

        dtype = z0.dtype
        inf = jnp.asarray(jnp.inf, dtype)
        carry = (z0, jnp.zeros((n_g,), dtype), jnp.asarray(10.0, dtype), inf, inf, z0, inf)
        (z, _, _, violation, value, best_z, best_value), _ = jax.lax.scan(outer, carry, None, length=st.outer)
        # The last point is the answer (the penalty tightens feasibility to the end) unless it is
        # infeasible or clearly worse than the best feasible point an outer iteration reached:
        # a multiplier update can move the iterate off an optimum, and Adam stalls after the
        # penalty's gradient spike. (The last outer iteration's value and violation are z's.)
        last_ok = (violation <= st.tolerance) & (value <= best_value + 1e-3 * jnp.maximum(1.0, jnp.abs(best_value)))
        z = jnp.where(last_ok | ~jnp.isfinite(best_value), z, best_z)

        def value_and_constraints(zz):
            value, (g, f) = parts(zz)
            return jnp.concatenate([value[None], g]), (value, g, f)

        # ∇value and ∂g/∂z in one pass of the model: forward mode (one tangent per variable) when
        # the variables are no more than the outputs, as they usually are; it also compiles
        # faster than reverse mode (bench problem, 4 variables, 8 outputs: 2.8 against 3.2 s)
        jacobian_of = jax.jacfwd if z.shape[-1] <= 1 + n_g else jax.jacrev
        jacobian, (value, g, f) = jacobian_of(value_and_constraints, has_aux=True)(z)
        return z, value, g, f, jacobian[0], jacobian[1:]

    def evaluate(x, fixed, bounds):
        out = structure.evaluate(x, fixed)
        return out, structure.constraint_values(out, bounds)

    plan = (structure, st)
    return (program_cache.ExportedFunction("optimizer.solve", jax.vmap(run, in_axes=(0, 0, None)), plan),
            program_cache.ExportedFunction("optimizer.evaluate", evaluate, plan))


def _scalarize(kind, f_norm, w):
    """(objective, extra constraints) of a scalarization at normalised objectives f_norm."""
    import jax
    import jax.numpy as jnp

    if f_norm.shape[-1] == 1:
        return f_norm[0], jnp.zeros((0,), f_norm.dtype)
    if kind == "weighted_sum":
        return jnp.sum(w * f_norm), jnp.zeros((0,), f_norm.dtype)
    if kind == "chebyshev":  # smoothed max: τ·log Σ exp(wₖf̃ₖ/τ) ≤ max + τ·log m
        smooth_max = CHEBYSHEV_TAU * jax.nn.logsumexp(w * f_norm / CHEBYSHEV_TAU)
        return smooth_max + CHEBYSHEV_RHO * jnp.sum(w * f_norm), jnp.zeros((0,), f_norm.dtype)
    # epsilon: minimise the first objective, the others below levels taken from w
    return f_norm[0], f_norm[1:] - w[1:]
