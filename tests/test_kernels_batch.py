"""Tests for kernels.batch: seed 000 §2, seed 003 batch efficiency / power, seed 004
E(B), T(B) and B*.

Expected values are worked by hand from the seed formulas (arithmetic in comments).
"""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from explorer.kernels import batch, quality
from kernel_checks import approx, catalogue_test, enable_x64, f32, jgrad  # noqa: F401

# ---------------------------------------------------------------- seed 000 §2


def test_compute_rate():
    # R = ν·B·N = 1e9 * 32 * 8 = 2.56e11
    assert float(batch.compute_rate(1e9, 32.0, 8.0)) == approx(2.56e11, rel=1e-6)


@pytest.mark.parametrize("mem_total,expected", [
    # bandwidth bound: 1e9 / (1e3 * 100 * 16) = 1e9 / 1.6e6 = 625; capacity 1e6/100 = 1e4
    (1e6, 625.0),
    # capacity bound: 5e4 / 100 = 500 < 625
    (5e4, 500.0),
])
def test_batch_max_hand_values(mem_total, expected):
    assert float(batch.batch_max(1e9, 1e3, 100.0, 16.0, mem_total)) == approx(expected, rel=1e-6)


def test_batch_max_is_min_of_both_limits_on_grid():
    nu = np.array([1e2, 5e2, 1e3, 2e3, 1e4])
    got = np.asarray(jax.jit(batch.batch_max)(1e9, jnp.asarray(nu, dtype=jnp.float32), 100.0, 16.0, 1e5))
    # bandwidth limit 1e9/(ν·1600) = [6250, 1250, 625, 312.5, 62.5]; capacity 1e5/100 = 1000
    np.testing.assert_allclose(got, [1000.0, 1000.0, 625.0, 312.5, 62.5], rtol=1e-6)


def test_step_loss_decrease_inverse_sqrt():
    # ΔL = 0.1/√B: B=1 -> 0.1, B=4 -> 0.05, B=100 -> 0.01
    got = np.asarray(jax.jit(batch.step_loss_decrease)(jnp.asarray([1.0, 4.0, 100.0], dtype=jnp.float32), 0.1))
    np.testing.assert_allclose(got, [0.1, 0.05, 0.01], rtol=1e-6)


@pytest.mark.parametrize("b_max,expected", [
    # √(1e4 * 1e2 * exp(1/0.5)) = √(1e6 · e²) = 1e3·e = 2718.2818
    (1e4, 2718.2818),
    (2000.0, 2000.0),  # capped at B_max
])
def test_batch_opt_hand_values(b_max, expected):
    assert float(batch.batch_opt(1e4, 1e2, 1.0, 0.5, b_max)) == approx(expected, rel=1e-6)


def test_batch_opt_zero_budget_is_zero_with_finite_grad():
    assert float(batch.batch_opt(0.0, 1e2, 1.0, 0.5, 1e4)) == 0.0
    g = jgrad(batch.batch_opt)(*f32(0.0, 1e2, 1.0, 0.5, 1e4))
    assert bool(jnp.isfinite(g))


# ---------------------------------------------------------------- seed 003


@pytest.mark.parametrize("b,expected", [
    (0.0, 0.0),                # γ(1 - e^0) = 0
    (256.0, 0.56890854),       # 0.9·(1 - e^-1) = 0.9·0.63212056
    (768.0, 0.85519160),       # 0.9·(1 - e^-3) = 0.9·0.95021293
    (1e5, 0.9),                # saturates at γ
])
def test_batch_efficiency(b, expected):
    assert float(batch.batch_efficiency(b, 0.9, 256.0)) == approx(expected, rel=1e-6, abs=1e-7)


def test_batch_efficiency_monotone_increasing():
    b = jnp.linspace(0.0, 2000.0, 51, dtype=jnp.float32)
    e = np.asarray(jax.jit(batch.batch_efficiency)(b, 0.9, 256.0))
    assert np.all(np.diff(e) > 0)
    assert np.all(e <= 0.9)


