"""Sweep specs: TOML files users copy and edit, validated whole before any work starts.

Every problem gets one ExplorerError line that names the offending key. The
format is documented in sweeps/README.md; sweeps/quickstart.toml is the
default main job.
"""

from __future__ import annotations

import dataclasses
import math
import re
import tomllib
from pathlib import Path

from explorer.axes import Axis
from explorer.errors import ExplorerError
from explorer.models import get_model, resolve_params
from explorer.models.base import Model
from explorer.samplers import KINDS as SAMPLERS
from explorer.samplers import MAX_CHUNK
from explorer.schedule import Schedule, parse_schedule, schedule_axes, scheduled_model
from explorer.spec_axes import integer_at_least, parse_axis
from explorer.units import parse_quantity

MODES = ("frontier", "feasible", "all")
MAX_TOTAL = 1 << 62  # configurations of one sweep (64-bit positions with room to spare)

_TOP = {"model", "axes", "sampler", "objectives", "constraints", "output", "optimize", "distributed", "schedule"}
_BOUND = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=)\s*(.+?)\s*$")


@dataclasses.dataclass(frozen=True)
class Bound:
    """An inequality on an output: ``output <= value`` or ``output >= value``."""

    output: str
    op: str
    value: float


@dataclasses.dataclass(frozen=True)
class SweepSpec:
    """A validated sweep: everything the engine needs, in the model's units."""

    model: Model
    presets: dict
    overrides: dict
    params: dict  # fully resolved parameters
    axes: tuple[Axis, ...]
    sampler: str
    samples: int | None
    seed: int
    objectives: tuple[tuple[str, bool], ...]  # (output, maximize)
    margins: tuple[str, ...]
    bounds: tuple[Bound, ...]
    mode: str
    path: Path
    chunk_size: int
    dtype: str
    raw: dict  # the spec as written, for the result's metadata
    distributed: dict = dataclasses.field(default_factory=dict)  # [distributed]: how, not what (no digest)
    schedule: Schedule | None = None  # [schedule]: then ``model`` is the scheduled model (explorer.schedule)


def _table(raw: dict, key: str, allowed: set[str], where: str) -> dict:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise ExplorerError(f"{where}{key} must be a table, got {type(value).__name__}")
    for k in value:
        if k not in allowed:
            raise ExplorerError(f"unknown key {f'{where}{key}.{k}'!r} (allowed: {', '.join(sorted(allowed))})")
    return value


def _output(model: Model, name: str, where: str):
    try:
        return model.output(name)
    except ExplorerError as err:
        raise ExplorerError(f"{where}: {err}") from None


def _bound(model: Model, text) -> Bound:
    match = _BOUND.match(str(text))
    if not match:
        raise ExplorerError(f"constraints.bounds: {text!r} is not 'OUTPUT <= VALUE' or 'OUTPUT >= VALUE'")
    name, op, value = match.groups()
    output = _output(model, name, "constraints.bounds")
    return Bound(name, op, parse_quantity(value, output.unit, f"constraints.bounds {name}"))


