"""Quantities with units, as people type them."""

import pytest

from explorer import ExplorerError
from explorer.units import parse_quantity, split_list


@pytest.mark.parametrize("text,unit,value", [
    ("1.5GHz", "Hz", 1.5e9), ("1.5 GHz", "Hz", 1.5e9), ("2e9", "Hz", 2e9), (3, "Hz", 3.0),
    ("90 days", "s", 90 * 86400.0), ("2 weeks", "s", 14 * 86400.0), ("36h", "s", 129600.0),
    ("1.2 MWh", "J", 1.2 * 3.6e9), ("700 W", "W", 700.0), ("80GB", "B", 80e9), ("85 °C", "K", 358.15),
    ("2 days", "h", 48.0),
    # any case, when one unit of the right dimension is spelled that way
    ("1.5 ghz", "Hz", 1.5e9), ("1.98 GHZ", "Hz", 1.98e9), ("90 Days", "s", 90 * 86400.0), ("700 w", "W", 700.0),
    ("2 kwh", "J", 7.2e6), ("989 tflop/s", "FLOP/s", 989e12),
    # every unit pint knows: ms, months, binary prefixes, percent
    ("250 ms", "s", 0.25), ("2 months", "s", 2 * 365.25 / 12 * 86400.0), ("80 GiB", "B", 80 * 2.0**30),
    ("3.35 TB/s", "B/s", 3.35e12), ("5%", "1", 0.05), ("0.12 USD/kWh", "USD/kWh", 0.12),
    # counts: thousands separators and k/M/G/T after the number
    ("1,024", "sequences", 1024.0), ("1_024", "sequences", 1024.0), ("1,048,576", "1", 1048576.0),
    ("8k", "devices", 8000.0), ("8K GPUs", "devices", 8000.0), ("16k devices", "devices", 16000.0),
    ("2M tokens", "tokens", 2e6), ("15T tokens", "tokens", 15e12), ("$4M", "USD", 4e6), ("$1.2B", "USD", 1.2e9),
    ("15 trillion tokens", "tokens", 15e12), ("5.27 million h", "h", 5.27e6), ("$13.46 million", "USD", 13.46e6),
    ("1.9 nats", "nats", 1.9),
    ("300 K", "K", 300.0), ("85 C", "K", 358.15),
])
def test_parse(text, unit, value):
    assert parse_quantity(text, unit) == pytest.approx(value)


@pytest.mark.parametrize("text,unit,message", [
    ("fast", "Hz", "is not a number"), ("1.5 GW", "Hz", "unit 'GW' in '1.5 GW' does not convert to 'Hz'"),
    ("3 parsecs", "s", "does not convert"),
    ("1.2 mwh", "J", r"unit 'mwh' in '1.2 mwh' is ambiguous: MWh or mWh\?"),  # milli or mega: refused
    ("3 MS", "s", r"is ambiguous: Ms or ms\?"),
    ("8k tokens", "devices", "does not convert to 'devices'"),
    ("1.5 GHz!!", "Hz", "does not convert"),
])
def test_parse_errors(text, unit, message):
    with pytest.raises(ExplorerError, match=message) as err:
        parse_quantity(text, unit, "nu")
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("text,parts", [
    ("1.2GHz,1.5GHz", ["1.2GHz", "1.5GHz"]), ("1,024", ["1,024"]), ("512,1024", ["512", "1024"]),
    ("1,024,2,048", ["1,024", "2,048"]), ("8k,16k", ["8k", "16k"]),
])
def test_cli_lists_split_on_commas_that_are_not_thousands_separators(text, parts):
    assert split_list(text) == parts
