"""Tests for kernels.quality: seed 000 §3 (time vs quality) and seed 004 dynamics.

Expected values are worked by hand from the seed formulas (arithmetic in comments);
math/numpy evaluate the hand formulas independently of the kernels.
"""

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from explorer.kernels import batch, quality
from kernel_checks import approx, catalogue_test, enable_x64, f32, jgrad  # noqa: F401

# jitted once (n_steps static): one XLA compile per shape instead of one per eager primitive
_loss_traj = jax.jit(quality.loss_trajectory, static_argnums=3)


# ---------------------------------------------------------------- seed 000 §3


def test_training_time_hand_value():
    # (3-2) / (1·1e3·10·exp(-1/0.5)·1e-3) = 1/(10·e^-2) = e²/10 = 7.3890561/10 = 0.73890561 s
    got = quality.training_time(3.0, 2.0, 1.0, 1e3, 10.0, 1.0, 0.5, 1e-3)
    assert float(got) == approx(0.73890561, rel=1e-6)


def test_training_time_scales_inversely_with_rate_terms():
    base = float(quality.training_time(3.0, 2.0, 1.0, 1e3, 10.0, 1.0, 0.5, 1e-3))
    # doubling ν, B or ΔL_step halves t; doubling (L0 - L*) doubles it
    assert float(quality.training_time(3.0, 2.0, 1.0, 2e3, 10.0, 1.0, 0.5, 1e-3)) == approx(base / 2, rel=1e-6)
    assert float(quality.training_time(3.0, 2.0, 1.0, 1e3, 20.0, 1.0, 0.5, 1e-3)) == approx(base / 2, rel=1e-6)
    assert float(quality.training_time(4.0, 2.0, 1.0, 1e3, 10.0, 1.0, 0.5, 1e-3)) == approx(base * 2, rel=1e-6)


def test_loss_floor_hand_value():
    # (0.2/2)·ln(1e3·1e3) = 0.1·13.815511 = 1.3815511 nats
    assert float(quality.loss_floor(0.2, 1e3, 1e3)) == approx(1.3815511, rel=1e-6)


def test_loss_floor_grows_with_temperature():
    t = jnp.linspace(0.01, 2.0, 40, dtype=jnp.float32)
    floor = np.asarray(jax.jit(quality.loss_floor)(t, 1e3, 1e3))
    assert np.all(np.diff(floor) > 0)
    # it is linear in T with slope ln(1e6)/2 = 6.9077553
    np.testing.assert_allclose(np.diff(floor) / np.diff(np.asarray(t)), 6.9077553, rtol=1e-3)


def test_loss_floor_finite_grad_at_nu_t_zero():
    g = jgrad(quality.loss_floor, argnums=(0, 1, 2))(*f32(0.2, 0.0, 1e3))
    assert all(bool(jnp.isfinite(x)) for x in g)


def test_temperature_opt_as_written():
    # 2 / ln(1e3·1e3) = 2/13.815511 = 0.14476483 nats
    assert float(quality.temperature_opt(2.0, 1e3, 1e3)) == approx(0.14476483, rel=1e-6)
    # 1 / ln(1e9·3600) = 1/(ln3.6 + 12·ln10) = 1/(1.2809338 + 27.6310211) = 1/28.9119549 = 0.034587767
    assert float(quality.temperature_opt(1.0, 1e9, 3600.0)) == approx(0.034587767, rel=1e-6)


def test_temperature_opt_barrier_crossing_time_equals_t_available():
    # the docstring's reading: (1/ν)·exp(ΔL/T_opt) = t_available
    t_av = np.array([1e2, 1e3, 1e4])
    t_opt = quality.temperature_opt(2.0, 1e3, jnp.asarray(t_av, dtype=jnp.float32))
    crossing = np.exp(2.0 / np.asarray(t_opt, dtype=np.float64)) / 1e3
    np.testing.assert_allclose(crossing, t_av, rtol=1e-4)
    # more time allows a colder temperature
    assert np.all(np.diff(np.asarray(t_opt)) < 0)


# ---------------------------------------------------------------- seed 004


def test_information_rate():
    # I = E·T = 1e-5 nats/token · 1e6 tokens/s = 10 nats/s
    assert float(quality.information_rate(1e-5, 1e6)) == approx(10.0, rel=1e-6)


def test_total_energy_seed004():
    # W = 400·(3-2)/(1e-5·1e6) = 400/10 = 40 J
    assert float(quality.total_energy_seed004(400.0, 3.0, 2.0, 1e-5, 1e6)) == approx(40.0, rel=1e-6)


