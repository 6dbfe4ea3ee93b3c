"""Tests for kernels.dvfs: the V–f curve, board power and the power-limited clock.

Expected values are worked by hand (arithmetic in comments); the power-limited clock is
checked against SciPy's brentq root finder and its gradient against the implicit-function
derivative and a central finite difference.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

from explorer.kernels import dvfs
from kernel_checks import approx, catalogue_test, enable_x64

# floor 0.7 V up to 1 GHz, 1.0 V at 2 GHz
VF = dict(v_min=0.7, v_max=1.0, nu_knee=1e9, nu_max=2e9)
POWER = dict(p_board=50.0, p_leak=40.0, c_eff=1e-7, v_max=1.0)


@pytest.mark.parametrize("nu,exponent,expected", [
    (0.5e9, 2.0, 0.7),  # below the knee: the floor
    (1.0e9, 2.0, 0.7),  # at the knee
    (1.5e9, 2.0, 0.7 + 0.3 * 0.25),  # u = 0.5, u² = 0.25 → 0.775
    (1.5e9, 1.0, 0.85),  # straight line: halfway
    (2.0e9, 2.0, 1.0),  # the top
])
def test_voltage_hand_values(nu, exponent, expected):
    assert float(dvfs.voltage(nu, **VF, exponent=exponent)) == approx(expected, rel=1e-6)


def test_voltage_leaves_the_floor_with_zero_slope_and_steepens():
    slope = jax.grad(lambda nu: dvfs.voltage(nu, **VF, exponent=2.0))
    assert float(slope(1.0e9)) == 0.0
    # dV/dν = 2·0.3·u/1e9: 0.3e-9 at u = 0.5, 0.6e-9 at u = 1
    assert float(slope(1.5e9)) == approx(0.3e-9, rel=1e-5)
    assert float(slope(2.0e9)) == approx(0.6e-9, rel=1e-5)
    d_exponent = jax.grad(lambda k: dvfs.voltage(0.8e9, **VF, exponent=k))(2.0)
    assert np.isfinite(float(d_exponent))


def test_board_power_hand_value():
    # 50 + 40·0.8/1.0 + 1·1e-7·0.8²·1e9 = 50 + 32 + 64 = 146 W
    assert float(dvfs.board_power(1e9, 1.0, 50.0, 40.0, 1e-7, 1.0, 0.8)) == approx(146.0)
    # activity 0.25 scales only the dynamic part: 82 + 16
    assert float(dvfs.board_power(1e9, 0.25, 50.0, 40.0, 1e-7, 1.0, 0.8)) == approx(98.0)


def _clock(limit, exponent=2.0, floor=0.2e9, ceiling=2e9):
    return dvfs.power_limited_clock(limit, floor, ceiling, POWER["p_board"], POWER["p_leak"], POWER["c_eff"],
                                    VF["v_min"], VF["v_max"], VF["nu_knee"], VF["nu_max"], exponent)


def _power(nu, exponent=2.0):
    v = float(dvfs.voltage(nu, **VF, exponent=exponent))
    return 50.0 + 40.0 * v + 1e-7 * v * v * nu


def test_power_limited_clock_on_the_floor_in_closed_form():
    # below the knee V = 0.7: P = 50 + 28 + 1e-7·0.49·ν = 120 → ν = 42/4.9e-8 = 0.857 GHz (< knee)
    assert float(_clock(120.0)) == approx(42.0 / 4.9e-8, rel=1e-5)


@pytest.mark.parametrize("limit", [150.0, 200.0, 240.0])
def test_power_limited_clock_matches_brentq(limit):
    expected = brentq(lambda nu: _power(nu) - limit, 0.2e9, 2e9, xtol=1.0)
    with enable_x64():
        assert float(_clock(jnp.float64(limit))) == approx(expected, rel=1e-6)


def test_power_limited_clock_ends_of_the_range():
    # P(2 GHz) = 50 + 40 + 200 = 290 W: a 400 W limit never binds; P(0.2 GHz) = 78 + 9.8 = 87.8 W
    assert float(_clock(400.0)) == approx(2e9)
    assert float(_clock(60.0)) == approx(0.2e9)


def test_power_limited_clock_gradient_is_the_implicit_derivative():
    with enable_x64():
        limit = jnp.float64(200.0)
        nu = float(_clock(limit))
        g = float(jax.grad(_clock)(limit))
        slope = float(jax.grad(lambda x: dvfs.board_power(x, 1.0, 50.0, 40.0, 1e-7, 1.0,
                                                          dvfs.voltage(x, **VF, exponent=2.0)))(nu))
        assert g == approx(1.0 / slope, rel=1e-6)
        h = 1e-3
        fd = (float(_clock(limit + h)) - float(_clock(limit - h))) / (2 * h)
        assert g == approx(fd, rel=1e-4)
    # where the limit does not bind, the clock does not move with it
    assert float(jax.grad(_clock)(400.0)) == 0.0


@settings(max_examples=40, deadline=None)
@given(limit=st.floats(90.0, 289.0))
def test_power_limited_clock_meets_its_limit(limit):
    nu = float(_clock(limit))
    assert _power(nu) == approx(limit, rel=1e-4)


test_catalogue = catalogue_test([
    pytest.param(lambda nu: dvfs.voltage(nu, 0.7, 1.0, 1e9, 2e9, 2.0), (1.5e9,), (0,), id="voltage"),
    pytest.param(lambda v: dvfs.board_power(1e9, 1.0, 50.0, 40.0, 1e-7, 1.0, v), (0.8,), (0,), id="board_power"),
    pytest.param(lambda p: _clock(p), (200.0,), (0,), id="power_limited_clock"),
], scales=[0.9, 1.0, 1.1])
