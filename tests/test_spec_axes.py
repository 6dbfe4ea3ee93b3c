"""One [axes] entry: units, integer steps and domains, checked by hand-worked values."""

import pytest

from explorer.errors import ExplorerError
from explorer.models import get_model
from explorer.spec_axes import finite, integer_at_least, parse_axis

MODEL = get_model("llm_training")


def test_units_and_integer_steps():
    axis = parse_axis(MODEL, "nu", {"low": "1 GHz", "high": "2 GHz", "count": 3})
    assert (axis.low, axis.high, axis.count, axis.unit) == (1e9, 2e9, 3, "Hz")
    devices = parse_axis(MODEL, "n_parallel", {"low": 1000, "high": 5000, "multiple_of": 1024, "count": 4})
    assert devices.integer and devices.multiple_of == 1024.0
    tp = parse_axis(MODEL, "tp", {"values": [1, 2, 4, 8]})  # a count parameter: an integer axis
    assert tp.integer and tp.values == (1.0, 2.0, 4.0, 8.0)


@pytest.mark.parametrize("name,raw,message", [
    ("pue", {"values": [0.9, 1.2]}, "axes.pue: pue = 0.9 is outside its domain (finite and ≥ 1)"),
    ("tp", {"values": [1.5]}, "tp"),
    ("batch", {"low": -4, "high": 8}, "axes.batch.low: batch = -4 sequences is outside its domain"),
    ("nu", {"low": "2 GHz", "high": "1 GHz"}, "empty or inverted range"),
    ("nu", {"low": "1 GHz", "high": "2 GHz", "count": 1 << 25}, "axes.nu.count must be at most 16,777,216"),
    ("n_parallel", {"low": 1000, "high": 1010, "multiple_of": 1024}, "no multiple of 1024 lies in"),
])
def test_bad_axes_are_one_line(name, raw, message):
    with pytest.raises(ExplorerError) as err:
        parse_axis(MODEL, name, raw)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_small_helpers():
    assert integer_at_least(3, "x", 1) == 3
    for bad in (0, True, 2.0, "3"):
        with pytest.raises(ExplorerError, match="x must be an integer ≥ 1"):
            integer_at_least(bad, "x", 1)
    assert finite(1.5, "y") == 1.5
    with pytest.raises(ExplorerError, match="y"):
        finite(float("inf"), "y")
