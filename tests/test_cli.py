"""The explorer command line: evaluate, presets, calibrate; bad input is one line and exit 2."""

import subprocess
import sys

import pytest

from explorer.cli.main import main


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_evaluate_prints_outputs_with_units(capsys):
    code, out, _ = run_cli(capsys, "evaluate", "--model", "llm_training", "--hardware", "h100-sxm",
                           "--workload", "llama3.1-70b", "nu=1.5e9", "batch=1024", "temperature=0.1",
                           "n_parallel=4096")
    assert code == 0
    assert "hardware=h100-sxm" in out
    lines = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert lines["nu"].split()[1:3] == ["1.5e+09", "Hz"]
    assert " J " in lines["energy_j"] and "MWh" in lines["energy_j"]
    assert "days" in lines["time_s"]
    assert "(≤ 0 is feasible)" in lines["memory_margin"]


def test_evaluate_lists_and_units_broadcast(capsys):
    code, out, _ = run_cli(capsys, "evaluate", "--csv", "nu=1.2GHz,1.5GHz", "pue=1.3")
    assert code == 0
    rows = out.strip().splitlines()
    assert rows[0].startswith("nu [Hz],batch [sequences]")
    assert len(rows) == 3 and rows[1].startswith("1200000000.0")


def test_presets_list_show_and_table(capsys):
    code, out, _ = run_cli(capsys, "presets")
    assert code == 0 and "hardware:" in out and "h100-x1000" in out and "llama3.1-405b" in out
    code, out, _ = run_cli(capsys, "presets", "h100-sxm")
    assert code == 0 and "peak_flops" in out and "whitepaper" in out
    code, out, _ = run_cli(capsys, "presets", "--table", "workload")
    assert out.startswith("preset,parameter,value,unit,source,note")


def test_calibrate_prints_the_table(capsys):
    code, out, _ = run_cli(capsys, "calibrate")
    assert code == 0
    assert "| GPT-3 175B | v100-sxm2-32gb | 10000 | 3,552,000 |" in out


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
