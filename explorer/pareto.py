"""Exact Pareto filtering, a streaming archive, hypervolume, knee and seed 000 §6.3's
operating points.

Dominance: a dominates b when a is no worse in every objective and strictly
better in at least one. Equal rows do not dominate each other, so every copy
of a front point is kept. Rows with a NaN or infinite value are never on the
front. The exact filter is moocore's dimension sweep (Kung, Luccio & Preparata
1975): O(n log n) for 2 and 3 objectives, O(n log^(m−2) n) above.
"""

from __future__ import annotations

from collections.abc import Sequence

import moocore
import numpy as np


def _as_minimised(points, maximize) -> np.ndarray:
    """Points as float64, columns to maximise negated, so every column is minimised."""
    pts = np.asarray(points, dtype=float)
    if pts.ndim != 2:
        raise ValueError(f"points must be a 2-D array (rows × objectives), got shape {pts.shape}")
    flip = _maximize_mask(maximize, pts.shape[1])
    return np.where(flip, -pts, pts) if flip.any() else pts  # no copy when nothing is maximised


def _maximize_mask(maximize, m: int) -> np.ndarray:
    if maximize is None or maximize is False:
        return np.zeros(m, dtype=bool)
    if maximize is True:
        return np.ones(m, dtype=bool)
    mask = np.asarray(maximize, dtype=bool)
    if mask.shape != (m,):
        raise ValueError(f"maximize must have one entry per objective ({m}), got {mask.shape}")
    return mask


def is_nondominated(points, maximize: bool | Sequence[bool] | None = None) -> np.ndarray:
    """Boolean mask of the rows of ``points`` that no other row dominates.

    Args:
      points: (n, m) array, one row per point, one column per objective.
      maximize: None (minimise all), a bool for all columns, or one bool per column.

    Returns:
      (n,) bool array. Duplicates of a non-dominated row are all True; rows with
      NaN or ±inf are False.
    """
    pts = _as_minimised(points, maximize)
    mask = np.zeros(len(pts), dtype=bool)
    finite = np.all(np.isfinite(pts), axis=1)
    if finite.all():  # no copy of the points (a merge at 10⁹ configurations holds tens of millions)
        mask[:] = moocore.is_nondominated(pts, keep_weakly=True)
    elif finite.any():
        mask[finite] = moocore.is_nondominated(pts[finite], keep_weakly=True)
    return mask


class ParetoArchive:
    """The exact front of everything passed to ``update``, kept incrementally.

    Uses front(A ∪ B) = front(front(A) ∪ B): each update filters the current
    front together with the new rows. Rows carry an arbitrary payload (e.g.
    their whole configuration) alongside the objective values.
    """

    def __init__(self, n_objectives: int, maximize=None):
        self._flip = _maximize_mask(maximize, n_objectives)
        self.points = np.empty((0, n_objectives))
        self.payload: dict[str, np.ndarray] | None = None

    def update(self, points, payload: dict[str, np.ndarray] | None = None) -> int:
        """Merges rows into the archive; returns how many of them are on the new front."""
        pts = np.asarray(points, dtype=float)
        if len(pts) == 0:
            return 0
        if len(self.points) and (payload is None) != (self.payload is None):
            raise ValueError("ParetoArchive.update: pass a payload with every update or with none")
        merged = np.concatenate([self.points, pts])
        mask = is_nondominated(merged, self._flip)
        self.points = merged[mask]
        if payload is not None:
            if self.payload is None:
                self.payload = {k: np.asarray(v)[:0] for k, v in payload.items()}
            self.payload = {k: np.concatenate([self.payload[k], np.asarray(payload[k])])[mask]
                            for k in self.payload}
        return int(mask[len(merged) - len(pts):].sum())

    def keep(self, mask) -> None:
        """Keeps only the rows where ``mask`` is true: for a caller that knows the others are
        dominated by rows it has passed or will pass to ``update``."""
        mask = np.asarray(mask, dtype=bool)
        self.points = self.points[mask]
        if self.payload is not None:
            self.payload = {k: v[mask] for k, v in self.payload.items()}

    def __len__(self) -> int:
        return len(self.points)


def hypervolume(points, reference, maximize=None) -> float:
    """Exact hypervolume dominated by ``points`` and bounded by ``reference``.

    Args:
      points: (n, m) array; rows that do not strictly dominate the reference add nothing.
      reference: (m,) reference point (the worst corner).
      maximize: as in ``is_nondominated``.

    Returns:
      The volume, in the product of the objectives' units.
    """
    pts = _as_minimised(points, maximize)
    ref = np.where(_maximize_mask(maximize, pts.shape[1]), -np.asarray(reference, float),
                   np.asarray(reference, float))
    pts = pts[np.all(np.isfinite(pts), axis=1) & np.all(pts < ref, axis=1)]
    if len(pts) == 0:
        return 0.0
    return float(moocore.hypervolume(pts, ref=ref))


def knee_point(points, maximize=None) -> int:
    """Index of the knee: the front point farthest from the hyperplane through the
    extreme points, after scaling every objective to [0, 1] over the front (for two
    objectives, the point farthest below the chord between the two ends). Dominated
    and non-finite rows are ignored.

    Returns:
      Row index into ``points`` (-1 if no finite row).
    """
    pts = _as_minimised(points, maximize)
    finite = np.flatnonzero(is_nondominated(pts))
    if len(finite) == 0:
        return -1
    p = pts[finite]
    lo, hi = p.min(axis=0), p.max(axis=0)
    scaled = (p - lo) / np.where(hi > lo, hi - lo, 1.0)
    # the hyperplane through the ideal-axis extremes of the unit simplex: Σx = 1
    distance = 1.0 - scaled.sum(axis=1)
    return int(finite[int(np.argmax(distance))])


def operating_points(frame, time="time_s", energy="energy_j", quality="final_loss") -> dict[str, int]:
    """Seed 000 §6.3's three operating points, picked from a front.

    speed-optimised: least time; efficiency-optimised: least energy;
    quality-optimised: least loss. Ties go to the better value of the next
    objective (time → energy → loss → time), so each pick is itself on the front.

    Returns:
      {"speed" | "efficiency" | "quality": row position}, for columns present.
    """
    order = {"speed": (time, energy, quality), "efficiency": (energy, quality, time),
             "quality": (quality, time, energy)}
    picks = {}
    for name, cols in order.items():
        if cols[0] not in frame:
            continue  # no pick without its own column
        keys = [np.asarray(frame[c], float) for c in reversed(cols) if c in frame]
        picks[name] = int(np.lexsort(keys)[0])
    return picks
