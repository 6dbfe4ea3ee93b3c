"""The streaming sweep engine: exact frontiers, output modes, resume, determinism, dtypes."""

import copy

import numpy as np
import pandas as pd
import pytest

import explorer.survivors as survivors_module
from explorer import io
from explorer.engine import sweep
from explorer.errors import ExplorerError
from explorer.sweep_plan import SweepPlan, SweepSettings
from explorer.spec import load_spec
from references import brute_force_front

DESIGN = ["nu", "batch", "temperature", "n_parallel"]


def small_spec(tmp_path, *, sampler="grid", samples=None, chunk=97, mode="frontier",
               objectives=None, name="out", dtype="float32", extra_axes=None, bounds=None):
    axes = {"nu": {"low": "0.6 GHz", "high": "1.98 GHz", "count": 6},
            "batch": {"low": 256, "high": 16384, "scale": "log", "count": 6},
            "temperature": {"low": 1e-3, "high": 3e-2, "scale": "log", "count": 6},
            "n_parallel": {"low": 512, "high": 65536, "scale": "log", "count": 6}}
    axes.update(extra_axes or {})
    spec = {"model": {"name": "llm_training", "hardware": "h100-sxm", "workload": "llama3.1-70b"},
            "axes": axes,
            "sampler": {"kind": sampler, "seed": 7, **({"samples": samples} if samples else {})},
            "objectives": objectives or {"time_s": "min", "energy_j": "min", "final_loss": "min"},
            "constraints": {"margins": "all", "bounds": bounds or []},
            "output": {"mode": mode, "chunk_size": chunk, "path": str(tmp_path / f"{name}.parquet"), "dtype": dtype}}
    return spec


def design_set(frame):
    return sorted(map(tuple, frame[DESIGN].to_numpy().tolist()))


@pytest.mark.parametrize("sampler,samples", [("grid", None), ("random", 1500), ("sobol", 1024), ("lhs", 1200)])
def test_streamed_front_equals_brute_force(tmp_path, sampler, samples):
    spec = small_spec(tmp_path, sampler=sampler, samples=samples, mode="all", name="all")
    sweep(spec, progress=False)
    everything, meta = io.read(tmp_path / "all.parquet")
    assert meta["evaluated"] == len(everything) == (samples or 6**4)
    reference = brute_force_front(everything[everything.feasible], spec["objectives"])
    assert 0 < len(reference) < len(everything)
    for chunk in (97, 5000) if sampler == "grid" else (97,):  # many chunks, the last padded; one padded
        result = sweep(small_spec(tmp_path, sampler=sampler, samples=samples, chunk=chunk, name=f"f{chunk}"),
                       progress=False)
        assert design_set(result.frame) == design_set(reference), chunk
        assert result.feasible == int(everything.feasible.sum())


@pytest.mark.parametrize("objectives,bounds,extra_axes", [
    ({"energy_j": "min"}, None, None),  # one objective: no grid of minima, the sketch rejects
    ({"time_s": "min", "energy_j": "min", "final_loss": "min", "mfu": "max"}, None, None),  # four: likewise
    ({"time_s": "min", "energy_j": "min", "final_loss": "min"}, ["time_s <= 200 days"], {"pue": {"values": [1.1, 1.4]}}),
])
def test_streamed_front_equals_brute_force_for_other_objectives_and_constraints(tmp_path, objectives, bounds,
                                                                                 extra_axes):
    kwargs = {"objectives": objectives, "bounds": bounds, "extra_axes": extra_axes}
    sweep(small_spec(tmp_path, mode="all", name="all", **kwargs), progress=False)
    everything, _ = io.read(tmp_path / "all.parquet")
    reference = brute_force_front(everything[everything.feasible], objectives)
    result = sweep(small_spec(tmp_path, name="front", **kwargs), progress=False)
    columns = DESIGN + list(extra_axes or {})
    assert sorted(map(tuple, result.frame[columns].to_numpy().tolist())) == \
        sorted(map(tuple, reference[columns].to_numpy().tolist()))
    assert result.feasible == int(everything.feasible.sum())


def test_two_objectives_with_a_maximised_one(tmp_path):
    objectives = {"tokens_per_s": "max", "energy_j": "min"}
    spec = small_spec(tmp_path, mode="all", name="all", objectives=objectives)
    sweep(spec, progress=False)
    everything, _ = io.read(tmp_path / "all.parquet")
    reference = brute_force_front(everything[everything.feasible], objectives)
    front = sweep(small_spec(tmp_path, objectives=objectives, chunk=50), progress=False).frame
    assert design_set(front) == design_set(reference)
    assert np.all(np.diff(front.tokens_per_s) <= 0)  # sorted by the first objective, best first


