"""A sweep's files beside its output: the checkpoint of a stopped run and the parts of a
feasible/all run. Every write is atomic (``io.atomic_path``)."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from explorer import io
from explorer.errors import ExplorerError
from explorer.pareto import ParetoArchive
from explorer.survivors import Survivors
from explorer.sweep_plan import describe_change


FORMAT = 2  # the checkpoint's layout; a checkpoint of another format is not resumed


def _checksum(arrays: dict) -> str:
    """SHA-256 over every array's name, dtype, shape and bytes, in name order."""
    h = hashlib.sha256()
    for name in sorted(arrays):
        _hash_array(h, name, arrays[name])
    return h.hexdigest()


def _hash_array(h, name: str, array: np.ndarray):
    a = np.ascontiguousarray(array)
    h.update(f"{name}|{a.dtype.str}|{a.shape}|".encode())
    h.update(a.reshape(-1).view(np.uint8))  # the bytes, without a copy


class Checkpoint:
    """The state of a run at a chunk boundary, saved atomically beside the output: a
    versioned, checksummed ``.npz`` of plain arrays (loaded with ``allow_pickle=False``)."""

    def __init__(self, out: Path, key: dict):
        """``key``: what determines the run's result (``SweepPlan.digest_key``)."""
        self.path = out.with_name(out.name + ".checkpoint.npz")
        self.key = json.loads(json.dumps(key, sort_keys=True, default=repr))

    def save(self, state: dict, survivors: Survivors):
        """Saves the state and the front so far (``survivors`` just merged). The front's columns
        are gathered and written one at a time, so a front of 10⁷ rows is never whole in RAM
        twice; the file is what ``np.savez`` writes (an uncompressed zip of ``.npy`` entries)."""
        small = {"points": survivors.archive.points, "key": np.array(json.dumps(self.key, sort_keys=True)),
                 "format": np.array(FORMAT),
                 "state": np.array([state["next_chunk"], state["evaluated"], state["feasible"]])}
        names = sorted([f"payload__{c}" for c in survivors.column_names()] + list(small))
        read, h = survivors.column_reader(), hashlib.sha256()
        with io.atomic_path(self.path) as tmp, \
                zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
            for name in names + ["checksum"]:
                if name == "checksum":
                    array = np.array(h.hexdigest())
                else:
                    array = small[name] if name in small else read(name[len("payload__"):])
                    _hash_array(h, name, array)
                with archive.open(f"{name}.npy", "w", force_zip64=True) as fh:
                    np.lib.format.write_array(fh, np.asanyarray(array), allow_pickle=False)
                del array

    def load(self, archive: ParetoArchive) -> tuple[dict, dict] | None:
        """Puts the saved front in ``archive``; returns the state and the front's columns."""
        if not self.path.is_file():
            return None
        corrupt = f"checkpoint {str(self.path)!r} is corrupt; delete it or run without --resume"
        try:
            with np.load(self.path, allow_pickle=False) as data:
                arrays = {k: data[k] for k in data.files}
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            raise ExplorerError(corrupt) from None
        checksum = str(arrays.pop("checksum", ""))
        if not checksum or checksum != _checksum(arrays):
            raise ExplorerError(corrupt)
        if int(arrays["format"]) != FORMAT:
            raise ExplorerError(f"checkpoint {str(self.path)!r} has format {int(arrays['format'])}, this explorer "
                                f"writes {FORMAT}; delete it or run without --resume")
        saved = json.loads(str(arrays["key"]))
        if saved != self.key:
            raise ExplorerError(f"checkpoint {str(self.path)!r} was made by a different spec, preset or chunk size "
                                f"({describe_change(saved, self.key)}); delete it or run without --resume")
        archive.points = arrays["points"]
        columns = {k[len("payload__"):]: v for k, v in arrays.items() if k.startswith("payload__")}
        next_chunk, evaluated, feasible = (int(x) for x in arrays["state"])
        return {"next_chunk": next_chunk, "evaluated": evaluated, "feasible": feasible}, columns

    def exists(self) -> bool:
        """True if a checkpoint file is there."""
        return self.path.is_file()

    def remove(self):
        """Deletes the checkpoint (a finished run needs none)."""
        self.path.unlink(missing_ok=True)


class ChunkParts:
    """Per-chunk Parquet parts of a feasible/all run, combined into one file at the end."""

    def __init__(self, out: Path):
        self.dir = out.with_name(out.name + ".parts")

    def keep_before(self, next_chunk: int):
        """Deletes the parts of chunks from ``next_chunk`` on (a resumed run redoes them)."""
        if self.dir.is_dir():
            for part in self.dir.glob("part-*.parquet"):
                if int(part.stem.split("-")[1]) >= next_chunk:
                    part.unlink()
        self.dir.mkdir(parents=True, exist_ok=True)

    def remove(self):
        """Deletes the parts (a run that failed with no checkpoint to resume from)."""
        shutil.rmtree(self.dir, ignore_errors=True)

    def write(self, chunk: int, frame: pd.DataFrame):
        """Writes chunk ``chunk``'s rows as its part, atomically."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        with io.atomic_path(self.dir / f"part-{chunk:09d}.parquet") as tmp:
            pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp)

    def combine(self, out: Path, metadata: dict, constants: dict):
        """Writes the parts, in chunk order, as one Parquet file at ``out`` (atomically), with
        ``metadata`` and the ``constants`` columns, then deletes the parts."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        parts = sorted(self.dir.glob("part-*.parquet"))
        with io.atomic_path(out) as tmp:
            writer = None
            for part in parts:
                table = pq.read_table(part)
                for k, v in constants.items():
                    table = table.append_column(k, pa.array(np.full(len(table), v)))
                table = io.annotated(table, metadata)
                if writer is None:
                    writer = pq.ParquetWriter(tmp, io.schema_with_metadata(table.schema, metadata))
                writer.write_table(table.cast(writer.schema))
            if writer is not None:
                writer.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class RunLock:
    """An exclusive lock on an output path for the length of a run (``OUT.lock`` beside it):
    a second run writing the same path fails at once with one line naming the holder (pid,
    host, start time), instead of sharing its checkpoint and parts. The lock is the kernel's
    (``flock``), so a killed run holds none; the file it leaves is taken over with a warning."""

    def __init__(self, out: Path):
        self.path = out.with_name(out.name + ".lock")
        self.fd: int | None = None

    def __enter__(self) -> RunLock:
        import datetime
        import fcntl
        import os
        import socket
        import sys

        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "another process"
                os.close(fd)
                raise ExplorerError(f"another run is writing {str(self.path.with_suffix(''))!r} ({holder}); wait "
                                    "for it or choose another --out") from None
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:  # not a lock file that its last holder removed as we opened it
                break
            os.close(fd)
        left = os.pread(fd, 200, 0).decode(errors="replace").strip()
        if left:
            print(f"explorer: warning: took over the lock of a run that stopped without releasing it ({left})",
                  file=sys.stderr)
        started = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()}, started {started}".encode(), 0)
        self.fd = fd
        return self

    def __exit__(self, *exc):
        import os

        self.path.unlink(missing_ok=True)
        os.close(self.fd)
        return False
