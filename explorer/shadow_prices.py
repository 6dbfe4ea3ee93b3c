"""What each constraint costs at an optimum: KKT multipliers, and the same multipliers as shadow
prices in the objective's physical units.

At a constrained optimum x* of min f subject to g_j ≤ 0, the multiplier λ*_j ≥ 0 is the rate at
which the optimal value falls as the constraint is relaxed: df*/dε_j = −λ*_j for g_j ≤ ε_j
(the envelope theorem; Nocedal & Wright, *Numerical Optimization*, 2nd ed., §12.8). The
optimiser descends on a normalised objective f̃ = (s·f − ideal)/span (s = +1 to minimise, −1
to maximise; ``explorer.optimizer``), so a multiplier of f̃ is one of f times span/s.

A margin g = h/L − 1 ≤ 0 (most margins compare an output h with its limit L) relaxed by ε is
the limit raised by the fraction ε, so its price is "per 100% more limit"; the CLI quotes it
per 1%. A bound h ≤ b is normalised as g = (h − b)/|b|, so its price per unit of h is
λ·span/|b|: "one more day of the time budget saves X MWh".

Shadow prices are reported for single-objective problems: with several objectives the
multipliers belong to the scalarization (its weights and normalisation), not to one
objective, and their columns are NaN.
"""

from __future__ import annotations

import math

import numpy as np


def kkt_multipliers(grad_f: np.ndarray, jac_g: np.ndarray, g: np.ndarray, active: float = 1e-3):
    """Multipliers, stationarity and complementarity at each run's final point.

    Multipliers are re-estimated there, not taken from the augmented Lagrangian's running
    estimates: λ* = argmin_{λ ≥ 0} ‖∇f + J_Aᵀλ‖ over the near-active constraints
    A = {j : g_j ≥ −active} (non-negative least squares), 0 for the others. The residual is
    ‖∇f + J_Aᵀλ*‖∞ relative to max(1, ‖∇f‖∞), in the reparametrised variables (so a variable
    pinned at its box bound has zero gradient, as box-KKT asks).

    Args:
      grad_f: (runs, n) gradient of the scalarized objective.
      jac_g: (runs, n_g, n) Jacobian of the constraints.
      g: (runs, n_g) constraint values.
      active: how close to 0 a constraint counts as active.

    Returns:
      (multipliers (runs, n_g), residual (runs,), complementarity max |λ*·g| (runs,)).
    """
    from scipy.optimize import nnls

    runs, n_g = g.shape
    lam = np.zeros((runs, n_g))
    residual = np.empty(runs)
    complementarity = np.zeros(runs)
    for r in range(runs):
        gf = np.nan_to_num(grad_f[r], nan=np.inf)
        if not np.all(np.isfinite(gf)):
            residual[r] = np.inf
            lam[r] = np.nan
            continue
        on = np.flatnonzero(g[r] >= -active) if n_g else np.array([], int)
        J = np.nan_to_num(jac_g[r][on], nan=0.0, posinf=0.0, neginf=0.0)
        if len(on):
            lam[r, on], _ = nnls(J.T, -gf)
            stationarity = gf + J.T @ lam[r, on]
            complementarity[r] = np.max(np.abs(lam[r, on] * g[r][on]))
        else:
            stationarity = gf
        residual[r] = np.max(np.abs(stationarity)) / max(1.0, np.max(np.abs(gf)))
    return lam, residual, complementarity


def shadow_price_columns(problem, multipliers: np.ndarray, span: np.ndarray) -> dict[str, np.ndarray]:
    """``shadow[CONSTRAINT]`` columns: d(objective at the optimum)/d(relaxation), physical units.

    For a margin: objective units per unit of the margin (per 100% more limit); for a bound
    ``OUTPUT <= b`` (or ``>=``): objective units per unit of OUTPUT, positive where more room
    lowers a minimised objective (or raises a maximised one). All NaN with several objectives.

    Args:
      problem: the optimiser's ``Problem``.
      multipliers: (runs, n_g) multipliers of the normalised objective (``kkt_multipliers``);
        columns past the problem's constraints (epsilon levels) are ignored.
      span: the normalisation's range per objective, in the objective's unit.
    """
    structure = problem.structure
    names = problem.constraint_names
    if len(structure.objectives) != 1:
        return {f"shadow[{name}]": np.full(len(multipliers), np.nan) for name in names}
    per_margin = multipliers[:, : len(names)] * float(span[0])  # objective units per unit of g
    columns = {}
    for k, name in enumerate(names):
        price = per_margin[:, k]
        if k >= len(structure.margins):
            bound = problem.bound_values[k - len(structure.margins)]
            price = price / (abs(bound) if bound != 0 else 1.0)
        columns[f"shadow[{name}]"] = price
    return columns


def shadow_price_units(problem) -> dict[str, str]:
    """The unit of each ``shadow[...]`` column: the objective's per unit of the margin, or per
    the bounded output's unit."""
    structure = problem.structure
    if len(structure.objectives) != 1:
        return {}
    units = structure.model.units
    objective_unit = units[structure.objectives[0]]
    out = {f"shadow[{m}]": objective_unit for m in structure.margins}
    for (output, _), name in zip(structure.bounds, problem.constraint_names[len(structure.margins):]):
        out[f"shadow[{name}]"] = f"{objective_unit}/{units[output]}"
    return out


def describe(problem, row) -> list[str]:
    """One sentence per active constraint of an optimum (a frame row), in planner units:
    "time_s ≤ 50 days: one more day of time_s saves 29.93 MWh of energy_j"."""
    from explorer.display import human, number, scale_for

    structure = problem.structure
    if len(structure.objectives) != 1:
        return []
    objective = structure.objectives[0]
    units = structure.model.units
    verb = "gains" if structure.maximize[0] else "saves"
    lines = []
    for k, name in enumerate(problem.constraint_names):
        price = float(row.get(f"shadow[{name}]", np.nan))
        if not price > 0:
            continue
        if k < len(structure.margins):
            amount = human(price * 0.01, units[objective])
            lines.append(f"{name}: 1% more room {verb} {amount} of {objective}")
        else:
            output, op = structure.bounds[k - len(structure.margins)]
            bound = problem.bound_values[k - len(structure.margins)]
            step = scale_for([bound], units[output])  # displayed = SI value × factor
            label = step.label or units[output]
            shown = abs(bound) * step.factor
            # a price is a slope: quote it for a step that is small against the bound (0.01
            # nats of a 1.9-nat loss, not a whole nat), in a round amount of the shown unit
            unit = 10.0 ** math.floor(math.log10(0.01 * shown)) if 0 < shown < 2.0 else 1.0
            amount = human(price * unit / step.factor, units[objective])
            if unit == 1.0:
                more = f"one more {label[:-1] if label in ('days', 'hours', 'years', 'minutes') else label}"
            else:
                more = f"{number(unit)} {label} more"
            written = f"{output} {'≤' if op == '<=' else '≥'} {human(bound, units[output])}"
            lines.append(f"{written}: {more} of {output} {verb} {amount} of {objective}")
    return lines
