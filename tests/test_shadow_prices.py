"""Shadow prices: KKT multipliers by hand, and each price against the change of a re-solved
optimum as its constraint moves (closed form and central finite differences)."""

import math

import numpy as np
import pytest

import explorer
from explorer.cli.main import main
from explorer.problem import Problem
from explorer.shadow_prices import describe, kkt_multipliers, shadow_price_columns
from explorer.spec import parse_spec

BETA, GAMMA, L_RATIO = 0.5, 0.8, math.log(10.0 / 2.5)  # seed004's defaults: β, γ, ln(L₀/L*)


def test_multiplier_of_a_hand_problem():
    # min x² s.t. 1 − x ≤ 0: at x = 1, ∇f = 2 and ∇g = −1, so λ = 2; an inactive constraint
    # (g = −0.5) gets 0
    lam, residual, complementarity = kkt_multipliers(np.array([[2.0]]), np.array([[[-1.0], [1.0]]]),
                                                     np.array([[0.0, -0.5]]))
    np.testing.assert_allclose(lam, [[2.0, 0.0]])
    assert residual[0] == pytest.approx(0.0, abs=1e-12) and complementarity[0] == 0.0


def test_prices_are_physical_and_bounds_per_unit_of_output():
    raw = {"model": {"name": "seed004"}, "axes": {"batch": {"low": 16, "high": 8192, "scale": "log"}},
           "objectives": {"energy_j": "min"},
           "constraints": {"margins": ["loss_margin"], "bounds": ["time_s <= 10 hours"]}}
    problem = Problem.from_spec(parse_spec(raw))
    columns = shadow_price_columns(problem, np.array([[0.5, 0.25]]), span=np.array([8.0]))
    assert columns["shadow[loss_margin]"][0] == pytest.approx(4.0)  # λ̃·span, J per unit of margin
    assert columns["shadow[time_s <= 36000]"][0] == pytest.approx(2.0 / 36000.0)  # then per second
    two = Problem.from_spec(parse_spec({**raw, "objectives": {"energy_j": "min", "final_loss": "min"}}))
    assert np.isnan(shadow_price_columns(two, np.array([[0.5, 0.25]]), span=np.array([8.0, 1.0]))
                    ["shadow[loss_margin]"][0])


def seed004_optimum(tokens=1e11):
    run = explorer.optimize({"model": {"name": "seed004", "params": {"tokens": tokens}},
                             "axes": {"batch": {"low": 16, "high": 8192, "scale": "log"}},
                             "objectives": {"energy_j": "min"}, "constraints": {"margins": "all"},
                             "optimize": {"starts": 4}}, write=False)
    return run[run.best].iloc[0]


def test_seed004_loss_price_equals_the_closed_form_and_a_finite_difference():
    # on the loss constraint B^β = α·D/(ln(L₀/L*) − ε) and E* ∝ B^(β−γ), so
    # dE*/dε = −E*·(γ − β)/(β·ln(L₀/L*)) = −0.4328·E*
    best = seed004_optimum()
    price = best["shadow[loss_margin]"]
    assert price == pytest.approx((GAMMA - BETA) / (BETA * L_RATIO) * best.energy_j, rel=0.02)
    # the data set's size moves the same constraint: dg/d ln D = −ln(L₀/L*) at g = 0
    step = 0.01
    lo, hi = seed004_optimum(1e11 * (1 - step)), seed004_optimum(1e11 * (1 + step))
    d_energy_d_log_tokens = (hi.energy_j - lo.energy_j) / (math.log(1 + step) - math.log(1 - step))
    assert price == pytest.approx(-d_energy_d_log_tokens / L_RATIO, rel=0.02)


def llm_optimum(days):
    run = explorer.optimize({"model": {"name": "llm_training", "hardware": "h100-sxm", "workload": "llama3.1-70b"},
                             "axes": {"nu": {"low": "0.8 GHz", "high": "1.98 GHz"}},
                             "objectives": {"energy_j": "min"},
                             "constraints": {"margins": "all", "bounds": [f"time_s <= {days} days"]},
                             "optimize": {"starts": 4}}, write=False)
    return run[run.best].iloc[0]


def test_llm_training_time_budget_price_equals_a_finite_difference():
    # the energy-optimal clock of Llama 3.1 70B on 4,096 H100s takes more than 50 days; a
    # 50-day budget binds, and each day less costs energy at the rate the multiplier says
    best = llm_optimum(50.0)
    price = best["shadow[time_s <= 4.32e+06]"]  # J per s of budget
    assert best.time_s == pytest.approx(50 * 86400.0, rel=1e-4)
    lo, hi = llm_optimum(49.75), llm_optimum(50.25)
    assert price == pytest.approx((lo.energy_j - hi.energy_j) / (0.5 * 86400.0), rel=0.02)
    line = [s for s in describe(Problem.from_spec(parse_spec(
        {"model": {"name": "llm_training"}, "axes": {"nu": {"low": 8e8, "high": 1.98e9}},
         "objectives": {"energy_j": "min"}, "constraints": {"bounds": ["time_s <= 50 days"]}})),
        {**best.to_dict(), "shadow[time_s <= 4.32e+06]": price})]
    assert line == [f"time_s ≤ 50 days: one more day of time_s saves {explorer.display.human(price * 86400.0, 'J')} "
                    "of energy_j"]


def test_the_cli_prints_what_each_active_constraint_costs(tmp_path, capsys):
    spec = tmp_path / "seed004.toml"
    spec.write_text('[model]\nname = "seed004"\n[axes]\nbatch = { low = 16, high = 8192, scale = "log" }\n'
                    '[objectives]\nenergy_j = "min"\n[constraints]\nmargins = "all"\n[optimize]\nstarts = 4\n'
                    f'[output]\npath = "{tmp_path / "o.parquet"}"\n')
    assert main(["optimize", str(spec)]) == 0
    out = capsys.readouterr().out
    assert "what the active constraints cost (shadow prices):" in out
    assert "loss_margin: 1% more room saves 30.09 kWh of energy_j" in out  # 0.4328 × 6.953 MWh / 100
    frame, metadata = explorer.read(tmp_path / "o.parquet")
    assert metadata["shadow_price_units"]["shadow[loss_margin]"] == "J"


def test_a_bound_near_one_unit_is_priced_per_hundredth_of_it():
    # a loss bound of 1.885 nats: a price per whole nat would extrapolate the slope over half
    # the bound, so the line quotes it per 0.01 nats (1e12 J per nat → 1e10 J)
    problem = Problem.from_spec(parse_spec(
        {"model": {"name": "llm_training"}, "axes": {"nu": {"low": 8e8, "high": 1.98e9}},
         "objectives": {"energy_j": "min"}, "constraints": {"bounds": ["final_loss <= 1.885"]}}))
    name = problem.constraint_names[-1]
    lines = describe(problem, {f"shadow[{name}]": 1e12})
    assert lines == [f"final_loss ≤ 1.885 nats: 0.01 nats more of final_loss saves "
                     f"{explorer.display.human(1e10, 'J')} of energy_j"]
