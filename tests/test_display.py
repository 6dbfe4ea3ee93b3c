"""Planner units for what people read: each case worked by hand."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.display import Scale, human, label, number, scale_for


@pytest.mark.parametrize("value,unit,share,text", [
    (90 * 86400.0, "s", False, "90 days"),
    (4_631_603.0, "s", False, "53.61 days"),  # 4,631,603 / 86,400
    (5400.0, "s", False, "1.5 hours"),
    (45.0, "s", False, "45 s"),
    (2000 * 86400.0, "s", False, "5.476 years"),  # 2,000 / 365.25
    (1.2725e13, "J", False, "3.535 GWh"),  # / 3.6e12
    (4.5e9, "J", False, "1.25 MWh"),
    (1.83e9, "Hz", False, "1.83 GHz"),
    (2.7475e6, "W", False, "2.748 MW"),
    (420.29, "W", False, "420.3 W"),
    (1.3457e7, "USD", False, "$13.46M"),
    (950.0, "USD", False, "$950"),
    (5.2697e6, "h", False, "5.27 million h"),
    (1.5e13, "tokens", False, "15 trillion tokens"),
    (3.2386e6, "tokens/s", False, "3.239 million tokens/s"),
    (4096.0, "devices", False, "4,096 devices"),
    (338.17, "K", False, "65.02 °C"),
    (0.40761, "1", True, "40.76%"),
    (5.7526e11, "FLOP/J", False, "575.3 GFLOP/J"),
    (1.8847, "nats", False, "1.885 nats"),
    (-0.54966, "1", False, "-0.5497"),
    (2.5645e-10, "1", False, "256.4×10⁻¹²"),
    (1.5208e9, "1", False, "1.521×10⁹"),
])
def test_human_forms(value, unit, share, text):
    assert human(value, unit, share) == text


@pytest.mark.parametrize("x,text", [
    (4_631_603.0, "4,632,000"), (0.40761, "0.4076"), (1.5, "1.5"), (9.99996, "10"), (0.0, "0"),
    (-1234.5, "-1,234"), (2.56e-10, "2.56×10⁻¹⁰"), (3e15, "3×10¹⁵"), (float("nan"), "n/a"),
    (float("inf"), "∞"),
])
def test_number(x, text):
    assert number(x) == text


def test_counts_are_written_whole():
    assert number(65_536.0, exact=True) == "65,536" and number(65_536.0) == "65,540"
    assert human(65_536.0, "devices", exact=True) == "65,536 devices"
    assert human(2.5e7, "tokens", exact=True) == "25 million tokens"  # a rescaled count keeps 4 digits


def test_a_column_gets_one_scale_from_its_typical_value():
    days = scale_for(np.array([20, 50, 400, np.nan]) * 86400.0, "s")
    assert days == Scale("days", 1 / 86400.0)
    np.testing.assert_allclose(days.apply([86400.0, 172800.0]), [1.0, 2.0])
    assert label("time_s", days) == "time_s [days]"
    assert label("final_loss", scale_for([1.9, 2.0], "nats")) == "final_loss [nats]"
    assert label("memory_margin", scale_for([-0.5, 0.1], "1")) == "memory_margin"
    celsius = scale_for([300.0, 350.0], "K")
    assert float(celsius.apply(373.15)) == pytest.approx(100.0)
    assert scale_for([0.3, 0.5], "1", share=True).apply(0.25) == pytest.approx(25.0)


@given(st.floats(min_value=-1e14, max_value=1e14, allow_nan=False).filter(lambda x: x == 0 or abs(x) > 1e-3))
def test_number_never_prints_e_notation_and_rounds_to_four_digits(x):
    text = number(x)
    assert "e" not in text.lower()
    if x != 0:
        assert float(text.replace(",", "")) == pytest.approx(x, rel=6e-4)


@settings(deadline=None)  # the first call loads pint's registry
@given(st.floats(min_value=1e-2, max_value=1e12),
       st.sampled_from(["s", "J", "W", "Hz", "USD", "h", "tokens", "tokens/s"]))
def test_what_is_shown_reads_back_as_input_within_rounding(value, unit):
    from explorer.units import parse_quantity

    assert parse_quantity(human(value, unit), unit, "value") == pytest.approx(value, rel=6e-4)
