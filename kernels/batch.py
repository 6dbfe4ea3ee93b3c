"""Batch size against hardware and statistics: seed 000 §2, seed 003 "Batch Size
Optimization", seed 004 "Efficiency Relations" and "Throughput Scaling"."""

import jax.numpy as jnp

from ._safe import safe_sqrt


def compute_rate(nu, batch, n_parallel):
    """Seed 000 §2.1: R_compute = ν₀·B·N_parallel.

    Args:
      nu: clock frequency, Hz.
      batch: batch size B, samples.
      n_parallel: hardware parallelism, devices.

    Returns:
      Sample-operations per second, 1/s.
    """
    return nu * batch * n_parallel


def batch_max(mem_bandwidth, nu, d, bits_per_param, mem_total):
    """Seed 000 §2.2: B_max = min(M_bandwidth/(ν₀·d·bits_per_param), M_total/d).

    Args:
      mem_bandwidth: memory bandwidth, bit/s.
      nu: clock frequency, Hz.
      d: size of one sample's working set, parameters.
      bits_per_param: bits per parameter, bit.
      mem_total: memory capacity, expressed in parameters (so M_total/d is samples).

    Returns:
      Largest batch the memory system sustains, samples.
    """
    return jnp.minimum(mem_bandwidth / (nu * d * bits_per_param), mem_total / d)


def step_loss_decrease(batch, delta_l_unit):
    """Seed 000 §2.3: ΔL ∝ 1/√B, with ΔL = delta_l_unit at B = 1.

    Args:
      batch: batch size, samples.
      delta_l_unit: loss decrease per sample at batch size 1, nats.

    Returns:
      Loss decrease per sample, nats.
    """
    return delta_l_unit / jnp.sqrt(batch)


def batch_opt(compute_budget, nu, delta_l, temperature, b_max):
    """Seed 000 §2.4: B_opt = min(√(C·ν₀·exp(ΔL/T)), B_max).

    Args:
      compute_budget: compute budget C, as in the seed (samples·s).
      nu: clock frequency, Hz.
      delta_l: loss barrier ΔL, nats.
      temperature: SGD temperature T, nats (ΔL/T is dimensionless).
      b_max: largest batch, samples.

    Returns:
      Batch size, samples.
    """
    return jnp.minimum(safe_sqrt(compute_budget * nu * jnp.exp(delta_l / temperature)), b_max)


def batch_efficiency(batch, gamma, b_opt):
    """Seed 003: η_batch(B) = γ·(1 − exp(−B/B_opt)).

    Args:
      batch: batch size, samples (or tokens, consistently with b_opt).
      gamma: maximum batch efficiency γ, 1.
      b_opt: saturation batch size, same unit as batch.

    Returns:
      Fraction of peak throughput, 1.
    """
    return gamma * (1.0 - jnp.exp(-batch / b_opt))


def power_vs_batch(batch, c_compute, c_memory):
    """Seed 003 Power-Batch Relationship: P_total = P_compute + P_memory, P_compute ∝ B, P_memory ∝ √B.

    Args:
      batch: batch size, samples.
      c_compute: compute power per sample, W.
      c_memory: memory power coefficient, W per √sample.

    Returns:
      Power, W.
    """
    return c_compute * batch + c_memory * jnp.sqrt(batch)


def per_sample_efficiency(batch, alpha, beta):
    """Seed 004: E(B) = α·B^(−β), loss reduction per token.

    Args:
      batch: global batch size, samples.
      alpha: base efficiency α, nats per token.
      beta: batch scaling exponent β ∈ (0, 1), 1.

    Returns:
      Loss reduction per token, nats/token.
    """
    return alpha * batch ** (-beta)


def throughput_vs_batch(batch, t0, b_max, gamma):
    """Seed 004: T(B) = T₀·min(1, B/B_max)^γ.

    Args:
      batch: global batch size, samples.
      t0: maximum throughput T₀, tokens/s.
      b_max: hardware-determined maximum batch, samples.
      gamma: hardware utilisation exponent γ, 1.

    Returns:
      Throughput, tokens/s.
    """
    return t0 * jnp.minimum(1.0, batch / b_max) ** gamma


def batch_star_seed004(beta, gamma, w_base, t0):
    """Seed 004: B* = (β·γ·W_base/T₀)^(1/(γ−β)), AS WRITTEN — not an optimum.

    Seed 004 claims this solves ∂W_total/∂B = 0, but below B_max its W_total is
    ∝ B^(β−γ), a monotone power law with no stationary point, so the true
    optimum sits on a bound (B_max when γ > β). Kept for comparison only; the
    tests document the difference.

    Args:
      beta: batch scaling exponent β, 1.
      gamma: hardware utilisation exponent γ, 1.
      w_base: baseline power, W.
      t0: maximum throughput, tokens/s.

    Returns:
      The seed's B*, in the seed's (inconsistent) units.
    """
    return (beta * gamma * w_base / t0) ** (1.0 / (gamma - beta))


def noise_scale_data_ratio(batch, batch_ref, b_noise, weights):
    """Data needed at batch B over a stretch of training, relative to the recipe at B_ref.

    McCandlish et al. 2018 eq. 2.11 (E/E_min = 1 + B/B_noise) along the loss curve, whose
    noise scale grows as the loss falls (their §4 and App. D; Kaplan et al. 2020 eq. 5.4):
    the stretch needs ∫ (1 + B/B_noise(u))/(1 + B_ref/B_noise(u)) du recipe tokens per recipe
    token, u its progress, by quadrature with nodes on the last axis of ``b_noise``. The
    integrand is linear in B, so the sum splits into two node sums that do not depend on B.

    Args:
      batch: batch size B, tokens.
      batch_ref: the recipe's batch B_ref, tokens.
      b_noise: gradient noise scale at the quadrature nodes (last axis), tokens.
      weights: quadrature weights (last axis), summing to the stretch's share of the recipe.

    Returns:
      Tokens needed per recipe token, 1: the stretch's share at B = B_ref.
    """
    per_node = weights / (b_noise + jnp.expand_dims(jnp.asarray(batch_ref), -1))
    return jnp.sum(per_node * b_noise, axis=-1) + batch * jnp.sum(per_node, axis=-1)