def test_power_vs_batch():
    # 2 W·400 + 10 W·√400 = 800 + 200 = 1000 W
    assert float(batch.power_vs_batch(400.0, 2.0, 10.0)) == approx(1000.0, rel=1e-6)
    # pure memory term: 10·√9 = 30
    assert float(batch.power_vs_batch(9.0, 0.0, 10.0)) == approx(30.0, rel=1e-6)


# ---------------------------------------------------------------- seed 004


def test_per_sample_efficiency():
    # α·B^-β = 0.01 · 100^-0.5 = 0.001 ; 0.01·10000^-0.5 = 1e-4
    got = np.asarray(jax.jit(batch.per_sample_efficiency)(jnp.asarray([100.0, 1e4], dtype=jnp.float32), 0.01, 0.5))
    np.testing.assert_allclose(got, [1e-3, 1e-4], rtol=1e-6)


@pytest.mark.parametrize("b,expected", [
    (500.0, 574349.18),   # 1e6·(0.5)^0.8 = 1e6·0.57434918
    (1000.0, 1e6),        # at B_max
    (2000.0, 1e6),        # min(1, 2)^γ = 1
    (125.0, 189464.57),   # 1e6·(0.125)^0.8 = 1e6·2^-2.4 = 0.18946457
])
def test_throughput_vs_batch(b, expected):
    assert float(batch.throughput_vs_batch(b, 1e6, 1000.0, 0.8)) == approx(expected, rel=1e-6)


def test_noise_scale_data_ratio_by_hand():
    # nodes B_noise = 1, 3 with weights ½: ½·(1 + 2)/(1 + 1) + ½·(3 + 2)/(3 + 1) = 0.75 + 0.625
    nodes, weights = jnp.asarray([1.0, 3.0]), jnp.asarray([0.5, 0.5])
    assert float(batch.noise_scale_data_ratio(2.0, 1.0, nodes, weights)) == approx(1.375, rel=1e-7)
    assert float(batch.noise_scale_data_ratio(1.0, 1.0, nodes, weights)) == approx(1.0, rel=1e-7)  # B = B_ref
    batches = jnp.asarray([[2.0], [5.0]])  # a batch axis broadcasts against the nodes' axis
    assert batch.noise_scale_data_ratio(batches[:, 0], 1.0, nodes, weights).tolist() == approx([1.375, 2.5])  # ½·6/2 + ½·8/4 = 2.5


# seed 004 B* = (β·γ·W_base/T0)^(1/(γ-β)) with β = 0.5, γ = 1, W_base = 2000 W, T0 = 10:
#   (0.5·1·2000/10)^(1/0.5) = 100² = 1e4
BETA, GAMMA, W_BASE, T0, B_STAR = 0.5, 1.0, 2000.0, 10.0, 1e4
ALPHA_E, L0, L_STAR, B_MAX = 1e-3, 3.0, 2.0, 1e5


def test_batch_star_seed004_as_written():
    assert float(batch.batch_star_seed004(BETA, GAMMA, W_BASE, T0)) == approx(B_STAR, rel=1e-5)
    # (0.25·2·40/1)^(1/(2-0.25)) = 20^(1/1.75) = exp(2.9957323/1.75) = exp(1.7118470) = 5.5391830
    assert float(batch.batch_star_seed004(0.25, 2.0, 40.0, 1.0)) == approx(5.5391830, rel=1e-5)


@functools.partial(jax.jit, static_argnames=("beta", "gamma"))
def _w_total(b, beta=BETA, gamma=GAMMA):
    e = batch.per_sample_efficiency(b, ALPHA_E, beta)
    t = batch.throughput_vs_batch(b, T0, B_MAX, gamma)
    return quality.total_energy_seed004(W_BASE, L0, L_STAR, e, t)


def test_w_total_hand_value_at_b_star():
    # E(1e4) = 1e-3·1e4^-0.5 = 1e-5 ; T(1e4) = 10·(1e4/1e5)^1 = 1 ; W = 2000·1/(1e-5·1) = 2e8 J
    assert float(_w_total(jnp.float32(B_STAR))) == approx(2e8, rel=1e-5)