def test_feasible_mode_writes_exactly_the_feasible_rows(tmp_path):
    sweep(small_spec(tmp_path, mode="all", name="all"), progress=False)
    everything, _ = io.read(tmp_path / "all.parquet")
    result = sweep(small_spec(tmp_path, mode="feasible", name="feas"), progress=False)
    feasible, meta = io.read(result.path)
    assert design_set(feasible) == design_set(everything[everything.feasible])
    margins = [c for c in feasible.columns if c.endswith("_margin")]
    assert (feasible[margins] <= 0).all().all()
    assert meta["mode"] == "feasible" and not (tmp_path / "feas.parquet.parts").exists()


def test_bounds_and_parameter_axes_and_metadata(tmp_path):
    spec = small_spec(tmp_path, bounds=["time_s <= 120 days"], extra_axes={"pue": {"values": [1.1, 1.5]}})
    spec["model"]["params"] = {"usd_per_kwh": 0.12}
    result = sweep(spec, progress=False)
    frame, meta = io.read(result.path)
    assert (frame.time_s <= 120 * 86400 * (1 + 1e-6)).all()
    assert set(frame.pue) <= {np.float32(1.1), np.float32(1.5)} and "pue" in meta["units"]
    assert (frame.usd_per_kwh == 0.12).all()  # a fixed input that differs from the preset
    assert meta["model"] == "llm_training" and meta["model_version"] == "3"
    assert meta["units"]["nu"] == "Hz" and meta["units"]["energy_j"] == "J"
    assert meta["spec"]["axes"]["nu"]["low"] == "0.6 GHz" and meta["seed"] == 7
    assert meta["evaluated"] == 2 * 6**4 and meta["on_front"] == len(frame) == result.on_front


def test_same_spec_twice_gives_identical_files(tmp_path):
    first = sweep(small_spec(tmp_path, name="a"), progress=False)
    second = sweep(small_spec(tmp_path, name="a"), progress=False)
    assert first.path == second.path
    a, meta_a = io.read(first.path)
    b, meta_b = io.read(second.path)
    pd.testing.assert_frame_equal(a, b)
    meta_a.pop("created"), meta_b.pop("created")
    assert meta_a == meta_b


class _Interrupt:
    """Raises KeyboardInterrupt on the n-th chunk handed to the survivors, as Ctrl-C would."""

    def __init__(self, monkeypatch, n):
        original = survivors_module.Survivors.add
        self.calls = 0

        def add(survivors, rows):
            self.calls += 1
            if self.calls == n:
                raise KeyboardInterrupt
            return original(survivors, rows)

        monkeypatch.setattr(survivors_module.Survivors, "add", add)


def interrupted_run(tmp_path, monkeypatch) -> dict:
    """The spec of a run stopped by Ctrl-C at its third chunk (a checkpoint left beside it)."""
    spec = small_spec(tmp_path, name="run")
    with monkeypatch.context() as patch:
        _Interrupt(patch, 3)
        with pytest.raises(KeyboardInterrupt):
            sweep(spec, progress=False)
    return spec


@pytest.mark.parametrize("mode", ["frontier", "all"])
def test_resume_after_interrupt_gives_the_identical_result(tmp_path, monkeypatch, mode):
    reference = sweep(small_spec(tmp_path, mode=mode, name="ref"), progress=False)
    spec = small_spec(tmp_path, mode=mode, name="run")
    with monkeypatch.context() as patch:
        _Interrupt(patch, 6)
        with pytest.raises(KeyboardInterrupt):
            sweep(spec, progress=False)
    out = tmp_path / "run.parquet"
    assert not out.exists() and (tmp_path / "run.parquet.checkpoint.npz").exists()
    resumed = sweep(spec, resume=True, progress=False)
    assert not (tmp_path / "run.parquet.checkpoint.npz").exists()
    a, meta_a = io.read(reference.path)
    b, meta_b = io.read(out)
    pd.testing.assert_frame_equal(a, b)
    assert meta_a["evaluated"] == meta_b["evaluated"] == resumed.evaluated
    assert meta_a["feasible"] == meta_b["feasible"]