def test_loss_trajectory_constant_rate_matches_exponential():
    # L_k = L0·exp(-r·t_k), t_k = (k+1)·dt ; r = 0.1, dt = 0.5
    losses = np.asarray(_loss_traj(3.0, 0.1, 0.5, 20))
    assert losses.shape == (20,)
    t = 0.5 * np.arange(1, 21)
    np.testing.assert_allclose(losses, 3.0 * np.exp(-0.1 * t), rtol=1e-6)
    # hand: step 0 -> 3·e^-0.05 = 2.8536885 ; step 19 (t = 10) -> 3·e^-1 = 1.1036383
    assert losses[0] == approx(2.8536885, rel=1e-6)
    assert losses[-1] == approx(1.1036383, rel=1e-6)


def test_loss_trajectory_schedule_matches_product_formula():
    # rates (0.1, 0.2, 0.3, 0.4), dt = 1: L_k = 3·Π_{j<=k} e^(-r_j) = 3·exp(-cumsum)
    #   = 3e^-0.1, 3e^-0.3, 3e^-0.6, 3e^-1 = 2.7145123, 2.2224547, 1.6464349, 1.1036383
    rates = jnp.asarray([0.1, 0.2, 0.3, 0.4], dtype=jnp.float32)
    losses = np.asarray(_loss_traj(3.0, rates, 1.0, 4))
    np.testing.assert_allclose(losses, [2.7145123, 2.2224547, 1.6464349, 1.1036383], rtol=1e-6)
    prod = 3.0 * np.cumprod(np.exp(-np.array([0.1, 0.2, 0.3, 0.4]) * 1.0))
    np.testing.assert_allclose(losses, prod, rtol=1e-6)


def test_loss_trajectory_batched_states():
    # two runs (L0 = 3, 2), constant rates (0.1, 0.2), dt = 2, 3 steps
    losses = np.asarray(_loss_traj(jnp.asarray([3.0, 2.0], dtype=jnp.float32),
                                                jnp.asarray([0.1, 0.2], dtype=jnp.float32), 2.0, 3))
    assert losses.shape == (3, 2)
    t = 2.0 * np.arange(1, 4)[:, None]
    np.testing.assert_allclose(losses, np.array([3.0, 2.0]) * np.exp(-np.array([0.1, 0.2]) * t), rtol=1e-6)
    # schedule for each run: shape (n_steps, 2)
    sched = jnp.asarray([[0.1, 0.0], [0.2, 0.5], [0.3, 0.0]], dtype=jnp.float32)
    losses = np.asarray(_loss_traj(jnp.asarray([3.0, 2.0], dtype=jnp.float32), sched, 1.0, 3))
    expected = np.array([3.0, 2.0]) * np.exp(-np.cumsum(np.asarray(sched, dtype=np.float64), axis=0))
    np.testing.assert_allclose(losses, expected, rtol=1e-6)


def test_loss_trajectory_solves_seed004_ode():
    # dL/dt = -E(B)·T(B)·L with E = 0.01·B^-0.5, T = 1e3·min(1, B/1e3)^1 at B = 100:
    #   E = 1e-3, T = 100 -> r = 0.1 /s ; centred difference of L must equal -r·L
    r = quality.information_rate(batch.per_sample_efficiency(100.0, 0.01, 0.5),
                                 batch.throughput_vs_batch(100.0, 1e3, 1e3, 1.0))
    assert float(r) == approx(0.1, rel=1e-6)
    losses = np.asarray(_loss_traj(3.0, r, 0.01, 300), dtype=np.float64)
    dldt = (losses[2:] - losses[:-2]) / 0.02
    np.testing.assert_allclose(dldt, -0.1 * losses[1:-1], rtol=2e-3)


def test_loss_trajectory_grad_hand_value():
    # dL_n/dr = -t_n·L_n = -10·1.1036383 = -11.036383 (t_n = 20·0.5 = 10)
    fn = lambda r: quality.loss_trajectory(3.0, r, 0.5, 20)[-1]
    assert float(jgrad(fn)(jnp.float32(0.1))) == approx(-11.036383, rel=1e-5)
    # d/dL0 = e^-1 = 0.36787944
    fn0 = lambda l0: quality.loss_trajectory(l0, 0.1, 0.5, 20)[-1]
    assert float(jgrad(fn0)(jnp.float32(3.0))) == approx(0.36787944, rel=1e-5)


# ---------------------------------------------------------------- float64


