"""The optimiser's settings: the ``[optimize]`` table of a spec, validated, and the weight
vectors of a traced front (docs/optimize.md)."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np

from explorer.errors import ExplorerError

SCALARIZATIONS = ("weighted_sum", "chebyshev", "epsilon")
SOLVERS = ("adam", "lbfgs")
CHEBYSHEV_RHO = 1e-3  # augmentation: keeps weakly dominated points off the front
CHEBYSHEV_TAU = 1e-3  # smoothing of the max, in normalised objective units


@dataclasses.dataclass(frozen=True)
class OptimizeSettings:
    """The ``[optimize]`` table.

    Attributes:
      scalarization: weighted_sum | chebyshev | epsilon (for 2+ objectives).
      weights: explicit weight vectors, or None to spread ``n_weights`` over the simplex.
      n_weights: weight vectors (or ε levels) when ``weights`` is None.
      starts: starts per weight (scrambled Sobol' in the box).
      outer: augmented-Lagrangian iterations.
      inner: inner solver steps per outer iteration.
      solver: adam | lbfgs.
      learning_rate: Adam step size (in the reparametrised space).
      tolerance: largest constraint violation counted as feasible.
      kkt_tolerance: largest relative stationarity residual counted as converged.
      seed: seed of the starts.
    """

    scalarization: str = "chebyshev"
    weights: tuple[tuple[float, ...], ...] | None = None
    n_weights: int = 16
    starts: int = 32
    outer: int = 12
    inner: int = 150
    solver: str = "adam"
    learning_rate: float = 0.05
    tolerance: float = 1e-4
    kkt_tolerance: float = 1e-2
    seed: int = 0


def parse_settings(raw: dict, n_objectives: int) -> OptimizeSettings:
    """The validated ``[optimize]`` table of a spec dict (one ExplorerError line per mistake)."""
    table = raw.get("optimize", {})
    if not isinstance(table, dict):
        raise ExplorerError("optimize must be a table")
    fields = {f.name: f for f in dataclasses.fields(OptimizeSettings)}
    for key in table:
        if key not in fields:
            raise ExplorerError(f"unknown key optimize.{key} (allowed: {', '.join(sorted(fields))})")
    values = dict(table)
    if values.get("scalarization", "chebyshev") not in SCALARIZATIONS:
        raise ExplorerError(f"optimize.scalarization must be one of {', '.join(SCALARIZATIONS)}, "
                            f"got {values['scalarization']!r}")
    if values.get("solver", "adam") not in SOLVERS:
        raise ExplorerError(f"optimize.solver must be one of {', '.join(SOLVERS)}, got {values['solver']!r}")
    for key in ("n_weights", "starts", "outer", "inner", "seed"):
        if key in values and (isinstance(values[key], bool) or not isinstance(values[key], int)
                              or values[key] < (0 if key == "seed" else 1)):
            raise ExplorerError(f"optimize.{key} must be a positive integer, got {values[key]!r}")
    for key in ("learning_rate", "tolerance", "kkt_tolerance"):
        if key in values and (not isinstance(values[key], (int, float)) or values[key] <= 0):
            raise ExplorerError(f"optimize.{key} must be a positive number, got {values[key]!r}")
    if "weights" in values:
        w = values["weights"]
        if (not isinstance(w, list) or not w or not all(isinstance(r, list) and len(r) == n_objectives for r in w)
                or any((not isinstance(x, (int, float))) or x < 0 for r in w for x in r)
                or any(sum(r) <= 0 for r in w)):
            raise ExplorerError(f"optimize.weights must be a list of non-negative weight lists of length "
                                f"{n_objectives} (one per objective), each with a positive sum")
        values["weights"] = tuple(tuple(float(x) for x in r) for r in w)
    return OptimizeSettings(**values)


def simplex_weights(m: int, n: int) -> np.ndarray:
    """About ``n`` weight vectors spread over the (m−1)-simplex, extremes included."""
    if m == 1:
        return np.ones((1, 1))
    h = 1
    while _count(m, h + 1) <= n:
        h += 1
    grid = [c for c in itertools.product(range(h + 1), repeat=m) if sum(c) == h]
    return np.asarray(grid, float) / h


def _count(m, h):
    from math import comb

    return comb(h + m - 1, m - 1)
