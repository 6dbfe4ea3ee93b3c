"""A sweep's side files: the checkpoint (versioned, checksummed, corrupt = one line) and the
run lock (one writer per output, across processes)."""

import subprocess
import sys
import time

import numpy as np
import pytest

from explorer.errors import ExplorerError
from explorer.pareto import ParetoArchive
from explorer.survivors import Survivors
from explorer.sweep_files import Checkpoint, RunLock


def saved_checkpoint(tmp_path):
    archive = ParetoArchive(2)
    store = Survivors(archive, ["a", "b"], np.ones(2), tables=False)
    store.add({"a": np.array([1.0, 2.0, 3.0]), "b": np.array([3.0, 1.0, 4.0])})
    store.merge()
    checkpoint = Checkpoint(tmp_path / "out.parquet", {"fixed": {"pue": 1.1}, "chunk": 64})
    checkpoint.save({"next_chunk": 5, "evaluated": 320, "feasible": 100}, store)
    return checkpoint


def test_checkpoint_round_trips(tmp_path):
    checkpoint = saved_checkpoint(tmp_path)
    archive = ParetoArchive(2)
    state, columns = checkpoint.load(archive)
    assert state == {"next_chunk": 5, "evaluated": 320, "feasible": 100}
    np.testing.assert_array_equal(archive.points, [[1.0, 3.0], [2.0, 1.0]])
    assert sorted(columns["a"].tolist()) == [1.0, 2.0]


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty"])
def test_a_corrupt_checkpoint_is_one_line(tmp_path, damage):
    checkpoint = saved_checkpoint(tmp_path)
    data = checkpoint.path.read_bytes()
    if damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "flip":  # one byte inside an array: only the checksum notices
        data = bytearray(data)
        position = data.find(np.array([1.0, 3.0]).tobytes())
        assert position > 0
        data[position + 3] ^= 0xFF
        data = bytes(data)
    elif damage == "garbage":
        data = b"not a zip file at all"
    else:
        data = b""
    checkpoint.path.write_bytes(data)
    with pytest.raises(ExplorerError) as err:
        checkpoint.load(ParetoArchive(2))
    assert str(err.value) == f"checkpoint {str(checkpoint.path)!r} is corrupt; delete it or run without --resume"


def test_a_checkpoint_of_another_plan_is_refused(tmp_path):
    saved_checkpoint(tmp_path)
    with pytest.raises(ExplorerError, match=r"different spec, preset or chunk size \(pue 1.1 then, 1.4 now\)"):
        Checkpoint(tmp_path / "out.parquet", {"fixed": {"pue": 1.4}, "chunk": 64}).load(ParetoArchive(2))


HOLD = """
import sys, time
from pathlib import Path
from explorer.sweep_files import RunLock
with RunLock(Path(sys.argv[1])):
    print("holding", flush=True)
    time.sleep(60)
"""


def test_the_lock_excludes_another_process_and_names_it(tmp_path):
    out = tmp_path / "out.parquet"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(ExplorerError) as err:
            with RunLock(out):
                pass
        message = str(err.value)
        assert "another run is writing" in message and f"pid {holder.pid} on " in message and "\n" not in message
    finally:
        holder.kill()
        holder.wait()
    # killed with the lock held: the kernel released it, the file it left is taken over
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            with RunLock(out):
                break
        except ExplorerError:
            time.sleep(0.05)
    assert not out.with_name("out.parquet.lock").exists()


def test_a_lock_left_by_a_dead_run_is_taken_over_with_a_warning(tmp_path, capsys):
    out = tmp_path / "out.parquet"
    out.with_name("out.parquet.lock").write_text("pid 999999 on elsewhere, started 2026-01-01T00:00:00+00:00")
    with RunLock(out):
        pass
    assert "took over the lock of a run that stopped" in capsys.readouterr().err