def test_batch_star_seed004_is_not_a_stationary_point_of_w_total():
    """Seed 004 says B* solves ∂W_total/∂B = 0; it does not.

    Below B_max, W_total ∝ B^-γ·B^β = B^(β-γ): a power law with no stationary point.
    For γ > β it decreases all the way to B_max (beyond which T is flat and E keeps
    falling, so W rises): the minimum is at B_max, not at B*.
    """
    b_star = batch.batch_star_seed004(BETA, GAMMA, W_BASE, T0)
    assert 0.0 < float(b_star) < B_MAX  # B* lies inside (0, B_max), so the claim is testable there

    grid = np.logspace(0.0, 6.0, 241)  # 1 .. 10·B_max, includes B_max = 1e5 exactly
    w = np.asarray(_w_total(jnp.asarray(grid, dtype=jnp.float32)))
    below = grid < B_MAX
    assert np.all(np.diff(w[below]) < 0), "W_total must be strictly decreasing on (0, B_max) for γ > β"
    assert grid[np.argmin(w)] == approx(B_MAX, rel=1e-6), "minimum sits on the bound B_max"
    # the power-law exponent is β - γ = -0.5 everywhere below B_max
    slope = np.diff(np.log(w[below])) / np.diff(np.log(grid[below]))
    np.testing.assert_allclose(slope, -0.5, atol=2e-3)

    # gradient at B*: dW/dB = (β-γ)·W/B = -0.5·2e8/1e4 = -1e4 J per sample, not 0
    g = float(jgrad(_w_total)(jnp.float32(B_STAR)))
    assert g == approx(-1e4, rel=1e-4)
    # relative to the scale W/B, the log-derivative is -0.5, far from 0
    assert abs(g * B_STAR / 2e8) == approx(0.5, rel=1e-4)
    # and B* is not better than B_max: W(B*)/W(B_max) = (1e4/1e5)^-0.5 = √10 = 3.1623
    ratio = float(_w_total(jnp.float32(B_STAR))) / float(_w_total(jnp.float32(B_MAX)))
    assert ratio == approx(3.1622777, rel=1e-4)


def test_w_total_increasing_when_gamma_below_beta():
    # β = 0.8 > γ = 0.3: W ∝ B^0.5 increases on (0, B_max): minimum at the smallest batch
    grid = np.logspace(0.0, 5.0, 101)
    w = np.asarray(_w_total(jnp.asarray(grid, dtype=jnp.float32), beta=0.8, gamma=0.3))
    assert np.all(np.diff(w) > 0)
    assert np.argmin(w) == 0
    # B* = (0.8·0.3·2000/10)^(1/(0.3-0.8)) = 48^-2 = 4.340278e-4 ; grad there is not 0:
    # dW/dB = 0.5·W/B > 0
    b_star = float(batch.batch_star_seed004(0.8, 0.3, W_BASE, T0))
    assert b_star == approx(4.340278e-4, rel=1e-4)
    g = float(jgrad(lambda b: _w_total(b, beta=0.8, gamma=0.3))(jnp.float32(b_star)))
    w_star = float(_w_total(jnp.float32(b_star), beta=0.8, gamma=0.3))
    assert g * b_star / w_star == approx(0.5, rel=1e-3)


def test_w_total_literal_precedence_reading_has_no_stationary_point_either():
    # Seed 004 writes "W_base·(L₀ − L*)/E(B)·T(B)"; read left to right that is
    # W_base·(L₀−L*)·T(B)/E(B) ∝ B^(γ+β) below B_max: also monotone, so B* is not a
    # stationary point under either reading (here it increases: 1 -> B_max grows by 1e5^1.5).
    @jax.jit
    def w_literal(b):
        return (W_BASE * (L0 - L_STAR) / batch.per_sample_efficiency(b, ALPHA_E, BETA)
                * batch.throughput_vs_batch(b, T0, B_MAX, GAMMA))

    grid = np.logspace(0.0, 5.0, 101)
    w = np.asarray(w_literal(jnp.asarray(grid, dtype=jnp.float32)))
    assert np.all(np.diff(w) > 0)
    # W(1) = 2000·1/(1e-3)·10·1e-5 = 200 ; W(B_max) = 2000/(1e-3·1e5^-0.5)·10 = 2000·316227.77·10 = 6.3245553e9
    assert w[0] == approx(200.0, rel=1e-5)
    assert w[-1] == approx(6.3245553e9, rel=1e-5)


