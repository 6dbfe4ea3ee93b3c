"""``evaluate``: one model on a batch of configurations, as a pandas DataFrame."""

from __future__ import annotations

import functools
from collections.abc import Mapping

import numpy as np
import pandas as pd

from explorer import program_cache
from explorer.errors import ExplorerError, warn
from explorer.models import get_model, resolve_params
from explorer.models.base import Model
from explorer.presets import find_preset
from explorer.problem import Problem, Structure
from explorer.display import human
from explorer.units import parse_quantity


def parse_params(model: Model, params: str | Mapping | None):
    """Splits ``params`` into (presets by kind, overrides).

    ``params`` is None, a preset name (its kind is looked up), or a mapping
    whose keys are preset kinds ("hardware", "workload") or parameter names.
    """
    if params is None:
        return {}, {}
    if isinstance(params, str):
        preset = find_preset(params)
        return {preset.kind: preset.name}, {}
    if not isinstance(params, Mapping):
        raise ExplorerError(f"params must be a preset name or a mapping, got {type(params).__name__}")
    presets = {k: v for k, v in params.items() if k in model.preset_kinds}
    overrides = {k: v for k, v in params.items() if k not in model.preset_kinds}
    return presets, overrides


def _as_numbers(value, unit: str, name: str) -> np.ndarray:
    """A design value as floats in ``unit``: numbers as they are (SI), strings with units parsed
    ("1.5 GHz", ["8k", "16k"])."""
    if isinstance(value, (str, bytes)) or (np.ndim(value) and np.asarray(value).dtype.kind in "OUS"):
        texts = np.asarray(value, dtype=object)
        return np.vectorize(lambda t: parse_quantity(t, unit, f"design variable {name}"), otypes=[float])(texts)
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ExplorerError(f"design variable {name} must be numeric ({unit}); got {value!r}") from None


def check_design(model: Model, design, defaults: Mapping | None = None) -> dict[str, np.ndarray]:
    """Validates names and domains of a user design; returns float arrays in the model's units.

    ``design`` is a mapping or a DataFrame (whose design-variable columns are taken, the other
    columns ignored: a front read from a file can be evaluated again). Values are numbers in
    SI units or strings with a unit. Every design variable of the shipped models is a
    positive quantity (a clock, a batch, a temperature, a device count), so non-positive or
    non-finite values are rejected here, before any tracing; a value outside the variable's
    usual range gets a one-line warning (``nu=1.5`` is 1.5 Hz, not 1.5 GHz). The usual range
    includes the variable's value in ``defaults`` (the resolved presets' defaults, where given):
    a power limit near a hypothetical preset's own TDP is no typo.
    """
    if isinstance(design, pd.DataFrame):
        design = {c: design[c].to_numpy() for c in design.columns if c in model.design_names}
    out = {}
    for name, value in design.items():
        var = model.variable(name)
        arr = _as_numbers(value, var.unit, name)
        bad = ~np.isfinite(arr) | (arr <= 0)
        if bad.any():
            raise ExplorerError(f"design variable {name} must be a positive finite number ({var.unit}); "
                                f"got {float(arr[bad].flat[0])!r}")
        if var.integer and np.any(arr != np.round(arr)):
            raise ExplorerError(f"design variable {name} must be an integer ({var.unit}); got {float(arr[arr != np.round(arr)].flat[0])!r}")
        low, high = var.bounds
        if defaults is not None and name in defaults:
            low, high = min(low, float(np.min(defaults[name]))), max(high, float(np.max(defaults[name])))
        outside = (arr < low / 10) | (arr > high * 10)
        if outside.any():
            x = float(arr[outside].flat[0])
            prefixed = [f"'{x:g} {p}{var.unit}'" for p, f in (("k", 1e3), ("M", 1e6), ("G", 1e9)) if low <= x * f <= high]
            shown = [human(v, var.unit) for v in (x, low, high)]
            warn(f"design variable {name} = {shown[0]} is far outside its usual range {shown[1]} to {shown[2]}"
                 + (f" (numbers are in {var.unit}: did you mean {prefixed[0]}?)" if prefixed else ""))
        out[name] = arr
    return out


