"""Energy per operation and power: seed 000 §1 and §4, seed 003 "Energy Estimation".

Every argument broadcasts; every function is pure ``jax.numpy`` and safe under
``jit``, ``vmap`` and ``grad``.
"""

import jax
import jax.numpy as jnp

from ._safe import safe_sqrt
from .constants import K_B, LN2


def energy_per_flop(nu, alpha, t_kelvin):
    """Seed 000 §1.1: E_FLOP = k_B·T·ln2 + α·ν₀².

    .. math:: E_{FLOP} = k_B T \\ln 2 + \\alpha \\nu_0^2

    Args:
      nu: clock frequency ν₀, Hz.
      alpha: dynamic energy coefficient α, J·s² (J per FLOP per Hz²).
      t_kelvin: physical temperature of the logic, K.

    Returns:
      Energy per FLOP, J.
    """
    return K_B * t_kelvin * LN2 + alpha * nu**2


def flops_per_joule(nu, alpha, t_kelvin):
    """Seed 000 §1.2: η = ν₀ / E_FLOP (operations per second per joule-per-operation).

    The seed simplifies this to 1/E_FLOP, which has no interior maximum; only
    ν₀/E_FLOP peaks at ν₀_efficient (§1.3), so that is what is implemented.

    Args:
      nu: clock frequency ν₀, Hz.
      alpha: dynamic energy coefficient α, J·s².
      t_kelvin: temperature, K.

    Returns:
      η, 1/(J·s).
    """
    # Written as ν·g/(1 + α·g·ν²) with g = 1/(k_B·T·ln2) so that no float32
    # intermediate (value or cotangent) forms E_FLOP⁻² ~ 1e41 near ν₀_efficient.
    inv_landauer = (1.0 / (K_B * LN2)) / t_kelvin
    return nu * inv_landauer / (1.0 + (alpha * inv_landauer) * nu**2)


@jax.custom_jvp
def nu_efficient(alpha, t_kelvin):
    """Seed 000 §1.3: ν₀_efficient = √(k_B·T·ln2 / α), the maximiser of ν₀/E_FLOP.

    Differentiated by its closed form (∂ν/∂α = −ν/(2α), ∂ν/∂T = ν/(2T)): the
    chain rule through √ forms α^(−3/2) ~ 1e45, which overflows float32.

    Args:
      alpha: dynamic energy coefficient α, J·s².
      t_kelvin: temperature, K.

    Returns:
      Clock frequency, Hz.
    """
    return jnp.sqrt(K_B * t_kelvin * LN2 / alpha)


@nu_efficient.defjvp
def _nu_efficient_jvp(primals, tangents):
    alpha, t_kelvin = primals
    d_alpha, d_t = tangents
    nu = nu_efficient(alpha, t_kelvin)
    return nu, 0.5 * nu * (d_t / t_kelvin - d_alpha / alpha)


def nu_max_thermal(thermal_limit, alpha):
    """Seed 000 §1.3: ν₀_max = √(T_max / α).

    For the units to close, the seed's T_max is read as the largest dynamic
    energy per operation the thermal design removes (α·ν₀_max² = T_max).

    Args:
      thermal_limit: T_max, J per operation.
      alpha: dynamic energy coefficient α, J·s².

    Returns:
      Clock frequency, Hz.
    """
    return jnp.sqrt(thermal_limit / alpha)


def compute_power(flop_rate, e_flop):
    """Power of arithmetic: P = E_FLOP × FLOP rate (DESIGN.md's fix of seed 000 §1.1).

    Seed 000 §1.1 writes P ∝ ν₀², but E_FLOP ∝ ν₀² at a rate ∝ ν₀ gives P ∝ ν₀³;
    power is always energy per operation times operation rate here.

    Args:
      flop_rate: operations per second, FLOP/s.
      e_flop: energy per operation, J/FLOP.

    Returns:
      Power, W.
    """
    return flop_rate * e_flop


def memory_access_energy(beta, d_mem):
    """Seed 000 §4.1: E_mem = β·d_mem.

    Args:
      beta: energy per parameter access per unit distance, J/m.
      d_mem: memory distance, m.

    Returns:
      Energy per parameter access, J.
    """
    return beta * d_mem


def update_energy(n_compute, e_flop, n_mem, e_mem):
    """Seed 000 §4.2: E_total = N_compute·E_FLOP + N_mem·E_mem.

    Args:
      n_compute: operations per update, FLOP.
      e_flop: energy per operation, J.
      n_mem: parameter accesses per update, 1.
      e_mem: energy per access, J.

    Returns:
      Energy per update, J.
    """
    return n_compute * e_flop + n_mem * e_mem


def recompute_is_cheaper(n_compute, e_flop, e_mem):
    """Seed 000 §4.3: recompute a value when N_compute·E_FLOP < E_mem.

    Args:
      n_compute: operations needed to recompute the value, FLOP.
      e_flop: energy per operation, J.
      e_mem: energy to fetch the stored value, J.

    Returns:
      Boolean array: True where recomputing costs less energy than fetching.
    """
    return n_compute * e_flop < e_mem


def dynamic_power(c_eff, voltage, freq, activity):
    """Seed 003 Dynamic Energy: C_eff·V²·f·α.

    The seed labels it energy, but C·V²·f is a power; multiply by a duration
    for energy.

    Args:
      c_eff: effective switched capacitance, F.
      voltage: supply voltage, V.
      freq: clock frequency, Hz.
      activity: activity factor α (fraction of capacitance switched per cycle), 1.

    Returns:
      Power, W.
    """
    return c_eff * voltage**2 * freq * activity


def static_energy(voltage, i_leak, duration):
    """Seed 003 Static Energy: E_static = V·I_leak·t.

    Args:
      voltage: supply voltage, V.
      i_leak: leakage current, A.
      duration: time, s.

    Returns:
      Energy, J.
    """
    return voltage * i_leak * duration


def cooling_energy(cop, q_thermal):
    """Seed 003 Cooling Energy: E_cooling = CoP·Q_thermal, as written.

    Here ``cop`` is the cooling energy spent per joule of heat removed; for a
    chiller quoted by its coefficient of performance COP, pass 1/COP. A
    facility's PUE corresponds to cop = PUE − 1.

    Args:
      cop: cooling energy per unit heat, J/J.
      q_thermal: heat removed, J.

    Returns:
      Energy, J.
    """
    return cop * q_thermal


def dvfs_clock(f_max, p_max, k, voltage):
    """Seed 003 Voltage-Frequency Scaling: f_opt = min(f_max, √(P_max / (k·V²))).

    Args:
      f_max: highest supported clock, Hz.
      p_max: power budget, W.
      k: power coefficient (P = k·V²·f²), W/(V²·Hz²).
      voltage: supply voltage, V.

    Returns:
      Clock frequency, Hz.
    """
    return jnp.minimum(f_max, safe_sqrt(p_max / (k * voltage**2)))