# ---------------------------------------------------------------- float64


def test_float64_values_under_enable_x64():
    with enable_x64():
        b = batch.batch_opt(jnp.asarray(1e4), 1e2, 1.0, 0.5, 1e4)
        assert b.dtype == jnp.float64
        # 1e3·e
        assert float(b) == approx(1e3 * 2.718281828459045, rel=1e-12)
        t = batch.throughput_vs_batch(jnp.asarray(125.0), 1e6, 1000.0, 0.8)
        assert t.dtype == jnp.float64
        assert float(t) == approx(1e6 * 2.0 ** -2.4, rel=1e-12)


# ---------------------------------------------------------------- jit / vmap / grad
SCALES = (0.8, 1.0, 1.25)  # first argument is scaled by these for vmap
CASES = [
    pytest.param(batch.compute_rate, (1e9, 32.0, 8.0), (0, 1, 2), id="compute_rate"),
    pytest.param(batch.batch_max, (1e9, 1e3, 100.0, 16.0, 1e6), (0, 1, 2, 3, 4), id="batch_max"),
    pytest.param(batch.step_loss_decrease, (64.0, 0.1), (0, 1), id="step_loss_decrease"),
    pytest.param(batch.batch_opt, (1e4, 1e2, 1.0, 0.5, 1e4), (0, 1, 2, 3, 4), id="batch_opt"),
    pytest.param(batch.batch_efficiency, (256.0, 0.9, 256.0), (0, 1, 2), id="batch_efficiency"),
    pytest.param(batch.power_vs_batch, (400.0, 2.0, 10.0), (0, 1, 2), id="power_vs_batch"),
    pytest.param(batch.per_sample_efficiency, (100.0, 0.01, 0.5), (0, 1, 2), id="per_sample_efficiency"),
    pytest.param(batch.throughput_vs_batch, (500.0, 1e6, 1000.0, 0.8), (0, 1, 2, 3), id="throughput_vs_batch"),
    pytest.param(batch.throughput_vs_batch, (2000.0, 1e6, 1000.0, 0.8), (0, 1, 2, 3),
                 id="throughput_vs_batch_saturated"),
    pytest.param(batch.batch_star_seed004, (0.5, 1.0, 2000.0, 10.0), (0, 1, 2, 3), id="batch_star_seed004"),
]

test_jit_vmap_grad_are_finite_and_consistent = catalogue_test(CASES, SCALES)


def test_grad_hand_values():
    # d(α B^-β)/dB = -β·α·B^(-β-1) = -0.5·0.01·100^-1.5 = -5e-6
    assert float(jgrad(batch.per_sample_efficiency)(*f32(100.0, 0.01, 0.5))) == approx(-5e-6, rel=1e-5)
    # dη/dB = (γ/B_opt)·e^(-B/B_opt) = 0.9/256·e^-1 = 3.515625e-3·0.36787944 = 1.2933262e-3
    assert float(jgrad(batch.batch_efficiency)(*f32(256.0, 0.9, 256.0))) == approx(1.2933262e-3, rel=1e-5)
    # dT/dB below B_max = γ·T/B = 0.8·574349.18/500 = 918.95869
    assert float(jgrad(batch.throughput_vs_batch)(*f32(500.0, 1e6, 1000.0, 0.8))) == approx(918.95869, rel=1e-5)
    # above B_max T is flat
    assert float(jgrad(batch.throughput_vs_batch)(*f32(2000.0, 1e6, 1000.0, 0.8))) == 0.0
