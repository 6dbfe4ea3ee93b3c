"""One ``[axes]`` entry of a sweep spec, validated: units, ranges, counts, integer steps and
the domain of the parameter or design variable it sweeps (``parse_axis``)."""

from __future__ import annotations

import math

from explorer.axes import Axis
from explorer.errors import ExplorerError
from explorer.models.base import Model
from explorer.models.params import check_domain
from explorer.units import parse_quantity

MAX_AXIS_COUNT = 1 << 24  # values of one grid axis (held in memory, on the host and the device)


def integer_at_least(value, what: str, minimum: int = 0) -> int:
    """``value`` if it is an int ≥ ``minimum`` (not a bool), else one ExplorerError line."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ExplorerError(f"{what} must be an integer ≥ {minimum}, got {value!r}")
    return value


def _in_domain(model: Model, name: str, value: float, where: str):
    """An axis's value within its parameter's or design variable's domain."""
    if name in model.param_names:
        check_domain(model, name, value, f"{where}: ")
        return
    var = model.variable(name)
    if not var.domain.contains(value):
        raise ExplorerError(f"{where}: {name} = {value:g} {var.unit} is outside its domain ({var.domain.describe()})")


def parse_axis(model: Model, name: str, raw) -> Axis:
    """The axis ``axes.NAME = raw`` of ``model``, in the model's unit (see the module docstring)."""
    where = f"axes.{name}"
    if name in model.design_names:
        var = model.variable(name)
        unit, integer = var.unit, var.integer
    elif name in model.param_names and not model.param(name).choices:
        unit, integer = model.param(name).unit, model.param(name).domain.integer
    else:
        raise ExplorerError(f"unknown axis {name!r}: not a design variable or numeric parameter of "
                            f"model {model.name!r} (design variables: {', '.join(model.design_names)})")
    if not isinstance(raw, dict):
        raise ExplorerError(f"{where} must be a table like {{low, high, scale, count}} or {{values}}")
    allowed = {"low", "high", "scale", "count", "values", "integer", "multiple_of"}
    for k in raw:
        if k not in allowed:
            raise ExplorerError(f"unknown key {f'{where}.{k}'!r} (allowed: {', '.join(sorted(allowed))})")
    integer = raw.get("integer", integer)
    if not isinstance(integer, bool):
        raise ExplorerError(f"{where}.integer must be true or false, got {integer!r}")
    if "values" in raw and "multiple_of" in raw:
        raise ExplorerError(f"{where}: multiple_of applies to a range (low, high), not to values")
    if "values" in raw:
        values = raw["values"]
        if not isinstance(values, list) or not values:
            raise ExplorerError(f"{where}.values must be a non-empty list")
        parsed = tuple(finite(parse_quantity(v, unit, f"{where}.values"), f"{where}.values") for v in values)
        if integer and any(v != round(v) for v in parsed):
            raise ExplorerError(f"{where}.values must be integers ({name} is an integer axis), got {list(parsed)}")
        for v in parsed:
            _in_domain(model, name, v, where)
        return Axis(name, unit, values=parsed, integer=integer)
    if "low" not in raw or "high" not in raw:
        raise ExplorerError(f"{where} needs low and high (or values)")
    low = finite(parse_quantity(raw["low"], unit, f"{where}.low"), f"{where}.low")
    high = finite(parse_quantity(raw["high"], unit, f"{where}.high"), f"{where}.high")
    if not low < high:
        raise ExplorerError(f"{where}: empty or inverted range: low {low:g} ≥ high {high:g} ({unit})")
    _in_domain(model, name, low, f"{where}.low")
    _in_domain(model, name, high, f"{where}.high")
    scale = raw.get("scale", "linear")
    if scale not in ("log", "linear"):
        raise ExplorerError(f"{where}.scale must be 'log' or 'linear', got {scale!r}")
    if scale == "log" and low <= 0:
        raise ExplorerError(f"{where}: a log axis needs low > 0, got {low:g}")
    count = integer_at_least(raw.get("count", 16), f"{where}.count", 1)
    if count > MAX_AXIS_COUNT:
        raise ExplorerError(f"{where}.count must be at most {MAX_AXIS_COUNT:,} (an axis's values live in memory), "
                            f"got {count:,}")
    multiple = None
    if "multiple_of" in raw:
        multiple = float(integer_at_least(raw["multiple_of"], f"{where}.multiple_of", 1))
        integer = True
    step = multiple or 1.0
    if integer and math.floor(high / step) < math.ceil(low / step):
        what = "integer" if multiple is None else f"multiple of {multiple:g}"
        raise ExplorerError(f"{where}: no {what} lies in [{low:g}, {high:g}]")
    return Axis(name, unit, low=low, high=high, scale=scale, count=count, integer=integer, multiple_of=multiple)


def finite(value: float, what: str) -> float:
    """``value`` if finite, else one ExplorerError line naming ``what``."""
    if not math.isfinite(value):
        raise ExplorerError(f"{what} must be finite, got {value!r}")
    return value
