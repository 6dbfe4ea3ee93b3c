"""What a sweep writes: its result frame (sorted, constants added) and its metadata.

Shared by the single-process engine and the Ray driver, so both write the same file.
"""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path

import numpy as np
import pandas as pd


@dataclasses.dataclass
class SweepResult:
    """What a sweep produced.

    Attributes:
      frame: the Pareto frontier (feasible, non-dominated rows), sorted.
      path: the Parquet file (or, for a Ray feasible/all run, dataset folder) written; None
        for ``write=False``.
      evaluated, feasible, on_front: counts of configurations.
      compile_s, run_s: seconds spent compiling and streaming.
      devices: local devices used (per process), workers: Ray tasks run in parallel (1: none).
      evaluated_before: configurations a resumed run found done (not counted in its rate).
      empty_reason: when the front is empty, which constraints rejected the most (``diagnose``).
      rows: a ``write=False`` feasible/all run's rows (what its file would hold), else None.
    """

    frame: pd.DataFrame
    path: Path | None
    evaluated: int
    feasible: int
    on_front: int
    compile_s: float
    run_s: float
    devices: int = 1
    workers: int = 1
    evaluated_before: int = 0
    empty_reason: str = ""
    rows: pd.DataFrame | None = None

    @property
    def configs_per_s(self) -> float:
        """Configurations evaluated by this run per second of streaming (compilation excluded)."""
        done = self.evaluated - self.evaluated_before
        return done / self.run_s if self.run_s > 0 else float("nan")


def constants(spec) -> dict:
    """Fixed inputs that differ from the presets: written as constant columns."""
    return {k: v for k, v in spec.overrides.items()
            if k not in {a.name for a in spec.axes} and not isinstance(v, str)}


def front_frame(plan, spec, columns: dict) -> pd.DataFrame:
    """The front's columns as a frame: the plan's columns, the spec's constants, sorted best
    first by the objectives (then by the design variables, so the order is unique); integer
    columns as int64. Takes the arrays out of ``columns``: each is replaced by its reordered
    copy in turn, and the frame is built on those copies without a further one, so a front of
    10⁷ rows stands in memory about once."""
    columns = columns or {c: np.empty(0) for c in plan.columns}
    s = plan.structure
    keys = [columns[c] * sign for c, sign in zip(s.objectives, s.signs)]
    keys += [columns[c] for c in plan.model.design_names if c in columns]  # a fixed one is a constant
    order = np.lexsort(keys[::-1])
    del keys
    integers = set(column_info(plan, spec)["integers"])  # counts as the file stores them (explorer.io.annotated)
    data = {}
    for c in plan.columns:
        if c in columns:
            column = columns.pop(c)  # its reordered copy replaces it, one column at a time
            if c != "feasible":
                data[c] = column[order].astype(np.int64) if c in integers else column[order]
            del column
    frame = pd.DataFrame(data, copy=False)
    for k, v in constants(spec).items():
        frame[k] = v
    for c in integers - set(data):  # a constant that is a count
        if c in frame:
            frame[c] = frame[c].astype(np.int64)
    return frame


def front_scope(objectives) -> str:
    """What a front can answer, in one sentence: its metadata's ``answers`` and the report's
    summary say it (a front over other outputs needs every feasible row)."""
    return (f"Pareto-optimal for {', '.join(objectives)} only: a configuration dominated in those is not in this "
            f"file, however well it does on any other output; for another objective, sweep with "
            f"output.mode = \"feasible\" or \"all\" and take that file's front")


def column_info(plan, spec) -> dict:
    """Units, descriptions and integer columns of the run's files (``Model.column_info``): the
    design variables, free parameters, outputs and constant columns."""
    return plan.model.column_info([*plan.structure.units, *constants(spec)])


def metadata(plan, spec, *, evaluated: int, feasible: int, on_front: int) -> dict:
    """The result file's provenance (the ``explorer`` key of its Parquet metadata)."""
    model = plan.model
    return {
        "model": model.name, "model_version": model.version, **column_info(plan, spec),
        "kind": "sweep", "mode": spec.mode, "spec": spec.raw, "presets": spec.presets,
        "params": spec.params, "seed": spec.seed, "sampler": spec.sampler, "samples_total": plan.total,
        "evaluated": evaluated, "feasible": feasible, "on_front": on_front,
        "objectives": [{"name": n, "maximize": mx} for n, mx in spec.objectives],
        **({"answers": front_scope([n for n, _ in spec.objectives])} if spec.mode == "frontier" else {}),
        "margins": list(spec.margins), "bounds": [dataclasses.asdict(b) for b in spec.bounds],
        "dtype": spec.dtype, "chunk_size": plan.chunk, "digest": plan.digest(),
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


class KeptRows:
    """A ``write=False`` feasible/all run's rows, kept in memory chunk by chunk (the in-memory
    counterpart of ``sweep_files.ChunkParts``: same calls, no files)."""

    def __init__(self):
        self.parts: dict[int, pd.DataFrame] = {}

    def keep_before(self, next_chunk: int):
        """Drops the rows of chunks from ``next_chunk`` on."""
        self.parts = {k: v for k, v in self.parts.items() if k < next_chunk}

    def remove(self):
        """Drops every row."""
        self.parts = {}

    def write(self, chunk: int, frame: pd.DataFrame):
        """Keeps chunk ``chunk``'s rows."""
        self.parts[chunk] = frame

    def frame(self, plan, spec) -> pd.DataFrame:
        """Every kept row in chunk order, with the spec's constants, integers as int64."""
        frames = [self.parts[k] for k in sorted(self.parts)]
        frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=plan.columns)
        for k, v in constants(spec).items():
            frame[k] = v
        for c in column_info(plan, spec)["integers"]:
            if c in frame:
                frame[c] = frame[c].astype(np.int64)
        return frame
