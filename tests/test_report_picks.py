"""The report's recommendations: the operating points, the knee and the cheapest, ranked by cost."""

import numpy as np
import pandas as pd

from explorer import io
from explorer.report_files import ReportData
from explorer.report_picks import ranked_by, recommendations, weighed_columns

UNITS = {"nu": "Hz", "temperature": "nats", "time_s": "s", "energy_j": "J", "device_energy_j": "J",
         "final_loss": "nats",
         "cost_usd": "USD"}


def _data(tmp_path, objectives=("time_s", "energy_j")):
    # three configurations worked by hand: a fast, a frugal, and a cheap middle one
    frame = pd.DataFrame({"nu": [1.8e9, 1.2e9, 1.5e9], "temperature": [0.004] * 3, "time_s": [10.0, 40.0, 20.0],
                          "energy_j": [9.0, 3.0, 5.0],
                          "device_energy_j": [1.0, 1.0, 1.0], "final_loss": [2.0, 2.0, 2.0],
                          "cost_usd": [300.0, 200.0, 100.0]})
    io.write(frame, tmp_path / "f.parquet", {"model": "custom", "units": UNITS,
                                             "spec": {"axes": {"nu": {}, "temperature": {}}},
                                             "objectives": [{"name": o, "maximize": False} for o in objectives]})
    return ReportData(tmp_path / "f.parquet")


def test_columns_a_planner_weighs_prefer_the_objectives(tmp_path):
    data = _data(tmp_path, ("time_s", "device_energy_j", "energy_j"))
    assert weighed_columns(data) == {"time": "time_s", "energy": "device_energy_j", "cost": "cost_usd",
                                     "loss": "final_loss"}
    assert weighed_columns(_data(tmp_path))["energy"] == "energy_j"
    assert weighed_columns(data)["loss"] != "temperature"  # an input in nats is not the run's loss


def test_ranked_by_cost_with_the_cheapest_first(tmp_path):
    data = _data(tmp_path)
    picks = recommendations(data)
    cost = data.front.cost_usd.to_numpy()
    assert ranked_by(data) == "cost_usd"
    assert [p.rank for p in picks] == list(range(1, len(picks) + 1))
    assert list(cost[[p.row for p in picks]]) == sorted(cost[[p.row for p in picks]])
    first = data.front.iloc[picks[0].row]
    assert first.cost_usd == 100.0 and picks[0].label.startswith("cheapest on this front")
    labels = " | ".join(p.label for p in picks)
    assert "speed-optimised" in labels and "efficiency-optimised" in labels
    assert data.front.iloc[next(p.row for p in picks if "speed" in p.label)].time_s == 10.0
    assert len({p.row for p in picks}) == len(picks)  # one entry per configuration


def test_cost_as_an_objective_is_simply_the_cheapest(tmp_path):
    picks = recommendations(_data(tmp_path, ("time_s", "cost_usd")))
    assert picks[0].label.startswith("cheapest") and "on this front" not in picks[0].label
    assert np.isfinite(picks[0].row)
