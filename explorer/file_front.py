"""``frontier``: the exact Pareto front of any Parquet file, written as Parquet."""

from __future__ import annotations

import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from explorer import io
from explorer.errors import ExplorerError, warn
from explorer.pareto import is_nondominated
from explorer.sweep_output import front_scope


def default_out(path) -> Path:
    """Where ``frontier`` writes when no ``out`` is given: ``NAME.front.parquet`` beside the
    input ``NAME.parquet`` (a file, or a Ray run's dataset folder)."""
    path = Path(path)
    stem = path.name[: -len(".parquet")] if path.name.endswith(".parquet") else path.name
    return path.with_name(f"{stem}.front.parquet")


def frontier(path, out=None, objectives=None, maximize=(), feasible_only=False, write=True) -> pd.DataFrame:
    """The exact Pareto front of a Parquet file, written as Parquet (atomically).

    A front is optimal only for the objectives it was computed for. When ``path`` is itself a
    front (a sweep or optimiser output in mode "frontier") and ``objectives`` names a column
    that is not one of its own, a one-line warning says that only a "feasible" or "all"
    output can answer that (a front over a subset of its objectives is fine).

    Args:
      path: input Parquet file or dataset folder.
      out: output Parquet path; default ``default_out(path)``.
      objectives: objective columns; None takes the input's explorer metadata.
      maximize: objectives to maximise; others are minimised.
      feasible_only: drop rows whose ``feasible`` column is false first.
      write: write ``out`` (False only returns the front).

    Returns:
      The front, best first in the first objective; ``attrs["rows_in"]`` is the number of
      input rows and ``attrs["path"]`` the file written.
    """
    frame, meta = io.read(path)
    own = [o["name"] for o in meta.get("objectives", [])]
    if objectives is not None and meta.get("mode") == "frontier" and not set(objectives) <= set(own):
        other = next(c for c in objectives if c not in own)
        warn(f"{path} is a front for {', '.join(own)} only; rows off that front are gone, so its front over "
             f"{other!r} can be wrong: sweep with output.mode = \"feasible\" or \"all\" to answer that")
    if objectives is None:
        objectives = [o["name"] for o in meta.get("objectives", [])]
        maximize = list(maximize) or [o["name"] for o in meta.get("objectives", []) if o["maximize"]]
        if not objectives:
            raise ExplorerError(f"{path} has no explorer objectives in its metadata: pass --objectives")
    missing = [c for c in objectives if c not in frame.columns]
    if missing:
        raise ExplorerError(f"{path} has no column {missing[0]!r} (columns: {', '.join(map(str, frame.columns))})")
    unknown = [m for m in maximize if m not in objectives]
    if unknown:
        raise ExplorerError(f"--maximize names {unknown[0]!r}, which is not one of the objectives")
    for c in objectives:
        if not pd.api.types.is_numeric_dtype(frame[c]):
            raise ExplorerError(f"objective column {c!r} of {path} is not numeric")
    n_in = len(frame)
    if feasible_only:
        if "feasible" not in frame.columns:
            raise ExplorerError(f"{path} has no 'feasible' column")
        frame = frame[frame["feasible"].astype(bool)]
    mask = is_nondominated(frame[objectives].to_numpy(dtype=float), [c in maximize for c in objectives])
    front = frame[mask].drop(columns=["feasible"], errors="ignore").reset_index(drop=True)
    order = np.lexsort([front[c].to_numpy() * (-1 if c in maximize else 1) for c in reversed(objectives)])
    front = front.iloc[order].reset_index(drop=True)
    metadata = {**meta, "kind": "frontier", "source": str(path), "on_front": len(front),
                "objectives": [{"name": c, "maximize": c in maximize} for c in objectives],
                "mode": "frontier", "answers": front_scope(objectives),
                "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}
    out = default_out(path) if out is None else Path(out)
    if write:
        io.write(front, out, metadata)
    front.attrs.update(rows_in=n_in, path=str(out))
    return front
