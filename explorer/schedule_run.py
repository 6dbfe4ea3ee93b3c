"""``explorer optimize`` with a ``[schedule]``: the best schedule beside the best constant one.

The constant problem is the spec without its ``[schedule]`` table. It is solved first; the
schedule is then solved from it (its first start is the constant optimum, repeated in every
phase, so the schedule is never worse than it), under the spec's constraints plus, when the
model has a ``final_loss`` that is not an objective, ``final_loss ≤`` the constant optimum's:
gains in time, energy and $ are then at equal (or lower) final loss.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from explorer.errors import ExplorerError
from explorer.optimizer import optimize
from explorer.schedule import WEIGHT, phase_designs, phase_name
from explorer.spec import SweepSpec, load_spec, parse_spec

HEADLINE = ("time_s", "energy_j", "cost_usd", "final_loss")


@dataclasses.dataclass(frozen=True)
class ScheduleResult:
    """What a schedule optimisation found.

    Attributes:
      schedule: the schedule optimiser's runs (``explorer.optimize``'s frame).
      constant: the constant optimiser's runs.
      phases: the best schedule, one row per phase: its share of the run, its design and its
        own amounts (time, energy, …).
      comparison: per headline output (the objectives, time, energy, cost, final loss): the
        schedule's value, the constant's, and the relative change.
    """

    schedule: pd.DataFrame
    constant: pd.DataFrame
    phases: pd.DataFrame
    comparison: pd.DataFrame


def _without_schedule(spec: SweepSpec, bounds: list | None = None) -> dict:
    raw = {k: v for k, v in spec.raw.items() if k != "schedule"}
    if bounds is not None:
        raw["constraints"] = {**raw.get("constraints", {}), "bounds": bounds}
    return raw


def _best_run_or_error(frame: pd.DataFrame, what: str) -> pd.Series:
    """The best run of an optimiser frame, or one error line saying the ``what`` problem has none."""
    if not frame.best.any():
        raise ExplorerError(f"the {what} problem has no feasible configuration: relax its constraints first")
    return frame[frame.best].iloc[0]


def optimize_schedule(spec, *, write: bool = True, progress: bool = False) -> ScheduleResult:
    """Solves a spec's ``[schedule]`` problem and its constant counterpart (module docstring)."""
    spec = load_spec(spec)
    if spec.schedule is None:
        raise ExplorerError("the spec has no [schedule] table")
    schedule, base_raw = spec.schedule, _without_schedule(spec)
    constant_spec = parse_spec(base_raw, path=str(spec.path))
    base = constant_spec.model
    constant = _best_run_or_error(optimize(constant_spec, write=False, progress=progress), "constant")
    bounds = list(spec.raw.get("constraints", {}).get("bounds", []))
    objectives = [name for name, _ in spec.objectives]
    if "final_loss" in base.output_names and "final_loss" not in objectives:
        bounds.append(f"final_loss <= {float(constant.final_loss)!r}")
    schedule_spec = parse_spec({**_without_schedule(spec, bounds), "schedule": spec.raw["schedule"]},
                               path=str(spec.path))
    start = {a.name: float(constant[a.name]) for a in constant_spec.axes}
    start |= {phase_name(n, k): float(constant[n]) for n in schedule.vary for k in range(1, schedule.phases + 1)}
    start |= {phase_name(WEIGHT, k): 1.0 for k in range(1, schedule.phases)}
    names = [*base.design_names, *dict.fromkeys([*objectives, *HEADLINE])]
    kept = {n: float(constant[n]) for n in names if n in constant}
    frame = optimize(schedule_spec, write=write, progress=progress, start_at=start,
                     metadata={"schedule": dataclasses.asdict(schedule), "constant_optimum": kept})
    best = _best_run_or_error(frame, "schedule")
    shown = [n for n in dict.fromkeys([*objectives, *HEADLINE]) if n in base.output_names]
    change = [(best[n] - constant[n]) / abs(constant[n]) if constant[n] else np.nan for n in shown]
    comparison = pd.DataFrame({"output": shown, "schedule": [float(best[n]) for n in shown],
                               "constant": [float(constant[n]) for n in shown], "change": change})
    return ScheduleResult(frame, constant.to_frame().T, phase_table(schedule_spec, best), comparison)


def phase_table(spec: SweepSpec, row) -> pd.DataFrame:
    """One row per phase of the schedule ``row`` (a result row of ``spec``): the phase's share of
    the run, its design, and the base model's outputs for the phase alone (its own time,
    energy and tokens; its power and clock)."""
    from explorer.evaluation import evaluate
    from explorer.models import get_model

    schedule = spec.schedule
    base = get_model(spec.model.name)  # a scheduled model keeps its model's name
    designs = phase_designs(base, schedule, {n: float(row[n]) for n in spec.model.design_names})
    shares = [float(row[phase_name("share", k)]) for k in range(1, schedule.phases + 1)]
    cuts = np.concatenate([[0.0], np.cumsum(shares)])
    rows = []
    for k, design in enumerate(designs):
        phase_params = base.phases.params(dict(spec.params), float(cuts[k]), float(min(cuts[k + 1], 1.0)))
        overrides = {n: v for n, v in phase_params.items() if spec.params.get(n) != v}
        out = evaluate(design, base, {**spec.presets, **spec.overrides, **overrides}).iloc[0]
        rows.append({"phase": k + 1, "share": shares[k], **design, **out[list(base.output_names)].to_dict()})
    return pd.DataFrame(rows)
