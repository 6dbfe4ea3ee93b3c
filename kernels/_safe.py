"""Gradient-safe elementary functions (the jax-md "double where" trick).

``jnp.where(ok, f(x), fallback)`` alone still differentiates ``f`` at the bad
points and yields NaN gradients; substituting a safe argument first keeps both
the value and the gradient finite.
"""

import jax.numpy as jnp


def safe_log(x, tiny=1e-30):
    """log(x) for x > 0; finite value and gradient (log(tiny)) for x <= 0."""
    ok = x > tiny
    return jnp.where(ok, jnp.log(jnp.where(ok, x, 1.0)), jnp.log(tiny))


def safe_sqrt(x):
    """sqrt(x) for x > 0; 0 with zero gradient for x <= 0."""
    ok = x > 0
    return jnp.where(ok, jnp.sqrt(jnp.where(ok, x, 1.0)), 0.0)


def x_log_x(n):
    """n·ln(n), continuous at n = 1 (value 0) and finite for n <= 0 (value 0)."""
    return n * safe_log(n, tiny=1.0)