def test_resume_without_a_checkpoint_warns_and_runs_from_the_start(tmp_path, capsys):
    result = sweep(small_spec(tmp_path), resume=True, progress=False)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--resume: no checkpoint of this spec" in err and "from the start" in err
    assert result.evaluated == 6**4 and result.evaluated_before == 0


def test_resume_refuses_a_checkpoint_of_another_spec(tmp_path, monkeypatch):
    spec = interrupted_run(tmp_path, monkeypatch)
    other = copy.deepcopy(spec)
    other["axes"]["nu"]["count"] = 5
    with pytest.raises(ExplorerError, match="different spec"):
        sweep(other, resume=True, progress=False)


def test_float32_and_float64_fronts_agree_up_to_rounding_ties(tmp_path):
    f32 = sweep(small_spec(tmp_path, name="f32"), progress=False).frame
    f64 = sweep(small_spec(tmp_path, name="f64", dtype="float64"), progress=False).frame
    assert f64.time_s.dtype == np.float64
    f64[DESIGN] = f64[DESIGN].astype(np.float32)  # the same grid, rounded as float32 holds it
    a, b = set(design_set(f32)), set(design_set(f64))
    assert len(a ^ b) <= 0.02 * len(a | b)
    common = sorted(a & b)
    x = f32.set_index(DESIGN).loc[common, ["time_s", "energy_j", "final_loss"]].to_numpy(float)
    y = f64.set_index(DESIGN).loc[common, ["time_s", "energy_j", "final_loss"]].to_numpy(float)
    np.testing.assert_allclose(x, y, rtol=1e-4)


def test_no_survivor_is_lost_across_many_exact_steps_and_calls(tmp_path):
    # Tiny exact-stage steps and capacity: a scout, then chunks whose candidates take many
    # steps and whose survivors fill many calls. Least time against largest time margin
    # (time / t_max − 1) puts every feasible point on the front, so a lost survivor is a
    # missing row.
    spec = small_spec(tmp_path, chunk=128, name="batched", objectives={"time_s": "min", "time_margin": "max"})
    result = sweep(spec, progress=False, settings=SweepSettings(step=16, capacity=32, scout=64))
    assert len(result.frame) == result.feasible > 128
    assert len(set(design_set(result.frame))) == len(result.frame)  # the scout's points are merged once


def test_survivors_spilled_to_disk_give_the_same_front_and_leave_no_files(tmp_path, monkeypatch):
    # every survivor goes to disk at once (a budget of one byte), merges compacting the store
    # often (tiny minimum merge size): the front must be the in-RAM run's, and the folder gone
    import explorer.row_store as row_store

    in_ram = sweep(small_spec(tmp_path, chunk=97, name="ram"), progress=False).frame
    spill = tmp_path / "spill"
    spill.mkdir()
    monkeypatch.setenv("TMPDIR", str(spill))
    monkeypatch.setattr("tempfile.tempdir", None)  # tempfile reads TMPDIR again
    monkeypatch.setattr(row_store, "MEMORY_BYTES", 1)
    monkeypatch.setattr(survivors_module.Survivors, "MIN_ROWS_TABLES", 64)
    made = []
    monkeypatch.setattr(row_store.RowStore, "_new_folder",
                        lambda self, f=row_store.RowStore._new_folder: made.append(f(self)) or made[-1])
    on_disk = sweep(small_spec(tmp_path, chunk=97, name="disk"), progress=False).frame
    assert len(made) > 3  # spilled, and compacted to disk, several times
    pd.testing.assert_frame_equal(in_ram, on_disk)
    assert list(spill.iterdir()) == []


