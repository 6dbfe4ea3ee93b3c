"""Schedules: a training run split into K phases, each with its own design, as one model.

Seeds 003 ("Dynamic adaptation") and 004 ("Adaptive Batch Sizing") name adapting the
configuration during training as the next step. A schedule of model M over K phases is
itself a model (``scheduled_model``): its design holds one copy of each varied variable per
phase (``batch_1`` … ``batch_K``), the shared variables once, and, with free shares, the
relative lengths ``phase_weight_1`` … ``phase_weight_{K−1}`` (phase K's is 1). Phase k covers
the share [c_{k−1}, c_k) of the run's progress: at least ``min_share``, the rest split in
proportion to the weights; M's
``PhasePlan`` says what a phase's parameters are and how its outputs combine. So the
optimiser, its shadow prices and the sweep engine work on schedules unchanged: the gradient
runs through every phase's token accounting at once.

The ``[schedule]`` table of a spec::

  [schedule]
  phases = 3                  # K ≥ 1
  vary = ["batch", "nu"]      # design variables with one value per phase (each needs an axis)
  shares = "free"             # or "equal": phase k covers [(k−1)/K, k/K)
  min_share = 0.02            # free shares: each phase covers at least this share of the run

With K = 1 the schedule is the model itself.
"""

from __future__ import annotations

import dataclasses
import functools

import jax.numpy as jnp

from explorer.axes import Axis
from explorer.errors import ExplorerError
from explorer.models.base import Model, Output, Variable

WEIGHT = "phase_weight"
WEIGHT_RANGE = (0.01, 100.0)  # relative lengths over 10⁴: min_share, not this range, sets the shortest phase
SHARES = ("free", "equal")


@dataclasses.dataclass(frozen=True)
class Schedule:
    """A validated ``[schedule]`` table.

    Attributes:
      phases: K, the number of piecewise-constant phases.
      vary: the design variables that take one value per phase; the others are shared.
      shares: "free" (the phases' lengths are optimised) or "equal".
      min_share: with free shares, the least share of the run's progress in any phase.
    """

    phases: int
    vary: tuple[str, ...]
    shares: str = "free"
    min_share: float = 0.02

    @property
    def free_shares(self) -> bool:
        """True when the phases' lengths are design variables."""
        return self.shares == "free" and self.phases > 1


def phase_name(name: str, k: int) -> str:
    """The design column of variable ``name`` in phase ``k`` (1-based)."""
    return f"{name}_{k}"


def parse_schedule(raw, model: Model, axes: tuple[Axis, ...]) -> Schedule:
    """The ``[schedule]`` table ``raw`` for ``model`` whose spec has ``axes`` (one clear error each)."""
    if not isinstance(raw, dict):
        raise ExplorerError("schedule must be a table: phases = K, vary = [design variables]")
    for key in raw:
        if key not in ("phases", "vary", "shares", "min_share"):
            raise ExplorerError(f"unknown key 'schedule.{key}' (allowed: min_share, phases, shares, vary)")
    if model.phases is None:
        raise ExplorerError(f"model {model.name!r} has no schedules (its run cannot be split into phases)")
    k = raw.get("phases")
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= 16:
        raise ExplorerError(f"schedule.phases must be an integer from 1 to 16, got {k!r}")
    vary = raw.get("vary", [])
    if not isinstance(vary, list) or not vary or not all(isinstance(v, str) for v in vary):
        raise ExplorerError("schedule.vary must be a non-empty list of design variables, e.g. [\"batch\"]")
    with_axis = {a.name for a in axes}
    for name in vary:
        if name not in model.design_names:
            raise ExplorerError(f"schedule.vary: {name!r} is not a design variable of model {model.name!r} "
                                f"(design variables: {', '.join(model.design_names)})")
        if name not in with_axis:
            raise ExplorerError(f"schedule.vary: {name!r} needs a range in [axes] (each phase's value is free)")
    shares = raw.get("shares", "free")
    if shares not in SHARES:
        raise ExplorerError(f"schedule.shares must be \"free\" or \"equal\", got {shares!r}")
    min_share = raw.get("min_share", 0.02)
    if isinstance(min_share, bool) or not isinstance(min_share, (int, float)) or not 0 <= min_share < 1 / k:
        raise ExplorerError(f"schedule.min_share must be a number in [0, 1/phases) = [0, {1 / k:.3g}), "
                            f"got {min_share!r}")
    return Schedule(k, tuple(dict.fromkeys(vary)), shares, float(min_share))


