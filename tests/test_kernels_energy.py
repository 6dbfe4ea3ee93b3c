"""Tests for kernels.energy against seed 000 §1, §4 and seed 003 "Energy Estimation".

Expected values are worked out by hand from the seed formulas (the arithmetic is in
the comments); numpy/math is only used to evaluate those hand formulas independently.
All kernel arguments are Python floats or float32 jnp arrays (x64 is off by default),
so the tests also run under ``jax_numpy_dtype_promotion="strict"``.
"""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from explorer.kernels import energy
from kernel_checks import approx, catalogue_test, enable_x64, f32, jgrad  # noqa: F401

K_B = 1.380649e-23
# k_B·300·ln2 = 1.380649e-23 * 300 * 0.69314718 = 4.141947e-21 * 0.69314718 = 2.8709789e-21 J
LANDAUER_300K = 2.8709789e-21
ALPHA = 1e-30  # J·s²: α·(1 GHz)² = 1e-30 * 1e18 = 1 pJ per FLOP
# ν_eff = √(2.8709789e-21 / 1e-30) = √(2.8709789e9) = 53581.52 Hz
NU_EFF_HAND = 53581.52


# ---------------------------------------------------------------- hand values


def test_energy_per_flop_landauer_plus_dynamic():
    # 2.8709789e-21 + 1e-30 * (1e9)^2 = 1e-12 + 2.87e-21 ≈ 1.0000000029e-12
    assert float(energy.energy_per_flop(1e9, ALPHA, 300.0)) == approx(1.0e-12, rel=1e-6)
    # at ν = 0 only Landauer remains
    assert float(energy.energy_per_flop(0.0, ALPHA, 300.0)) == approx(LANDAUER_300K, rel=1e-6)
    # at ν = ν_eff both terms are equal: 2 * 2.8709789e-21 = 5.7419578e-21
    assert float(energy.energy_per_flop(NU_EFF_HAND, ALPHA, 300.0)) == approx(5.7419578e-21, rel=1e-5)


def test_energy_per_flop_grows_with_nu():
    nu = jnp.linspace(0.0, 3e9, 64, dtype=jnp.float32)
    e = np.asarray(jax.jit(energy.energy_per_flop)(nu, ALPHA, 300.0))
    assert np.all(np.diff(e) > 0)


def test_flops_per_joule_hand_value():
    # 1e9 / 1.0000000029e-12 = 1e21 (1/(J·s))
    assert float(energy.flops_per_joule(1e9, ALPHA, 300.0)) == approx(1e21, rel=1e-6)
    # at ν_eff: 53581.52 / 5.7419578e-21 = 9.331576e24
    assert float(energy.flops_per_joule(NU_EFF_HAND, ALPHA, 300.0)) == approx(9.331576e24, rel=1e-5)


def test_nu_efficient_hand_value():
    assert float(energy.nu_efficient(ALPHA, 300.0)) == approx(NU_EFF_HAND, rel=1e-6)
    # ν_eff ∝ √T: at 1200 K it doubles -> 107163.0 Hz
    assert float(energy.nu_efficient(ALPHA, 1200.0)) == approx(107163.03, rel=1e-6)
    # ν_eff ∝ 1/√α: α = 4e-30 halves it -> 26790.76 Hz
    assert float(energy.nu_efficient(4e-30, 300.0)) == approx(26790.76, rel=1e-6)


def test_nu_efficient_balances_the_two_energy_terms():
    # §1.3 closed form means α·ν_eff² = k_B·T·ln2
    nu = energy.nu_efficient(ALPHA, 300.0)
    assert float(ALPHA * nu**2) == approx(LANDAUER_300K, rel=1e-5)


