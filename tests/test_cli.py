"""The explorer command line: evaluate, presets, calibrate; bad input is one line and exit 2."""

import re
import subprocess
import sys

import pandas as pd
import pytest

from explorer import io
from explorer.cli.main import main


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_version_is_the_distribution_version(capsys):
    import tomllib
    from pathlib import Path

    declared = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]["version"]
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"explorer {declared}"


def test_evaluate_prints_outputs_with_units(capsys):
    code, out, _ = run_cli(capsys, "evaluate", "--model", "llm_training", "--hardware", "h100-sxm",
                           "--workload", "llama3.1-70b", "nu=1.5e9", "batch=1024", "temperature=0.1",
                           "n_parallel=4096")
    assert code == 0
    assert "hardware=h100-sxm" in out
    lines = {line.split()[0]: line for line in out.splitlines()[1:]}
    # the printed output is the model's value at that configuration, in its unit and a planner's
    import explorer

    row = explorer.evaluate({"nu": 1.5e9, "batch": 1024.0, "temperature": 0.1, "n_parallel": 4096.0},
                            params={"hardware": "h100-sxm", "workload": "llama3.1-70b"}).iloc[0]
    energy = lines["device_energy_j"].split()  # "device_energy_j  610.3 MWh  (2.1971 TJ)": planner unit, then SI
    assert float(energy[1]) == pytest.approx(row.device_energy_j / 3.6e9, rel=1e-3) and energy[2] == "MWh"
    assert float(energy[3].lstrip("(")) == pytest.approx(row.device_energy_j / 1e12, rel=1e-4) and energy[4] == "TJ)"
    time = lines["time_s"].split()
    assert float(time[1]) == pytest.approx(row.time_s / 86400, rel=1e-3) and time[2] == "days"
    assert float(time[3].lstrip("(").replace(",", "")) == pytest.approx(row.time_s, rel=1e-5)
    mfu = lines["mfu"].split()
    assert float(mfu[1].rstrip("%")) == pytest.approx(100 * row.mfu, rel=1e-3)
    assert lines["t_junction"].split()[1:3] == [f"{row.t_junction - 273.15:.4g}", "°C"]
    assert "(≤ 0 is feasible)" in lines["memory_margin"]
    assert not re.search(r"\de[+-]?\d", out)  # no raw scientific notation (1.2e+07)
    assert out.splitlines()[-1].startswith("model error on h100-sxm: ±")  # the calibrated band
    code, out, err = run_cli(capsys, "evaluate", "--quiet", "nu=1.5GHz")
    assert code == 0 and out == "" and err == ""  # errors only


def test_evaluate_lists_and_units_broadcast(capsys):
    code, out, _ = run_cli(capsys, "evaluate", "--csv", "nu=1.2GHz,1.5GHz", "pue=1.3")
    assert code == 0
    rows = out.strip().splitlines()
    assert rows[0].startswith("nu [Hz],power_limit [W],batch [sequences]")
    assert len(rows) == 3 and rows[1].startswith("1200000000.0")


def test_presets_list_show_and_table(capsys):
    code, out, _ = run_cli(capsys, "presets")
    assert code == 0 and "hardware:" in out and "h100-x1000" in out and "llama3.1-405b" in out
    code, out, _ = run_cli(capsys, "presets", "h100-sxm")
    assert code == 0 and "peak_flops" in out and "whitepaper" in out
    lines = {line.split()[0]: line for line in out.splitlines()[1:] if line.strip() and "↳" not in line}
    assert " 989.4 TFLOP/s " in lines["peak_flops"] and " 1.98 GHz " in lines["nu_max"]  # planner units
    assert " 85 °C " in lines["t_junction_max"] and not re.search(r"\de[+-]?\d", out)
    code, out, _ = run_cli(capsys, "presets", "--table", "workload")
    assert out.startswith("preset,parameter,value,unit,source,note")


def test_calibrate_prints_the_table(capsys):
    code, out, _ = run_cli(capsys, "calibrate")
    assert code == 0
    assert "| GPT-3 175B | v100-sxm2-32gb | 10,000 | device_hours | 3,552,000 |" in out
    assert "Leave-one-out |error|: mean" in out


