"""Sweeps as Ray tasks: the same rows as one process, retries, resume after a killed driver,
datasets that other readers see as one table, and bad input before any work.

All tests here share one local Ray instance in one pytest worker (the ``ray`` xdist group).
It has one CPU, so one worker process per job and environment: every worker imports JAX and
the engine (seconds of CPU on this project's 2-core test machine), and the merge of the parts
does not depend on how many ran at once."""

import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from explorer import io
from explorer.distributed import FAULT_ENV, task_ranges
from explorer.engine import sweep
from explorer.errors import ExplorerError
from references import spec_toml
from test_engine import DESIGN, small_spec

ray = pytest.importorskip("ray", reason="the ray extra is not installed (pip install '.[test]' installs it)")
pytestmark = pytest.mark.xdist_group("ray")


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=1, include_dashboard=False, logging_level="WARNING", log_to_driver=False)
    yield ray
    ray.shutdown()


def sorted_rows(frame):
    return frame.sort_values(DESIGN).reset_index(drop=True)


def test_task_ranges_cover_every_position_once():
    for n, tasks in [(1, 4), (7, 3), (16, 16), (100, 7), (5, 50)]:
        ranges = task_ranges(n, tasks)
        covered = [k for lo, hi in ranges for k in range(lo, hi)]
        assert covered == list(range(n)) and len(ranges) == min(n, tasks)


@pytest.mark.parametrize("mode", ["frontier", "feasible", "all"])  # "all" also read by DuckDB and Polars
def test_ray_gives_the_rows_of_one_process(tmp_path, local_ray, mode):
    local = sweep(small_spec(tmp_path, mode=mode, chunk=97, name="local"), progress=False)
    spec = small_spec(tmp_path, mode=mode, chunk=97, name="ray")
    spec["distributed"] = {"tasks": 5}
    distributed = sweep(spec, progress=False, ray=True)
    pd.testing.assert_frame_equal(local.frame, distributed.frame)  # the front, sorted the same way
    a, meta_a = io.read(local.path)
    b, meta_b = io.read(distributed.path)
    assert (meta_a["evaluated"], meta_a["feasible"]) == (meta_b["evaluated"], meta_b["feasible"]) == \
        (6**4, local.feasible)
    if mode == "frontier":
        pd.testing.assert_frame_equal(a, b)
        assert not (tmp_path / "ray.parquet.tasks").exists()
    else:  # a dataset folder: every row once, the same rows, pyarrow's reader sees one table
        assert distributed.path.is_dir() and len(list(distributed.path.glob("part-*.parquet"))) == 5
        assert not b.duplicated(DESIGN).any()
        pd.testing.assert_frame_equal(sorted_rows(a), sorted_rows(b))
        assert meta_b["mode"] == mode and meta_b["on_front"] == len(local.frame)
    if mode == "all":  # other readers see the dataset folder as one table too
        duckdb = pytest.importorskip("duckdb")
        polars = pytest.importorskip("polars")
        glob = str(distributed.path / "*.parquet")
        assert duckdb.sql(f"select count(*), count(distinct (nu, batch, temperature, n_parallel)) "
                          f"from read_parquet('{glob}')").fetchall() == [(6**4, 6**4)]
        assert polars.read_parquet(glob).height == 6**4


def test_a_task_killed_once_is_retried_and_the_front_is_identical(tmp_path, local_ray, monkeypatch):
    reference = sweep(small_spec(tmp_path, chunk=97, name="local"), progress=False)
    markers = tmp_path / "markers"
    markers.mkdir()
    monkeypatch.setenv(FAULT_ENV, f"die:{markers}")  # each task's worker exits on its first try, as if killed
    spec = small_spec(tmp_path, chunk=97, name="ray")
    spec["distributed"] = {"tasks": 2, "max_retries": 2}
    result = sweep(spec, progress=False, ray=True)
    assert len(list(markers.iterdir())) == 2  # every task did die once
    pd.testing.assert_frame_equal(reference.frame, result.frame)
    assert result.evaluated == reference.evaluated and result.feasible == reference.feasible


