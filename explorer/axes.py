"""Sweep axes: a model input (design variable or numeric parameter) and its range.

An axis is either explicit ``values`` or a range ``low``..``high`` on a
``log`` or ``linear`` scale with a ``count`` for grids; ``integer`` axes are
rounded, to whole multiples of ``multiple_of`` where it is set (device counts that a
parallel layout divides). ``from_unit`` maps uniform numbers in [0, 1) onto the axis so every
sampler shares one mapping.
"""

from __future__ import annotations

import dataclasses

import jax.numpy as jnp
import numpy as np


@dataclasses.dataclass(frozen=True)
class Axis:
    """One swept input.

    Attributes:
      name: design variable or parameter name.
      unit: the model's unit for it.
      values: explicit values (then low/high/scale are ignored), or None.
      low, high: range ends, in ``unit``; low < high.
      scale: "log" or "linear".
      count: grid points along the range.
      integer: round to integers.
      multiple_of: round to whole multiples of this step instead (an integer axis), or None.
    """

    name: str
    unit: str
    values: tuple[float, ...] | None = None
    low: float = 0.0
    high: float = 1.0
    scale: str = "linear"
    count: int = 1
    integer: bool = False
    multiple_of: float | None = None

    @property
    def step(self) -> float:
        """The rounding step of an integer axis: ``multiple_of``, or 1."""
        return self.multiple_of or 1.0

    def round_down(self, x):
        """``x`` (host array) to the grid of steps, downwards, within [low, high]."""
        return self._clip(np.floor(np.asarray(x) / self.step) * self.step)

    def round_up(self, x):
        """``x`` (host array) to the grid of steps, upwards, within [low, high]."""
        return self._clip(np.ceil(np.asarray(x) / self.step) * self.step)

    def _clip(self, x, xp=np):
        q = self.step
        return xp.clip(x, float(np.ceil(self.low / q) * q), float(np.floor(self.high / q) * q))

    def grid_values(self) -> np.ndarray:
        """The values a full grid visits along this axis (sorted, de-duplicated if integer)."""
        if self.values is not None:
            return np.asarray(self.values, dtype=float)
        if self.count == 1:
            grid = np.array([self.low])
        elif self.scale == "log":
            grid = np.geomspace(self.low, self.high, self.count)
        else:
            grid = np.linspace(self.low, self.high, self.count)
        return np.unique(self._clip(np.round(grid / self.step) * self.step)) if self.integer else grid

    def to_unit(self, x):
        """The inverse of ``from_unit`` on a range: values (host array) → u in [0, 1]."""
        x = np.clip(np.asarray(x, float), self.low, self.high)
        if self.scale == "log":
            return np.log(x / self.low) / np.log(self.high / self.low)
        return (x - self.low) / (self.high - self.low)

    def from_unit(self, u, relaxed: bool = False):
        """Maps u in [0, 1) (any shape, traced) onto the axis; ``relaxed`` skips the integer
        rounding (the optimiser descends on the continuous relaxation)."""
        if self.values is not None:
            table = jnp.asarray(self.values, dtype=u.dtype)
            index = jnp.minimum((u * len(self.values)).astype(jnp.int32), len(self.values) - 1)
            return table[index]
        if self.scale == "log":
            lo, hi = float(np.log(self.low)), float(np.log(self.high))  # Python floats: weakly typed
            x = jnp.exp(lo + u * (hi - lo))
        else:
            x = self.low + u * (self.high - self.low)
        if self.integer and not relaxed:
            x = self._clip(jnp.round(x / self.step) * self.step, jnp)
        return x
