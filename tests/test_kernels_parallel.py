"""Tests for kernels.parallel: seed 000 §5 (parallel speed-up, critical batch, CCR) and
seed 003 workload distribution.

Expected values are worked by hand (arithmetic in comments); ``math`` evaluates the
hand formulas independently of the kernels.
"""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.kernels import _safe, parallel
from kernel_checks import approx, catalogue_test, enable_x64, f32, jgrad  # noqa: F401

# ---------------------------------------------------------------- S(N) = N/(1 + γ N ln N)


@pytest.mark.parametrize("gamma", [0.0, 0.01, 0.5, 2.0])
def test_parallel_speedup_one_device_is_one(gamma):
    # S(1) = 1/(1 + γ·1·ln1) = 1/(1 + 0) = 1 for every γ
    assert float(parallel.parallel_speedup(1.0, gamma)) == 1.0


@pytest.mark.parametrize("n,gamma,expected", [
    # 8/(1 + 0.01·8·ln8) = 8/(1 + 0.08·2.0794415) = 8/1.1663553 = 6.858973
    (8.0, 0.01, 8.0 / (1.0 + 0.01 * 8.0 * math.log(8.0))),
    # 100/(1 + 0.01·100·ln100) = 100/(1 + 4.6051702) = 100/5.6051702 = 17.840672
    (100.0, 0.01, 100.0 / (1.0 + math.log(100.0))),
    # 2/(1 + 0.5·2·ln2) = 2/1.6931472 = 1.1812322
    (2.0, 0.5, 2.0 / (1.0 + math.log(2.0))),
    # no communication: S = N
    (64.0, 0.0, 64.0),
])
def test_parallel_speedup_hand_values(n, gamma, expected):
    assert float(parallel.parallel_speedup(n, gamma)) == approx(expected, rel=1e-6)


def test_parallel_speedup_hand_literals():
    assert float(parallel.parallel_speedup(8.0, 0.01)) == approx(6.858973, rel=1e-6)
    assert float(parallel.parallel_speedup(100.0, 0.01)) == approx(17.840672, rel=1e-6)


@settings(max_examples=30, deadline=None)
@given(n=st.floats(1.0, 1e4), gamma=st.floats(0.0, 1.0))
def test_parallel_speedup_never_exceeds_n(n, gamma):
    s = float(parallel.parallel_speedup(n, gamma))
    assert 0.0 < s <= n * (1 + 1e-6)


def test_parallel_speedup_peaks_at_one_over_gamma():
    # dS/dN = (1 - γN)/(1 + γN lnN)², zero at N* = 1/γ = 100 for γ = 0.01
    n = np.arange(1.0, 1001.0)
    s = np.asarray(jax.jit(parallel.parallel_speedup)(jnp.asarray(n, dtype=jnp.float32), 0.01))
    assert abs(n[np.argmax(s)] - 100.0) <= 1.0
    g = float(jgrad(parallel.parallel_speedup)(*f32(100.0, 0.01)))
    assert abs(g) < 1e-4 * (17.84 / 100.0)  # relative to the scale S/N
    assert float(jgrad(parallel.parallel_speedup)(*f32(50.0, 0.01))) > 0
    assert float(jgrad(parallel.parallel_speedup)(*f32(200.0, 0.01))) < 0


def test_parallel_speedup_grad_hand_value():
    # dS/dN at N = 4, γ = 0.01: (1 - 0.04)/(1 + 0.04·ln4)² = 0.96/(1.0554518)² = 0.96/1.1139785 = 0.8617760
    expected = 0.96 / (1.0 + 0.04 * math.log(4.0)) ** 2
    assert float(jgrad(parallel.parallel_speedup)(*f32(4.0, 0.01))) == approx(expected, rel=1e-5)
    # dS/dγ = -N·N lnN/(1+γN lnN)² = -4·5.5451774/1.1139785 = -19.911...
    expected_g = -4.0 * 4.0 * math.log(4.0) / (1.0 + 0.04 * math.log(4.0)) ** 2
    assert float(jgrad(parallel.parallel_speedup, argnums=1)(*f32(4.0, 0.01))) == approx(expected_g, rel=1e-5)


def test_parallel_speedup_grad_finite_at_one_device():
    gn, gg = jgrad(parallel.parallel_speedup, argnums=(0, 1))(*f32(1.0, 0.1))
    assert bool(jnp.isfinite(gn)) and bool(jnp.isfinite(gg))
    # ∂S/∂γ at N = 1 is -N²lnN/(...)² = 0
    assert float(gg) == 0.0


