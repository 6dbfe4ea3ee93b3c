"""Which assumption an answer hinges on: elasticities of the objectives to every parameter.

At one configuration, the elasticity of output f to numeric parameter p is

.. math:: e_{f,p} = \\frac{\\partial \\ln f}{\\partial \\ln p} = \\frac{\\partial f}{\\partial p}\\,\\frac{p}{f},

the percentage change of f per percent of p: −1 means "twice the peak FLOP/s, half the
time". It is computed by forward-mode autodiff (``jax.jacfwd``) through the model in float64,
for every positive, non-integer numeric parameter (hardware, workload, prices), so it is
exact to rounding (tests compare it with central finite differences).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from explorer.evaluation import check_design, parse_params
from explorer.models import get_model, resolve_params
from explorer.models.params import split_choices


def default_outputs(model) -> list[str]:
    """The outputs a planner ranks by: the model's objectives (outputs with a direction, no margins)."""
    return [o.name for o in model.outputs if o.direction and o.kind == "objective"]


def elasticities(design: Mapping | None = None, model="llm_training", params=None,
                 outputs=None, envelope: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Elasticities of ``outputs`` to every positive, non-integer numeric parameter, at one
    configuration.

    Args:
      design: one configuration (design variable → value, units allowed as in ``evaluate``);
        variables left out take their defaults.
      model: a registered model name or a Model.
      params: presets and overrides, as in ``evaluate``.
      outputs: the outputs to differentiate (default: the model's objectives).
      envelope: at a constrained optimum of the first output, the multipliers of its active
        constraints (output → λ in the first output's unit per unit of that output: the
        ``shadow[...]`` prices). The first output's row is then the elasticity of the optimal
        value, d ln f*/d ln p = (∂f/∂p + Σ λ·∂h/∂p)·p/f (the envelope theorem), not the change
        at a fixed design.

    Returns:
      One row per parameter (index: its name; column ``unit``), one column per output, rows
      ordered by the largest |elasticity| across the outputs.
    """
    import jax
    import jax.numpy as jnp

    model = get_model(model)
    presets, overrides = parse_params(model, params)
    resolved = resolve_params(model, presets, overrides)
    numeric, choices = split_choices(model, resolved)
    values = model.design_defaults(resolved)
    for name, value in check_design(model, design or {}, values).items():
        if np.size(value) != 1:
            raise ValueError(f"elasticities: one configuration at a time ({name} has {np.size(value)} values)")
        values[name] = float(np.ravel(value)[0])
    outputs = list(outputs or default_outputs(model))
    envelope = dict(envelope or {})
    terms = [o for o in envelope if o not in outputs]
    integers = set(model.integers)
    placing = set(model.phases.sets) if model.phases else set()  # where a phase sits: not an assumption
    free = [k for k, v in numeric.items() if k not in integers | placing and float(v) > 0.0]
    with jax.enable_x64(True):
        design_x = {k: jnp.float64(v) for k, v in values.items()}
        fixed = {k: jnp.float64(v) for k, v in numeric.items() if k not in free}

        def raw_outputs(log_p):
            p = {**fixed, **{k: jnp.exp(log_p[i]) for i, k in enumerate(free)}, **choices}
            out = model.fn(design_x, p)
            return jnp.stack([jnp.asarray(out[o], jnp.float64) for o in outputs + terms])

        log_p = jnp.log(jnp.asarray([float(numeric[k]) for k in free], jnp.float64))
        value = np.asarray(raw_outputs(log_p))
        slopes = np.array(jax.jacfwd(raw_outputs)(log_p))  # d output / d ln p: outputs × parameters
    names = outputs + terms
    if envelope and outputs:
        slopes[0] = slopes[0] + sum(weight * slopes[names.index(o)] for o, weight in envelope.items())
    with np.errstate(divide="ignore", invalid="ignore"):
        jacobian = slopes[: len(outputs)] / value[: len(outputs), None]
    frame = pd.DataFrame(jacobian.T, index=pd.Index(free, name="parameter"), columns=outputs)
    frame = frame.replace([np.inf, -np.inf], np.nan).fillna(0.0)
    frame = frame.iloc[np.argsort(-frame.abs().max(axis=1).to_numpy(), kind="stable")]
    frame.insert(0, "unit", [model.param(k).unit for k in frame.index])
    frame.attrs["configuration"] = values
    return frame
