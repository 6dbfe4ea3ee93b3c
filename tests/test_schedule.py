"""Schedules (explorer.schedule): a run split into phases, as one model the optimiser solves.

The closed-form problem is McCandlish et al. 2018's (App. D): steps S = S_min·(1 + B_noise/B)
per unit of progress, a step costs a + c·B seconds, and B_noise grows linearly with progress.
For a phase with mean noise scale B̄ the best batch is √(a·B̄/c), and the best continuous
schedule B(u) = √(a·B_noise(u)/c) takes s₀·∫(√a + √(c·B_noise(u)))² du.
"""

import math

import numpy as np
import pytest

import explorer
from explorer.errors import ExplorerError
from explorer.models import get_model
from explorer.models.base import Model, Output, Param, PhasePlan, Variable, register
from explorer.schedule import Schedule, parse_schedule, scheduled_model
from explorer.spec import parse_spec

A, C, S0, B0, SLOPE = 1.0, 0.01, 1000.0, 100.0, 3.0  # s/step, s/sample, steps per progress, B_noise(u) = B0(1 + 3u)


def _ramp(design, p):
    start, end = p["progress_start"], p["progress_end"]
    width = end - start
    noise_integral = p["b0"] * (width + p["slope"] * (end**2 - start**2) / 2.0)  # ∫ B_noise du
    steps = p["s0"] * (width + noise_integral / design["batch"])
    return {"time_s": steps * (p["a"] + p["c"] * design["batch"]), "steps": steps,
            "batch_margin": design["batch"] / 1e4 - 1.0}


RAMP = register(Model(
    name="schedule_test_ramp", version="1", fn=_ramp,
    design=(Variable("batch", "samples", 100.0, (1.0, 1e4), "log"),),
    params=(Param("a", "s", A), Param("c", "s", C), Param("s0", "1", S0), Param("b0", "samples", B0),
            Param("slope", "1", SLOPE), Param("progress_start", "1", 0.0), Param("progress_end", "1", 1.0)),
    outputs=(Output("time_s", "s", "min"), Output("steps", "1", "min", "info"),
             Output("batch_margin", "1", None, "margin")),
    phases=PhasePlan(params=lambda p, s, e: {**p, "progress_start": s, "progress_end": e},
                     combine={"time_s": "sum", "steps": "sum"})), replace=True)


def ramp_optimum(phases=None, shares="equal", starts=8):
    spec = {"model": {"name": "schedule_test_ramp"}, "axes": {"batch": {"low": 1.0, "high": 1e4, "scale": "log"}},
            "objectives": {"time_s": "min"}, "optimize": {"starts": starts, "outer": 4, "inner": 300}}
    if phases:
        spec["schedule"] = {"phases": phases, "vary": ["batch"], "shares": shares, "min_share": 0.0}
    run = explorer.optimize(spec, write=False)
    return run[run.best].iloc[0]


def test_each_phase_takes_the_closed_form_batch():
    best = ramp_optimum(4)
    for k in range(1, 5):
        mean_noise = B0 * (1 + SLOPE * (k - 0.5) / 4)
        assert best[f"batch_{k}"] == pytest.approx(math.sqrt(A * mean_noise / C), rel=2e-3)


def test_more_phases_approach_the_continuous_optimum_from_above():
    u = np.linspace(0.0, 1.0, 200_001)
    integrand = (math.sqrt(A) + np.sqrt(C * B0 * (1 + SLOPE * u))) ** 2
    continuous = S0 * float(np.sum((integrand[1:] + integrand[:-1]) / 2) * (u[1] - u[0]))
    constant = ramp_optimum()
    assert constant.batch == pytest.approx(math.sqrt(A * B0 * (1 + SLOPE / 2) / C), rel=2e-3)
    times = [constant.time_s] + [ramp_optimum(k, "free").time_s for k in (2, 4)]
    assert times[0] > times[1] > times[2] > continuous * (1 - 1e-5)
    assert times[2] == pytest.approx(continuous, rel=2e-3)


def test_one_phase_is_the_model_itself():
    schedule = Schedule(1, ("batch",))
    assert scheduled_model(RAMP, schedule) is RAMP
    spec = parse_spec({"model": {"name": "llm_training"}, "axes": {"batch": {"low": 64, "high": 4096}},
                       "objectives": {"time_s": "min"}, "schedule": {"phases": 1, "vary": ["batch"]}})
    assert spec.model is get_model("llm_training") and [a.name for a in spec.axes] == ["batch"]