def test_sweep_takes_presets_and_params_and_prints_json(tmp_path, capsys):
    import json

    from explorer import io

    spec = write_spec(tmp_path)
    code, out, _ = run_cli(capsys, "sweep", str(spec), "--quiet", "--json", "--hardware", "b200",
                           "--param", "pue=1.3", "--param", "usd_per_kwh=0.2")
    document = json.loads(out)
    assert code == 0 and document["evaluated"] == 144 and document["evaluated_in_this_run"] == 144
    assert document["path"] == str(tmp_path / "front.parquet") and document["on_front"] >= 1
    _, meta = io.read(tmp_path / "front.parquet")
    assert meta["presets"]["hardware"] == "b200" and meta["presets"]["workload"] == "llama3.1-70b"
    assert meta["params"]["pue"] == pytest.approx(1.3) and meta["params"]["usd_per_kwh"] == pytest.approx(0.2)
    code, _, err = run_cli(capsys, "sweep", str(spec), "--param", "pue")
    assert code == 2 and "--param 'pue' is not KEY=VALUE" in err


def test_evaluate_grid_columns_and_json(capsys):
    import json

    code, out, _ = run_cli(capsys, "evaluate", "--grid", "--json", "--columns", "time_s,feasible",
                           "nu=1.2GHz,1.8GHz", "n_parallel=4k,8k,16k")
    document = json.loads(out)
    rows = document["rows"]
    assert code == 0 and len(rows) == 6  # 2 × 3, the product
    assert {(r["nu"], r["n_parallel"]) for r in rows} == {(a, b) for a in (1.2e9, 1.8e9) for b in (4000, 8000, 16000)}
    assert set(rows[0]) == {"nu", "power_limit", "batch", "temperature", "n_parallel", "time_s", "feasible"}
    assert document["units"]["time_s"] == "s"
    code, _, err = run_cli(capsys, "evaluate", "--columns", "speed")
    assert code == 2 and "--columns: 'speed' is not an output" in err


def test_presets_and_frontier_print_json(tmp_path, capsys):
    import json

    code, out, _ = run_cli(capsys, "presets", "--json")
    assert code == 0 and "h100-sxm" in json.loads(out)["hardware"]
    code, out, _ = run_cli(capsys, "presets", "h100-sxm", "--json")
    assert json.loads(out)["values"]["nu_nominal"]["unit"] == "Hz"
    pd.DataFrame({"a": [1.0, 2.0], "b": [2.0, 1.0]}).to_parquet(tmp_path / "x.parquet")
    code, out, _ = run_cli(capsys, "frontier", str(tmp_path / "x.parquet"), "--objectives", "a,b", "--json")
    assert code == 0 and json.loads(out) == {"path": str(tmp_path / "x.front.parquet"), "on_front": 2, "rows_in": 2}


def test_calibrate_dvfs_prints_every_hardware_preset(capsys):
    code, out, _ = run_cli(capsys, "calibrate", "--dvfs")
    assert code == 0
    for name in ("v100-sxm2-32gb", "a100-sxm-80gb", "h100-sxm", "b200"):
        assert f"| {name} |" in out
    assert "Perseus" in out and "MHz" in out and "e+" not in out


