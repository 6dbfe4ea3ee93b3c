"""frontier: the exact front of any Parquet file, its default path, and what a front can answer."""

import numpy as np
import pandas as pd
import pytest

from explorer import ExplorerError, io
from explorer.file_front import default_out, frontier


def test_front_of_a_foreign_file(tmp_path):
    frame = pd.DataFrame({"cost": [3.0, 1.0, 2.0, 2.0, np.nan], "speed": [3.0, 1.0, 2.0, 1.0, 9.0],
                          "name": list("abcde")})
    frame.to_parquet(tmp_path / "in.parquet")  # written by pandas, no explorer metadata
    front = frontier(tmp_path / "in.parquet", tmp_path / "out.parquet", ["cost", "speed"], ["speed"])
    # maximise speed, minimise cost: a (3,3), b (1,1), c (2,2) trade off; d (2,1) is dominated by c; e has NaN
    assert front.attrs["rows_in"] == 5 and front.attrs["path"] == str(tmp_path / "out.parquet")
    assert sorted(front.name) == ["a", "b", "c"]
    written, meta = io.read(tmp_path / "out.parquet")
    assert list(written.name) == ["b", "c", "a"]  # best first in the first objective: least cost
    assert meta["objectives"] == [{"name": "cost", "maximize": False}, {"name": "speed", "maximize": True}]


def test_feasible_only_and_own_objectives(tmp_path):
    frame = pd.DataFrame({"t": [1.0, 2.0, 0.5], "e": [2.0, 1.0, 0.5], "feasible": [True, True, False]})
    io.write(frame, tmp_path / "all.parquet", {"objectives": [{"name": "t", "maximize": False},
                                                              {"name": "e", "maximize": False}]})
    front = frontier(tmp_path / "all.parquet", tmp_path / "f.parquet", feasible_only=True)
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
        frontier(tmp_path / "in.parquet", tmp_path / "out.parquet", **kwargs)
    assert not (tmp_path / "out.parquet").exists()


def test_default_path_is_beside_the_input_and_write_false_writes_nothing(tmp_path):
    assert default_out(tmp_path / "runs.parquet") == tmp_path / "runs.front.parquet"
    assert default_out("data/x") == default_out("data/x.parquet") == __import__("pathlib").Path("data/x.front.parquet")
    pd.DataFrame({"cost": [1.0, 2.0], "speed": [1.0, 3.0]}).to_parquet(tmp_path / "runs.parquet")
    front = frontier(tmp_path / "runs.parquet", objectives=["cost", "speed"], maximize=["speed"], write=False)
    assert len(front) == 2 and not (tmp_path / "runs.front.parquet").exists()
    frontier(tmp_path / "runs.parquet", objectives=["cost", "speed"], maximize=["speed"])
    assert len(pd.read_parquet(tmp_path / "runs.front.parquet")) == 2


def _front_file(tmp_path):
    """A file that is a front for (t, e) only: c = (2, 2, 0) was dropped, being dominated in (t, e)."""
    frame = pd.DataFrame({"t": [1.0, 3.0], "e": [3.0, 1.0], "cost": [5.0, 5.0]})
    io.write(frame, tmp_path / "front.parquet", {"mode": "frontier", "objectives": [
        {"name": "t", "maximize": False}, {"name": "e", "maximize": False}]})
    return tmp_path / "front.parquet"


def test_a_front_over_other_objectives_warns_once(tmp_path, capsys):
    path = _front_file(tmp_path)
    frontier(path, tmp_path / "cost.parquet", objectives=["t", "cost"])
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is a front for t, e only" in err and "'cost'" in err
    assert 'output.mode = "feasible" or "all"' in err


def test_a_front_over_its_own_objectives_or_a_subset_does_not_warn(tmp_path, capsys):
    path = _front_file(tmp_path)
    frontier(path, tmp_path / "a.parquet", objectives=["e", "t"])
    assert len(frontier(path, tmp_path / "b.parquet", objectives=["t"])) == 1  # least t: the first row
    assert capsys.readouterr().err == ""