@pytest.mark.parametrize("save_s", [0.0, 100.0])
def test_checkpoints_wait_ten_of_their_own_durations(tmp_path, monkeypatch, save_s):
    # a fake clock: each chunk takes 1 s of it and a checkpoint save_s. With checkpoint_every_s = 0
    # an instant checkpoint is saved at every chunk boundary but the last; a 100 s one only once,
    # since ten times its duration (1,000 s) never passes in this run
    import types

    import explorer.engine as engine
    import explorer.sweep_files as sweep_files

    clock = [0.0]
    monkeypatch.setattr(engine, "time", types.SimpleNamespace(perf_counter=lambda: clock[0]))
    real_run = engine.Streamer.run

    def run(self, chunk_ids, on_chunk):
        def timed(*args):
            clock[0] += 1.0
            return on_chunk(*args)
        return real_run(self, chunk_ids, timed)

    monkeypatch.setattr(engine.Streamer, "run", run)
    saves = []
    real_save = sweep_files.Checkpoint.save

    def slow_save(self, state, survivors):
        saves.append(state["next_chunk"])
        clock[0] += save_s
        return real_save(self, state, survivors)

    monkeypatch.setattr(sweep_files.Checkpoint, "save", slow_save)
    spec = small_spec(tmp_path, chunk=97)
    chunks = SweepPlan.from_spec(load_spec(copy.deepcopy(spec)), SweepSettings()).n_chunks
    result = sweep(spec, progress=False, settings=SweepSettings(checkpoint_every_s=0.0))
    assert result.evaluated == 6**4 and chunks >= 10
    assert saves == ([1] if save_s else list(range(1, chunks)))


def test_streamed_front_equals_brute_force_for_the_seed000_model(tmp_path):
    # another model's equations through both stages: the prefilter's slack must cover its rounding too
    objectives = {"t_train": "min", "E_total": "min", "loss_gap": "min"}

    def spec(mode, name, chunk):
        return {"model": {"name": "seed000"},
                "axes": {"nu": {"low": 1e5, "high": 4e9, "scale": "log", "count": 8},
                         "batch": {"low": 16, "high": 65536, "scale": "log", "count": 6},
                         "temperature": {"low": 5e-4, "high": 1e-2, "scale": "log", "count": 6},
                         "n_parallel": {"low": 1, "high": 65536, "scale": "log", "count": 6}},
                "objectives": objectives,
                "output": {"mode": mode, "chunk_size": chunk, "path": str(tmp_path / f"{name}.parquet")}}

    sweep(spec("all", "all", 500), progress=False)
    everything, _ = io.read(tmp_path / "all.parquet")
    reference = brute_force_front(everything[everything.feasible], objectives)
    assert 0 < len(reference) < len(everything)
    for chunk in (144, 1728):
        front = sweep(spec("frontier", f"front{chunk}", chunk), progress=False).frame
        # The all-mode program and the frontier program fuse the model differently, so a
        # value can differ in its last bit: a point one ulp from a tie may be on one front and
        # not the other (it happens here). Every such point must be within rounding of the other front.
        for ours, theirs in ((front, reference), (reference, front)):
            extra = set(design_set(ours)) - set(design_set(theirs))
            assert len(extra) <= 2, chunk
            other = theirs[list(objectives)].to_numpy(float)
            for d in extra:
                p = ours.set_index(DESIGN).loc[[d], list(objectives)].to_numpy(float)[0]
                assert np.any(np.all(other <= p * (1 + 1e-6), axis=1)), (chunk, d)


_TWO_DEVICES = """
import sys
sys.path.insert(0, {tests!r})
from pathlib import Path
import jax
import pandas as pd
from explorer.engine import sweep
from test_engine import small_spec
assert len(jax.devices()) == 2, jax.devices()
tmp = Path({tmp!r})
for mode in ("frontier", "all"):
    one = sweep(small_spec(tmp, mode=mode, chunk=97, name=mode + "1"), progress=False, devices=1)
    two = sweep(small_spec(tmp, mode=mode, chunk=97, name=mode + "2"), progress=False)
    assert (one.devices, two.devices) == (1, 2)
    pd.testing.assert_frame_equal(pd.read_parquet(one.path), pd.read_parquet(two.path))
    assert (one.evaluated, one.feasible) == (two.evaluated, two.feasible)
print("identical")
"""


def test_two_devices_give_the_rows_of_one(tmp_path):
    # A fresh process: the forced device count must be set before JAX starts.
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "JAX_PLATFORMS": "cpu", "XLA_FLAGS": "--xla_force_host_platform_device_count=2"}
    script = _TWO_DEVICES.format(tests=str(Path(__file__).parent), tmp=str(tmp_path))
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=600)
    assert run.returncode == 0 and "identical" in run.stdout, run.stderr[-2000:]


_DEFAULT_OPTIMISATION = """
import sys
sys.path.insert(0, {tests!r})
from pathlib import Path
from explorer.engine import sweep
from test_engine import small_spec
sweep(small_spec(Path({tmp!r}), name="default", dtype="float64"), progress=False)
"""