def test_parallel_speedup_grad_just_above_one_device():
    # the seed's S is smooth at N = 1 with S'(1) = 1 - γ; just above 1 the kernel agrees:
    # (1 - 0.1·1.001)/(1 + 0.1·1.001·ln1.001)² = 0.8999/(1.0001001)² = 0.89972
    n = 1.001
    expected = (1.0 - 0.1 * n) / (1.0 + 0.1 * n * math.log(n)) ** 2
    assert float(jgrad(parallel.parallel_speedup)(*f32(n, 0.1))) == approx(expected, rel=1e-4)


def test_parallel_speedup_grad_at_one_device_matches_seed_derivative():
    # S'(N) = (1 - γN)/(1 + γN lnN)², so S'(1) = 1 - γ = 0.9: the gradient at exactly N = 1
    # must be the seed's two-sided derivative, not a one-sided value of a clamped n·ln n
    g = float(jgrad(parallel.parallel_speedup)(*f32(1.0, 0.1)))
    assert g == approx(0.9, rel=1e-4)


def test_parallel_speedup_relaxed_below_one_device_follows_seed_formula():
    # real-valued N is allowed for relaxation: 0.5/(1 + 0.1·0.5·ln0.5) = 0.5/(1 - 0.034657359) = 0.51795081
    assert float(parallel.parallel_speedup(0.5, 0.1)) == approx(0.51795081, rel=1e-6)


def test_parallel_speedup_accepts_integer_device_counts_under_strict_promotion():
    # N = 1..4, γ = 0.1: 1, 2/(1+0.2·ln2), 3/(1+0.3·ln3), 4/(1+0.4·ln4) = 1, 1.7564977, 2.2563454, 2.5731453
    with jax.numpy_dtype_promotion("strict"):
        s = jax.jit(parallel.parallel_speedup)(jnp.arange(1, 5), 0.1)
        b = jax.jit(parallel.critical_batch)(0.01, jnp.arange(2, 4))
    assert jnp.issubdtype(s.dtype, jnp.floating)
    np.testing.assert_allclose(np.asarray(s), [1.0, 1.7564977, 2.2563454, 2.5731453], rtol=1e-6)
    # 1/(0.01·ln2) = 144.26950, 1/(0.01·ln3) = 91.023923
    np.testing.assert_allclose(np.asarray(b), [144.26950, 91.023923], rtol=1e-6)


# ---------------------------------------------------------------- B_crit = 1/(γ ln N)


@pytest.mark.parametrize("gamma,n,expected", [
    (0.01, 8.0, 48.089835),      # 1/(0.01·2.0794415) = 1/0.020794415
    (0.01, math.e, 100.0),       # 1/(0.01·1)
    (0.5, 2.0, 2.8853901),       # 1/(0.5·0.69314718) = 1/0.34657359
])
def test_critical_batch_hand_values(gamma, n, expected):
    assert float(parallel.critical_batch(gamma, n)) == approx(expected, rel=1e-6)


def test_critical_batch_infinite_at_one_device():
    # documented: no communication to amortise at N = 1
    assert float(parallel.critical_batch(0.01, 1.0)) == math.inf


def test_critical_batch_decreases_with_n():
    n = jnp.asarray([2.0, 4.0, 8.0, 64.0, 1024.0], dtype=jnp.float32)
    b = np.asarray(jax.jit(parallel.critical_batch)(0.01, n))
    assert np.all(np.diff(b) < 0)


@pytest.mark.parametrize("n", [1.001, 1.01, 1.5, 8.0])
def test_critical_batch_grad_finite_for_n_above_one(n):
    # dB/dN = -1/(γ N ln²N)
    g = float(jgrad(parallel.critical_batch, argnums=1)(*f32(0.01, n)))
    assert math.isfinite(g)
    assert g == approx(-1.0 / (0.01 * n * math.log(n) ** 2), rel=2e-3)


def test_critical_batch_grad_hand_value():
    # -1/(0.01·8·(2.0794415)²) = -1/(0.08·4.3240770) = -1/0.34592616 = -2.8907903
    assert float(jgrad(parallel.critical_batch, argnums=1)(*f32(0.01, 8.0))) == approx(-2.8907903, rel=1e-5)
    # dB/dγ = -B/γ = -48.089835/0.01 = -4808.9835
    assert float(jgrad(parallel.critical_batch, argnums=0)(*f32(0.01, 8.0))) == approx(-4808.9835, rel=1e-5)


