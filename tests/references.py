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


def traced_front_problem(path) -> dict:
    """The two-objective problem whose traced front test_optimizer checks against a grid and whose
    report test_report_files draws: time and energy of Llama 3.1 70B on H100s over clock and device
    count, 4 starts × 32 weights. One spec for both, so the two tests (one xdist group,
    "traced_front") compile the optimiser once."""
    return {"model": {"name": "llm_training", "hardware": "h100-sxm", "workload": "llama3.1-70b"},
            "axes": {"nu": {"low": 0.8e9, "high": 1.98e9}, "n_parallel": {"low": 1024, "high": 32768, "scale": "log"}},
            "objectives": {"time_s": "min", "energy_j": "min"},
            "constraints": {"margins": ["memory_margin", "thermal_margin"], "bounds": []},
            "optimize": {"starts": 4, "n_weights": 32, "solver": "adam", "outer": 8, "inner": 100},
            "output": {"dtype": "float32", "path": str(path), "mode": "frontier"}}
