"""Parquet results with JSON provenance: round trip, atomic overwrite, readable errors."""

import os
import stat

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from explorer import io
from explorer.errors import ExplorerError

METADATA = {
    "model": {"name": "llm_training", "version": "0.3.1"},
    "units": {"time_s": "s", "energy_j": "J", "n_gpus": "1", "final_loss": "nats"},
    "spec": {"axes": [{"name": "n_gpus", "values": [8, 16, 32]},
                      {"name": "lr", "range": [1e-4, 3e-3], "log": True}],
             "constraints": None},
    "seed": 20261123,
    "samples": {"requested": 4096, "feasible": 4000},
    "note": "unicode ok: °C, ×, ≤",
}


def _frame():
    return pd.DataFrame({
        "time_s": np.array([1.5e5, 2.25e5, np.nan, 3.0e5]),
        "energy_j": np.array([1.2e12, 9.0e11, 1.0e12, 1.1e12], dtype=np.float64),
        "n_gpus": np.array([8, 16, 32, 64], dtype=np.int64),
        "stage": np.array([1, 2, 3, 4], dtype=np.int32),
        "final_loss": np.array([2.1, 2.05, 1.99, 1.98], dtype=np.float32),
    })


def _leftovers(folder, keep):
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


def test_round_trip(tmp_path):
    frame = _frame()
    path = tmp_path / "results.parquet"
    assert io.write(frame, path, METADATA) == path
    back, metadata = io.read(path)
    pd.testing.assert_frame_equal(back, frame)  # values, NaN, column order and dtypes
    assert metadata == METADATA
    assert _leftovers(tmp_path, {"results.parquet"}) == []
    # str paths work too, and the file is ordinary Parquet that pyarrow can read
    back2, metadata2 = io.read(str(path))
    pd.testing.assert_frame_equal(back2, frame)
    assert metadata2 == METADATA
    assert pq.read_table(path).num_rows == 4


def test_round_trip_drops_a_non_default_index_and_creates_folders(tmp_path):
    frame = _frame().set_axis([10, 11, 12, 13])
    path = tmp_path / "deep" / "er" / "out.parquet"
    io.write(frame, path, {"k": [1, {"x": 2.5}]})
    back, metadata = io.read(path)
    pd.testing.assert_frame_equal(back, frame.reset_index(drop=True))
    assert metadata == {"k": [1, {"x": 2.5}]}


def test_empty_frame_and_empty_metadata(tmp_path):
    frame = _frame().iloc[:0]
    path = tmp_path / "empty.parquet"
    io.write(frame, path, {})
    back, metadata = io.read(path)
    assert list(back.columns) == list(frame.columns) and len(back) == 0
    assert metadata == {}


def test_overwrite_replaces_contents(tmp_path):
    path = tmp_path / "r.parquet"
    io.write(_frame(), path, {"run": 1})
    second = _frame().iloc[::-1].reset_index(drop=True)
    io.write(second, path, {"run": 2})
    back, metadata = io.read(path)
    pd.testing.assert_frame_equal(back, second)
    assert metadata == {"run": 2}
    assert _leftovers(tmp_path, {"r.parquet"}) == []


def test_failed_write_inside_atomic_path_leaves_original_unchanged(tmp_path):
    path = tmp_path / "r.parquet"
    io.write(_frame(), path, METADATA)
    original = path.read_bytes()
    with pytest.raises(RuntimeError, match="crash mid-write"):
        with io.atomic_path(path) as tmp:
            # the temporary file sits beside the target (so the rename is atomic), is not the target
            assert tmp.parent == path.parent and tmp != path and tmp.exists()
            tmp.write_bytes(b"PAR1 half a file")
            assert path.read_bytes() == original  # untouched while writing
            raise RuntimeError("crash mid-write")
    assert path.read_bytes() == original
    assert _leftovers(tmp_path, {"r.parquet"}) == []
    back, metadata = io.read(path)
    pd.testing.assert_frame_equal(back, _frame())
    assert metadata == METADATA


def test_failed_write_via_write_leaves_original_unchanged(tmp_path, monkeypatch):
    path = tmp_path / "r.parquet"
    io.write(_frame(), path, {"run": 1})
    original = path.read_bytes()

    def broken_write_table(table, where, *args, **kwargs):
        with open(where, "wb") as f:
            f.write(b"PAR1 partial")
        raise OSError("disk full")

    monkeypatch.setattr(io.pq, "write_table", broken_write_table)
    with pytest.raises(OSError, match="disk full"):
        io.write(_frame().iloc[:1], path, {"run": 2})
    assert path.read_bytes() == original
    assert _leftovers(tmp_path, {"r.parquet"}) == []


def test_failed_first_write_leaves_nothing(tmp_path):
    path = tmp_path / "new.parquet"
    with pytest.raises(RuntimeError):
        with io.atomic_path(path):
            raise RuntimeError("boom")
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []


def test_atomic_path_success_renames_onto_target(tmp_path):
    path = tmp_path / "x.bin"
    path.write_bytes(b"old")
    with io.atomic_path(path) as tmp:
        tmp.write_bytes(b"new")
    assert path.read_bytes() == b"new"
    assert not tmp.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["x.bin"]


def _assert_one_line_naming(err, path):
    message = str(err.value)
    assert "\n" not in message and message.strip() == message and message
    assert str(path) in message


def test_read_missing_file(tmp_path):
    path = tmp_path / "nope" / "missing.parquet"
    with pytest.raises(ExplorerError) as err:
        io.read(path)
    _assert_one_line_naming(err, path)
    # a folder without Parquet parts is not a result either
    with pytest.raises(ExplorerError) as err:
        io.read(tmp_path)
    _assert_one_line_naming(err, tmp_path)


@pytest.mark.parametrize("content", [b"time_s,energy_j\n1,2\n3,4\n", b"", b"PAR1"])
def test_read_non_parquet(tmp_path, content):
    path = tmp_path / "x.parquet"
    path.write_bytes(content)
    with pytest.raises(ExplorerError) as err:
        io.read(path)
    _assert_one_line_naming(err, path)
    assert isinstance(err.value, ValueError)  # ExplorerError is the package's ValueError


def test_foreign_parquet_has_empty_metadata(tmp_path):
    path = tmp_path / "plain.parquet"
    pq.write_table(pa.table({"a": [1, 2, 3], "b": [0.5, 1.5, np.nan]}), path)
    frame, metadata = io.read(path)
    assert metadata == {}
    pd.testing.assert_frame_equal(frame, pd.DataFrame({"a": np.array([1, 2, 3], dtype=np.int64),
                                                       "b": [0.5, 1.5, np.nan]}))
    # with other schema metadata present (pandas' own), still {}
    path2 = tmp_path / "pandas.parquet"
    pd.DataFrame({"a": [1.0]}).to_parquet(path2)
    assert pq.read_schema(path2).metadata  # pandas wrote its own key
    assert io.read(path2)[1] == {}


def test_corrupt_explorer_metadata_raises_explorer_error(tmp_path):
    path = tmp_path / "bad-meta.parquet"
    table = pa.table({"a": [1]}).replace_schema_metadata({b"explorer": b"{not json"})
    pq.write_table(table, path)
    with pytest.raises(ExplorerError) as err:
        io.read(path)
    _assert_one_line_naming(err, path)


def test_written_file_has_ordinary_permissions(tmp_path):
    umask = os.umask(0o022)
    os.umask(umask)
    path = tmp_path / "perm.parquet"
    io.write(_frame(), path, {})
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


def test_annotated_columns_carry_unit_description_and_integer_type():
    table = pa.table({"n": np.array([8.0, 16.0], np.float32), "t": [1.5, 2.5], "free": [1, 2]})
    info = {"units": {"n": "devices", "t": "s"}, "descriptions": {"t": "wall-clock time"}, "integers": ["n"]}
    out = io.annotated(table, info)
    assert out.schema.field("n").type == pa.int64() and out.column("n").to_pylist() == [8, 16]
    assert out.schema.field("t").type == pa.float64()  # not an integer: unchanged
    assert out.schema.field("t").metadata == {b"unit": b"s", b"description": b"wall-clock time"}
    assert out.schema.field("n").metadata == {b"unit": b"devices"}
    assert out.schema.field("free").metadata is None  # a column the metadata does not name


def test_annotated_refuses_a_fractional_count():
    table = pa.table({"n": [8.0, 16.5]})
    with pytest.raises(pa.ArrowInvalid):  # a bug upstream, never a silent truncation
        io.annotated(table, {"integers": ["n"]})


def test_written_columns_read_back_with_units_in_pyarrow_and_duckdb(tmp_path):
    duckdb = pytest.importorskip("duckdb")
    frame = pd.DataFrame({"n_parallel": np.array([1024.0, 2048.0]), "energy_j": [1e12, 2e12]})
    meta = {"units": {"n_parallel": "devices", "energy_j": "J"}, "descriptions": {"energy_j": "facility energy"},
            "integers": ["n_parallel"]}
    io.write(frame, tmp_path / "f.parquet", meta)
    schema = pq.read_schema(tmp_path / "f.parquet")
    assert schema.field("energy_j").metadata[b"unit"] == b"J"
    path = str(tmp_path / "f.parquet")
    assert duckdb.sql(f"select type from parquet_schema('{path}') where name = 'n_parallel'").fetchall() == [("INT64",)]
    [(unit, doc)] = duckdb.sql(
        "select json_extract_string(decode(value), '$.units.energy_j'), "
        f"json_extract_string(decode(value), '$.descriptions.energy_j') from parquet_kv_metadata('{path}') "
        "where key = 'explorer'").fetchall()
    assert (unit, doc) == ("J", "facility energy")
    back, _ = io.read(tmp_path / "f.parquet")
    assert back.n_parallel.dtype == np.int64 and back.n_parallel.tolist() == [1024, 2048]
