"""Quantities written the way people write them: "1.5 GHz", "90 days", "2e9".

``parse_quantity(text, unit)`` converts to the model's SI unit or raises one
clear ExplorerError; ``humanize(value, unit)`` gives a short readable form.
"""

from __future__ import annotations

import math
import re

from explorer.errors import ExplorerError

_PREFIX = {"": 1.0, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18,
           "m": 1e-3, "u": 1e-6, "µ": 1e-6, "n": 1e-9, "p": 1e-12}
_PREFIXABLE = ("Hz", "W", "J", "B", "FLOP/s", "B/s", "Wh", "tokens")
_TIME = {"s": 1.0, "sec": 1.0, "min": 60.0, "h": 3600.0, "hour": 3600.0, "hours": 3600.0,
         "day": 86400.0, "days": 86400.0, "d": 86400.0, "week": 604800.0, "weeks": 604800.0,
         "year": 31557600.0, "years": 31557600.0}
_ALIASES = {"J": {"Wh": 3600.0, "kWh": 3.6e6, "MWh": 3.6e9, "GWh": 3.6e12}, "s": _TIME, "h": {
    k: v / 3600.0 for k, v in _TIME.items()}, "K": {"K": 1.0}}
_NUMBER = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


def _factor(written: str, unit: str) -> float | None:
    if written in ("", unit):
        return 1.0
    table = _ALIASES.get(unit, {})
    if written in table:
        return table[written]
    if unit in _PREFIXABLE and written.endswith(unit) and written[: -len(unit)] in _PREFIX:
        return _PREFIX[written[: -len(unit)]]
    return None


def parse_quantity(text: str | float | int, unit: str, what: str = "value") -> float:
    """Converts ``text`` (a number, optionally with a unit) to ``unit``.

    Args:
      text: e.g. "1.5 GHz", "90 days", "3.2e6", or a number.
      unit: the unit the model expects, e.g. "Hz".
      what: the name reported in errors.

    Raises:
      ExplorerError: not a number, or a unit that does not convert to ``unit``.
    """
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text)
    match = _NUMBER.match(str(text))
    if not match:
        raise ExplorerError(f"{what}: {text!r} is not a number (expected {unit})")
    written = match.group(2)
    if written in ("°C", "degC", "C") and unit == "K":
        return float(match.group(1)) + 273.15
    factor = _factor(written, unit)
    if factor is None:
        raise ExplorerError(f"{what}: unit {written!r} in {text!r} does not convert to {unit!r}")
    return float(match.group(1)) * factor


def humanize(value: float, unit: str) -> str:
    """A short human form for the units that have one (durations, energies, clocks)."""
    if not math.isfinite(value):
        return ""
    if unit == "s":
        for name, size in (("years", 31557600.0), ("days", 86400.0), ("hours", 3600.0), ("min", 60.0)):
            if abs(value) >= size:
                return f"{value / size:.3g} {name}"
        return ""
    for base, steps in (("J", (("GWh", 3.6e12), ("MWh", 3.6e9), ("kWh", 3.6e6))),
                        ("Hz", (("GHz", 1e9), ("MHz", 1e6))),
                        ("W", (("MW", 1e6), ("kW", 1e3))),
                        ("B", (("GB", 1e9), ("MB", 1e6)))):
        if unit == base:
            for name, size in steps:
                if abs(value) >= size:
                    return f"{value / size:.4g} {name}"
    return ""
