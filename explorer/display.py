"""Values as a planner reads them: days, MWh, GHz, $M, °C and %, never raw scientific notation.

Every output keeps its SI unit in the data (Parquet, JSON, CSV). What a person sees (the CLI's
tables, summary.md, the report's figure axes and page) goes through this module:

- ``scale_for(values, unit, share)`` picks one display unit for a column (or a single value)
  from its typical magnitude: a ``Scale`` (label, factor, offset), e.g. seconds → days, J → MWh,
  K → °C, USD → $M, a share → %;
- ``number(x)`` writes a number with thousands separators and 4 significant digits, and as
  "2.56×10⁻¹⁰" only where no unit can bring it to a readable size;
- ``human(value, unit, share)`` is the two together: "53.6 days", "3.54 GWh", "$13.5M", "40.8%".
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")

# (label, size in the SI unit), smallest first: the largest step the typical value reaches is used
_STEPS = {
    "s": (("s", 1.0), ("min", 60.0), ("hours", 3600.0), ("days", 86400.0), ("years", 365.25 * 86400.0)),
    "J": (("J", 1.0), ("kJ", 1e3), ("kWh", 3.6e6), ("MWh", 3.6e9), ("GWh", 3.6e12), ("TWh", 3.6e15)),
    "h": (("h", 1.0), ("million h", 1e6), ("billion h", 1e9)),  # 50,700 h, 5.27 million h
    "USD": (("$", 1.0), ("$k", 1e3), ("$M", 1e6), ("$B", 1e9)),
}
_SI_PREFIXES = (("", 1.0), ("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12), ("P", 1e15), ("E", 1e18))
_SI_UNITS = ("W", "Hz", "B", "FLOP", "FLOP/s", "FLOP/J", "B/s")  # prefixed in the usual way: MW, GHz, TB
_COUNT_STEPS = (("", 1.0), ("thousand", 1e3), ("million", 1e6), ("billion", 1e9), ("trillion", 1e12))
_YEARS_FROM_DAYS = 1000.0  # a duration is shown in days up to 1,000 days, then in years


class Scale(NamedTuple):
    """How one column is shown: displayed = value · factor + offset, in ``label``."""

    label: str
    factor: float = 1.0
    offset: float = 0.0

    def apply(self, values):
        """The values in this scale's unit (arrays or scalars)."""
        return np.asarray(values, float) * self.factor + self.offset


def _typical(values) -> float:
    v = np.abs(np.asarray(values, float).ravel())
    v = v[np.isfinite(v) & (v > 0)]
    return float(np.median(v)) if len(v) else 0.0


def _step(typical: float, steps) -> tuple[str, float]:
    chosen = steps[0]
    for label, size in steps:
        if typical >= size:
            chosen = (label, size)
    return chosen


def scale_for(values, unit: str, share: bool = False) -> Scale:
    """The display unit for ``values`` (one value or a column) in SI ``unit``.

    Args:
      values: the values in ``unit`` (NaN and ±inf ignored).
      unit: the SI unit the model declares ("s", "J", "W", "Hz", "K", "USD", "h", "1", "tokens/s" …).
      share: the values are fractions of 1 (shown as %).

    Returns:
      A ``Scale``; unknown units keep their label and at most a power-of-ten factor.
    """
    typical = _typical(values)
    if share:
        return Scale("%", 100.0)
    if unit == "K":
        return Scale("°C", 1.0, -273.15)
    if unit == "s" and typical >= _YEARS_FROM_DAYS * 86400.0:
        return Scale("years", 1.0 / (365.25 * 86400.0))
    if unit in _STEPS:
        label, size = _step(typical, _STEPS[unit][:-1] if unit == "s" else _STEPS[unit])
        return Scale(label, 1.0 / size)
    if unit in _SI_UNITS:
        prefix, size = _step(typical, _SI_PREFIXES)
        return Scale(prefix + unit, 1.0 / size)
    if unit and unit != "1" and not unit.startswith(("1/", "J*")):  # a count: tokens, devices, tokens/s
        word, size = _step(typical, _COUNT_STEPS)
        return Scale(f"{word} {unit}".strip() if typical >= 1e6 else unit, 1.0 / size if typical >= 1e6 else 1.0)
    if typical == 0.0 or 1e-3 <= typical < 1e6:
        return Scale("" if unit == "1" else unit)
    power = 3 * math.floor(math.log10(typical) / 3)
    tens = f"×10{str(power).translate(_SUPERSCRIPT)}"
    return Scale(tens if unit in ("", "1") else f"{tens} {unit}", 10.0 ** -power)


