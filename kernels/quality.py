"""Time against quality and training dynamics: seed 000 §3, seed 004 "Energy-Time
Tradeoff", "Information Processing Rate" and "System Dynamics"."""

import jax
import jax.numpy as jnp

from ._safe import safe_log
from ._scan import broadcast_schedule


def training_time(l0, l_star, d, nu, batch, delta_l, temperature, dl_step):
    """Seed 000 §3.1: t_train = (L₀ − L*) / (d·ν₀·B·exp(−ΔL/T)·ΔL_step).

    Args:
      l0: initial loss, nats.
      l_star: target loss, nats.
      d: steps per clock cycle per sample (the seed's d), 1.
      nu: clock frequency, Hz.
      batch: batch size, samples.
      delta_l: loss barrier ΔL, nats.
      temperature: SGD temperature T, nats.
      dl_step: loss decrease per sample-step ΔL_step, nats.

    Returns:
      Time, s.
    """
    return (l0 - l_star) / (d * nu * batch * jnp.exp(-delta_l / temperature) * dl_step)


def loss_floor(temperature, nu, t_max):
    """Seed 000 §3.2: L* − L_min ≥ (T/2)·log(ν₀·t_max); returns the bound.

    Args:
      temperature: SGD temperature T, nats.
      nu: attempt (clock or update) frequency, Hz.
      t_max: time available, s.

    Returns:
      Smallest reachable loss gap, nats.
    """
    return 0.5 * temperature * safe_log(nu * t_max)


def temperature_opt(delta_l, nu, t_available):
    """Seed 000 §3.3: T_opt = ΔL / log(ν₀·t_available).

    The lowest temperature whose barrier-crossing time (1/ν₀)·exp(ΔL/T) fits
    in t_available.

    Args:
      delta_l: loss barrier ΔL, nats.
      nu: attempt frequency, Hz.
      t_available: time available, s.

    Returns:
      Temperature, nats.
    """
    return delta_l / safe_log(nu * t_available)


def information_rate(efficiency, throughput):
    """Seed 004: I = E(B)·T(B).

    Args:
      efficiency: loss reduction per token, nats/token.
      throughput: tokens per second, tokens/s.

    Returns:
      Information processing rate, nats/s.
    """
    return efficiency * throughput


def total_energy_seed004(w_base, l0, l_star, efficiency, throughput):
    """Seed 004: W_total = W_base·(L₀ − L*)/(E(B)·T(B)).

    Args:
      w_base: baseline power, W.
      l0: initial loss, nats.
      l_star: target loss, nats.
      efficiency: E(B), nats/token.
      throughput: T(B), tokens/s.

    Returns:
      Energy, J.
    """
    return w_base * (l0 - l_star) / (efficiency * throughput)


def loss_trajectory(l0, rate, dt, n_steps):
    """Seed 004: integrates dL/dt = −E(B)·T(B)·L over ``n_steps`` steps of ``dt``.

    Uses the exact one-step propagator L ← L·exp(−r·dt), so a constant rate
    reproduces L₀·exp(−r·t) to rounding; ``rate`` may vary per step.

    Args:
      l0: initial loss, nats; any shape S.
      rate: E(B)·T(B), 1/s; shape S, or (n_steps, *S) for a schedule.
      dt: step, s.
      n_steps: number of steps (a Python int: it fixes the scan length).

    Returns:
      Loss after each step, nats, shape (n_steps, *S).
    """
    rates, _, start = broadcast_schedule(rate, l0, n_steps)

    def step(loss, r):
        loss = loss * jnp.exp(-r * dt)
        return loss, loss

    _, losses = jax.lax.scan(step, start, rates)
    return losses


def time_to_loss(l0, l_star, rate, dt, n_steps):
    """Seed 004: the first time at which dL/dt = −r(t)·L brings L from L₀ down to L*.

    ``rate`` is piecewise constant over steps of ``dt`` (a constant, or a schedule of
    ``n_steps`` values; the last value holds after the horizon n_steps·dt). The trajectory
    is integrated by ``loss_trajectory`` (``lax.scan``); within the step k+1 where L crosses
    L*, the exact solution gives t = k·dt + ln(L_k/L*)/r_{k+1}. With positive rates L falls
    monotonically, so k is the number of steps that end above L*.

    Args:
      l0: initial loss, nats; any shape S.
      l_star: target loss, nats.
      rate: E(B)·T(B) > 0, 1/s; shape S, or (n_steps, *S) for a schedule.
      dt: step, s.
      n_steps: number of steps (a Python int).

    Returns:
      Time to reach L*, s (0 where L₀ ≤ L*), shape S.
    """
    losses = loss_trajectory(l0, rate, dt, n_steps)
    rates, _, start = broadcast_schedule(rate, l0, n_steps)
    ended_above = jnp.sum(losses > l_star, axis=0)
    before = jnp.concatenate([start[None], losses], axis=0)  # L_0 … L_n
    l_k = jnp.take_along_axis(before, ended_above[None], axis=0)[0]
    r_next = jnp.take_along_axis(rates, jnp.minimum(ended_above, n_steps - 1)[None], axis=0)[0]
    return ended_above.astype(l_k.dtype) * dt + jnp.maximum(safe_log(l_k / l_star), 0.0) / r_next
