"""Tests for kernels.thermal: seed 003 "Thermal Considerations",
dT/dt = (P_inst − P_cooling)/C with Newtonian cooling P_cooling = (T − T_amb)/R_th.

Reference case: P = 300 W, T_amb = 300 K, R_th = 0.1 K/W, C = 100 J/K, so
R·C = 10 s and T_ss = 300 + 0.1·300 = 330 K.
"""

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from explorer.kernels import thermal
from kernel_checks import approx, catalogue_test, enable_x64, jgrad


P, T_AMB, R_TH, C_TH = 300.0, 300.0, 0.1, 100.0
TAU = 10.0   # R·C = 0.1·100
T_SS = 330.0


# jitted once (n_steps static): one XLA compile per shape instead of one per eager primitive
_thermal_traj = jax.jit(thermal.thermal_trajectory, static_argnums=6)


def test_temperature_rate():
    # (500 - 300)/100 = 2 K/s ; cooling faster than heating gives a negative rate
    assert float(thermal.temperature_rate(500.0, 300.0, 100.0)) == approx(2.0, rel=1e-7)
    assert float(thermal.temperature_rate(100.0, 300.0, 100.0)) == approx(-2.0, rel=1e-7)


def test_cooling_power():
    # (350 - 300)/0.1 = 500 W
    assert float(thermal.cooling_power(350.0, 300.0, 0.1)) == approx(500.0, rel=1e-6)


def test_steady_state_temperature():
    # 300 + 0.1·300 = 330 K
    assert float(thermal.steady_state_temperature(P, T_AMB, R_TH)) == approx(T_SS, rel=1e-7)


def test_steady_state_is_a_fixed_point_of_the_ode():
    t_ss = thermal.steady_state_temperature(P, T_AMB, R_TH)
    rate = thermal.temperature_rate(P, thermal.cooling_power(t_ss, T_AMB, R_TH), C_TH)
    assert abs(float(rate)) < 1e-4  # K/s; float32 rounding of 330 K is ~3e-5 K


def test_max_sustained_power_and_round_trip():
    # (360 - 300)/0.1 = 600 W
    p = thermal.max_sustained_power(360.0, 300.0, 0.1)
    assert float(p) == approx(600.0, rel=1e-6)
    # steady state at that power is exactly T_max
    assert float(thermal.steady_state_temperature(p, 300.0, 0.1)) == approx(360.0, rel=1e-6)


def test_thermal_trajectory_matches_closed_form():
    # T(t) = T_ss + (T0 - T_ss)·exp(-t/(R C)) = 330 - 30·exp(-t/10), t_k = (k+1)·dt
    temps = np.asarray(_thermal_traj(P, 300.0, T_AMB, R_TH, C_TH, 1.0, 30))
    assert temps.shape == (30,)
    t = np.arange(1, 31) * 1.0
    np.testing.assert_allclose(temps, 330.0 - 30.0 * np.exp(-t / 10.0), rtol=1e-6)
    # hand: t = 10 s -> 330 - 30/e = 330 - 11.036383 = 318.96362
    assert temps[9] == approx(318.96362, rel=1e-6)


def test_thermal_trajectory_cooling_from_hot_start():
    # start at 400 K: T = 330 + 70·exp(-t/10); t = 5 s -> 330 + 70·0.60653066 = 372.45715
    temps = np.asarray(_thermal_traj(P, 400.0, T_AMB, R_TH, C_TH, 5.0, 4))
    np.testing.assert_allclose(temps, 330.0 + 70.0 * np.exp(-np.array([5.0, 10.0, 15.0, 20.0]) / 10.0), rtol=1e-6)
    assert temps[0] == approx(372.45715, rel=1e-6)
    assert np.all(np.diff(temps) < 0)


def test_thermal_trajectory_converges_to_steady_state():
    # after 300 s = 30 τ the transient is 30·e^-30 ≈ 3e-12 K
    temps = np.asarray(_thermal_traj(P, 300.0, T_AMB, R_TH, C_TH, 2.0, 150))
    t_ss = float(thermal.steady_state_temperature(P, T_AMB, R_TH))
    assert temps[-1] == approx(t_ss, rel=1e-6)
    assert np.all(np.diff(temps) >= 0)  # monotone approach from below
    assert np.all(temps <= t_ss + 1e-3)


def test_thermal_trajectory_stable_for_large_dt():
    # exact propagator: dt = 100 τ jumps straight to T_ss, no overshoot
    temps = np.asarray(_thermal_traj(P, 300.0, T_AMB, R_TH, C_TH, 1000.0, 3))
    np.testing.assert_allclose(temps, 330.0, rtol=1e-6)


def test_thermal_trajectory_power_schedule_piecewise_closed_form():
    # 10 steps of dt = 1 at 300 W, then 10 steps at 0 W (T_ss = 300 K)
    powers = jnp.asarray([300.0] * 10 + [0.0] * 10, dtype=jnp.float32)
    temps = np.asarray(_thermal_traj(powers, 300.0, T_AMB, R_TH, C_TH, 1.0, 20))
    # phase 1: 330 - 30·e^-1 = 318.96362 at t = 10
    t1 = 330.0 - 30.0 * math.exp(-1.0)
    assert temps[9] == approx(t1, rel=1e-6)
    # phase 2 relaxes to 300 K: T = 300 + (t1 - 300)·e^(-(t-10)/10); at t = 20: 300 + 18.96362·e^-1 = 306.97627
    np.testing.assert_allclose(temps[10:], 300.0 + (t1 - 300.0) * np.exp(-np.arange(1, 11) / 10.0), rtol=1e-6)
    assert temps[-1] == approx(306.97627, rel=1e-6)