# ---------------------------------------------------------------- safe helpers used here


def test_safe_log_and_sqrt_finite_gradients_at_zero():
    assert bool(jnp.isfinite(jgrad(_safe.safe_log)(jnp.float32(0.0))))
    assert bool(jnp.isfinite(jgrad(_safe.safe_sqrt)(jnp.float32(0.0))))
    assert float(jgrad(_safe.safe_sqrt)(jnp.float32(0.0))) == 0.0
    assert float(_safe.safe_sqrt(jnp.float32(0.0))) == 0.0
    # away from the edge they are the ordinary functions: log 4 = 1.3862944, √4 = 2, d√x = 1/4
    assert float(_safe.safe_log(jnp.float32(4.0))) == approx(1.3862944, rel=1e-6)
    assert float(jgrad(_safe.safe_log)(jnp.float32(4.0))) == approx(0.25, rel=1e-6)
    assert float(_safe.safe_sqrt(jnp.float32(4.0))) == approx(2.0, rel=1e-7)
    assert float(jgrad(_safe.safe_sqrt)(jnp.float32(4.0))) == approx(0.25, rel=1e-6)
    # x ln x at 0 and 1 is 0 with a finite gradient
    for x in (0.0, 1.0):
        assert float(_safe.x_log_x(jnp.float32(x))) == 0.0
        assert bool(jnp.isfinite(jgrad(_safe.x_log_x)(jnp.float32(x))))


# ---------------------------------------------------------------- CCR and workload


def test_comm_compute_ratio():
    # (1e-12·0.1·1e6)/(1e-30·(1e9)²·1e9) = 1e-7/1e-3 = 1e-4
    assert float(parallel.comm_compute_ratio(1e-12, 0.1, 1e6, 1e-30, 1e9, 1e9)) == approx(1e-4, rel=1e-6)
    # halving ν quadruples CCR
    assert float(parallel.comm_compute_ratio(1e-12, 0.1, 1e6, 1e-30, 5e8, 1e9)) == approx(4e-4, rel=1e-6)


def test_workload_share():
    # 100·(200/800)² = 100·0.0625 = 6.25
    assert float(parallel.workload_share(100.0, 200.0, 800.0, 2.0)) == approx(6.25, rel=1e-6)
    # α = 1 splits the work proportionally: shares of (100, 300, 400) W out of 800 W sum to W
    shares = np.asarray(jax.jit(parallel.workload_share)(100.0, jnp.asarray([100.0, 300.0, 400.0], dtype=jnp.float32), 800.0, 1.0))
    np.testing.assert_allclose(shares, [12.5, 37.5, 50.0], rtol=1e-6)
    assert shares.sum() == approx(100.0, rel=1e-6)


# ---------------------------------------------------------------- float64


def test_float64_values_under_enable_x64():
    with enable_x64():
        s = parallel.parallel_speedup(jnp.asarray(8.0), 0.01)
        assert s.dtype == jnp.float64
        assert float(s) == approx(8.0 / (1.0 + 0.08 * math.log(8.0)), rel=1e-12)
        b = parallel.critical_batch(0.01, jnp.asarray(8.0))
        assert b.dtype == jnp.float64
        assert float(b) == approx(1.0 / (0.01 * math.log(8.0)), rel=1e-12)


# ---------------------------------------------------------------- jit / vmap / grad
SCALES = (1.25, 1.0, 2.0)  # keeps N >= 1  # first argument is scaled by these for vmap
CASES = [
    pytest.param(parallel.parallel_speedup, (8.0, 0.01), (0, 1), id="parallel_speedup"),
    pytest.param(parallel.parallel_speedup, (1.0, 0.01), (0, 1), id="parallel_speedup_N1"),
    pytest.param(parallel.critical_batch, (0.01, 8.0), (0, 1), id="critical_batch"),
    pytest.param(parallel.comm_compute_ratio, (1e-12, 0.1, 1e6, 1e-30, 1e9, 1e9), (0, 1, 2, 3, 4, 5),
                 id="comm_compute_ratio"),
    pytest.param(parallel.workload_share, (100.0, 200.0, 800.0, 2.0), (0, 1, 2, 3), id="workload_share"),
]

test_jit_vmap_grad_are_finite_and_consistent = catalogue_test(CASES, SCALES)