def parse_spec(raw: dict, origin: str = "<spec>", *, path: str | None = None,
               samples: int | None = None) -> SweepSpec:
    """Validates a spec dict (as read from TOML); ``path``/``samples`` override the file's."""
    for key in raw:
        if key not in _TOP:
            raise ExplorerError(f"unknown key {key!r} in {origin!r} (allowed: {', '.join(sorted(_TOP))})")
    model_raw = _table(raw, "model", {"name", "hardware", "workload", "params"}, "")
    model = get_model(model_raw.get("name", "llm_training"))  # a Model object also works (from Python)
    presets = {k: model_raw[k] for k in ("hardware", "workload") if k in model_raw}
    for kind, name in presets.items():
        if not isinstance(name, str):
            raise ExplorerError(f"model.{kind} must be a preset name, got {name!r}")
    overrides_raw = model_raw.get("params", {})
    if not isinstance(overrides_raw, dict):
        raise ExplorerError("model.params must be a table of parameter = value")
    overrides = {}
    for key, value in overrides_raw.items():
        param = model.param(key)
        overrides[key] = value if param.choices else parse_quantity(value, param.unit, f"model.params.{key}")
    params = resolve_params(model, presets, overrides)

    axes_raw = raw.get("axes", {})
    if not isinstance(axes_raw, dict) or not axes_raw:
        raise ExplorerError(f"{origin} needs an [axes] table with at least one axis")
    axes = tuple(parse_axis(model, name, value) for name, value in axes_raw.items())
    schedule = None
    if "schedule" in raw:
        schedule = parse_schedule(raw["schedule"], model, axes)
        model, axes = scheduled_model(model, schedule), schedule_axes(schedule, axes)

    sampler_raw = _table(raw, "sampler", {"kind", "samples", "seed"}, "")
    kind = sampler_raw.get("kind", "grid")
    if kind not in SAMPLERS:
        raise ExplorerError(f"sampler.kind must be one of {', '.join(SAMPLERS)}, got {kind!r}")
    seed = integer_at_least(sampler_raw.get("seed", 0), "sampler.seed")
    n = samples if samples is not None else sampler_raw.get("samples")
    if kind != "grid":
        if n is None:
            raise ExplorerError(f"sampler.samples is required for the {kind} sampler")
        n = integer_at_least(n, "sampler.samples", 1)
        total = n
    else:
        if samples is not None:
            raise ExplorerError("--samples applies to the random, sobol and lhs samplers, not to a grid "
                                "(set each axis's count instead)")
        total = math.prod(a.count if a.values is None else len(a.values) for a in axes)
    if total > MAX_TOTAL:
        raise ExplorerError(f"the sweep has {total:.3g} configurations; at most 2^62 ({MAX_TOTAL:.3g}) are supported")

    objectives_raw = raw.get("objectives")
    if not isinstance(objectives_raw, dict) or not objectives_raw:
        raise ExplorerError(f"{origin} needs an [objectives] table, e.g. time_s = \"min\"")
    objectives = []
    for name, direction in objectives_raw.items():
        _output(model, name, "objectives")
        if direction not in ("min", "max"):
            raise ExplorerError(f"objectives.{name} must be \"min\" or \"max\", got {direction!r}")
        objectives.append((name, direction == "max"))

    constraints = _table(raw, "constraints", {"margins", "bounds"}, "")
    margins_raw = constraints.get("margins", "all")
    if margins_raw == "all":
        margins = model.margins
    elif isinstance(margins_raw, list):
        margins = tuple(margins_raw)
        for name in margins:
            if name not in model.margins:
                raise ExplorerError(f"constraints.margins: {name!r} is not a margin output of model "
                                    f"{model.name!r} (margins: {', '.join(model.margins)})")
    else:
        raise ExplorerError("constraints.margins must be \"all\" or a list of margin outputs")
    bounds_raw = constraints.get("bounds", [])
    if not isinstance(bounds_raw, list):
        raise ExplorerError("constraints.bounds must be a list of strings like \"time_s <= 90 days\"")
    bounds = tuple(_bound(model, b) for b in bounds_raw)

    output = _table(raw, "output", {"mode", "path", "chunk_size", "dtype"}, "")
    mode = output.get("mode", "frontier")
    if mode not in MODES:
        raise ExplorerError(f"output.mode must be one of {', '.join(MODES)}, got {mode!r}")
    dtype = output.get("dtype", "float32")
    if dtype not in ("float32", "float64"):
        raise ExplorerError(f"output.dtype must be float32 or float64, got {dtype!r}")
    chunk = integer_at_least(output.get("chunk_size", 1 << 20), "output.chunk_size", 1)
    if chunk > MAX_CHUNK:
        raise ExplorerError(f"output.chunk_size must be at most {MAX_CHUNK}, got {chunk}")
    stem = Path(origin).stem if origin != "<spec>" else "sweep"
    raw_path = path or output.get("path", f"data/results/{stem}.parquet")
    if not isinstance(raw_path, (str, Path)):
        raise ExplorerError(f"output.path must be a string, got {raw_path!r}")
    out_path = Path(raw_path)
    if out_path.suffix != ".parquet":
        raise ExplorerError(f"output.path must end in .parquet, got {str(out_path)!r}")
    return SweepSpec(model=model, presets=presets, overrides=overrides, params=params, axes=axes,
                     sampler=kind, samples=n if kind != "grid" else None, seed=seed,
                     objectives=tuple(objectives), margins=tuple(margins), bounds=bounds, mode=mode,
                     path=out_path, chunk_size=chunk, dtype=dtype, raw=raw, distributed=_distributed(raw),
                     schedule=schedule)