def schedule_axes(schedule: Schedule, axes: tuple[Axis, ...]) -> tuple[Axis, ...]:
    """The scheduled model's axes: each varied axis once per phase, then the phases' weights."""
    if schedule.phases == 1:
        return axes
    out = []
    for axis in axes:
        if axis.name in schedule.vary:
            out += [dataclasses.replace(axis, name=phase_name(axis.name, k)) for k in range(1, schedule.phases + 1)]
        else:
            out.append(axis)
    if schedule.free_shares:
        out += [Axis(phase_name(WEIGHT, k), "1", low=WEIGHT_RANGE[0], high=WEIGHT_RANGE[1], scale="log", count=5)
                for k in range(1, schedule.phases)]
    return tuple(out)


def cut_points(schedule: Schedule, design) -> list:
    """c_0 = 0 < c_1 < … < c_K = 1: where each phase starts and ends, in run progress."""
    k = schedule.phases
    if not schedule.free_shares:
        return [0.0] + [jnp.asarray(i / k) for i in range(1, k)] + [1.0]
    weights = [design[phase_name(WEIGHT, i)] for i in range(1, k)] + [1.0]
    total = functools.reduce(jnp.add, weights)
    free = 1.0 - k * schedule.min_share  # what is left once every phase has its least share
    cuts, running = [0.0], 0.0
    for i, w in enumerate(weights[:-1], start=1):
        running = running + w
        cuts.append(i * schedule.min_share + free * running / total)
    return cuts + [1.0]  # the ends are Python floats: nothing differentiates through them


def phase_designs(model: Model, schedule: Schedule, design) -> list[dict]:
    """The base model's design in each phase (a list of K dicts)."""
    return [{n: design[phase_name(n, k)] if n in schedule.vary else design[n] for n in model.design_names}
            for k in range(1, schedule.phases + 1)]


def _combine(model: Model, phases: list[dict]) -> dict:
    rules = model.phases.combine
    times = [o["time_s"] for o in phases]
    total_time = functools.reduce(jnp.add, times)
    out = {}
    for o in model.outputs:
        rule = rules.get(o.name, "max" if o.kind == "margin" else "mean")
        values = [p[o.name] for p in phases]
        if rule == "sum":
            out[o.name] = functools.reduce(jnp.add, values)
        elif rule == "max":
            out[o.name] = functools.reduce(jnp.maximum, values)
        else:
            out[o.name] = functools.reduce(jnp.add, [v * t for v, t in zip(values, times)]) / total_time
    return out


@functools.lru_cache(maxsize=64)
def scheduled_model(model: Model, schedule: Schedule) -> Model:
    """The model of ``model`` run as ``schedule`` (one object per pair, so compiled programs
    cached on it are reused). Its outputs are ``model``'s, combined over the phases, plus
    ``share_k``, the share of the run's progress in phase k."""
    if schedule.phases == 1:
        return model
    plan, k = model.phases, schedule.phases
    design = []
    for v in model.design:
        if v.name in schedule.vary:
            design += [dataclasses.replace(v, name=phase_name(v.name, i), doc=f"{v.doc}, phase {i}")
                       for i in range(1, k + 1)]
        else:
            design.append(v)
    if schedule.free_shares:
        design += [Variable(phase_name(WEIGHT, i), "1", 1.0, WEIGHT_RANGE, "log",
                            doc=f"length of phase {i} relative to phase {k}") for i in range(1, k)]
    shares = tuple(Output(phase_name("share", i), "1", None, "info", f"share of the run's progress in phase {i}",
                          share=True) for i in range(1, k + 1))

    def fn(design, p):
        cuts = cut_points(schedule, design)
        designs = phase_designs(model, schedule, design)
        phases = [model.fn(d, plan.params(p, cuts[i], cuts[i + 1])) for i, d in enumerate(designs)]
        out = _combine(model, phases)
        if plan.finish is not None:
            out |= plan.finish(out, phases, designs, p)
        zero = jnp.zeros_like(out["time_s"])
        return out | {s.name: zero + (cuts[i + 1] - cuts[i]) for i, s in enumerate(shares)}

    label = f"{model.name}, {k} phases ({', '.join(schedule.vary)} per phase; {schedule.shares} shares)"
    return Model(name=model.name, version=model.version, fn=fn, design=tuple(design), params=model.params,
                 outputs=model.outputs + shares, preset_kinds=model.preset_kinds,
                 default_presets=model.default_presets, doc=f"{label}. {model.doc}",
                 phases=model.phases,  # the same parameters, and the same ones placing a phase
                 integer_steps={phase_name(n, i) if n in schedule.vary else n: s
                                for n, s in model.integer_steps.items() for i in range(1, k + 1)})
