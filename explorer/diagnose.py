"""Why a sweep found nothing: which constraint rejects most configurations, and by how much.

``why_empty(plan)`` evaluates up to 65,536 configurations spread over the sweep (all of them
for a smaller sweep; else Kronecker positions, or the first chunk's for a sampler without
random access) with the same
model and constraints, and ranks the constraints by the share of those configurations each
one rejects. It runs only when a sweep's front came out empty, so it costs nothing otherwise.
"""

from __future__ import annotations

import numpy as np

from explorer.device_programs import host_inputs

SAMPLE = 1 << 16


def why_empty(plan) -> str:
    """One line: the constraints that reject most of a sample of the sweep (empty: none)."""
    import jax
    import jax.numpy as jnp

    s = plan.structure
    dtype = jnp.dtype(s.dtype)
    span = min(plan.total, 2**31 - 1) if plan.sampler.random_access else int(plan.n_valid(0))
    n = min(SAMPLE, span)
    golden = (np.sqrt(5.0) - 1.0) / 2.0
    if n == span:  # the whole sweep fits the sample
        positions = np.arange(n, dtype=np.int32)
    else:
        positions = (np.mod((np.arange(n) + 0.5) * golden, 1.0) * span).astype(np.int64).astype(np.int32)
    inputs = host_inputs(plan, 0)
    fixed = {k: jnp.asarray(v, dtype) for k, v in plan.fixed}

    @jax.jit
    def constraints(inputs, j):
        out = s.evaluate(plan.sampler.values_at(inputs, j, dtype), fixed)
        return s.constraint_values(out, jnp.asarray(plan.bound_values, dtype))

    g = np.asarray(constraints(inputs, jnp.asarray(positions)))
    g = np.broadcast_to(g, (n, s.n_constraints))
    names = list(s.margins) + [f"{o} {op} {v:g}" for (o, op), v in zip(s.bounds, plan.bound_values)]
    rejected = [(float(np.mean(~(g[:, k] <= 0))), k) for k in range(len(names))]
    rejected = sorted((share, k) for share, k in rejected if share > 0)[::-1]
    if not rejected:
        return ""
    parts = []
    for share, k in rejected[:3]:
        violating = g[:, k][g[:, k] > 0]
        median = float(np.median(violating)) if len(violating) else float("nan")
        kind = "relative excess" if k >= len(s.margins) else "margin"
        parts.append(f"{names[k]} rejects {100 * share:.0f}% (median {kind} {median:.3g})")
    return f"no feasible configuration in a sample of {n:,}: " + "; ".join(parts)