def test_nu_efficient_is_grad_zero_of_flops_per_joule_x64():
    # In float64 the derivative of η = ν/E_FLOP at ν_eff vanishes relative to the scale η/ν.
    with enable_x64():
        nu = energy.nu_efficient(jnp.asarray(ALPHA), jnp.asarray(300.0))
        assert nu.dtype == jnp.float64
        g = jgrad(energy.flops_per_joule)(nu, ALPHA, 300.0)
        scale = energy.flops_per_joule(nu, ALPHA, 300.0) / nu  # ~1.74e20 1/(J·s²)
        assert bool(jnp.isfinite(g))
        assert abs(float(g)) / float(scale) < 1e-9
        # and the derivative changes sign there: + below, - above
        assert float(jgrad(energy.flops_per_joule)(0.99 * nu, ALPHA, 300.0)) > 0
        assert float(jgrad(energy.flops_per_joule)(1.01 * nu, ALPHA, 300.0)) < 0


def test_flops_per_joule_grad_vanishes_at_nu_efficient_float32():
    # Without x64 too: E_FLOP ~ 5.7e-21 J there, so a naive ν/E_FLOP gradient would form
    # E_FLOP**-2 ~ 3e40 > float32 max and give -inf (the kernel avoids that intermediate).
    a, t = jnp.float32(ALPHA), jnp.float32(300.0)
    nu = energy.nu_efficient(a, t)
    g = jgrad(energy.flops_per_joule)(nu, a, t)
    assert g.dtype == jnp.float32
    assert bool(jnp.isfinite(g))
    scale = 9.331576e24 / 53581.52  # η/ν at the peak = 1.7415663e20
    assert abs(float(g)) / scale < 1e-5
    assert float(jgrad(energy.flops_per_joule)(jnp.float32(0.9) * nu, a, t)) > 0
    assert float(jgrad(energy.flops_per_joule)(jnp.float32(1.1) * nu, a, t)) < 0


def test_flops_per_joule_temperature_grad_at_nu_efficient_float32():
    # dη/dT = -ν·k_B·ln2/E² = -53581.52·9.5699296e-24/(5.7419578e-21)² = -5.1277e-19/3.2970e-41 = -1.5553e22
    g = float(jgrad(energy.flops_per_joule, argnums=2)(*f32(53581.516, ALPHA, 300.0)))
    assert g == approx(-1.5553e22, rel=1e-3)


def test_nu_efficient_alpha_grad_finite_float32():
    # dν_eff/dα = -ν_eff/(2α) = -53581.52/2e-30 = -2.679076e34 Hz/(J·s²)
    g = float(jgrad(energy.nu_efficient, argnums=0)(*f32(ALPHA, 300.0)))
    assert g == approx(-2.679076e34, rel=1e-5)


def test_nu_efficient_is_argmax_of_dense_grid_float32():
    # kernel evaluated on a numpy grid: ν in [0.5, 2]·ν_hand, step 0.001·ν_hand
    grid = np.linspace(0.5, 2.0, 1501) * NU_EFF_HAND
    step = grid[1] - grid[0]
    eta = np.asarray(jax.jit(energy.flops_per_joule)(jnp.asarray(grid, dtype=jnp.float32), ALPHA, 300.0))
    nu_star = float(energy.nu_efficient(ALPHA, 300.0))
    # near the peak η/η_max = 2x/(1+x²) ≈ 1 - (x-1)²/2, so one step (1e-3) is 5e-7 below
    # the peak, above float32 resolution; allow one grid step either way.
    assert abs(grid[np.argmax(eta)] - nu_star) <= 1.01 * step


def test_nu_efficient_is_argmax_of_dense_grid_independent_numpy():
    # independent float64 numpy evaluation of η = ν/(k_B T ln2 + α ν²)
    grid = np.linspace(0.5, 2.0, 150001) * NU_EFF_HAND
    step = grid[1] - grid[0]
    eta = grid / (K_B * 300.0 * math.log(2.0) + ALPHA * grid**2)
    nu_star = float(energy.nu_efficient(ALPHA, 300.0))
    assert abs(grid[np.argmax(eta)] - nu_star) <= step