def test_float64_values_under_enable_x64():
    with enable_x64():
        losses = quality.loss_trajectory(jnp.asarray(3.0), 0.1, 0.5, 20)
        assert losses.dtype == jnp.float64
        assert float(losses[-1]) == approx(3.0 * math.exp(-1.0), rel=1e-12)
        t = quality.temperature_opt(jnp.asarray(2.0), 1e3, 1e3)
        assert t.dtype == jnp.float64
        assert float(t) == approx(2.0 / math.log(1e6), rel=1e-12)
        tt = quality.training_time(jnp.asarray(3.0), 2.0, 1.0, 1e3, 10.0, 1.0, 0.5, 1e-3)
        assert tt.dtype == jnp.float64
        assert float(tt) == approx(math.exp(2.0) / 10.0, rel=1e-12)


# ---------------------------------------------------------------- jit / vmap / grad
_traj = functools.partial(quality.loss_trajectory, dt=0.5, n_steps=8)


def _traj_by_rate(rate, l0):
    """loss_trajectory with the rate first, so the catalogue also vmaps over rates."""
    return quality.loss_trajectory(l0, rate, 0.5, 8)


SCALES = (0.8, 1.0, 1.25)  # first argument is scaled by these for vmap
CASES = [
    pytest.param(quality.training_time, (3.0, 2.0, 1.0, 1e3, 10.0, 1.0, 0.5, 1e-3), tuple(range(8)),
                 id="training_time"),
    pytest.param(quality.loss_floor, (0.2, 1e3, 1e3), (0, 1, 2), id="loss_floor"),
    pytest.param(quality.temperature_opt, (2.0, 1e3, 1e3), (0, 1, 2), id="temperature_opt"),
    pytest.param(quality.information_rate, (1e-5, 1e6), (0, 1), id="information_rate"),
    pytest.param(quality.total_energy_seed004, (400.0, 3.0, 2.0, 1e-5, 1e6), (0, 1, 2, 3, 4),
                 id="total_energy_seed004"),
    pytest.param(_traj, (3.0, 0.1), (0, 1), id="loss_trajectory"),
    pytest.param(_traj_by_rate, (0.1, 3.0), (0, 1), id="loss_trajectory_vmap_rate"),
]

test_jit_vmap_grad_are_finite_and_consistent = catalogue_test(CASES, SCALES)


def test_loss_trajectory_jit_with_static_steps_and_schedule():
    fn = jax.jit(quality.loss_trajectory, static_argnums=3)
    rates = jnp.asarray([0.1, 0.2, 0.3, 0.4], dtype=jnp.float32)
    np.testing.assert_allclose(np.asarray(fn(3.0, rates, 1.0, 4)),
                               [2.7145123, 2.2224547, 1.6464349, 1.1036383], rtol=1e-6)
    g = jgrad(lambda r: jnp.sum(quality.loss_trajectory(3.0, r, 1.0, 4)))(rates)
    assert g.shape == (4,)
    assert bool(jnp.all(jnp.isfinite(g)))
    # a later rate affects fewer losses: |∂ΣL/∂r_j| decreases with j
    assert np.all(np.diff(np.abs(np.asarray(g))) < 0)


def test_time_to_loss_constant_rate_is_the_closed_form():
    # L = L₀·exp(−r·t) reaches L* at ln(L₀/L*)/r: 10 → 2.5 at r = 1e-3/s is 1386.29 s,
    # inside the 16 × 100 s horizon and (r = 2e-4) beyond it
    t = quality.time_to_loss(jnp.array([10.0, 10.0]), 2.5, jnp.array([1e-3, 2e-4]), 100.0, 16)
    np.testing.assert_allclose(t, [math.log(4) / 1e-3, math.log(4) / 2e-4], rtol=1e-5)


def test_time_to_loss_schedule_by_hand():
    # rate 1e-3 for 5 steps of 100 s (ln L falls by 0.5), then 1e-2: the remaining
    # ln 4 − 0.5 = 0.8863 takes 88.63 s, so t = 588.63 s
    rate = jnp.concatenate([jnp.full(5, 1e-3), jnp.full(11, 1e-2)])
    assert float(quality.time_to_loss(10.0, 2.5, rate, 100.0, 16)) == pytest.approx(
        500.0 + (math.log(4) - 0.5) / 1e-2, rel=1e-5)


def test_time_to_loss_already_at_target_is_zero():
    assert float(quality.time_to_loss(2.0, 2.5, 1e-3, 100.0, 8)) == 0.0


def test_time_to_loss_gradient_matches_the_closed_form():
    # d/dr [ln(L₀/L*)/r] = −ln(L₀/L*)/r²
    grad = jax.grad(lambda r: quality.time_to_loss(10.0, 2.5, r, 100.0, 16))(1e-3)
    assert float(grad) == pytest.approx(-math.log(4) / 1e-6, rel=1e-4)
