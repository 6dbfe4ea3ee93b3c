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


def startup_transient(p_start, p_run, ramp_s, t_ambient, r_thermal, heat_capacity, n_steps):
    """Seed 003's |dT/dt| and T over a start-up: power ramps linearly from ``p_start`` to
    ``p_run`` over ``ramp_s``, from a system at ambient temperature.

    The ramp is held piecewise constant over ``n_steps`` steps spanning the ramp plus five
    time constants R_th·C (by then T is within 1% of its steady state), each step at the
    ramp's mid-step power, and integrated with ``thermal_trajectory`` (``lax.scan``). Within
    a step at constant power |dT/dt| only decays, so its largest value is at a step's start:
    (P_k − (T_k − T_amb)/R_th)/C.

    Args:
      p_start: power when the job starts (idle), W.
      p_run: power once it runs, W.
      ramp_s: duration of the power ramp, s (> 0).
      t_ambient: ambient temperature, K.
      r_thermal: thermal resistance, K/W.
      heat_capacity: thermal capacity C, J/K.
      n_steps: number of steps (a Python int).

    Returns:
      (highest temperature, K; largest |dT/dt|, K/s).
    """
    shape = jnp.broadcast_shapes(*(jnp.shape(x) for x in (p_start, p_run, ramp_s, t_ambient, r_thermal,
                                                          heat_capacity)))
    dt = (ramp_s + 5.0 * r_thermal * heat_capacity) / n_steps
    mid = jnp.linspace(0.5, n_steps - 0.5, n_steps).reshape((n_steps,) + (1,) * len(shape)) * dt
    powers = p_start + (p_run - p_start) * jnp.minimum(1.0, mid / ramp_s)
    temps = thermal_trajectory(powers, t_ambient, t_ambient, r_thermal, heat_capacity, dt, n_steps)
    starts = jnp.concatenate([jnp.broadcast_to(t_ambient, temps.shape[1:])[None], temps[:-1]], axis=0)
    rates = temperature_rate(powers, cooling_power(starts, t_ambient, r_thermal), heat_capacity)
    return jnp.max(temps, axis=0), jnp.max(jnp.abs(rates), axis=0)
