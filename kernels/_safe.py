"""Gradient-safe elementary functions (the jax-md "double where" trick).

``jnp.where(ok, f(x), fallback)`` alone still differentiates ``f`` at the bad
points and yields NaN gradients; substituting a safe argument first keeps both
the value and the gradient finite.
"""

import jax
import jax.numpy as jnp


def as_float(x):
    """``x`` as an array, integers converted to the default float type (keeps strict promotion happy)."""
    x = jnp.asarray(x)
    if jnp.issubdtype(x.dtype, jnp.integer):
        return x.astype(jax.dtypes.canonicalize_dtype(jnp.float64))
    return x


def safe_log(x, tiny=1e-30):
    """log(x) for x > tiny; finite value and gradient (log(tiny)) below."""
    x = as_float(x)
    ok = x > tiny
    return jnp.where(ok, jnp.log(jnp.where(ok, x, 1.0)), jnp.log(tiny))


def safe_sqrt(x):
    """sqrt(x) for x > 0; 0 with zero gradient for x <= 0."""
    x = as_float(x)
    ok = x > 0
    return jnp.where(ok, jnp.sqrt(jnp.where(ok, x, 1.0)), 0.0)


def x_log_x(n):
    """n·ln(n) for n > 0 (derivative ln n + 1); 0 with a finite gradient at n <= 0."""
    n = as_float(n)
    return n * safe_log(n)
