"""Throughput, roofline and figures of merit: seed 003 "Throughput Model",
"Power-Performance Relationship", "Performance Models" and "Key Metrics".

Seed 003 calls throughput T; here it is ``throughput`` to keep it apart from
temperatures.
"""

import jax.numpy as jnp


def throughput_from_power(power, e_op, alpha, throughput_max):
    """Seed 003: T(P) = min(α·P/E_op, B_max).

    Args:
      power: power consumption, W.
      e_op: energy per operation, J.
      alpha: architecture efficiency factor α, 1.
      throughput_max: highest throughput B_max, op/s.

    Returns:
      Throughput, op/s.
    """
    return jnp.minimum(alpha * power / e_op, throughput_max)


def instantaneous_power(throughput, e_op, beta, p_idle):
    """Seed 003: P_inst = β·T(P)·E_op + P_idle.

    Args:
      throughput: operations per second, op/s.
      e_op: energy per operation, J.
      beta: power efficiency coefficient β, 1.
      p_idle: idle power, W.

    Returns:
      Power, W.
    """
    return beta * throughput * e_op + p_idle


def bound_throughput(peak, efficiency):
    """Seed 003 Performance Models: T_compute = F_peak·η_compute, T_memory = B_mem·η_memory,
    T_comm = B_network·η_network (one product, three uses).

    Args:
      peak: peak rate of the resource (FLOP/s, B/s or B/s).
      efficiency: achieved fraction η, 1.

    Returns:
      Sustained rate, unit of ``peak``.
    """
    return peak * efficiency


def roofline_throughput(t_compute, t_memory, t_comm):
    """Seed 003: T_est = min(T_compute, T_memory, T_communication).

    All three must be expressed in the same unit of useful work per second
    (e.g. FLOP/s, with memory and network rates times their arithmetic intensity).

    Returns:
      Throughput, the common unit.
    """
    return jnp.minimum(jnp.minimum(t_compute, t_memory), t_comm)


def energy_time_product(energy, duration):
    """Seed 003: ETP = E_total·T_total.

    Args:
      energy: energy, J.
      duration: time, s.

    Returns:
      ETP, J·s.
    """
    return energy * duration


def energy_efficiency_index(throughput_achieved, throughput_theoretical, e_min, e_actual):
    """Seed 003: EEI = (T_achieved/T_theoretical)·(E_min/E_actual).

    Args:
      throughput_achieved: achieved throughput, op/s.
      throughput_theoretical: theoretical throughput, op/s.
      e_min: minimum energy, J.
      e_actual: actual energy, J.

    Returns:
      EEI, 1.
    """
    return (throughput_achieved / throughput_theoretical) * (e_min / e_actual)


def performance_per_watt(throughput, p_total):
    """Seed 003: PPW = T(P)/P_total.

    Args:
      throughput: op/s.
      p_total: power, W.

    Returns:
      Operations per joule, op/J.
    """
    return throughput / p_total


def energy_utilization_factor(e_useful, e_total):
    """Seed 003: EUF = E_useful/E_total.

    Args:
      e_useful: energy spent on useful work, J.
      e_total: total energy, J.

    Returns:
      EUF, 1.
    """
    return e_useful / e_total