def test_a_task_that_raises_is_retried_and_one_that_keeps_failing_is_one_error_line(tmp_path, local_ray,
                                                                                     monkeypatch):
    markers = tmp_path / "markers"
    markers.mkdir()
    monkeypatch.setenv(FAULT_ENV, f"raise:{markers}")  # each task raises on its first try
    spec = small_spec(tmp_path, chunk=97, name="ray")
    spec["distributed"] = {"tasks": 2, "max_retries": 1}
    reference = sweep(small_spec(tmp_path, chunk=97, name="local"), progress=False)
    pd.testing.assert_frame_equal(reference.frame, sweep(spec, progress=False, ray=True).frame)
    assert len(list(markers.iterdir())) == 2
    for marker in markers.iterdir():
        marker.unlink()
    spec["distributed"]["max_retries"] = 0
    with pytest.raises(ExplorerError, match="a Ray task failed after its retries: .*injected failure"):
        sweep(spec, progress=False, ray=True)
    before, _ = io.read(tmp_path / "ray.parquet")  # the last good result is still there, whole
    pd.testing.assert_frame_equal(before, reference.frame)


def test_driver_killed_mid_run_then_resume_gives_the_identical_file(tmp_path, local_ray):
    spec = small_spec(tmp_path, chunk=97, name="ray")
    reference = sweep(small_spec(tmp_path, chunk=97, name="local"), progress=False)
    toml = tmp_path / "spec.toml"
    toml.write_text(spec_toml(spec | {"distributed": {"tasks": 14}}))
    tasks = tmp_path / "ray.parquet.tasks"
    env = {**os.environ, "JAX_PLATFORMS": "cpu"}
    # the driver joins this module's Ray instance, as a driver on a cluster's head node would
    # (a cluster outlives its driver; starting a second local instance would also cost seconds)
    address = local_ray.get_runtime_context().gcs_address
    driver = subprocess.Popen([sys.executable, "-m", "explorer.cli.main", "sweep", str(toml), "--ray", address,
                               "--quiet"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and len(list(tasks.glob("part-*.parquet"))) < 2 and driver.poll() is None:
        time.sleep(0.05)
    driver.send_signal(signal.SIGKILL)
    driver.wait()
    done = len(list(tasks.glob("part-*.parquet")))
    assert 2 <= done < 14, done  # killed mid-run: some ranges finished, not all
    assert not (tmp_path / "ray.parquet").exists()
    resumed = sweep(str(toml), resume=True, progress=False, ray=True)
    a, meta_a = io.read(reference.path)
    b, meta_b = io.read(resumed.path)
    pd.testing.assert_frame_equal(a, b)
    assert (meta_a["evaluated"], meta_a["feasible"]) == (meta_b["evaluated"], meta_b["feasible"])
    assert resumed.evaluated_before > 0  # the finished ranges were not run again


def test_unreachable_ray_address_is_one_line_and_writes_nothing(tmp_path):
    out = tmp_path / "out.parquet"
    spec = tmp_path / "spec.toml"
    spec.write_text(spec_toml(small_spec(tmp_path, name="out")))
    run = subprocess.run([sys.executable, "-m", "explorer.cli.main", "sweep", str(spec), "--ray", "127.0.0.1:9"],
                         capture_output=True, text=True, timeout=120, env={**os.environ, "JAX_PLATFORMS": "cpu"})
    assert run.returncode == 2
    assert run.stderr.strip().count("\n") == 0 and "cannot reach a Ray cluster at '127.0.0.1:9'" in run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.toml"] and not out.exists()


def test_ray_flag_without_the_extra_is_one_line_and_writes_nothing(tmp_path):
    blocker = tmp_path / "no_ray"
    (blocker / "ray").mkdir(parents=True)
    (blocker / "ray" / "__init__.py").write_text("raise ImportError('No module named ray')\n")
    spec = tmp_path / "spec.toml"
    spec.write_text(spec_toml(small_spec(tmp_path, name="out")))
    env = {**os.environ, "JAX_PLATFORMS": "cpu", "PYTHONPATH": str(blocker)}
    run = subprocess.run([sys.executable, "-m", "explorer.cli.main", "sweep", str(spec), "--ray"],
                         capture_output=True, text=True, timeout=120, env=env)
    assert run.returncode == 2
    assert run.stderr.strip().count("\n") == 0 and 'pip install "trade-explorer[ray]"' in run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["no_ray", "spec.toml"]
