"""Thermal model: seed 003 "Thermal Considerations".

dT/dt = (P_inst − P_cooling)/C with Newtonian cooling P_cooling = (T − T_ambient)/R_th,
whose steady state is T = T_ambient + R_th·P.
"""

import jax
import jax.numpy as jnp

from ._scan import broadcast_schedule


def temperature_rate(p_inst, p_cooling, heat_capacity):
    """Seed 003: dT/dt = (P_inst − P_cooling)/C.

    Args:
      p_inst: power dissipated, W.
      p_cooling: heat removed per second, W.
      heat_capacity: thermal capacity C, J/K.

    Returns:
      Rate of temperature change, K/s.
    """
    return (p_inst - p_cooling) / heat_capacity


def cooling_power(t_junction, t_ambient, r_thermal):
    """Newtonian cooling, P_cooling = (T − T_ambient)/R_th (closes seed 003's ODE).

    Args:
      t_junction: device temperature, K.
      t_ambient: coolant/ambient temperature, K.
      r_thermal: junction-to-ambient thermal resistance, K/W.

    Returns:
      Heat removed per second, W.
    """
    return (t_junction - t_ambient) / r_thermal


def steady_state_temperature(power, t_ambient, r_thermal):
    """Steady state of seed 003's ODE: T = T_ambient + R_th·P.

    Args:
      power: power dissipated, W.
      t_ambient: ambient temperature, K.
      r_thermal: thermal resistance, K/W.

    Returns:
      Junction temperature, K.
    """
    return t_ambient + r_thermal * power


def max_sustained_power(t_max, t_ambient, r_thermal):
    """Largest power whose steady state stays at or below T_max: (T_max − T_ambient)/R_th.

    Args:
      t_max: highest allowed junction temperature, K.
      t_ambient: ambient temperature, K.
      r_thermal: thermal resistance, K/W.

    Returns:
      Power, W.
    """
    return (t_max - t_ambient) / r_thermal


def thermal_trajectory(power, t_start, t_ambient, r_thermal, heat_capacity, dt, n_steps):
    """Integrates seed 003's dT/dt = (P − (T − T_amb)/R_th)/C with ``lax.scan``.

    Uses the exact propagator for piecewise-constant power over each step,
    T ← T_ss + (T − T_ss)·exp(−dt/(R_th·C)), so it is stable for any dt.

    Args:
      power: dissipated power, W; shape S (constant) or (n_steps, *S).
      t_start: initial temperature, K.
      t_ambient: ambient temperature, K.
      r_thermal: thermal resistance, K/W.
      heat_capacity: thermal capacity C, J/K.
      dt: step, s.
      n_steps: number of steps (Python int).

    Returns:
      Temperature after each step, K, shape (n_steps, *S).
    """
    powers, _, start = broadcast_schedule(
        power, t_start, n_steps, jnp.shape(t_ambient), jnp.shape(r_thermal), jnp.shape(heat_capacity))
    decay = jnp.exp(-dt / (r_thermal * heat_capacity))

    def step(temp, p):
        t_ss = steady_state_temperature(p, t_ambient, r_thermal)
        temp = t_ss + (temp - t_ss) * decay
        return temp, temp

    _, temps = jax.lax.scan(step, start, powers)
    return temps
