"""Independent references shared by several test files (not a test module)."""

import numpy as np
import pandas as pd


def brute_force_front(frame: pd.DataFrame, objectives: dict) -> pd.DataFrame:
    """O(n²) Pareto front of ``frame`` (objectives: column → "min" or "max"), independent of explorer.pareto."""
    pts = np.stack([frame[c].to_numpy(float) * (-1 if d == "max" else 1) for c, d in objectives.items()], axis=1)
    keep = [not np.any(np.all(pts <= p, axis=1) & np.any(pts < p, axis=1)) for p in pts]
    return frame[np.array(keep, bool)]


def spec_toml(spec: dict) -> str:
    """A spec dict as TOML text (the value types test specs use: tables, strings, numbers, lists)."""
    import json

    def value(v):
        if isinstance(v, dict):
            return "{" + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + "}"
        return json.dumps(v)

    lines = []
    for table, body in spec.items():
        lines.append(f"[{table}]")
        lines += [f"{k} = {value(v)}" for k, v in body.items()]
    return "\n".join(lines) + "\n"
