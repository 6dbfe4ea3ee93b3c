"""explorer optimize with a [schedule]: the schedule beside the best constant configuration."""

import pytest

from explorer import io
from explorer.cli.main import main
from explorer.schedule_run import optimize_schedule
from explorer.sensitivity import elasticities
from explorer.sensitivity_points import points_of

pytestmark = pytest.mark.xdist_group("schedule_run")  # one worker: the CLI test reuses the compiled solvers

SPEC = """[model]
name = "llm_training"
[axes]
batch = { low = 128, high = 8192, scale = "log" }
nu = { low = "0.8 GHz", high = "1.98 GHz" }
[schedule]
phases = 2
vary = ["batch"]
[objectives]
time_s = "min"
[constraints]
margins = "all"
bounds = ["cluster_power_w <= 3 MW"]
[optimize]
starts = 4
outer = 6
inner = 100
"""


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    spec = tmp_path_factory.mktemp("schedule") / "schedule.toml"
    spec.write_text(SPEC + f'[output]\npath = "{spec.parent / "schedule.parquet"}"\n')
    return spec, optimize_schedule(str(spec))


def test_the_schedule_is_never_worse_than_the_best_constant_configuration(result):
    _, found = result
    table = found.comparison.set_index("output")
    assert table.loc["time_s", "schedule"] <= table.loc["time_s", "constant"] * (1 + 1e-6)
    # at no higher final loss: the constant optimum's loss is a bound of the schedule's problem
    assert table.loc["final_loss", "schedule"] <= table.loc["final_loss", "constant"] * (1 + 1e-4)
    assert table.loc["time_s", "change"] == pytest.approx(
        table.loc["time_s", "schedule"] / table.loc["time_s", "constant"] - 1, rel=1e-9)


def test_the_phase_table_adds_up_to_the_schedule(result):
    _, found = result
    best = found.schedule[found.schedule.best].iloc[0]
    assert found.phases.share.sum() == pytest.approx(1.0, rel=1e-6)
    assert list(found.phases.batch) == [best.batch_1, best.batch_2]
    for name in ("time_s", "energy_j", "tokens_needed"):
        assert found.phases[name].sum() == pytest.approx(best[name], rel=1e-4), name
    assert found.phases.power_w.max() == pytest.approx(best.power_w, rel=1e-5)  # caps hold in the worst phase


def test_the_file_records_the_schedule_and_the_constant_optimum(result):
    spec, found = result
    frame, meta = io.read(spec.parent / "schedule.parquet")
    assert {"batch_1", "batch_2", "share_1", "share_2", "phase_weight_1"} <= set(frame.columns)
    assert meta["schedule"] == {"phases": 2, "vary": ["batch"], "shares": "free", "min_share": 0.02}
    constant = found.constant.iloc[0]
    assert meta["constant_optimum"]["time_s"] == pytest.approx(float(constant.time_s))
    assert meta["constant_optimum"]["batch"] == float(constant.batch)


def test_sensitivities_of_a_schedule_file_differentiate_the_whole_schedule(result):
    spec, _ = result
    found = points_of(str(spec.parent / "schedule.parquet"))
    point = found.points[0]
    assert {"batch_1", "batch_2", "phase_weight_1"} <= set(point.design)
    frame = elasticities(point.design, found.model, point.params, ["time_s"])
    assert "tokens" in frame.index and not {"progress_start", "progress_end"} & set(frame.index)
    assert frame.loc["usd_per_kwh", "time_s"] == 0.0  # a price moves no phase's time


def test_the_cli_prints_the_phases_and_the_gains(tmp_path, capsys):
    spec = tmp_path / "schedule.toml"
    spec.write_text(SPEC + f'[output]\npath = "{tmp_path / "out.parquet"}"\n')
    assert main(["optimize", str(spec), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "best schedule, 2 phases (batch per phase):" in out
    assert "against the best constant configuration at equal final loss:" in out
    lines = out.splitlines()
    header = next(line for line in lines if line.strip().startswith("phase"))
    assert "share [%]" in header and "batch [sequences]" in header and "time_s [days]" in header
    assert any(line.strip().startswith("time_s:") and "days (constant" in line for line in lines)


def test_a_bad_schedule_is_one_line_and_writes_nothing(tmp_path, capsys):
    spec = tmp_path / "bad.toml"
    spec.write_text(SPEC.replace('vary = ["batch"]', 'vary = ["bogus"]') + f'[output]\npath = "{tmp_path / "o.parquet"}"\n')
    assert main(["optimize", str(spec), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "schedule.vary: 'bogus' is not a design variable" in err
    assert not (tmp_path / "o.parquet").exists()
