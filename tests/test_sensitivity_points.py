"""Sensitivities at a result's points: an optimum's elasticities against re-solved optima
(closed form and finite differences), a front's named points, and the CLI on files and specs."""

import math

import pytest

import explorer
from explorer.cli.main import main
from explorer.sensitivity import elasticities
from explorer.sensitivity_points import points_of

SEED004 = {"model": {"name": "seed004"}, "axes": {"batch": {"low": 16, "high": 8192, "scale": "log"}},
           "objectives": {"energy_j": "min"}, "constraints": {"margins": "all"}, "optimize": {"starts": 4}}


def optimum_elasticity(tmp_path, raw, output):
    explorer.optimize({**raw, "output": {"path": str(tmp_path / "o.parquet")}})
    (point,) = points_of(tmp_path / "o.parquet").points
    return point, elasticities(point.design, raw["model"]["name"], point.params, [output], point.envelope)


def best(raw, **params):
    model = {**raw["model"], "params": {**raw["model"].get("params", {}), **params}}
    run = explorer.optimize({**raw, "model": model}, write=False)
    return run[run.best].iloc[0]


def test_seed004_optimum_moves_with_the_data_as_the_closed_form_says(tmp_path):
    # E* ∝ B*^(β−γ) with B* ∝ D^(1/β): d ln E*/d ln D = (β − γ)/β = −0.6, although at a fixed
    # batch the energy does not depend on D at all
    point, frame = optimum_elasticity(tmp_path, SEED004, "energy_j")
    assert point.envelope and "loss_margin" in point.envelope
    assert frame.at["tokens", "energy_j"] == pytest.approx(-0.6, rel=0.02)
    assert elasticities(point.design, "seed004", point.params, ["energy_j"]).at["tokens", "energy_j"] == 0.0


def test_seed003_optimum_against_re_solved_optima(tmp_path):
    raw = {"model": {"name": "seed003"}, "axes": {"power": {"low": 1000.0, "high": 12000.0},
                                                  "batch": {"low": 16, "high": 8192, "scale": "log"},
                                                  "nu": {"low": 6e8, "high": 2.2e9}},
           "objectives": {"etp": "min"}, "constraints": {"margins": "all"}, "optimize": {"starts": 8}}
    _, frame = optimum_elasticity(tmp_path, raw, "etp")
    step = 0.05  # float32 optima carry ~10⁻⁵ of noise: a 1% step's difference would be 3% off
    for name, value in (("p_max", 1e4), ("c_memory", 20.0)):
        lo, hi = best(raw, **{name: value * (1 - step)}).etp, best(raw, **{name: value * (1 + step)}).etp
        finite = (math.log(hi) - math.log(lo)) / (math.log(1 + step) - math.log(1 - step))
        assert frame.at[name, "etp"] == pytest.approx(finite, rel=0.02, abs=2e-3), name


def test_llm_training_energy_optimum_against_re_solved_optima(tmp_path):
    # a 50-day budget binds (tests/test_shadow_prices.py): more tokens need a faster clock, so
    # the optimal energy grows faster than the energy at a fixed clock
    raw = {"model": {"name": "llm_training", "hardware": "h100-sxm", "workload": "llama3.1-70b"},
           "axes": {"nu": {"low": "0.8 GHz", "high": "1.98 GHz"}}, "objectives": {"energy_j": "min"},
           "constraints": {"margins": "all", "bounds": ["time_s <= 50 days"]}, "optimize": {"starts": 4}}
    point, frame = optimum_elasticity(tmp_path, raw, "energy_j")
    tokens = point.params["tokens"]
    lo, hi = best(raw, tokens=tokens * 0.99).energy_j, best(raw, tokens=tokens * 1.01).energy_j
    finite = (math.log(hi) - math.log(lo)) / (math.log(1.01) - math.log(0.99))
    assert frame.at["tokens", "energy_j"] == pytest.approx(finite, rel=0.02)
    fixed_clock = elasticities(point.design, "llm_training", point.params, ["energy_j"]).at["tokens", "energy_j"]
    assert frame.at["tokens", "energy_j"] > fixed_clock + 0.2


def test_a_front_gives_its_knee_and_each_objectives_best(tmp_path):
    explorer.sweep({"model": {"name": "seed004"}, "axes": {"batch": {"low": 16, "high": 8192, "scale": "log",
                                                                     "count": 64}},
                    "objectives": {"energy_j": "min", "final_loss": "min"},
                    "output": {"path": str(tmp_path / "s.parquet")}}, progress=False)
    named = points_of(tmp_path / "s.parquet")
    assert [p.label for p in named.points] == ["the front's knee", "the least energy_j", "the least final_loss"]
    frame, _ = explorer.read(tmp_path / "s.parquet")
    assert named.points[1].design["batch"] == frame.batch[frame.energy_j.idxmin()]
    assert len(points_of(tmp_path / "s.parquet", rows="all").points) == len(frame)


def test_cli_on_a_spec_and_its_errors(tmp_path, capsys):
    spec = tmp_path / "o.toml"
    spec.write_text('[model]\nname = "seed004"\n[axes]\nbatch = { low = 16, high = 8192, scale = "log" }\n'
                    '[objectives]\nenergy_j = "min"\n[constraints]\nmargins = "all"\n[optimize]\nstarts = 4\n')
    assert main(["sensitivity", str(spec), "--top", "2"]) == 0
    out = capsys.readouterr().out
    assert "at the best run" in out and "energy_j (of the optimum, re-optimised):" in out
    assert main(["sensitivity", str(spec), "batch=64"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "give a result file or spec, or NAME=VALUE settings, not both" in err
    assert main(["sensitivity", str(tmp_path / "missing.parquet")]) == 2
    assert capsys.readouterr().err.count("\n") == 1
