"""Rows on the host, appended part by part and read back by row number, within a memory budget.

A frontier sweep keeps the columns of every row the device returned until the exact merge
decides which of them are on the front (``survivors.Survivors``). On a 10⁹-configuration grid
that is tens of millions of rows of ~30 columns: several GB. This store holds them in RAM up to
``memory_bytes``; beyond that it writes them out, one ``.npy`` file per column, to a temporary
folder (``$TMPDIR``), and reads back through memory maps only the rows asked for. ``close``
removes the folder (the engine calls it whether the run ends or fails).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np

MEMORY_BYTES = 256 << 20  # rows held in RAM before they go to disk


class RowStore:
    """Columns of rows numbered 0, 1, … in the order they were added.

    Segments are dicts of arrays (in RAM) or folders of one ``.npy`` file per column, named by
    the column's position (on disk). Every RAM segment comes after every disk one: once the RAM segments hold more than
    ``memory_bytes`` they are written out together, column by column, as one disk segment.
    """

    def __init__(self, memory_bytes: int | None = None):
        """``memory_bytes``: the RAM budget, bytes (default ``MEMORY_BYTES``, read when the store is made)."""
        self.memory_bytes = MEMORY_BYTES if memory_bytes is None else memory_bytes
        self.dtypes: dict[str, np.dtype] = {}  # the columns, in the order of the first rows added
        self.segments: list[dict | Path] = []
        self.ends: list[int] = []  # the row count after each segment
        self.ram_bytes = 0
        self.folder: Path | None = None  # made on the first write to disk
        self.written = 0  # disk segments made so far (their folders' names)

    @property
    def rows(self) -> int:
        """How many rows the store holds."""
        return self.ends[-1] if self.ends else 0

    def append(self, rows: dict):
        """Adds ``rows`` (equal-length 1-D arrays, the same columns every time) after the rows held."""
        n = len(next(iter(rows.values()))) if rows else 0
        if not n:
            return
        self.dtypes = self.dtypes or {name: np.asarray(v).dtype for name, v in rows.items()}
        self.segments.append(rows)
        self.ends.append(self.rows + n)
        self.ram_bytes += sum(np.asarray(v).nbytes for v in rows.values())
        if self.ram_bytes > self.memory_bytes:
            self._write_ram_segments()

    def gather(self, number: np.ndarray) -> dict:
        """The columns of rows ``number`` (any order), as new arrays in RAM."""
        read = self.reader(number)
        return {name: read(name) for name in self.dtypes}

    def reader(self, number: np.ndarray):
        """A function ``name -> column`` of rows ``number`` (any order), each a new array in RAM:
        the rows are sorted and split by segment once, then every column is read in file order."""
        number = np.asarray(number, dtype=np.int64)
        order = np.argsort(number, kind="stable")
        ordered = number[order]
        starts = np.array([0, *self.ends[:-1]], dtype=np.int64)
        bounds = np.searchsorted(ordered, [*starts, self.rows])
        pieces = [(k, bounds[k], bounds[k + 1]) for k in range(len(self.segments)) if bounds[k] < bounds[k + 1]]
        segments = list(self.segments)

        def read(name: str) -> np.ndarray:
            out = np.empty(len(number), self.dtypes[name])
            for k, lo, hi in pieces:  # each segment's rows read in file order, put where they were asked
                column = self._column(segments[k], name)
                out[order[lo:hi]] = column[ordered[lo:hi] - starts[k]]
                del column  # a memory map is unmapped here, so its pages leave this process
            return out

        return read

    def keep(self, number: np.ndarray):
        """Keeps only rows ``number``, renumbered 0, 1, … in that order. Column by column: when the
        kept rows go to disk, no more than one of their columns is in RAM at a time."""
        number = np.asarray(number, dtype=np.int64)
        to_disk = len(number) * sum(d.itemsize for d in self.dtypes.values()) > self.memory_bytes
        folder = self._new_folder() if to_disk else None
        read, kept = self.reader(number), {}
        for name in self.dtypes:
            column = read(name)
            if to_disk:
                np.save(self._file(folder, name), column)
            else:
                kept[name] = column
        for segment in self.segments:
            if isinstance(segment, Path):
                shutil.rmtree(segment, ignore_errors=True)
        self.segments, self.ends = ([folder if to_disk else kept], [len(number)]) if len(number) else ([], [])
        self.ram_bytes = sum(v.nbytes for v in kept.values())

    def close(self):
        """Drops every row and removes the folder on disk, if any."""
        self.segments, self.ends, self.ram_bytes = [], [], 0
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def _file(self, folder: Path, name: str) -> Path:
        """Column ``name``'s file in a disk segment (named by its position: any column name will do)."""
        return folder / f"{list(self.dtypes).index(name):04d}.npy"

    def _column(self, segment: dict | Path, name: str) -> np.ndarray:
        """Column ``name`` of a segment: its array, or a read-only memory map of its file."""
        return segment[name] if isinstance(segment, dict) else np.load(self._file(segment, name), mmap_mode="r")

    def _new_folder(self) -> Path:
        if self.folder is None:
            self.folder = Path(tempfile.mkdtemp(prefix="explorer-rows-"))
        path = self.folder / f"{self.written:06d}"
        path.mkdir()
        self.written += 1
        return path

    def _write_ram_segments(self):
        """Writes the RAM segments, in order, as one disk segment: each column streamed to its file."""
        first = next(k for k, s in enumerate(self.segments) if isinstance(s, dict))
        ram = self.segments[first:]
        n = self.ends[-1] - (self.ends[first - 1] if first else 0)
        folder = self._new_folder()
        for name, dtype in self.dtypes.items():
            with open(self._file(folder, name), "wb") as fh:
                np.lib.format.write_array_header_2_0(
                    fh, {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False, "shape": (n,)})
                for part in ram:
                    np.ascontiguousarray(part[name], dtype=dtype).tofile(fh)
        self.segments[first:] = [folder]
        self.ends[first:] = [self.ends[-1]]
        self.ram_bytes = 0

