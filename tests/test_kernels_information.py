"""Tests for kernels.information: Landauer's bound (seed 004 "Theoretical Bounds",
seed 000 §1.1's first term).

k_B·T·ln2 at 300 K = 1.380649e-23 · 300 · 0.69314718 = 4.141947e-21 · 0.69314718
                   = 2.8709789e-21 J per bit  (2.871e-21 to 4 significant digits).
"""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from explorer.kernels import constants, information
from kernel_checks import approx, catalogue_test, enable_x64, f32, jgrad  # noqa: F401

def test_constants_match_si():
    assert constants.K_B == 1.380649e-23  # exact since the 2019 SI redefinition
    assert constants.LN2 == approx(0.6931471805599453, rel=1e-15)
    assert constants.JOULES_PER_KWH == 3.6e6  # 1000 W · 3600 s
    assert constants.JOULES_PER_MWH == 3.6e9


@pytest.mark.parametrize("t", [300.0, jnp.float32(300.0)])
def test_landauer_at_300k_to_four_significant_digits(t):
    e = float(information.landauer_bit_energy(t))
    assert f"{e:.3e}" == "2.871e-21"
    assert e == approx(2.8709789e-21, rel=1e-6)


def test_landauer_scales_linearly_with_temperature():
    # 4 K: 2.8709789e-21 · 4/300 = 3.8279718e-23 J ; 77 K: 2.8709789e-21 · 77/300 = 7.3688458e-22 J
    t = jnp.asarray([4.0, 77.0, 300.0], dtype=jnp.float32)
    got = np.asarray(jax.jit(information.landauer_bit_energy)(t))
    np.testing.assert_allclose(got, [3.8279718e-23, 7.3688458e-22, 2.8709789e-21], rtol=1e-6)


def test_landauer_minimum_energy_hand_value():
    # 2.8709789e-21 J/bit · 1e9 params · 1e12 bits = 2.8709789 J
    assert float(information.landauer_minimum_energy(300.0, 1e9, 1e12)) == approx(2.8709789, rel=1e-6)


def test_practical_energy():
    # η·E_min = 1e6 · 2.8709789 J = 2.8709789e6 J
    assert float(information.practical_energy(1e6, 2.8709789)) == approx(2.8709789e6, rel=1e-6)


def test_landauer_ratio_inverts_practical_energy():
    e_min = information.landauer_minimum_energy(300.0, 1e9, 1e12)
    spent = information.practical_energy(1e6, e_min)
    assert float(information.landauer_ratio(spent, 300.0, 1e9, 1e12)) == approx(1e6, rel=1e-6)


def test_landauer_ratio_of_a_megawatt_hour_run_is_in_seed_range():
    # 1 MWh = 3.6e9 J for 1e9 params, 1e13 bits: E_min = 2.8709789e-21·1e22 = 28.709789 J
    # ratio = 3.6e9/28.709789 = 1.2539277e8, inside seed 004's 1e6–1e9
    r = float(information.landauer_ratio(3.6e9, 300.0, 1e9, 1e13))
    assert r == approx(1.2539277e8, rel=1e-6)
    assert 1e6 <= r <= 1e9


def test_float64_values_under_enable_x64():
    with enable_x64():
        e = information.landauer_bit_energy(jnp.asarray(300.0))
        assert e.dtype == jnp.float64
        assert float(e) == approx(1.380649e-23 * 300.0 * math.log(2.0), rel=1e-12)
        emin = information.landauer_minimum_energy(jnp.asarray(300.0), 1e9, 1e12)
        assert emin.dtype == jnp.float64
        assert float(emin) == approx(1.380649e-23 * 300.0 * math.log(2.0) * 1e21, rel=1e-12)
        r = information.landauer_ratio(jnp.asarray(3.6e9), 300.0, 1e9, 1e13)
        assert r.dtype == jnp.float64
        assert float(r) == approx(3.6e9 / (1.380649e-23 * 300.0 * math.log(2.0) * 1e22), rel=1e-12)


# ---------------------------------------------------------------- jit / vmap / grad
SCALES = (0.5, 1.0, 2.0)  # first argument is scaled by these for vmap
CASES = [
    pytest.param(information.landauer_bit_energy, (300.0,), (0,), id="landauer_bit_energy"),
    pytest.param(information.landauer_minimum_energy, (300.0, 1e9, 1e12), (0, 1, 2), id="landauer_minimum_energy"),
    pytest.param(information.practical_energy, (1e6, 2.87), (0, 1), id="practical_energy"),
    pytest.param(information.landauer_ratio, (3.6e9, 300.0, 1e9, 1e13), (0, 1, 2, 3), id="landauer_ratio"),
]

test_jit_vmap_grad_are_finite_and_consistent = catalogue_test(CASES, SCALES)


def test_grad_hand_values():
    # d(k_B T ln2)/dT = k_B ln2 = 1.380649e-23·0.69314718 = 9.5699296e-24 J/K
    assert float(jgrad(information.landauer_bit_energy)(jnp.float32(300.0))) == approx(9.5699296e-24, rel=1e-5)
    # dE_min/dN = k_B T ln2 · H = 2.8709789e-21·1e12 = 2.8709789e-9 J
    g = float(jgrad(information.landauer_minimum_energy, argnums=1)(*f32(300.0, 1e9, 1e12)))
    assert g == approx(2.8709789e-9, rel=1e-5)
