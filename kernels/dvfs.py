"""Voltage–frequency scaling and the power-limited clock (seed 003 "Voltage-Frequency
Scaling" and "Dynamic/Static Energy", seed 000 §1.1 with DESIGN.md's fixes).

A GPU's core voltage follows its clock down only to a floor (about 0.7 V on current
parts): below the *knee* clock the voltage stays at the floor and a lower clock saves no
dynamic energy per operation; above it the voltage rises ever faster towards ν_max. The board draws, per device,

.. math:: P(\\nu) = P_{board} + P_{leak}\\,\\frac{V(\\nu)}{V_{max}} + a\\,C_{eff}\\,V(\\nu)^2\\,\\nu

(clock-independent board power, leakage ∝ V, seed 003's C_eff·V²·f times an activity a).
The knob operators turn (``nvidia-smi -pl``, Zeus) is a power limit: the device runs at
the highest clock whose full-activity power stays under it.

Every argument broadcasts; every function is pure ``jax.numpy`` and safe under ``jit``,
``vmap`` and ``grad``.
"""

import jax.numpy as jnp

# Fixed iteration counts of ``power_limited_clock``: bisection shrinks the bracket to 2^-10
# of the clock range (0.1%), then Newton steps inside it converge quadratically (P is
# smooth and monotone): 1e-3 → 1e-6 → 1e-12, past float64 resolution in three steps.
_BISECTIONS = 10
_NEWTON_STEPS = 3


def voltage(nu, v_min, v_max, nu_knee, nu_max, exponent):
    """Convex V–f curve with a floor: V_min up to the knee, rising as a power of the clock above it.

    .. math:: V = V_{min} + (V_{max} - V_{min})\\,u^{\\kappa},\\quad
              u = \\max\\Big(0, \\frac{\\nu - \\nu_{knee}}{\\nu_{max} - \\nu_{knee}}\\Big)

    With κ > 1 the curve leaves the floor with zero slope (so it is smooth there and its
    gradient exists everywhere) and steepens towards ν_max, as GPU boost tables do: the
    top clock bins cost the most voltage per MHz. κ = 1 is the straight line
    V = max(V_min, linear) of DESIGN.md.

    Args:
      nu: core clock, Hz.
      v_min: voltage floor, V.
      v_max: voltage at ν_max, V.
      nu_knee: clock at which the voltage reaches its floor, Hz.
      nu_max: highest clock, Hz.
      exponent: curvature κ ≥ 1, 1.

    Returns:
      Core voltage, V.
    """
    u = (nu - nu_knee) / (nu_max - nu_knee)
    above = u > 0.0
    rise = jnp.where(above, jnp.where(above, u, 1.0) ** exponent, 0.0)  # double where: finite d/dκ at u = 0
    return v_min + (v_max - v_min) * rise


def board_power(nu, activity, p_board, p_leak, c_eff, v_max, volts):
    """Device power at clock ν and activity a: P_board + P_leak·V/V_max + a·C_eff·V²·ν, W.

    Args:
      nu: core clock, Hz.
      activity: fraction of the switched capacitance active per cycle (1 in dense GEMMs), 1.
      p_board: clock-independent board power (HBM, I/O, uncore, regulators), W.
      p_leak: leakage power at V_max, W (seed 003 V·I_leak: ∝ V).
      c_eff: effective switched capacitance at activity 1, F (seed 003 C_eff).
      v_max: voltage at which ``p_leak`` is quoted, V.
      volts: core voltage V(ν) (from ``voltage``), V.

    Returns:
      Power, W.
    """
    return p_board + p_leak * volts / v_max + activity * c_eff * volts**2 * nu


def voltage_slope(nu, v_min, v_max, nu_knee, nu_max, exponent):
    """dV/dν of ``voltage``, V/Hz: κ·(V_max − V_min)·u^(κ−1)/(ν_max − ν_knee) above the knee, 0 below."""
    u = (nu - nu_knee) / (nu_max - nu_knee)
    above = u > 0.0
    rise = jnp.where(above, jnp.where(above, u, 1.0) ** (exponent - 1.0), 0.0)
    return exponent * (v_max - v_min) * rise / (nu_max - nu_knee)


def power_limited_clock(power_limit, nu_floor, nu_ceiling, p_board, p_leak, c_eff,
                        v_min, v_max, nu_knee, nu_max, exponent):
    """The highest clock in [ν_floor, ν_ceiling] whose full-activity power is ≤ the power limit, Hz.

    Full-activity power P(ν) (``board_power`` with a = 1) rises monotonically with ν, so
    the clock where P(ν) = P_limit is found by a fixed number of bisection steps (no
    value-dependent control flow, so it vmaps and runs under NumPy too), then Newton steps
    ν − (P(ν) − P_limit)/P'(ν) with the analytic P', kept inside the bracket. The Newton
    steps carry the derivative of the implicit solution (dν/dP_limit = 1/P'(ν), and
    likewise for every parameter of P), so ``grad`` through this function is exact at
    convergence. Where even ν_floor draws more than the
    limit the result is ν_floor (the caller's margin says so); where ν_ceiling stays
    under it, ν_ceiling.

    Args:
      power_limit: board power limit, W (``nvidia-smi -pl``).
      nu_floor, nu_ceiling: clock range searched, Hz.
      p_board, p_leak, c_eff, v_max: as in ``board_power``.
      v_min, nu_knee, nu_max, exponent: as in ``voltage``.

    Returns:
      Clock, Hz.
    """
    vf = (v_min, v_max, nu_knee, nu_max, exponent)

    def excess(nu):
        return board_power(nu, 1.0, p_board, p_leak, c_eff, v_max, voltage(nu, *vf)) - power_limit

    def slope(nu):
        volts, dv = voltage(nu, *vf), voltage_slope(nu, *vf)
        return p_leak / v_max * dv + c_eff * volts * (2.0 * dv * nu + volts)

    lo = nu_floor + 0.0 * power_limit  # broadcast the bracket to the result's shape
    hi = nu_ceiling + 0.0 * power_limit
    for _ in range(_BISECTIONS):
        mid = 0.5 * (lo + hi)
        over = excess(mid) > 0.0
        lo, hi = jnp.where(over, lo, mid), jnp.where(over, mid, hi)
    nu = 0.5 * (lo + hi)
    for _ in range(_NEWTON_STEPS):
        nu = jnp.clip(nu - excess(nu) / slope(nu), lo, hi)
    no_root = (excess(nu_floor) > 0.0) == (excess(nu_ceiling) > 0.0)  # the limit binds nowhere, or everywhere
    end = jnp.where(excess(nu_ceiling) > 0.0, nu_floor, nu_ceiling)
    return jnp.clip(jnp.where(no_root, end, nu), nu_floor, nu_ceiling)