def test_a_constant_design_split_into_phases_is_the_unsplit_run():
    # the same design in every phase, at random phase lengths: the phases' amounts add up to the
    # whole run's, and the loss gap over all the steps is the whole run's
    base = get_model("llm_training")
    model = scheduled_model(base, Schedule(3, ("batch", "nu")))
    rng = np.random.default_rng(0)
    batch, nu = rng.uniform(256, 8192, 16).round(), rng.uniform(1.0e9, 1.98e9, 16)
    weights = {"phase_weight_1": rng.uniform(0.05, 20, 16), "phase_weight_2": rng.uniform(0.05, 20, 16)}
    split = explorer.evaluate({**weights, **{f"{n}_{k}": x for n, x in (("batch", batch), ("nu", nu))
                                             for k in (1, 2, 3)}}, model=model)
    whole = explorer.evaluate({"batch": batch, "nu": nu}, model=base)
    for name in ("time_s", "energy_j", "device_hours", "tokens_needed", "final_loss", "loss_gap", "cost_usd",
                 "power_w", "mfu", "landauer_ratio", "time_margin"):
        assert split[name].to_numpy() == pytest.approx(whole[name].to_numpy(), rel=2e-5), name
    shares = split[["share_1", "share_2", "share_3"]].to_numpy()
    assert shares.sum(axis=1) == pytest.approx(np.ones(16), rel=1e-6) and (shares >= 0.02 - 1e-7).all()


def test_llm_training_phases_each_take_their_own_best_batch():
    # equal shares, the batch per phase free and the least time: the phases separate, so each
    # phase's batch is the integer a full scan of that phase alone finds
    spec = {"model": {"name": "llm_training"}, "axes": {"batch": {"low": 128, "high": 4096, "scale": "log"}},
            "objectives": {"time_s": "min"}, "schedule": {"phases": 2, "vary": ["batch"], "shares": "equal"},
            "optimize": {"starts": 2, "outer": 6, "inner": 100}}
    run = explorer.optimize(spec, write=False)
    best = run[run.best].iloc[0]
    batches = np.arange(128, 4097, dtype=float)
    for k, (start, end) in enumerate(((0.0, 0.5), (0.5, 1.0)), start=1):
        scan = explorer.evaluate({"batch": batches}, params={"progress_start": start, "progress_end": end})
        found = explorer.evaluate({"batch": best[f"batch_{k}"]},
                                  params={"progress_start": start, "progress_end": end}).time_s.iloc[0]
        assert found == pytest.approx(scan.time_s.min(), rel=1e-4)
    assert best.batch_1 < best.batch_2  # the noise scale grows as the loss falls: the batch ramps up


@pytest.mark.parametrize("raw, message", [
    ({"phases": 0, "vary": ["batch"]}, "schedule.phases must be an integer from 1 to 16"),
    ({"phases": 2}, "schedule.vary must be a non-empty list"),
    ({"phases": 2, "vary": ["bogus"]}, "'bogus' is not a design variable"),
    ({"phases": 2, "vary": ["nu"]}, "'nu' needs a range in \\[axes\\]"),
    ({"phases": 2, "vary": ["batch"], "shares": "random"}, "schedule.shares must be"),
    ({"phases": 4, "vary": ["batch"], "min_share": 0.25}, "schedule.min_share must be a number in \\[0, 1/phases\\)"),
    ({"phases": 2, "vary": ["batch"], "when": 1}, "unknown key 'schedule.when'"),
])
def test_bad_schedules_are_one_clear_error(raw, message):
    with pytest.raises(ExplorerError, match=message):
        parse_spec({"model": {"name": "llm_training"}, "axes": {"batch": {"low": 64, "high": 4096}},
                    "objectives": {"time_s": "min"}, "schedule": raw})


def test_a_model_without_phases_has_no_schedules():
    axes = parse_spec({"model": {"name": "seed000"}, "axes": {"batch": {"low": 1, "high": 64}},
                       "objectives": {"t_train": "min"}}).axes
    with pytest.raises(ExplorerError, match="model 'seed000' has no schedules"):
        parse_schedule({"phases": 2, "vary": ["batch"]}, get_model("seed000"), axes)


def test_seed004s_best_schedule_is_its_constant_optimum():
    # E(B) does not depend on the loss, so every stretch of seed 004's loss ODE has the same
    # best batch: the schedule's phases all take the constant optimum, at its energy (the
    # energy is flat there: 2% in one phase's batch moves it by 5e-5)
    def best(schedule=None):
        spec = {"model": {"name": "seed004"}, "axes": {"batch": {"low": 16, "high": 8192, "scale": "log"}},
                "objectives": {"energy_j": "min"}, "constraints": {"margins": "all"}, "optimize": {"starts": 4}}
        run = explorer.optimize({**spec, **({"schedule": schedule} if schedule else {})}, write=False)
        return run[run.best].iloc[0]

    constant, scheduled = best(), best({"phases": 3, "vary": ["batch"]})
    for k in (1, 2, 3):
        assert scheduled[f"batch_{k}"] == pytest.approx(constant.batch, rel=0.05)
    assert scheduled.energy_j == pytest.approx(constant.energy_j, rel=1e-4)
    assert scheduled.final_loss == pytest.approx(constant.final_loss, rel=1e-4)


def test_a_device_count_per_phase_keeps_its_whole_replica_step():
    model = scheduled_model(get_model("llm_training"), Schedule(2, ("n_parallel",)))
    assert model.integer_steps == {"n_parallel_1": ("tp", "pp"), "n_parallel_2": ("tp", "pp")}
    assert {"n_parallel_1", "n_parallel_2"} <= set(model.integers)