def test_nu_max_thermal_hand_value():
    # √(1e-12 J / 1e-30 J·s²) = √1e18 = 1e9 Hz
    assert float(energy.nu_max_thermal(1e-12, ALPHA)) == approx(1e9, rel=1e-6)
    # α·ν_max² = T_max
    nu = energy.nu_max_thermal(4e-12, ALPHA)  # √4e18 = 2e9
    assert float(nu) == approx(2e9, rel=1e-6)


def test_compute_power_is_rate_times_energy():
    # 1e15 FLOP/s * 1e-12 J/FLOP = 1000 W
    assert float(energy.compute_power(1e15, 1e-12)) == approx(1000.0, rel=1e-6)


def test_memory_access_energy():
    # 2e-12 J/m * 0.05 m = 1e-13 J
    assert float(energy.memory_access_energy(2e-12, 0.05)) == approx(1e-13, rel=1e-6)


def test_update_energy():
    # 1e9*1e-12 + 1e6*1e-10 = 1e-3 + 1e-4 = 1.1e-3 J
    assert float(energy.update_energy(1e9, 1e-12, 1e6, 1e-10)) == approx(1.1e-3, rel=1e-6)


@pytest.mark.parametrize("n_compute,expected", [
    (50.0, True),    # 50 * 1e-12 = 5e-11 < 1e-10
    (100.0, False),  # 1e-10 < 1e-10 is False (strict)
    (200.0, False),  # 2e-10 > 1e-10
])
def test_recompute_is_cheaper(n_compute, expected):
    out = energy.recompute_is_cheaper(n_compute, 1e-12, 1e-10)
    assert bool(out) is expected


def test_recompute_is_cheaper_returns_bool_array():
    out = energy.recompute_is_cheaper(jnp.asarray([1.0, 1e3], dtype=jnp.float32), 1e-12, 1e-10)
    assert out.dtype == jnp.bool_
    assert out.tolist() == [True, False]


def test_dynamic_power():
    # C_eff·V²·f·α = 1e-9 F * (0.9 V)² * 2e9 Hz * 0.25 = 1e-9*0.81*2e9*0.25 = 0.405 W
    assert float(energy.dynamic_power(1e-9, 0.9, 2e9, 0.25)) == approx(0.405, rel=1e-6)


def test_static_energy():
    # V·I_leak·t = 0.8 V * 12.5 A * 3600 s = 36000 J
    assert float(energy.static_energy(0.8, 12.5, 3600.0)) == approx(36000.0, rel=1e-6)


def test_cooling_energy():
    # CoP·Q = 0.3 * 1e6 J = 3e5 J (a PUE of 1.3)
    assert float(energy.cooling_energy(0.3, 1e6)) == approx(3e5, rel=1e-6)


@pytest.mark.parametrize("p_max,expected", [
    (400.0, 1e9),   # √(400 / (4e-16 * 1²)) = √1e18 = 1e9 < f_max
    (6400.0, 2e9),  # √(6400/4e-16) = 4e9 -> capped at f_max = 2e9
    (0.0, 0.0),     # no power: √0 = 0
])
def test_dvfs_clock(p_max, expected):
    assert float(energy.dvfs_clock(2e9, p_max, 4e-16, 1.0)) == approx(expected, rel=1e-6, abs=1e-3)


def test_dvfs_clock_voltage_dependence():
    # V = 2: √(400 / (4e-16 * 4)) = √2.5e17 = 5e8 Hz
    assert float(energy.dvfs_clock(2e9, 400.0, 4e-16, 2.0)) == approx(5e8, rel=1e-6)


def test_dvfs_clock_grad_finite_at_zero_power():
    g = jgrad(energy.dvfs_clock, argnums=1)(jnp.float32(2e9), jnp.float32(0.0), jnp.float32(4e-16), jnp.float32(1.0))
    assert bool(jnp.isfinite(g))


# ---------------------------------------------------------------- float64


