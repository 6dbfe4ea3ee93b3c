"""Where a run writes is checked before any work; a full disk is one line; nothing is lost."""

import errno

import pandas as pd
import pytest

import explorer.pipeline
from explorer import io
from explorer.cli.main import main
from explorer.errors import ExplorerError
from explorer.output_checks import check_output, estimated_bytes, remove_orphans
from references import spec_toml
from test_engine import small_spec


@pytest.fixture
def no_compile(monkeypatch):
    """Fails the test if a device program is compiled."""
    def refuse(*args):
        raise AssertionError("compiled before the output was checked")

    monkeypatch.setattr(explorer.pipeline, "compiled", refuse)


@pytest.mark.parametrize("where", ["folder", "under_a_file", "proc"])
def test_bad_output_paths_fail_before_any_compile(tmp_path, capsys, no_compile, where):
    spec = tmp_path / "spec.toml"
    spec.write_text(spec_toml(small_spec(tmp_path)))
    if where == "folder":
        out, message = tmp_path / "is_a_folder.parquet", "is a folder"
        out.mkdir()
    elif where == "under_a_file":
        (tmp_path / "plain_file").write_text("x")
        out, message = tmp_path / "plain_file" / "out.parquet", "is a file"
    else:
        out, message = "/proc/explorer-test/out.parquet", "cannot write"
    assert main(["sweep", str(spec), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and message in err and str(out) in err
    assert not list(tmp_path.glob(".*.tmp"))


def test_not_enough_room_is_refused_before_work(tmp_path, monkeypatch):
    import shutil
    from collections import namedtuple

    from explorer.spec import parse_spec
    from explorer.sweep_plan import SweepPlan

    plan = SweepPlan.from_spec(parse_spec(small_spec(tmp_path, mode="all")))
    assert estimated_bytes(plan) == 6**4 * len(plan.columns) * 4
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10**6, 10**6 - 1000, 1000))
    with pytest.raises(ExplorerError, match="not enough room for .*: about 0.0 GB estimated"):
        check_output(tmp_path / "out.parquet", plan)


@pytest.mark.parametrize("mode", ["frontier", "feasible"])
def test_a_full_disk_is_one_line_and_the_last_result_survives(tmp_path, capsys, monkeypatch, mode):
    spec = tmp_path / "spec.toml"
    spec.write_text(spec_toml(small_spec(tmp_path, mode=mode, name="out")))
    assert main(["sweep", str(spec), "--quiet"]) == 0
    before, _ = io.read(tmp_path / "out.parquet")
    capsys.readouterr()

    def full(table, where, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(where))

    monkeypatch.setattr(io.pq, "write_table", full)
    assert main(["sweep", str(spec), "--quiet"]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "no space left on the device" in err
    after, _ = io.read(tmp_path / "out.parquet")
    pd.testing.assert_frame_equal(before, after)  # the old result, whole
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == ["out.parquet", "spec.toml"], left  # no temporary file, no parts, no lock, no checkpoint


def test_orphaned_temp_files_of_the_output_are_removed(tmp_path):
    (tmp_path / ".out.parquet.abc123.tmp").write_bytes(b"half a file")
    (tmp_path / ".out.parquet.checkpoint.npz.x.tmp").write_bytes(b"half a checkpoint")
    (tmp_path / ".other.parquet.abc.tmp").write_bytes(b"another output's")
    remove_orphans(tmp_path / "out.parquet")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.parquet.abc.tmp"]
