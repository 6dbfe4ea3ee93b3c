"""One resolved problem: model, parameters, free inputs, objectives, constraints, units.

Built once from a sweep spec (``Problem.from_spec``) and shared by the sweep engine, the
optimiser, the bench and the report's metadata. It has two halves:

- ``Structure``: everything a compiled program bakes in (the model, which inputs are free
  and how they are mapped, the objectives and their signs, the margins and bound
  operators, the choice parameters, the dtype). It is a frozen dataclass whose fields are
  all hashable, so the generated ``__hash__``/``__eq__`` cover every field: compiled
  programs are cached on it (``functools.lru_cache``, or ``jax.jit`` static arguments)
  with no hand-written key that a new field could be left out of.
- the values: fixed inputs (parameters and design variables that are not free) and bound
  values. They are traced arguments, so problems that differ only in numbers share one
  compilation.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np

from explorer.axes import Axis
from explorer.models.base import Model
from explorer.models.params import split_choices


@dataclasses.dataclass(frozen=True)
class Structure:
    """The static part of a problem (hashable; see the module docstring).

    Attributes:
      model: the model (hashed by identity).
      free: the free inputs (sweep axes or optimiser variables), design variables or
        numeric parameters.
      fixed: names of the inputs that are not free, design variables and numeric parameters.
      choices: the choice parameters, (name, value) pairs, fixed before tracing.
      objectives: output names, in order.
      maximize: per objective, True if larger is better.
      margins: margin outputs that must be ≤ 0.
      bounds: (output, "<=" or ">=") per bound; the values are traced.
      dtype: "float32" or "float64".
    """

    model: Model
    free: tuple[Axis, ...]
    fixed: tuple[str, ...]
    choices: tuple[tuple[str, str], ...]
    objectives: tuple[str, ...]
    maximize: tuple[bool, ...]
    margins: tuple[str, ...]
    bounds: tuple[tuple[str, str], ...]
    dtype: str

    @property
    def signs(self) -> np.ndarray:
        """+1 for a minimised objective, −1 for a maximised one (objectives × sign are minimised)."""
        return np.array([-1.0 if mx else 1.0 for mx in self.maximize])

    @property
    def free_names(self) -> tuple[str, ...]:
        """Names of the free inputs, in order."""
        return tuple(a.name for a in self.free)

    @property
    def n_constraints(self) -> int:
        """Rows of ``constraint_values``: one per margin and per bound."""
        return len(self.margins) + len(self.bounds)

    @property
    def units(self) -> dict[str, str]:
        """Units of the model's design variables, free parameters and outputs."""
        model = self.model
        names = (*model.design_names, *(n for n in self.free_names if n in model.param_names), *model.output_names)
        return {n: model.units[n] for n in names}

    def inputs(self, free: Mapping, fixed: Mapping) -> tuple[dict, dict]:
        """(design, params) for the model from free and fixed input values (dicts of arrays)."""
        values = {**fixed, **free}
        design = {n: values[n] for n in self.model.design_names}
        params = {k: v for k, v in values.items() if k in self.model.param_names}
        return design, {**params, **dict(self.choices)}

    def evaluate(self, free: Mapping, fixed: Mapping) -> dict:
        """Every model output at the free and fixed input values (traceable)."""
        return self.model.fn(*self.inputs(free, fixed))

    def objective_values(self, out: Mapping):
        """The objectives, signed so that each is minimised, stacked on the last axis (traceable)."""
        import jax.numpy as jnp

        columns = [out[o] * s for o, s in zip(self.objectives, self.signs)]
        return jnp.stack(jnp.broadcast_arrays(*columns), axis=-1)  # an output no input moves is a scalar

    def constraint_values(self, out: Mapping, bound_values):
        """g ≤ 0 per constraint, stacked on the last axis: margins as they are, bounds relative to
        their value (traceable)."""
        import jax.numpy as jnp

        gs = [out[m] for m in self.margins]
        for k, (output, op) in enumerate(self.bounds):
            value = bound_values[k]
            scale = jnp.where(value != 0, jnp.abs(value), 1.0)
            gs.append((out[output] - value) / scale if op == "<=" else (value - out[output]) / scale)
        if not gs:
            return jnp.zeros(jnp.shape(out[self.objectives[0]]) + (0,))
        return jnp.stack(jnp.broadcast_arrays(*gs), axis=-1)

    def feasible(self, out: Mapping, bound_values, slack: float = 0.0, xp=None):
        """Every margin ≤ 0 and every bound met, each relaxed by ``slack`` (relative; absolute
        near 0). Traceable; ``xp=numpy`` computes it on NumPy arrays (the bench's reference)."""
        import jax.numpy as jnp

        xp = jnp if xp is None else xp
        ok = True
        for name in self.margins:
            x = out[name]
            ok = ok & (x <= slack * (xp.abs(x) + 1.0))
        for k, (output, op) in enumerate(self.bounds):
            x, value = out[output], bound_values[k]
            tol = slack * (xp.abs(x) + abs(value) + 1.0)
            ok = ok & ((x <= value + tol) if op == "<=" else (x >= value - tol))
        return ok