def test_float64_values_under_enable_x64():
    with enable_x64():
        nu = jnp.asarray(1e9, dtype=jnp.float64)
        e = energy.energy_per_flop(nu, ALPHA, 300.0)
        assert e.dtype == jnp.float64
        # 1e-12 + 2.870978885e-21 (k_B·300·ln2 = 1.380649e-23*300*0.6931471805599453)
        expected = 1e-12 + 1.380649e-23 * 300.0 * 0.6931471805599453
        assert float(e) == approx(expected, rel=1e-12)
        nu_eff = energy.nu_efficient(jnp.asarray(ALPHA, dtype=jnp.float64), 300.0)
        assert nu_eff.dtype == jnp.float64
        # √(2.870978885e-21/1e-30) = 53581.516...
        assert float(nu_eff) == approx(math.sqrt(1.380649e-23 * 300.0 * math.log(2.0) / 1e-30), rel=1e-12)


# ---------------------------------------------------------------- jit / vmap / grad
# (function, sample args inside the documented domain, argnums whose float32 gradient is
# representable; derivatives w.r.t. α ~ 1e-30 J·s² exceed float32 range, e.g.
# dη/dα = -ν³/E² ≈ -1e51, so they are not asked for)
SCALES = (0.5, 1.0, 2.0)  # first argument is scaled by these for vmap
CASES = [
    pytest.param(energy.energy_per_flop, (1e9, 1e-30, 300.0), (0, 1, 2), id="energy_per_flop"),
    pytest.param(energy.flops_per_joule, (1e9, 1e-30, 300.0), (0, 2), id="flops_per_joule"),
    pytest.param(energy.flops_per_joule, (53581.516, 1e-30, 300.0), (0, 2), id="flops_per_joule_at_nu_eff"),
    pytest.param(energy.nu_efficient, (1e-30, 300.0), (1,), id="nu_efficient"),
    pytest.param(energy.nu_max_thermal, (1e-12, 1e-30), (0,), id="nu_max_thermal"),
    pytest.param(energy.compute_power, (1e15, 1e-12), (0, 1), id="compute_power"),
    pytest.param(energy.memory_access_energy, (1e-12, 0.1), (0, 1), id="memory_access_energy"),
    pytest.param(energy.update_energy, (1e9, 1e-12, 1e6, 1e-10), (0, 1, 2, 3), id="update_energy"),
    pytest.param(energy.recompute_is_cheaper, (50.0, 1e-12, 1e-10), (), id="recompute_is_cheaper"),
    pytest.param(energy.dynamic_power, (1e-9, 0.9, 2e9, 0.25), (0, 1, 2, 3), id="dynamic_power"),
    pytest.param(energy.static_energy, (0.8, 12.5, 3600.0), (0, 1, 2), id="static_energy"),
    pytest.param(energy.cooling_energy, (0.3, 1e6), (0, 1), id="cooling_energy"),
    pytest.param(energy.dvfs_clock, (2e9, 400.0, 4e-16, 1.0), (0, 1, 3), id="dvfs_clock"),
]

test_jit_vmap_grad_are_finite_and_consistent = catalogue_test(CASES, SCALES)


def test_grad_hand_values():
    a = f32(1e9, 1e-30, 300.0)
    # dE/dν = 2αν = 2e-21 J·s
    assert float(jgrad(energy.energy_per_flop)(*a)) == approx(2e-21, rel=1e-5)
    # dη/dν = (E - 2αν²)/E² = (1e-12 - 2e-12)/1e-24 = -1e12
    assert float(jgrad(energy.flops_per_joule)(*a)) == approx(-1e12, rel=1e-5)
    # dν_eff/dT = ν_eff/(2T) = 53581.52/600 = 89.3025 Hz/K
    assert float(jgrad(energy.nu_efficient, argnums=1)(*f32(1e-30, 300.0))) == approx(89.3025, rel=1e-5)
