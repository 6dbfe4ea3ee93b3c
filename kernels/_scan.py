"""Shared plumbing for the kernels that integrate an ODE with ``lax.scan``."""

import jax.numpy as jnp


def broadcast_schedule(values, start, n_steps, *shapes):
    """Broadcasts a driving input to a per-step schedule of shape (n_steps, *S).

    ``values`` is a schedule when it has more dimensions than ``start`` (its
    leading axis is the step); otherwise it is held constant. The decision is
    made on shapes, so it is static under ``jit``.

    Returns:
      (schedule, state_shape, start broadcast to state_shape).
    """
    start = jnp.asarray(start)
    values = jnp.asarray(values)
    per_step = values if values.ndim > start.ndim else values[None]
    state_shape = jnp.broadcast_shapes(start.shape, per_step.shape[1:], *shapes)
    schedule = jnp.broadcast_to(per_step, (n_steps,) + state_shape)
    start = jnp.broadcast_to(start, state_shape).astype(jnp.result_type(start, schedule))
    return schedule, state_shape, start
