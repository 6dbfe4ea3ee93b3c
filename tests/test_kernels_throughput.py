"""Tests for kernels.throughput: seed 003 throughput model, power-performance relation,
roofline performance models and key metrics (ETP, EEI, PPW, EUF).

Expected values are worked by hand (arithmetic in comments).
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from explorer.kernels import throughput
from kernel_checks import approx, catalogue_test, enable_x64, f32, jgrad  # noqa: F401

@pytest.mark.parametrize("cap,expected", [
    (1e15, 2e14),  # α·P/E_op = 0.5·400/1e-12 = 2e14 op/s < cap
    (1e14, 1e14),  # capped at B_max
])
def test_throughput_from_power(cap, expected):
    assert float(throughput.throughput_from_power(400.0, 1e-12, 0.5, cap)) == approx(expected, rel=1e-6)


def test_throughput_from_power_linear_then_flat():
    p = jnp.asarray([100.0, 200.0, 400.0, 800.0, 1600.0], dtype=jnp.float32)
    got = np.asarray(jax.jit(throughput.throughput_from_power)(p, 1e-12, 0.5, 3e14))
    # 0.5·P/1e-12 = 5e13, 1e14, 2e14, 4e14 -> 3e14, 8e14 -> 3e14
    np.testing.assert_allclose(got, [5e13, 1e14, 2e14, 3e14, 3e14], rtol=1e-6)


def test_instantaneous_power():
    # β·T·E_op + P_idle = 1.2·1e14·1e-12 + 50 = 120 + 50 = 170 W
    assert float(throughput.instantaneous_power(1e14, 1e-12, 1.2, 50.0)) == approx(170.0, rel=1e-6)
    # idle machine draws P_idle
    assert float(throughput.instantaneous_power(0.0, 1e-12, 1.2, 50.0)) == approx(50.0, rel=1e-7)


def test_power_throughput_round_trip():
    # with β = 1/α and no idle power, P_inst(T(P)) = P below the cap: 0.5·400/1e-12 = 2e14, 2·2e14·1e-12 = 400
    t = throughput.throughput_from_power(400.0, 1e-12, 0.5, 1e15)
    assert float(throughput.instantaneous_power(t, 1e-12, 2.0, 0.0)) == approx(400.0, rel=1e-6)


def test_bound_throughput():
    # F_peak·η = 1e15·0.4 = 4e14 ; B_mem·η = 3.35e12·0.8 = 2.68e12
    assert float(throughput.bound_throughput(1e15, 0.4)) == approx(4e14, rel=1e-6)
    assert float(throughput.bound_throughput(3.35e12, 0.8)) == approx(2.68e12, rel=1e-6)


@pytest.mark.parametrize("tc,tm,tn,expected", [
    (4e14, 2e14, 3e14, 2e14),  # memory bound
    (1e14, 2e14, 3e14, 1e14),  # compute bound
    (4e14, 5e14, 3e14, 3e14),  # communication bound
])
def test_roofline_throughput_is_the_minimum(tc, tm, tn, expected):
    assert float(throughput.roofline_throughput(tc, tm, tn)) == approx(expected, rel=1e-6)


def test_energy_time_product():
    # 3.6e9 J · 86400 s = 3.1104e14 J·s
    assert float(throughput.energy_time_product(3.6e9, 86400.0)) == approx(3.1104e14, rel=1e-6)


def test_energy_efficiency_index():
    # (1e14/2e14)·(1/4) = 0.5·0.25 = 0.125
    assert float(throughput.energy_efficiency_index(1e14, 2e14, 1.0, 4.0)) == approx(0.125, rel=1e-6)
    # ideal machine: 1
    assert float(throughput.energy_efficiency_index(2e14, 2e14, 3.0, 3.0)) == approx(1.0, rel=1e-7)


def test_performance_per_watt():
    # 2e14 op/s / 400 W = 5e11 op/J
    assert float(throughput.performance_per_watt(2e14, 400.0)) == approx(5e11, rel=1e-6)


def test_performance_per_watt_equals_alpha_over_e_op_below_cap():
    # PPW of T(P) = α/E_op = 0.5/1e-12 = 5e11 op/J, independent of P below the cap
    p = jnp.asarray([50.0, 100.0, 400.0], dtype=jnp.float32)
    ppw = np.asarray(jax.jit(throughput.performance_per_watt)(throughput.throughput_from_power(p, 1e-12, 0.5, 1e15), p))
    np.testing.assert_allclose(ppw, 5e11, rtol=1e-6)


def test_energy_utilization_factor():
    # 0.6e9 / 1e9 = 0.6
    assert float(throughput.energy_utilization_factor(0.6e9, 1e9)) == approx(0.6, rel=1e-6)


def test_float64_values_under_enable_x64():
    with enable_x64():
        t = throughput.throughput_from_power(jnp.asarray(400.0), 1e-12, 0.5, 1e15)
        assert t.dtype == jnp.float64
        assert float(t) == approx(2e14, rel=1e-12)
        e = throughput.energy_efficiency_index(jnp.asarray(1e14), 3e14, 1.0, 7.0)
        assert e.dtype == jnp.float64
        # (1/3)·(1/7) = 1/21
        assert float(e) == approx(1.0 / 21.0, rel=1e-12)


# ---------------------------------------------------------------- jit / vmap / grad
SCALES = (0.5, 1.0, 2.0)  # first argument is scaled by these for vmap
CASES = [
    pytest.param(throughput.throughput_from_power, (400.0, 1e-12, 0.5, 1e15), (0, 1, 2, 3), id="throughput_from_power"),
    pytest.param(throughput.throughput_from_power, (400.0, 1e-12, 0.5, 1e14), (0, 1, 2, 3),
                 id="throughput_from_power_capped"),
    pytest.param(throughput.instantaneous_power, (1e14, 1e-12, 1.2, 50.0), (0, 1, 2, 3), id="instantaneous_power"),
    pytest.param(throughput.bound_throughput, (1e15, 0.4), (0, 1), id="bound_throughput"),
    pytest.param(throughput.roofline_throughput, (4e14, 2e14, 3e14), (0, 1, 2), id="roofline_throughput"),
    pytest.param(throughput.energy_time_product, (3.6e9, 86400.0), (0, 1), id="energy_time_product"),
    pytest.param(throughput.energy_efficiency_index, (1e14, 2e14, 1.0, 4.0), (0, 1, 2, 3),
                 id="energy_efficiency_index"),
    pytest.param(throughput.performance_per_watt, (2e14, 400.0), (0, 1), id="performance_per_watt"),
    pytest.param(throughput.energy_utilization_factor, (0.6e9, 1e9), (0, 1), id="energy_utilization_factor"),
]

test_jit_vmap_grad_are_finite_and_consistent = catalogue_test(CASES, SCALES)


def test_grad_hand_values():
    # dT/dP = α/E_op = 0.5/1e-12 = 5e11 op/J below the cap, 0 above it
    assert float(jgrad(throughput.throughput_from_power)(*f32(400.0, 1e-12, 0.5, 1e15))) == approx(5e11, rel=1e-6)
    assert float(jgrad(throughput.throughput_from_power)(*f32(400.0, 1e-12, 0.5, 1e14))) == 0.0
    # dT/dE_op = -α P/E_op² = -0.5·400/1e-24 = -2e26
    g = float(jgrad(throughput.throughput_from_power, argnums=1)(*f32(400.0, 1e-12, 0.5, 1e15)))
    assert g == approx(-2e26, rel=1e-5)
    # roofline gradient flows only to the binding resource (memory here)
    gs = jgrad(throughput.roofline_throughput, argnums=(0, 1, 2))(*f32(4e14, 2e14, 3e14))
    assert [float(x) for x in gs] == [0.0, 1.0, 0.0]
