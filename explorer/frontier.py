"""``frontier_file``: the exact Pareto front of any Parquet file, written as Parquet."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd

from explorer import io
from explorer.errors import ExplorerError
from explorer.pareto import is_nondominated


def frontier_file(path, out, objectives=None, maximize=(), feasible_only=False) -> tuple[pd.DataFrame, int]:
    """Reads ``path``, keeps its non-dominated rows and writes them to ``out`` atomically.

    Args:
      path: input Parquet file.
      out: output Parquet file.
      objectives: objective columns; None takes the input's explorer metadata.
      maximize: objectives to maximise; others are minimised.
      feasible_only: drop rows whose ``feasible`` column is false first.

    Returns:
      (front DataFrame, number of input rows).
    """
    frame, meta = io.read(path)
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
                "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}
    io.write(front, out, metadata)
    return front, n_in
