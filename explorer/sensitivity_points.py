"""The configurations a sensitivity is taken at when the user names a result file or a spec:
the best run of an optimiser output, or a sweep front's knee and per-objective bests (or every
front row), each with its design, its parameters and, at a constrained optimum, the
multipliers that turn a partial elasticity into the optimal value's (``explorer.sensitivity``).
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from explorer.errors import ExplorerError
from explorer.models.base import Model

MAX_ROWS = 200  # rows="all" takes at most this many front rows (evenly spaced)


class Point(NamedTuple):
    """One configuration to differentiate at."""

    label: str  # "best run 3", "the front's knee", "the least energy_j", "front row 12"
    design: dict  # design variable → value (SI)
    params: dict  # every parameter, resolved, with the row's swept parameters
    envelope: dict  # output → multiplier (first objective's unit per output unit); {} off an optimum


class Points(NamedTuple):
    """A result's model, objectives and the configurations to take sensitivities at."""

    model: Model
    objectives: list[str]
    points: list[Point]


def _row_point(label, row, model, params, envelope=None) -> Point:
    design = {v.name: float(row[v.name]) for v in model.design if v.name in row and np.isfinite(row[v.name])}
    swept = {p: (row[p] if isinstance(row[p], str) else float(row[p])) for p in model.param_names if p in row}
    return Point(label, design, {**params, **swept}, dict(envelope or {}))


def _envelope(problem, row, maximize: bool) -> dict:
    """λ per constrained output at an optimum row, from its ``shadow[...]`` prices: a margin's
    price is per unit of the margin; a bound h ≤ b's is per unit of h (h ≥ b: the opposite sign);
    for a maximised objective the Lagrangian's sign flips."""
    structure = problem.structure
    sign = -1.0 if maximize else 1.0
    out = {}
    for k, name in enumerate(problem.constraint_names):
        price = float(row.get(f"shadow[{name}]", np.nan))
        if not price > 0:
            continue
        if k < len(structure.margins):
            out[name] = out.get(name, 0.0) + sign * price
        else:
            output, op = structure.bounds[k - len(structure.margins)]
            out[output] = out.get(output, 0.0) + sign * price * (1.0 if op == "<=" else -1.0)
    return out


def _front_points(frame: pd.DataFrame, model, params, objectives, maximize, rows: str) -> list[Point]:
    from explorer.pareto import knee_point

    if frame.empty:
        raise ExplorerError("no feasible configuration to take sensitivities at")
    if rows == "all":
        take = np.unique(np.linspace(0, len(frame) - 1, min(len(frame), MAX_ROWS)).astype(int))
        return [_row_point(f"front row {i}", frame.iloc[i], model, params) for i in take]
    signed = frame[objectives].to_numpy(float) * np.where(maximize, -1.0, 1.0)
    picks = {}
    if len(objectives) > 1:
        picks["the front's knee"] = knee_point(signed)
    for k, name in enumerate(objectives):
        picks.setdefault(f"the {'most' if maximize[k] else 'least'} {name}", int(np.nanargmin(signed[:, k])))
    return [_row_point(label, frame.iloc[i], model, params) for label, i in picks.items()]


def _optimum_points(frame, problem, model, params, objectives, maximize) -> list[Point]:
    if not frame.best.any():
        raise ExplorerError("the optimiser found no feasible configuration to take sensitivities at")
    row = frame[frame.best].iloc[0]
    envelope = _envelope(problem, row, maximize[0]) if len(objectives) == 1 else {}
    label = f"the best run ({int(row['run'])})" + (", the optimum with its multipliers" if envelope else "")
    return [_row_point(label, row, model, params, envelope)]


def points_of(source, rows: str = "named") -> Points:
    """The configurations of a result file (.parquet) or a spec (.toml: optimised when it has an
    [optimize] table, else swept in memory) to take sensitivities at.

    Args:
      source: path of an explorer Parquet output, or of a spec.
      rows: "named" (an optimiser's best run; a front's knee and per-objective bests) or "all"
        (every front row, at most ``MAX_ROWS``, evenly spaced).
    """
    from explorer import io
    from explorer.problem import Problem
    from explorer.spec import load_spec, parse_spec, result_model

    if rows not in ("named", "all"):
        raise ExplorerError(f"--rows must be 'named' or 'all', not {rows!r}")
    path = Path(source)
    if path.suffix == ".parquet":
        frame, meta = io.read(path)
        if not meta or "model" not in meta or "objectives" not in meta:
            raise ExplorerError(f"{path} is not an explorer output (no explorer metadata)")
        model = result_model(meta)
        params, kind = dict(meta.get("params", {})), meta.get("kind", "sweep")
        objectives = [o["name"] for o in meta["objectives"]]
        maximize = [bool(o["maximize"]) for o in meta["objectives"]]
        if kind == "optimize" and rows == "named":
            problem = Problem.from_spec(parse_spec(meta["spec"]))
            return Points(model, objectives, _optimum_points(frame, problem, model, params, objectives, maximize))
        if "feasible" in frame.columns:
            frame = frame[frame.feasible.astype(bool)]
        return Points(model, objectives, _front_points(frame.reset_index(drop=True), model, params,
                                                            objectives, maximize, rows))
    spec = load_spec(path)
    objectives, maximize = [n for n, _ in spec.objectives], [m for _, m in spec.objectives]
    if "optimize" in spec.raw and rows == "named":
        from explorer.optimizer import optimize

        frame = optimize(spec, write=False)
        return Points(spec.model, objectives, _optimum_points(frame, Problem.from_spec(spec), spec.model,
                                                                   spec.params, objectives, maximize))
    from explorer.engine import sweep

    frame = sweep(spec, write=False, progress=False).frame
    return Points(spec.model, objectives, _front_points(frame.reset_index(drop=True), spec.model, spec.params,
                                                             objectives, maximize, rows))
