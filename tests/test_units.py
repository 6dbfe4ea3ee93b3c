"""Quantities with units: parsing and humanising."""

import pytest

from explorer import ExplorerError
from explorer.units import humanize, parse_quantity


@pytest.mark.parametrize("text,unit,value", [
    ("1.5GHz", "Hz", 1.5e9), ("1.5 GHz", "Hz", 1.5e9), ("2e9", "Hz", 2e9), (3, "Hz", 3.0),
    ("90 days", "s", 90 * 86400.0), ("2 weeks", "s", 14 * 86400.0), ("36h", "s", 129600.0),
    ("1.2 MWh", "J", 1.2 * 3.6e9), ("700 W", "W", 700.0), ("80GB", "B", 80e9), ("85 °C", "K", 358.15),
    ("2 days", "h", 48.0),
])
def test_parse(text, unit, value):
    assert parse_quantity(text, unit) == pytest.approx(value)


@pytest.mark.parametrize("text,unit,message", [
    ("fast", "Hz", "is not a number"), ("1.5 GW", "Hz", "unit 'GW' in '1.5 GW' does not convert to 'Hz'"),
    ("3 parsecs", "s", "does not convert"),
])
def test_parse_errors(text, unit, message):
    with pytest.raises(ExplorerError, match=message):
        parse_quantity(text, unit, "nu")


def test_humanize():
    assert humanize(90 * 86400.0, "s") == "90 days"
    assert humanize(3.6e12, "J") == "1 GWh"
    assert humanize(1.83e9, "Hz") == "1.83 GHz"
    assert humanize(5.0, "1") == ""
