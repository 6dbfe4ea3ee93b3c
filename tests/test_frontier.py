"""frontier_file: the exact front of any Parquet file."""

import numpy as np
import pandas as pd
import pytest

from explorer import ExplorerError, io
from explorer.frontier import frontier_file


def test_front_of_a_foreign_file(tmp_path):
    frame = pd.DataFrame({"cost": [3.0, 1.0, 2.0, 2.0, np.nan], "speed": [3.0, 1.0, 2.0, 1.0, 9.0],
                          "name": list("abcde")})
    frame.to_parquet(tmp_path / "in.parquet")  # written by pandas, no explorer metadata
    front, n_in = frontier_file(tmp_path / "in.parquet", tmp_path / "out.parquet", ["cost", "speed"], ["speed"])
    # maximise speed, minimise cost: a (3,3), b (1,1), c (2,2) trade off; d (2,1) is dominated by c; e has NaN
    assert n_in == 5
    assert sorted(front.name) == ["a", "b", "c"]
    written, meta = io.read(tmp_path / "out.parquet")
    assert list(written.name) == ["b", "c", "a"]  # best first in the first objective: least cost
    assert meta["objectives"] == [{"name": "cost", "maximize": False}, {"name": "speed", "maximize": True}]


def test_feasible_only_and_own_objectives(tmp_path):
    frame = pd.DataFrame({"t": [1.0, 2.0, 0.5], "e": [2.0, 1.0, 0.5], "feasible": [True, True, False]})
    io.write(frame, tmp_path / "all.parquet", {"objectives": [{"name": "t", "maximize": False},
                                                              {"name": "e", "maximize": False}]})
    front, _ = frontier_file(tmp_path / "all.parquet", tmp_path / "f.parquet", feasible_only=True)
    assert sorted(front.t) == [1.0, 2.0] and "feasible" not in front.columns


@pytest.mark.parametrize("kwargs,message", [
    ({"objectives": ["cost", "nope"]}, "has no column 'nope'"),
    ({"objectives": None}, "no explorer objectives"),
    ({"objectives": ["cost"], "maximize": ["speed"]}, "not one of the objectives"),
    ({"objectives": ["name"]}, "is not numeric"),
    ({"objectives": ["cost"], "feasible_only": True}, "has no 'feasible' column"),
])
def test_bad_input_writes_nothing(tmp_path, kwargs, message):
    pd.DataFrame({"cost": [1.0], "speed": [2.0], "name": ["x"]}).to_parquet(tmp_path / "in.parquet")
    with pytest.raises(ExplorerError, match=message):
        frontier_file(tmp_path / "in.parquet", tmp_path / "out.parquet", **kwargs)
    assert not (tmp_path / "out.parquet").exists()
