"""The report's figures: the 2-D fronts of pairs, the levels of a third objective, one label per row."""

import numpy as np
import pandas as pd
import pytest

from explorer import io
from explorer.report_figures import group_label, level_rows, pair_front, point_groups
from explorer.report_files import ReportData, report
from references import brute_force_front

UNITS = {"x": "1", "time_s": "s", "energy_j": "J", "final_loss": "nats", "cost_usd": "USD"}
OBJECTIVES = [{"name": n, "maximize": False} for n in ("time_s", "energy_j", "final_loss")]


def _front_file(tmp_path, n=300, seed=0):
    """A random 3-objective front: every row is non-dominated (loss falls as time and energy rise)."""
    rng = np.random.default_rng(seed)
    t, e = rng.uniform(1, 100, n) * 86400, rng.uniform(1, 50, n) * 3.6e9
    loss = 3.0 - 0.004 * (t / 86400 + e / 3.6e9) + rng.uniform(0, 0.01, n)
    frame = pd.DataFrame({"x": rng.uniform(0, 1, n), "time_s": t, "energy_j": e, "final_loss": loss,
                          "cost_usd": t * 10 + e * 1e-3})
    io.write(frame, tmp_path / "f.parquet", {"model": "custom", "units": UNITS, "objectives": OBJECTIVES})
    return ReportData(tmp_path / "f.parquet")


def test_pair_front_is_the_front_of_the_projection(tmp_path):
    data = _front_file(tmp_path)
    rows = pair_front(data, "time_s", "energy_j")
    reference = brute_force_front(data.front, {"time_s": "min", "energy_j": "min"})
    assert sorted(rows) == sorted(reference.index)
    assert np.all(np.diff(data.front.time_s.to_numpy()[rows]) >= 0)  # sorted by x
    assert len(rows) < len(data.front)  # a projection's front, not the 3-D cloud


def test_levels_nest_and_the_last_holds_every_row(tmp_path):
    data = _front_file(tmp_path)
    groups = level_rows(data, "final_loss")
    assert 3 <= len(groups) <= 5
    levels = [level for level, _ in groups]
    assert levels == sorted(levels) and levels[-1] == data.front.final_loss.max()
    loss = data.front.final_loss.to_numpy()
    for level, rows in groups:
        assert np.array_equal(rows, np.flatnonzero(loss <= level))  # the rows at least that good
    assert len(groups[-1][1]) == len(data.front)


@pytest.mark.parametrize("names,text", [
    (["speed"], "speed-optimised"), (["knee"], "knee"),
    (["speed", "efficiency"], "speed- and efficiency-optimised"),
    (["speed", "efficiency", "quality"], "speed-, efficiency- and quality-optimised"),
    (["quality", "knee"], "quality-optimised and knee"),
])
def test_group_labels(names, text):
    assert group_label(names) == text


def test_a_single_configuration_gets_one_marker_and_one_label(tmp_path):
    frame = pd.DataFrame({"x": [0.5], "time_s": [86400.0], "energy_j": [3.6e9], "final_loss": [2.0],
                          "cost_usd": [1e6]})
    io.write(frame, tmp_path / "one.parquet", {"model": "custom", "units": UNITS, "objectives": OBJECTIVES})
    data = ReportData(tmp_path / "one.parquet")
    assert point_groups(data) == [(0, ["speed", "efficiency", "quality", "knee"])]
    files = report(tmp_path / "one.parquet", tmp_path / "r")  # every figure still draws
    assert files["frontier_time_s_vs_energy_j.png"].stat().st_size > 0
