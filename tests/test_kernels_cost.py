"""Tests for kernels.cost: seed 000 §6 (total cost and practical operating points).

Reference operating-point inputs: α = 1e-30 J·s², T = 300 K, thermal limit 1e-12 J,
B_max = 1024, γ = 0.01, N = 8, ΔL = 2 nats, t_min = 10 s, t_available = 1e4 s,
C = 1e-17. Hand values:
  ν_max  = √(1e-12/1e-30) = 1e9 Hz
  ν_eff  = √(2.8709789e-21/1e-30) = 53581.52 Hz
  speed T      = 2/ln(1e9·10)     = 2/23.025851 = 0.086858896
  efficiency T = 2/ln(ν_eff·1e4)  = 2/ln(5.358152e8) = 2/20.099300 = 0.09950595
  B_crit       = 1/(0.01·ln8)     = 48.089835
  quality T    = efficiency T / 2
  quality B    = √(C·ν_eff·exp(ΔL/(T_opt/2))) and exp(2ΔL/T_opt) = exp(2·ln(ν_eff·t)) = (ν_eff·t)²,
                 so B_opt = √(C·ν_eff)·ν_eff·t = √(5.358152e-13)·5.358152e8 = 7.31994e-7·5.358152e8 = 392.21
"""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from explorer.kernels import cost
from kernel_checks import approx, enable_x64, jgrad


NU_EFF = math.sqrt(1.380649e-23 * 300.0 * math.log(2.0) / 1e-30)  # 53581.52 Hz
ARGS = dict(alpha=1e-30, t_kelvin=300.0, thermal_limit=1e-12, b_max=1024.0, gamma_comm=0.01,
            n_parallel=8.0, delta_l=2.0, t_min=10.0, t_available=1e4, compute_budget=1e-17)


def test_total_cost_hand_value():
    # 2·3600 + 1e-7·3.6e9 + 100·0.5 = 7200 + 360 + 50 = 7610
    assert float(cost.total_cost(2.0, 3600.0, 1e-7, 3.6e9, 100.0, 0.5)) == approx(7610.0, rel=1e-6)


@pytest.mark.parametrize("weights,expected", [
    ((1.0, 0.0, 0.0), 3600.0),   # time only
    ((0.0, 1e-7, 0.0), 360.0),   # energy only: 1e-7·3.6e9
    ((0.0, 0.0, 100.0), 50.0),   # quality only: 100·0.5
])
def test_total_cost_single_objectives(weights, expected):
    w_t, w_e, w_q = weights
    assert float(cost.total_cost(w_t, 3600.0, w_e, 3.6e9, w_q, 0.5)) == approx(expected, rel=1e-6)


def test_operating_points_hand_values():
    pts = cost.operating_points(**ARGS)
    assert set(pts) == {"speed", "efficiency", "quality"}
    for v in pts.values():
        assert set(v) == {"nu", "batch", "temperature"}

    sp, ef, qu = pts["speed"], pts["efficiency"], pts["quality"]
    assert float(sp["nu"]) == approx(1e9, rel=1e-6)
    assert float(sp["batch"]) == 1024.0
    assert float(sp["temperature"]) == approx(0.086858896, rel=1e-6)  # 2/ln(1e10)

    assert float(ef["nu"]) == approx(53581.52, rel=1e-6)
    assert float(ef["batch"]) == approx(48.089835, rel=1e-6)
    t_opt = 2.0 / math.log(NU_EFF * 1e4)  # 2/20.099300 = 0.09950595
    assert float(ef["temperature"]) == approx(t_opt, rel=1e-6)
    assert float(ef["temperature"]) == approx(0.09950595, rel=1e-6)

    assert float(qu["nu"]) == approx(53581.52, rel=1e-6)
    assert float(qu["temperature"]) == approx(t_opt / 2.0, rel=1e-6)
    b_opt = math.sqrt(1e-17 * NU_EFF) * NU_EFF * 1e4  # 392.21
    assert float(qu["batch"]) == approx(b_opt, rel=1e-4)
    assert float(qu["batch"]) == approx(392.21, rel=1e-4)


def test_operating_points_orderings():
    pts = cost.operating_points(**ARGS)
    # the speed point runs faster than the efficiency point, the quality point is colder
    assert float(pts["speed"]["nu"]) > float(pts["efficiency"]["nu"])
    assert float(pts["quality"]["temperature"]) < float(pts["efficiency"]["temperature"])
    # B_opt is capped by B_max when the budget is huge: √(1e-10·ν)·ν·t ≈ 1.24e6 > 1024
    big = cost.operating_points(**{**ARGS, "compute_budget": 1e-10})
    assert float(big["quality"]["batch"]) == 1024.0


