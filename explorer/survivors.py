"""The survivors store: the rows the device kept, on the host, and their exact front.

Rows arrive chunk by chunk (``add``). Their objectives wait, then are merged into a
``ParetoArchive`` (moocore's O(n log n) dimension sweep) whose payload is each row's
number; the columns themselves wait in a ``row_store.RowStore`` and are gathered once, for
the rows of the front (``columns``).
"""

from __future__ import annotations

import numpy as np

from explorer.dominance import dominated_by_table, layout
from explorer.pareto import ParetoArchive
from explorer.row_store import RowStore


def objective_points(rows: dict, objectives: list[str], signs: np.ndarray) -> np.ndarray:
    """The rows' objectives as an (n, m) array, every column minimised, in the rows' dtype (a
    sign flip is exact: float32 rows wait at half the memory of float64)."""
    dtype = np.result_type(*(np.asarray(rows[o]).dtype for o in objectives))
    return np.stack([np.asarray(rows[o]) * dtype.type(s) for o, s in zip(objectives, signs)], axis=1)


class Survivors:
    """The survivors on the host: their columns, in a ``RowStore`` (RAM, then disk beyond its
    budget), and the archive of their objectives, whose payload is each row's number there.

    Only row numbers go through the merges; the columns are gathered once, for the rows
    of the front (``columns``). Merging costs O((archive + new) log ·), so waiting rows are
    merged only when they outnumber twice the archive (total cost O(n log n)). With the
    device's tables (2–3 objectives) merges only bound memory, so they wait for at least
    ``MIN_ROWS_TABLES`` rows; with the sketch, which follows the archive, for ``MIN_ROWS``
    (``min_rows`` overrides either).
    Once the store holds many more rows than the front, a merge keeps the front's rows only.
    ``close`` frees the store (and its folder on disk).
    """

    MIN_ROWS = 1 << 18
    MIN_ROWS_TABLES = 1 << 21

    def __init__(self, archive: ParetoArchive, objectives: list[str], signs: np.ndarray, tables: bool,
                 columns: dict | None = None, min_rows: int | None = None):
        self.archive, self.objectives, self.signs = archive, objectives, signs
        self.min_rows = min_rows or (self.MIN_ROWS_TABLES if tables else self.MIN_ROWS)
        self.store = RowStore()
        self.waiting: list[np.ndarray] = []  # objectives of the rows not merged yet
        if columns is not None:  # a resumed run: the archive's rows, in order
            self.store.append(columns)
            self.archive.payload = {"row": np.arange(len(self.archive))}

    @property
    def rows(self) -> int:
        """How many rows are stored (merged and waiting)."""
        return self.store.rows

    def add(self, rows: dict):
        """Stores an exact stage's survivor rows ({column: array}) to be merged later."""
        n = len(rows[self.objectives[0]])
        if n:
            self.store.append(rows)
            self.waiting.append(objective_points(rows, self.objectives, self.signs))

    def full(self) -> bool:
        """Whether enough rows wait (twice the archive, at least ``min_rows``) to merge them now."""
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
        self.waiting = []
        # in batches no larger than the archive, so a merge holds at most about twice the
        # front's points at once (the front of a union does not depend on the order)
        batch = max(len(self.archive), self.min_rows)
        for lo in range(0, len(points), batch):
            self.archive.update(points[lo:lo + batch], payload={"row": number[lo:lo + batch]})
        if self.rows >= max(4 * len(self.archive), self.min_rows):
            self.store.keep(self._numbers())
            self.archive.payload = {"row": np.arange(len(self.archive))}

    def columns(self) -> dict:
        """The columns of the archive's rows, in the archive's order."""
        return self.store.gather(self._numbers()) if self.rows else {}

    def column_names(self) -> list[str]:
        """The names of ``columns``' arrays (none before the first row)."""
        return list(self.store.dtypes) if self.rows else []

    def column_reader(self):
        """A function ``name -> columns()[name]`` that gathers one column at a time."""
        return self.store.reader(self._numbers())

    def take_columns(self) -> dict:
        """``columns()``, then ``close()``: the archive's points are let go before the columns are
        gathered, so the end of a large run holds the front's objectives and columns only once."""
        number = self._numbers()
        self._empty_archive()
        columns = self.store.gather(number) if self.rows else {}
        self.close()
        return columns

    def close(self):
        """Frees the rows' columns (in RAM and on disk) and empties the archive."""
        self.store.close()
        self._empty_archive()

    def _empty_archive(self):
        self.archive.keep(np.zeros(len(self.archive), bool))
        self.waiting = []

    def __enter__(self) -> Survivors:
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def _numbers(self) -> np.ndarray:
        return self.archive.payload["row"] if self.archive.payload else np.empty(0, np.int64)