def test_the_front_is_the_same_with_xla_s_default_optimisations(tmp_path):
    """The suite compiles with most of XLA's optimisations off (tests/conftest.py); the shipped
    engine compiles with them on. A fresh process with XLA's defaults gives the same front."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "JAX_DISABLE_MOST_OPTIMIZATIONS": "0"}
    script = _DEFAULT_OPTIMISATION.format(tests=str(Path(__file__).parent), tmp=str(tmp_path))
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    default, _ = io.read(tmp_path / "default.parquet")
    here = sweep(small_spec(tmp_path, name="here", dtype="float64"), progress=False).frame
    assert 0 < len(here) and design_set(default) == design_set(here)
    pd.testing.assert_frame_equal(default, here, rtol=1e-12)


def test_a_second_run_on_the_same_output_fails_at_once(tmp_path):
    from explorer.sweep_files import RunLock

    spec = small_spec(tmp_path, name="busy")
    with RunLock(tmp_path / "busy.parquet"):
        with pytest.raises(ExplorerError, match="another run is writing"):
            sweep(spec, progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing written, the lock file removed
    assert sweep(spec, progress=False).on_front > 0  # and free again


def test_resume_refuses_when_a_preset_changed_since_the_kill(tmp_path, monkeypatch):
    import dataclasses

    import explorer.models.params as params_module

    spec = interrupted_run(tmp_path, monkeypatch)
    original = params_module.load_preset

    def edited(kind, name):  # the hardware preset file, edited: host_power 200 W → 400 W
        preset = original(kind, name)
        if kind != "hardware":
            return preset
        entries = dict(preset.entries)
        entries["host_power"] = dataclasses.replace(entries["host_power"], value=400.0)
        return dataclasses.replace(preset, entries=entries)

    monkeypatch.setattr(params_module, "load_preset", edited)
    with pytest.raises(ExplorerError, match=r"different spec, preset .*\(host_power 200.0 then, 400.0 now\)"):
        sweep(spec, resume=True, progress=False)
    assert not (tmp_path / "run.parquet").exists()


def test_frontier_and_all_mode_values_of_a_configuration_agree_to_a_few_ulps(tmp_path):
    # The two modes compile different programs (docs/engine.md): the same configuration's values
    # may differ in the last bits. Bound it: float32, at most 2e-6 relative (~16 ulps).
    sweep(small_spec(tmp_path, mode="all", name="all"), progress=False)
    everything, _ = io.read(tmp_path / "all.parquet")
    front = sweep(small_spec(tmp_path, name="front"), progress=False).frame
    joined = front.merge(everything, on=DESIGN, suffixes=("", "_all"))
    assert len(joined) == len(front)
    for column in ("time_s", "energy_j", "final_loss", "cost_usd", "power_w"):
        np.testing.assert_allclose(joined[column], joined[column + "_all"], rtol=2e-6)


@pytest.mark.parametrize("mode", ["frontier", "all"])
def test_write_false_returns_what_the_file_would_hold_and_touches_no_disk(tmp_path, mode):
    written = sweep(small_spec(tmp_path, mode=mode, name="written"), progress=False)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = sweep(small_spec(tmp_path, mode=mode, name="memory"), progress=False, write=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no file, lock, checkpoint or parts
    assert result.path is None
    pd.testing.assert_frame_equal(result.frame, written.frame)
    on_disk, _ = io.read(written.path)
    if mode == "all":  # every row, as the written file holds them (dtypes included)
        pd.testing.assert_frame_equal(result.rows, on_disk)
    else:
        assert result.rows is None
        pd.testing.assert_frame_equal(result.frame, on_disk)


def test_write_false_refuses_resume_and_ray(tmp_path):
    with pytest.raises(ExplorerError, match="write=False.*checkpoint"):
        sweep(small_spec(tmp_path), resume=True, write=False)
    with pytest.raises(ExplorerError, match="write=False.*Ray"):
        sweep(small_spec(tmp_path), ray=True, write=False)
    assert list(tmp_path.iterdir()) == []


def test_progress_names_the_compile_and_write_phases(tmp_path, capsys):
    sweep(small_spec(tmp_path, name="phases"), progress=True)
    err = capsys.readouterr().err
    compiling, written = err.index("compiling the sweep's programs"), err.index("written in")
    assert compiling < err.index("compiled in") < err.index(f"writing {tmp_path / 'phases.parquet'}") < written
    sweep(small_spec(tmp_path, name="quiet"), progress=False)
    assert capsys.readouterr().err == ""