def size_bucket(n: int) -> int:
    """The row count ``evaluate`` compiles for: n rounded up to a power of two (1, 2, 4 … 1,024 …),
    so a new number of rows reuses a program already compiled (at most 2× the work)."""
    return 1 if n <= 1 else 1 << (n - 1).bit_length()


@functools.lru_cache(maxsize=32)
def _jitted_model(structure: Structure):
    """One jitted evaluator per problem structure (its hash covers every static field), compiled
    through the exported-program and persistent caches (``program_cache``)."""
    return program_cache.ExportedFunction("evaluate", structure.evaluate, structure)


def evaluate(design: Mapping[str, object] | None = None, model: str | Model = "llm_training",
             params: str | Mapping | None = None) -> pd.DataFrame:
    """Evaluates ``model`` at the configurations in ``design``.

    Args:
      design: design variable -> scalar or array (numbers in the model's SI units, or
        strings with a unit: ``{"nu": "1.5 GHz", "n_parallel": ["8k", "16k"]}``); arrays
        broadcast together. A DataFrame's design-variable columns are taken (other columns
        are ignored) and its index kept. A variable left out takes the model's documented
        default (for ``llm_training``, the workload's reference recipe), so ``evaluate({})``
        is the default point.
      model: registered model name or a Model.
      params: a preset name, or a mapping of preset kinds ("hardware",
        "workload") and parameter overrides, e.g.
        ``{"hardware": "b200", "workload": "gpt3-175b", "pue": 1.3}``.

    Returns:
      One row per configuration; a column per design variable, then per output, then
      ``feasible`` (every margin ≤ 0).
      Units are in ``df.attrs["units"]``, the model in ``df.attrs["model"]``.
    """
    import jax
    import jax.numpy as jnp

    model = get_model(model)
    presets, overrides = parse_params(model, params)
    resolved = resolve_params(model, presets, overrides)
    values = model.design_defaults(resolved)
    values.update(check_design(model, {} if design is None else design, values))
    try:
        arrays = np.broadcast_arrays(*values.values())
    except ValueError:
        shapes = {k: np.shape(v) for k, v in values.items()}
        raise ExplorerError(f"design arrays do not broadcast together: {shapes}") from None
    flat = {k: a.ravel() for k, a in zip(values, arrays)}
    dtype = jax.dtypes.canonicalize_dtype(jnp.float64)  # float32 unless x64 is enabled
    problem = Problem.for_model(model, resolved, jnp.dtype(dtype).name)
    n = len(next(iter(flat.values())))
    padded = {k: np.pad(v, (0, size_bucket(n) - n), mode="edge") for k, v in flat.items()}
    outputs = _jitted_model(problem.structure)({k: jnp.asarray(v, dtype) for k, v in padded.items()},
                                               problem.fixed_arrays(dtype))
    outputs = {k: np.asarray(v)[..., :n] if np.ndim(v) else v for k, v in outputs.items()}
    frame = {k: v.astype(np.int64) if k in model.integers else v for k, v in flat.items()}  # counts stay whole
    for name in model.output_names:
        frame[name] = np.broadcast_to(np.asarray(outputs[name], dtype=float), (n,))
    frame["feasible"] = (np.logical_and.reduce([frame[m] <= 0 for m in model.margins]) if model.margins
                         else np.ones(n, bool))  # every margin met
    df = pd.DataFrame(frame, index=design.index if isinstance(design, pd.DataFrame) and len(design) == n else None)
    df.attrs["model"] = model.name
    df.attrs["model_version"] = model.version
    df.attrs["units"] = {k: model.units[k] for k in (*model.design_names, *model.output_names)} | {"feasible": ""}
    df.attrs["params"] = dict(resolved)
    return df
