"""Quantities written the way people write them: "1.5 GHz", "90 days", "2M tokens", "1,024".

``parse_quantity(text, unit)`` converts to the model's unit with pint (every SI prefix and
unit pint knows: ms, months, GiB, MWh, °C …, plus this tool's counts: devices, sequences,
tokens, FLOP, nats, USD/$), or raises one clear ExplorerError. Spelling is forgiving:

- a unit in the wrong case ("ghz", "Days") is read when exactly one unit of the right
  dimension matches it case-insensitively ("mwh" to J is refused: mWh or MWh?);
- thousands separators ("1,024", "1_024") and k/M/G/T or thousand/million/billion/trillion
  after a number ("8k", "2M tokens", "15 trillion tokens"; "K" means thousand unless the
  unit is kelvin);
- "$4M" is 4 million USD and "$1.2B" 1.2 billion, as ``explorer.display`` writes them.
"""

from __future__ import annotations

import functools
import itertools
import re

from explorer.errors import ExplorerError

# counts and currencies that pint does not define; nats before pint reads "nat" as nano-at
_DEFINITIONS = ("device = [device] = devices = GPU = GPUs = gpu = gpus", "sequence = [sequence] = sequences = seq",
                "token = [token] = tokens", "FLOP = [flop] = flop = FLOPs", "nat = [loss] = nats",
                "USD = [currency] = usd = dollar = dollars", "sample = [sample] = samples",
                "param = [param] = params = parameter = parameters")
_NUMBER = re.compile(r"^\s*(\$?)\s*([-+]?(?:\d[\d_]*(?:,\d{3})*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")
_MULTIPLIER = re.compile(r"^([kKMGT]|thousand|million|billion|trillion)(?:\s+|$)(.*)$")
_SCALE = {"k": 1e3, "K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12,
          "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_DOLLAR_BILLIONS = ("B", "bn")  # "$1.2B": billions of dollars, never bytes
_LIST_COMMA = re.compile(r",(?!\d{3}(?:\D|$))")  # a comma that is not a thousands separator


@functools.cache
def _registry():
    import pint

    registry = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    for line in _DEFINITIONS:
        registry.define(line)
    return registry


@functools.cache
def _spellings() -> dict[str, tuple[str, ...]]:
    """Lower-cased spelling → the case-sensitive spellings it can mean (an SI or binary prefix
    on a unit symbol)."""
    symbols = ("Hz", "W", "J", "Wh", "B", "b", "bit", "FLOP", "s", "h", "V", "F", "K", "m", "g", "S")
    prefixes = ("", "k", "M", "G", "T", "P", "E", "m", "u", "µ", "n", "p", "Ki", "Mi", "Gi", "Ti")
    table: dict[str, set[str]] = {}
    for spelling in (p + s for p in prefixes for s in symbols):
        table.setdefault(spelling.lower(), set()).add(spelling)
    return {k: tuple(sorted(v)) for k, v in table.items()}


def split_list(text: str) -> list[str]:
    """A CLI list "1.2GHz,1.5GHz" split on its commas; a comma followed by exactly three digits
    is a thousands separator ("1,024" is one number; "512,1024" two)."""
    return [part for part in _LIST_COMMA.split(text) if part.strip()]


def parse_quantity(text: str | float | int, unit: str, what: str = "value") -> float:
    """Converts ``text`` (a number, optionally with a unit) to ``unit``.

    Args:
      text: e.g. "1.5 GHz", "90 days", "3.2e6", "8k", "2M tokens", or a number.
      unit: the unit the model expects, e.g. "Hz", "s", "J", "devices", "1".
      what: the name reported in errors.

    Raises:
      ExplorerError: not a number, or a unit that does not convert to ``unit``.
    """
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text)
    match = _NUMBER.match(str(text))
    if not match:
        raise ExplorerError(f"{what}: {text!r} is not a number (expected {unit})")
    dollar, number, written = match.groups()
    value = float(number.replace(",", "").replace("_", ""))
    multiplier = _MULTIPLIER.match(written)
    if multiplier and not (multiplier.group(1) == "K" and unit == "K" and not multiplier.group(2)):
        value, written = value * _SCALE[multiplier.group(1)], multiplier.group(2)
    if dollar and written in _DOLLAR_BILLIONS:
        value, written = value * 1e9, ""
    if dollar:
        written = f"USD*{written}" if written else "USD"
    if written in ("", unit):
        return value
    if unit == "K" and written in ("C", "°C", "degC"):  # a temperature in Celsius (an offset, not a factor)
        written = "degC"
    return _convert(value, written, unit, text, what)


def _convert(value: float, written: str, unit: str, text, what: str) -> float:
    """``value`` in ``written`` units, in ``unit`` (case-insensitively when exactly one unit of
    the right dimension is spelled that way)."""
    registry = _registry()
    target = registry.parse_units("dimensionless" if unit == "1" else unit)

    def converted(spelling):
        try:
            return float(registry.Quantity(value, spelling).to(target).magnitude)
        except Exception:  # pylint: disable=broad-except  (pint raises many kinds on text it cannot read)
            return None

    if re.search(r"[^\w\s/*^().%°µ-]", written):  # pint would skip some (e.g. "GHz!!" reads as GHz)
        raise ExplorerError(f"{what}: unit {written!r} in {text!r} does not convert to {unit!r}")
    exact = converted(written)
    if exact is not None:
        return exact
    # each part of "tflop/s" in every case that spells a unit ("Days" is days)
    parts = [[p] if p in "/*" else sorted({p, p.lower(), *_spellings().get(p.lower(), ())})
             for p in re.split(r"([/*])", written) if p]
    spellings = {"".join(choice) for choice in itertools.product(*parts)} - {written}
    fits = sorted(s for s in spellings if converted(s) is not None)
    if len(fits) == 1:
        return converted(fits[0])
    if len(fits) > 1:
        raise ExplorerError(f"{what}: unit {written!r} in {text!r} is ambiguous: {' or '.join(fits)}?")
    raise ExplorerError(f"{what}: unit {written!r} in {text!r} does not convert to {unit!r}")