@dataclasses.dataclass(frozen=True)
class Problem:
    """A resolved problem: its ``structure`` and the values its programs are called with.

    Attributes:
      structure: the static part.
      fixed: value of every input that is not free (parameters and design defaults).
      bound_values: one value per bound, in the output's unit.
      params: every resolved parameter (for metadata).
    """

    structure: Structure
    fixed: Mapping[str, float]
    bound_values: tuple[float, ...]
    params: Mapping[str, float | str]

    @classmethod
    def from_spec(cls, spec, free: tuple[Axis, ...] | None = None) -> Problem:
        """The problem of a SweepSpec: its axes free (or ``free``), everything else fixed."""
        model = spec.model
        free = tuple(spec.axes if free is None else free)
        free_names = {a.name for a in free}
        numeric, choices = split_choices(model, spec.params)
        fixed = {k: float(v) for k, v in numeric.items() if k not in free_names}
        fixed |= {k: v for k, v in model.design_defaults(spec.params).items() if k not in free_names}
        structure = Structure(
            model=model, free=free, fixed=tuple(sorted(fixed)), choices=tuple(sorted(choices.items())),
            objectives=tuple(name for name, _ in spec.objectives),
            maximize=tuple(bool(mx) for _, mx in spec.objectives), margins=tuple(spec.margins),
            bounds=tuple((b.output, b.op) for b in spec.bounds), dtype=spec.dtype)
        return cls(structure, fixed, tuple(float(b.value) for b in spec.bounds), dict(spec.params))

    @classmethod
    def for_model(cls, model: Model, params: Mapping[str, float | str], dtype: str = "float32") -> Problem:
        """The problem of evaluating ``model`` at given parameters: nothing free, no objective or
        constraint; every design variable and numeric parameter fixed (callers pass arrays for the
        inputs they vary as ``free`` values of ``structure.evaluate``)."""
        numeric, choices = split_choices(model, params)
        fixed = {k: float(v) for k, v in numeric.items()} | model.design_defaults(params)
        structure = Structure(model=model, free=(), fixed=tuple(sorted(fixed)), choices=tuple(sorted(choices.items())),
                              objectives=(), maximize=(), margins=(), bounds=(), dtype=dtype)
        return cls(structure, fixed, (), dict(params))

    @property
    def constraint_names(self) -> tuple[str, ...]:
        """One name per row of ``constraint_values``: the margin, or the bound as written."""
        bounds = (f"{o} {op} {v:g}" for (o, op), v in zip(self.structure.bounds, self.bound_values))
        return self.structure.margins + tuple(bounds)

    @property
    def units(self) -> dict[str, str]:
        """Units of the model's design variables, free parameters and outputs."""
        return self.structure.units

    def fixed_arrays(self, dtype):
        """The fixed values as arrays of ``dtype`` (the traced arguments)."""
        import jax.numpy as jnp

        return {k: jnp.asarray(v, dtype) for k, v in self.fixed.items()}