def test_operating_points_jit_and_grad():
    fn = jax.jit(lambda dl, ta, c: cost.operating_points(1e-30, 300.0, 1e-12, 1024.0, 0.01, 8.0, dl, 10.0, ta, c))
    a = tuple(jnp.asarray(x, dtype=jnp.float32) for x in (2.0, 1e4, 1e-17))
    pts = fn(*a)
    leaves = jax.tree_util.tree_leaves(pts)
    assert len(leaves) == 9
    assert all(bool(jnp.all(jnp.isfinite(x))) for x in leaves)
    assert float(pts["quality"]["batch"]) == approx(392.21, rel=1e-4)

    # d(quality batch)/dC = B/(2C) = 392.21/2e-17 = 1.961e19 ; d T_eff/dΔL = 1/ln(ν t) = 1/20.099300
    qb = jgrad(lambda c: cost.operating_points(1e-30, 300.0, 1e-12, 1024.0, 0.01, 8.0, 2.0, 10.0, 1e4, c)
                  ["quality"]["batch"])(a[2])
    assert float(qb) == approx(392.21 / 2e-17, rel=1e-4)
    te = jgrad(lambda dl: cost.operating_points(1e-30, 300.0, 1e-12, 1024.0, 0.01, 8.0, dl, 10.0, 1e4, 1e-17)
                  ["efficiency"]["temperature"])(a[0])
    assert float(te) == approx(1.0 / 20.099300, rel=1e-5)


def test_operating_points_vmap_over_delta_l():
    dl = jnp.asarray([1.0, 2.0, 4.0], dtype=jnp.float32)
    out = jax.jit(jax.vmap(lambda d: cost.operating_points(1e-30, 300.0, 1e-12, 1024.0, 0.01, 8.0, d, 10.0, 1e4, 1e-17)))(dl)
    # temperatures are linear in ΔL: 0.0434294, 0.0868589, 0.1737178 at the speed point
    np.testing.assert_allclose(np.asarray(out["speed"]["temperature"]),
                               np.array([1.0, 2.0, 4.0]) / math.log(1e10), rtol=1e-6)
    # B_crit does not depend on ΔL (broadcast by vmap) ...
    np.testing.assert_allclose(np.asarray(out["efficiency"]["batch"]), [48.089835] * 3, rtol=1e-6)
    # ... and neither does the quality batch: ΔL/(T_opt/2) = 2·ln(ν_eff·t) whatever ΔL is
    np.testing.assert_allclose(np.asarray(out["quality"]["batch"]), [392.21] * 3, rtol=1e-4)


def test_total_cost_jit_vmap_grad():
    a = tuple(jnp.asarray(x, dtype=jnp.float32) for x in (2.0, 3600.0, 1e-7, 3.6e9, 100.0, 0.5))
    assert float(jax.jit(cost.total_cost)(*a)) == approx(7610.0, rel=1e-6)
    ts = jnp.asarray([0.0, 3600.0, 7200.0], dtype=jnp.float32)
    out = np.asarray(jax.vmap(cost.total_cost, in_axes=(None, 0, None, None, None, None))(a[0], ts, *a[2:]))
    np.testing.assert_allclose(out, [410.0, 7610.0, 14810.0], rtol=1e-6)  # 360 + 50 + 2·t
    g = jgrad(cost.total_cost, argnums=tuple(range(6)))(*a)
    # ∂C/∂w_time = t = 3600, ∂C/∂t = w_time = 2, ∂C/∂w_energy = E = 3.6e9, ∂C/∂E = 1e-7, ∂C/∂w_q = 0.5, ∂C/∂gap = 100
    np.testing.assert_allclose([float(x) for x in g], [3600.0, 2.0, 3.6e9, 1e-7, 0.5, 100.0], rtol=1e-6)


def test_float64_values_under_enable_x64():
    with enable_x64():
        c = cost.total_cost(jnp.asarray(2.0), 3600.0, 1e-7, 3.6e9, 100.0, 0.5)
        assert c.dtype == jnp.float64
        assert float(c) == approx(7610.0, rel=1e-12)
        pts = cost.operating_points(**{**ARGS, "delta_l": jnp.asarray(2.0)})
        t = pts["efficiency"]["temperature"]
        assert t.dtype == jnp.float64
        assert float(t) == approx(2.0 / math.log(NU_EFF * 1e4), rel=1e-12)
        assert float(pts["speed"]["temperature"]) == approx(2.0 / math.log(1e10), rel=1e-12)
