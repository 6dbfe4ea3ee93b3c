"""One range of a sweep's visiting order (a Ray task's work), without Ray: two ranges
together hold exactly the brute-force front, and each range counts what it evaluated."""

import numpy as np

import explorer
from explorer import io
from explorer.pareto import is_nondominated
from explorer.spec import parse_spec
from explorer.sweep_plan import SweepPlan, SweepSettings
from explorer.sweep_range import sweep_range

SPEC = {"model": {"name": "llm_training"},
        "axes": {"batch": {"low": 256, "high": 8192, "scale": "log", "count": 8},
                 "nu": {"low": "0.8 GHz", "high": "1.98 GHz", "count": 8}},
        "objectives": {"time_s": "min", "energy_j": "min"}, "output": {"chunk_size": 16}}


def test_two_ranges_hold_the_brute_force_front(tmp_path):
    spec = parse_spec(SPEC, path=str(tmp_path / "out.parquet"))
    plan = SweepPlan.from_spec(spec, SweepSettings())
    assert plan.n_chunks == 4
    found, evaluated = [], 0
    for lo, hi in ((0, 2), (2, 4)):
        part = tmp_path / f"part-{lo}.parquet"
        counts = sweep_range(plan, spec, SweepSettings(), lo, hi, part, tmp_path / f"front-{lo}.parquet")
        frame, meta = io.read(part)
        assert meta["evaluated"] == counts["evaluated"] == 32 and (meta["lo"], meta["hi"]) == (lo, hi)
        found.append(frame)
        evaluated += counts["evaluated"]
    assert evaluated == 64
    union = np.concatenate([f[["time_s", "energy_j"]].to_numpy(float) for f in found])
    designs = np.concatenate([f[["batch", "nu"]].to_numpy(float) for f in found])
    front = {tuple(d) for d in designs[is_nondominated(union)]}
    # brute force: every configuration of the grid, evaluated directly
    batch, nu = np.meshgrid(spec.axes[0].grid_values(), spec.axes[1].grid_values(), indexing="ij")
    every = explorer.evaluate({"batch": batch.ravel(), "nu": nu.ravel()})
    every = every[every.feasible]
    expected = every[is_nondominated(every[["time_s", "energy_j"]].to_numpy(float))]
    assert front == {tuple(d) for d in expected[["batch", "nu"]].to_numpy(np.float32).astype(float)}
