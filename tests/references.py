"""Independent references shared by several test files (not a test module)."""

import numpy as np
import pandas as pd


def brute_force_front(frame: pd.DataFrame, objectives: dict) -> pd.DataFrame:
    """O(n²) Pareto front of ``frame`` (objectives: column → "min" or "max"), independent of explorer.pareto."""
    pts = np.stack([frame[c].to_numpy(float) * (-1 if d == "max" else 1) for c, d in objectives.items()], axis=1)
    keep = [not np.any(np.all(pts <= p, axis=1) & np.any(pts < p, axis=1)) for p in pts]
    return frame[np.array(keep, bool)]