def test_thermal_trajectory_batched_parameters():
    # two devices with R = 0.1 and 0.2 K/W: T_ss = 330 and 360 K, τ = 10 and 20 s
    r = jnp.asarray([0.1, 0.2], dtype=jnp.float32)
    temps = np.asarray(_thermal_traj(P, 300.0, T_AMB, r, C_TH, 5.0, 4))
    assert temps.shape == (4, 2)
    t = 5.0 * np.arange(1, 5)[:, None]
    expected = np.array([330.0, 360.0]) - np.array([30.0, 60.0]) * np.exp(-t / np.array([10.0, 20.0]))
    np.testing.assert_allclose(temps, expected, rtol=1e-6)


def test_thermal_trajectory_small_dt_slope_matches_temperature_rate():
    # first step from T0 = 300 K: dT/dt = (300 - 0)/100 = 3 K/s
    with enable_x64():
        temps = thermal.thermal_trajectory(jnp.asarray(P), 300.0, T_AMB, R_TH, C_TH, 1e-3, 2)
        slope = (float(temps[0]) - 300.0) / 1e-3
        rate = float(thermal.temperature_rate(P, thermal.cooling_power(300.0, T_AMB, R_TH), C_TH))
    assert rate == approx(3.0, rel=1e-12)
    assert slope == approx(rate, rel=1e-3)  # truncation ~dt/(2τ) = 5e-5


def test_float64_values_under_enable_x64():
    with enable_x64():
        temps = thermal.thermal_trajectory(jnp.asarray(P), jnp.asarray(300.0), T_AMB, R_TH, C_TH, 1.0, 10)
        assert temps.dtype == jnp.float64
        assert float(temps[-1]) == approx(330.0 - 30.0 * math.exp(-1.0), rel=1e-12)
        t_ss = thermal.steady_state_temperature(jnp.asarray(P), T_AMB, R_TH)
        assert t_ss.dtype == jnp.float64
        assert float(t_ss) == approx(330.0, rel=1e-12)


# ---------------------------------------------------------------- jit / vmap / grad
_traj = functools.partial(thermal.thermal_trajectory, dt=1.0, n_steps=8)

SCALES = (0.8, 1.0, 1.25)  # first argument is scaled by these for vmap
CASES = [
    pytest.param(thermal.temperature_rate, (500.0, 300.0, 100.0), (0, 1, 2), id="temperature_rate"),
    pytest.param(thermal.cooling_power, (350.0, 300.0, 0.1), (0, 1, 2), id="cooling_power"),
    pytest.param(thermal.steady_state_temperature, (300.0, 300.0, 0.1), (0, 1, 2), id="steady_state_temperature"),
    pytest.param(thermal.max_sustained_power, (360.0, 300.0, 0.1), (0, 1, 2), id="max_sustained_power"),
    pytest.param(_traj, (300.0, 300.0, 300.0, 0.1, 100.0), (0, 1, 2, 3, 4), id="thermal_trajectory"),
]

test_jit_vmap_grad_are_finite_and_consistent = catalogue_test(CASES, SCALES)


def test_trajectory_grad_hand_value():
    # ∂T(t)/∂P = R·(1 - e^(-t/τ)); at t = 10 s: 0.1·(1 - e^-1) = 0.063212056 K/W
    fn = lambda p: thermal.thermal_trajectory(p, 300.0, T_AMB, R_TH, C_TH, 1.0, 10)[-1]
    assert float(jgrad(fn)(jnp.float32(P))) == approx(0.063212056, rel=1e-4)


def _euler_startup(p_start, p_run, ramp, t_amb, r, c, dt=1e-3):
    """An independent reference: explicit Euler at a fine step, the power ramp sampled exactly."""
    temp, peak, fastest = t_amb, t_amb, 0.0
    for k in range(int((ramp + 5 * r * c) / dt)):
        power = p_start + (p_run - p_start) * min(1.0, k * dt / ramp)
        rate = (power - (temp - t_amb) / r) / c
        fastest = max(fastest, abs(rate))
        temp += rate * dt
        peak = max(peak, temp)
    return peak, fastest


def test_startup_transient_step_start_heats_at_p_over_c():
    # a near-instant ramp from cold: dT/dt = P/C = 300/100 = 3 K/s at t = 0, and five time
    # constants later T is within e⁻⁵ of T_ss: 300 + 30·(1 − e⁻⁵)
    peak, rate = thermal.startup_transient(0.0, P, 1e-6, T_AMB, R_TH, C_TH, 64)
    assert float(rate) == pytest.approx(P / C_TH, rel=1e-5)
    assert float(peak) == pytest.approx(T_AMB + 30.0 * (1 - math.exp(-5.0)), rel=1e-5)


def test_startup_transient_ramp_matches_a_fine_euler_integration():
    # a 20 s ramp (two time constants): the largest rate is reached during the ramp
    peak, rate = thermal.startup_transient(50.0, P, 20.0, T_AMB, R_TH, C_TH, 256)
    ref_peak, ref_rate = _euler_startup(50.0, P, 20.0, T_AMB, R_TH, C_TH)
    assert float(rate) == pytest.approx(ref_rate, rel=0.02)
    assert float(peak) == pytest.approx(ref_peak, rel=1e-4)
    assert float(rate) < P / C_TH  # slower than the step start