def number(x: float, digits: int = 4, exact: bool = False) -> str:
    """``x`` to ``digits`` significant digits with thousands separators: 4,632,000; 0.4076; 1.5.
    Values whose size no unit fixes (below 10⁻³ or at 10¹⁵ and above) read "2.56×10⁻¹⁰".
    ``exact``: a count (devices, sequences), written whole: 65,536, never 65,540."""
    x = float(x)
    if not math.isfinite(x):
        return "n/a" if math.isnan(x) else ("∞" if x > 0 else "−∞")
    if exact and abs(x) < 1e15:
        return f"{round(x):,}"
    if x == 0.0:
        return "0"
    magnitude = math.floor(math.log10(abs(x)))
    if magnitude < -3 or magnitude >= 15:
        mantissa = f"{x / 10.0**magnitude:.{digits - 1}g}"
        return f"{mantissa}×10{str(magnitude).translate(_SUPERSCRIPT)}"
    rounded = round(x, digits - 1 - magnitude)
    decimals = max(digits - 1 - magnitude, 0)
    text = f"{rounded:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def human(value: float, unit: str, share: bool = False, digits: int = 4, exact: bool = False) -> str:
    """One value in its planner unit: "53.6 days", "3.535 GWh", "$13.46M", "40.76%", "65.02 °C";
    ``exact``: a count, whole where its unit is kept ("65,536 devices")."""
    value = float(value)
    if not math.isfinite(value):
        return number(value)
    scale = scale_for([value], unit, share)
    text = number(float(scale.apply(value)), digits, exact and scale.factor == 1.0)
    if scale.label.startswith("$"):
        return f"{'−' if value < 0 else ''}${text.lstrip('-')}{scale.label[1:]}"
    if scale.label == "%" or scale.label.startswith("×"):
        return f"{text}{scale.label}"
    return f"{text} {scale.label}".strip()


def label(name: str, scale: Scale) -> str:
    """An axis or column heading: "time_s [days]", "mfu [%]", "final_loss [nats]"."""
    return f"{name} [{scale.label}]" if scale.label else name


def si(value: float, unit: str) -> str:
    """The SI value a file stores, readable: "12.73 TJ", "1.5 GHz", "4,631,603 s", "$13,457,000"."""
    value = float(value)
    if unit in (*_SI_UNITS, "J") and math.isfinite(value) and value != 0.0:
        prefix, size = _step(abs(value), _SI_PREFIXES)
        return f"{number(value / size, 5)} {prefix}{unit}"
    if unit == "USD":
        return f"${number(value, 8)}"
    return f"{number(value, 6)} {'' if unit == '1' else unit}".strip()


def configuration_lines(values, units, shares=(), margins=(), integers=()) -> list[str]:
    """One configuration as aligned lines: name, planner form, and the stored SI value where the
    planner unit is another ("53.61 days  (4,631,580 s)"); margins say "(≤ 0 is feasible)".

    Args:
      values: name → value (a pandas row or a dict), in the model's SI units.
      units: name → SI unit.
      shares: names whose values are fractions of 1 (shown as %).
      margins: names of constraint margins.
      integers: names of counts, written whole.
    """
    lines = []
    for name, value in values.items():
        unit = units.get(name, "")
        if isinstance(value, (bool, np.bool_)):
            lines.append(f"  {name:<22} {'yes' if value else 'no'}")
            continue
        scale = scale_for([value], unit, name in shares)
        shown = human(value, unit, name in shares, exact=name in integers)
        rescaled = (scale.factor, scale.offset) != (1.0, 0.0) and not scale.label.startswith(("%", "×")) \
            and unit not in _SI_UNITS  # MW, GHz: already SI
        extra = f"  ({si(value, unit)})" if rescaled else ""  # the value as the file stores it
        tag = "  (≤ 0 is feasible)" if name in margins else ""
        lines.append(f"  {name:<22} {shown:<24}{extra}{tag}".rstrip())
    return lines


def display_frame(frame, units, shares=(), integers=()):
    """A copy of ``frame`` for printing: each numeric column in one planner unit (its heading
    says which), numbers written by ``number``."""
    import pandas as pd

    shown = {}
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_bool_dtype(column):
            shown[name] = column.map({True: "yes", False: "no"})
            continue
        if not pd.api.types.is_numeric_dtype(column):
            shown[name] = column.astype(str)
            continue
        scale = scale_for(column.to_numpy(float), units.get(name, ""), name in shares)
        heading = label(name, scale)
        exact = name in integers and scale.factor == 1.0
        shown[heading] = [number(v, exact=exact) for v in scale.apply(column.to_numpy(float))]
    return pd.DataFrame(shown, index=frame.index)