def _distributed(raw: dict) -> dict:
    """The ``[distributed]`` table: backend ("local" or "ray"), address (a Ray cluster's),
    tasks (how many ranges the sweep is split into), num_cpus and num_gpus (per task),
    max_retries (per task)."""
    table = _table(raw, "distributed", {"backend", "address", "tasks", "num_cpus", "num_gpus", "max_retries"}, "")
    if table.get("backend", "local") not in ("local", "ray"):
        raise ExplorerError(f"distributed.backend must be \"local\" or \"ray\", got {table['backend']!r}")
    if "address" in table and not isinstance(table["address"], str):
        raise ExplorerError(f"distributed.address must be a string, got {table['address']!r}")
    for key, minimum in (("tasks", 1), ("num_cpus", 1), ("max_retries", 0)):
        if key in table:
            integer_at_least(table[key], f"distributed.{key}", minimum)
    if "num_gpus" in table and (isinstance(table["num_gpus"], bool) or not isinstance(table["num_gpus"], (int, float))
                                or table["num_gpus"] < 0):
        raise ExplorerError(f"distributed.num_gpus must be a number ≥ 0, got {table['num_gpus']!r}")
    return dict(table)


def result_model(meta: dict) -> Model:
    """The model of a result file's metadata: the scheduled model that its spec's [schedule]
    builds (explorer.schedule), else the registered model it names."""
    spec = meta.get("spec")
    if isinstance(spec, dict) and "schedule" in spec:
        return parse_spec(spec).model
    return get_model(meta["model"])


def with_model(raw: dict, model: dict | None) -> dict:
    """``raw`` with ``model``'s entries in its ``[model]`` table: presets replaced, ``params``
    added to (the CLI's --hardware, --workload and --param)."""
    if not model:
        return raw
    table = dict(raw.get("model", {})) if isinstance(raw.get("model", {}), dict) else {}
    merged = {**table, **{k: v for k, v in model.items() if k != "params"}}
    if model.get("params"):
        params = table.get("params", {})
        merged["params"] = {**(params if isinstance(params, dict) else {}), **model["params"]}
    return {**raw, "model": merged}


def load_spec(source, *, path: str | None = None, samples: int | None = None, model: dict | None = None) -> SweepSpec:
    """A SweepSpec from a TOML path, a dict, or a SweepSpec (returned as is); ``model``:
    entries merged into its ``[model]`` table (see ``with_model``)."""
    if isinstance(source, SweepSpec):
        if path is None and samples is None and not model:
            return source
        return parse_spec(with_model(source.raw, model), path=str(path or source.path),
                          samples=samples or source.samples)
    if isinstance(source, dict):
        return parse_spec(with_model(source, model), path=path, samples=samples)
    file = Path(source)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as err:
        raise ExplorerError(f"cannot read spec {str(file)!r}: {err.strerror}") from None
    except UnicodeDecodeError:
        raise ExplorerError(f"cannot read spec {str(file)!r}: not UTF-8 text") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ExplorerError(f"{file}: not valid TOML: {str(err).splitlines()[0]}") from None
    except RecursionError:
        raise ExplorerError(f"{file}: nested too deeply to be a spec") from None
    return parse_spec(with_model(raw, model), str(file), path=path, samples=samples)