@pytest.mark.parametrize("argv,message", [
    (["evaluate", "--hardware", "h99"], "unknown hardware preset: 'h99'"),
    (["evaluate", "nuu=3"], "unknown design variable or parameter 'nuu'"),
    (["evaluate", "nu=-1"], "nu must be a positive finite number"),
    (["evaluate", "nu=1.5 GW"], "does not convert to 'Hz'"),
    (["evaluate", "nu"], "is not NAME=VALUE"),
    (["evaluate", "--model", "gpt"], "unknown model: 'gpt'"),
    (["presets", "nope"], "unknown preset: 'nope'"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, argv, message):
    code, out, err = run_cli(capsys, *argv)
    assert code == 2
    assert message in err
    assert err.count("\n") == 1 and out == ""


def test_console_entry_point_help_and_usage_error():
    help_run = subprocess.run([sys.executable, "-m", "explorer.cli.main", "--help"], capture_output=True, text=True)
    assert help_run.returncode == 0 and "evaluate" in help_run.stdout
    bad = subprocess.run([sys.executable, "-m", "explorer.cli.main", "frobnicate"], capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "invalid choice" in bad.stderr


SMALL_SPEC = """
[model]
name = "llm_training"
hardware = "h100-sxm"
workload = "llama3.1-70b"

[axes]
nu = { low = "1.2 GHz", high = "1.98 GHz", count = 4 }
batch = { low = 512, high = 4096, scale = "log", count = 4 }
temperature = { values = [0.002, 0.004, 0.008] }
n_parallel = { values = [2048, 4096, 8192] }

[objectives]
time_s = "min"
energy_j = "min"

[output]
path = "OUT"
chunk_size = 50
"""


def write_spec(tmp_path, text=SMALL_SPEC, name="spec.toml"):
    path = tmp_path / name
    path.write_text(text.replace("OUT", str(tmp_path / "front.parquet")))
    return path


def test_sweep_then_frontier_end_to_end(tmp_path, capsys):
    spec = write_spec(tmp_path)
    code, out, _ = run_cli(capsys, "sweep", str(spec), "--quiet")
    assert code == 0
    assert "144 configurations evaluated" in out and "on the Pareto front" in out
    assert (tmp_path / "front.parquet").exists()
    code, out, _ = run_cli(capsys, "frontier", str(tmp_path / "front.parquet"), "--objectives",
                           "time_s,energy_j", "--out", str(tmp_path / "again.parquet"))
    assert code == 0
    from explorer import io

    a, _ = io.read(tmp_path / "front.parquet")
    b, _ = io.read(tmp_path / "again.parquet")
    assert len(a) == len(b)  # the front of a front is itself
    code, out, err = run_cli(capsys, "frontier", str(tmp_path / "front.parquet"), "--objectives", "time_s,cost_usd")
    assert code == 0 and f"wrote {tmp_path / 'front.front.parquet'}" in out  # the default path
    assert (tmp_path / "front.front.parquet").exists()
    assert err.count("\n") == 1 and "is a front for time_s, energy_j only" in err  # cost was not an objective


def test_shipped_specs_are_valid():
    import pathlib

    from explorer.spec import load_spec

    specs = sorted(pathlib.Path(__file__).resolve().parents[1].joinpath("sweeps").glob("*.toml"))
    assert len(specs) >= 4
    for path in specs:
        spec = load_spec(path)
        assert spec.objectives and spec.axes


@pytest.mark.parametrize("edit,message", [
    (("[output]", "[outputs]"), "unknown key 'outputs'"),
    (("count = 4 }", "count = 4, step = 2 }"), "unknown key 'axes.nu.step'"),
    (('low = "1.2 GHz", high = "1.98 GHz"', 'low = "1.98 GHz", high = "1.2 GHz"'), "empty or inverted range"),
    (('low = "1.2 GHz"', 'low = "1.2 parsecs"'), "does not convert to 'Hz'"),
    (('hardware = "h100-sxm"', 'hardware = "h99"'), "unknown hardware preset: 'h99'"),
    (('time_s = "min"', 'time_z = "min"'), "unknown output of model 'llm_training': 'time_z'"),
    (('energy_j = "min"', 'energy_j = "least"'), "must be \"min\" or \"max\""),
    (("[output]", '[constraints]\nmargins = ["speed_margin"]\n[output]'), "is not a margin output"),
    (("[output]", '[constraints]\nbounds = ["time_s < 90 days"]\n[output]'), "is not 'OUTPUT <= VALUE'"),
    (("chunk_size = 50", 'chunk_size = "big"'), "chunk_size must be an integer"),
    (("[objectives]", "[sampler]\nkind = \"random\"\n[objectives]"), "sampler.samples is required"),
    (("nu = {", "nuu = {"), "unknown axis 'nuu'"),
])
def test_spec_errors_are_one_line_and_write_nothing(tmp_path, capsys, edit, message):
    out = tmp_path / "front.parquet"
    out.write_bytes(b"precious")  # an earlier result that must survive a bad spec
    spec = write_spec(tmp_path, SMALL_SPEC.replace(*edit))
    code, stdout, err = run_cli(capsys, "sweep", str(spec), "--quiet")
    assert code == 2, err
    assert message in err and err.count("\n") == 1 and stdout == ""
    assert out.read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["front.parquet", "spec.toml"]


@pytest.mark.parametrize("argv,message", [
    (["sweep", "missing.toml"], "cannot read spec 'missing.toml'"),
    (["frontier", "missing.parquet", "--out", "x.parquet"], "no such file"),
])
def test_unreadable_files_are_one_line(tmp_path, capsys, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(capsys, *argv)
    assert code == 2 and message in err and err.count("\n") == 1
    assert not (tmp_path / "x.parquet").exists()


def test_frontier_refuses_a_non_parquet_out_and_list_metadata(tmp_path, capsys):
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"time_s": [1.0, 2.0], "energy_j": [2.0, 1.0]})
    listed = tmp_path / "listed.parquet"
    pq.write_table(table.replace_schema_metadata({b"explorer": json.dumps([1, 2]).encode()}), listed)
    code, _, err = run_cli(capsys, "frontier", str(listed), "--objectives", "time_s,energy_j", "--out",
                           str(tmp_path / "f.parquet"))
    assert code == 2 and "unreadable explorer metadata: a JSON list" in err and err.count("\n") == 1
    plain = tmp_path / "plain.parquet"
    pq.write_table(table, plain)
    code, _, err = run_cli(capsys, "frontier", str(plain), "--objectives", "time_s,energy_j", "--out",
                           str(tmp_path / "f.csv"))
    assert code == 2 and "--out must end in .parquet" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["listed.parquet", "plain.parquet"]


OPT_SPEC = """
[model]
name = "llm_training"
hardware = "h100-sxm"
workload = "llama3.1-70b"

[axes]
nu = { low = "0.8 GHz", high = "1.98 GHz" }
n_parallel = { low = 1024, high = 16384, scale = "log" }

[objectives]
energy_j = "min"

[constraints]
bounds = ["time_s <= 90 days"]

[optimize]
starts = 4
outer = 6
inner = 60

[output]
path = "OUT"
mode = "all"
"""


def test_optimize_prints_the_best_configuration(tmp_path, capsys):
    spec = write_spec(tmp_path, OPT_SPEC)
    code, out, _ = run_cli(capsys, "optimize", str(spec))
    assert code == 0
    assert "4 runs:" in out and "converged" in out and "best configuration" in out
    assert "(≤ 0 is feasible)" in out and re.search(r"\n  nu +1\.\d+ GHz\n", out)
    assert not re.search(r"\de[+-]?\d", out)  # no raw scientific notation
    from explorer import io

    frame, meta = io.read(tmp_path / "front.parquet")
    assert len(frame) == 4 and meta["kind"] == "optimize" and frame.best.sum() == 1
    import json

    code, out, _ = run_cli(capsys, "optimize", str(spec), "--json", "--quiet", "--param", "usd_per_kwh=0.2")
    document = json.loads(out)  # one JSON document, nothing else on stdout
    assert code == 0 and document["runs"] == 4 and document["best"]["energy_j"] > 0
    _, meta = io.read(tmp_path / "front.parquet")
    assert meta["spec"]["model"]["params"] == {"usd_per_kwh": "0.2"}
    assert meta["params"]["usd_per_kwh"] == pytest.approx(0.2)


def test_optimize_bad_settings_write_nothing(tmp_path, capsys):
    spec = write_spec(tmp_path, OPT_SPEC.replace("starts = 4", "starts = 0"))
    code, _, err = run_cli(capsys, "optimize", str(spec))
    assert code == 2 and "optimize.starts" in err and err.count("\n") == 1
    assert not (tmp_path / "front.parquet").exists()


def _sigint_run(spec, tmp_path, *, after=None, delay=0.0):
    """Runs ``explorer sweep`` in a subprocess and sends SIGINT ``delay`` s after ``after`` exists
    (or after the start); returns (returncode, stderr)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    proc = subprocess.Popen([sys.executable, "-m", "explorer.cli.main", "sweep", str(spec), "--quiet",
                             "--checkpoint-every", "0"], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            text=True, env={**os.environ, "JAX_PLATFORMS": "cpu"})
    deadline = time.time() + 120
    while after is not None and not after.exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.005)
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    return proc.returncode, err.strip()


def test_sigint_before_the_first_chunk_and_mid_run(tmp_path):
    from references import spec_toml
    from test_engine import small_spec

    raw = small_spec(tmp_path, chunk=4096, name="run")
    for axis in raw["axes"].values():
        axis["count"] = 32  # 32⁴ configurations in 256 chunks
    spec = tmp_path / "spec.toml"
    spec.write_text(spec_toml(raw))
    checkpoint = tmp_path / "run.parquet.checkpoint.npz"
    # at once: during start-up or compilation, before any chunk: no checkpoint, and it says so
    code, err = _sigint_run(spec, tmp_path, delay=0.3)
    assert code == 130 and "Traceback" not in err
    assert err.splitlines()[-1] in ("explorer: interrupted",
                                    "explorer sweep: interrupted before the first chunk finished; no checkpoint "
                                    "was saved")
    assert not checkpoint.exists() and not (tmp_path / "run.parquet").exists()
    # mid-run: once a checkpoint exists (one per chunk here), the interrupt leaves a valid one
    code, err = _sigint_run(spec, tmp_path, after=checkpoint)
    assert code == 130 and "Traceback" not in err
    assert f"checkpoint {str(checkpoint)!r} holds the run so far" in err.splitlines()[-1]
    assert main(["sweep", str(spec), "--quiet", "--resume"]) == 0
    resumed, _ = io.read(tmp_path / "run.parquet")
    assert main(["sweep", str(spec), "--quiet", "--out", str(tmp_path / "ref.parquet")]) == 0
    reference, _ = io.read(tmp_path / "ref.parquet")
    pd.testing.assert_frame_equal(resumed, reference)
