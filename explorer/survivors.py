"""The survivors store: the rows the device kept, on the host, and their exact front.

Rows arrive chunk by chunk (``add``). Their objectives wait, then are merged into a
``ParetoArchive`` (moocore's O(n log n) dimension sweep) whose payload is each row's
number; the columns themselves are gathered once, for the rows of the front
(``columns``).
"""

from __future__ import annotations

import numpy as np

from explorer.dominance import dominated_by_table, layout
from explorer.pareto import ParetoArchive


def objective_points(rows: dict, objectives: list[str], signs: np.ndarray) -> np.ndarray:
    """The rows' objectives as an (n, m) array, every column minimised."""
    return np.stack([np.asarray(rows[o]) * s for o, s in zip(objectives, signs)], axis=1)


class Survivors:
    """The survivors on the host: their columns, kept in the parts they came in, and the
    archive of their objectives, whose payload is each row's number in those parts.

    Only row numbers go through the merges; the columns are gathered once, for the rows
    of the front (``columns``). Merging costs O((archive + new) log ·), so waiting rows are
    merged only when they outnumber twice the archive (total cost O(n log n)). With the
    device's tables (2–3 objectives) merges only bound memory, so they wait for at least
    ``MIN_ROWS_TABLES`` rows; with the sketch, which follows the archive, for ``MIN_ROWS``
    (``min_rows`` overrides either).
    Once the parts hold many more rows than the front, a merge gathers the front's rows
    into one part and lets the rest go.
    """

    MIN_ROWS = 1 << 18
    MIN_ROWS_TABLES = 1 << 21

    def __init__(self, archive: ParetoArchive, objectives: list[str], signs: np.ndarray, tables: bool,
                 columns: dict | None = None, min_rows: int | None = None):
        self.archive, self.objectives, self.signs = archive, objectives, signs
        self.min_rows = min_rows or (self.MIN_ROWS_TABLES if tables else self.MIN_ROWS)
        self.parts: list[dict] = []
        self.ends: list[int] = []  # the row count after each part
        self.waiting: list[np.ndarray] = []  # objectives of the rows not merged yet
        if columns is not None:  # a resumed run: the archive's rows, in order
            self._restart(columns)

    @property
    def rows(self) -> int:
        return self.ends[-1] if self.ends else 0

    def add(self, rows: dict):
        n = len(rows[self.objectives[0]])
        if n:
            self.parts.append(rows)
            self.ends.append(self.rows + n)
            self.waiting.append(objective_points(rows, self.objectives, self.signs))

    def full(self) -> bool:
        return sum(map(len, self.waiting)) >= max(2 * len(self.archive), self.min_rows)

    def merge(self, grid: dict | None = None):
        """Merges the waiting rows. Rows (waiting or archived) that ``grid``'s tables dominate,
        if given, are dropped first: the tables hold only configurations of the sweep."""
        if not self.waiting:
            return
        points = np.concatenate(self.waiting)
        number = np.arange(self.rows - len(points), self.rows)
        if grid is not None and layout(points.shape[1]):
            host = {k: np.asarray(v) for k, v in grid.items()}
            dtype = host["tables"].dtype
            keep = ~dominated_by_table(points.astype(dtype), host, xp=np)
            points, number = points[keep], number[keep]
            self.archive.keep(~dominated_by_table(self.archive.points.astype(dtype), host, xp=np))
        self.archive.update(points, payload={"row": number})
        self.waiting = []
        if self.rows >= max(4 * len(self.archive), self.min_rows):
            self._restart(self.columns())

    def columns(self) -> dict:
        """The columns of the archive's rows, in the archive's order."""
        if not self.parts:
            return {}
        number = self.archive.payload["row"] if self.archive.payload else np.empty(0, np.int64)
        part = np.searchsorted(self.ends, number, side="right")
        out = {c: np.empty(len(number), v.dtype) for c, v in self.parts[0].items()}
        for k in np.unique(part):
            pick = part == k
            local = number[pick] - (self.ends[k - 1] if k else 0)
            for c, v in self.parts[k].items():
                out[c][pick] = v[local]
        return out

    def _restart(self, columns: dict):
        """One part: ``columns``, the archive's rows in order."""
        n = len(self.archive)
        self.parts, self.ends = ([columns], [n]) if columns else ([], [])
        self.archive.payload = {"row": np.arange(n)}
