"""seed003: hand-worked values from seed 003's equations, its constraints, the two-unit
workload distribution, and its optimum against a dense grid and SciPy."""

import math

import numpy as np
import pytest
from scipy.optimize import minimize

import explorer

WORK, ALPHA, E_OP, T_HW, BETA, P_IDLE = 4.2e21, 0.8, 1.25e-12, 8e15, 1.25, 800.0
GAMMA, B_OPT, C_MEM, P_MAX, COP = 0.9, 256.0, 20.0, 1e4, 0.1
T_AMB, R_TH, C_TH, T_MAX = 308.15, 0.004, 2e4, 358.15


def rows(params=None, **design):
    design = {k: np.atleast_1d(np.asarray(v, float)) for k, v in design.items()}
    return explorer.evaluate(design, model="seed003", params=params or {})


def by_hand(power, batch, nu=1.8e9):
    """Seed 003's equations for one system, written out."""
    throughput = min(ALPHA * power / E_OP, T_HW, T_HW * nu / 1.98e9)
    eta = GAMMA * (1 - math.exp(-batch / B_OPT))
    time = WORK / (throughput * eta)
    it = BETA * E_OP * WORK + (P_IDLE + C_MEM * math.sqrt(batch)) * time
    energy = it * (1 + COP)
    return {"throughput": throughput, "batch_efficiency": eta, "time_s": time, "energy_j": energy,
            "etp": energy * time, "power_w": it / time, "cooling_energy_j": COP * it,
            "p_inst": BETA * throughput * E_OP + P_IDLE}


def test_hand_worked_values_at_the_defaults():
    r = rows(power=8000.0, batch=1024.0, nu=1.8e9).iloc[0]
    for name, value in by_hand(8000.0, 1024.0).items():
        assert r[name] == pytest.approx(value, rel=2e-5), name
    assert r.p_inst == pytest.approx(8800.0, rel=1e-6)  # β·α·P + P_idle = P + 800 W
    assert r.f_opt == pytest.approx(math.sqrt(P_MAX / (3.81e-15 * 0.81)), rel=1e-6)  # 1.8000 GHz
    assert r.t_junction == pytest.approx(T_AMB + R_TH * r.power_w, rel=1e-4)  # the start-up peak is below
    achieved = WORK / r.time_s
    assert r.euf == pytest.approx(WORK * E_OP / r.energy_j, rel=1e-5)
    assert r.ppw == pytest.approx(achieved / r.power_w, rel=1e-5)
    e_min = WORK * 1.380649e-23 * T_AMB * math.log(2)
    assert r.eei == pytest.approx(achieved / T_HW * e_min / r.energy_j, rel=1e-4)


def test_the_clock_caps_throughput_below_the_power_limit():
    # at 1.0 GHz the cap 8e15·1/1.98 = 4.04e15 op/s is below α·P/E_op = 5.12e15
    r = rows(power=8000.0, batch=1024.0, nu=1.0e9).iloc[0]
    assert r.throughput == pytest.approx(T_HW / 1.98, rel=1e-6)


def test_constraints_change_sign_where_they_are_crossed():
    p_slow = 1e15 * E_OP / ALPHA  # T(P) = T_min at 1562.5 W
    df = rows(power=[0.99 * P_MAX, 1.01 * P_MAX, 0.99 * p_slow, 1.01 * p_slow], batch=1024.0, nu=1.7e9)
    assert df.power_margin[0] < 0 < df.power_margin[1]
    assert df.throughput_margin[2] > 0 > df.throughput_margin[3]
    df = rows(power=8000.0, batch=[4055.0, 4137.0], nu=1.7e9)
    assert df.batch_margin[0] < 0 < df.batch_margin[1]
    df = rows(power=8000.0, batch=1024.0, nu=[0.99 * 1.8e9, 1.01 * 1.8e9])
    assert df.clock_margin[0] < 0 < df.clock_margin[1]
    # thermal: P_total = η·P + 800 + 20·32 reaches (T_max − T_amb)/R_th = 12.5 kW at P = 12,518 W
    eta = GAMMA * (1 - math.exp(-4.0))
    p_hot = (12500.0 - P_IDLE - C_MEM * 32) / (BETA * ALPHA * eta)
    df = rows(power=[0.99 * p_hot, 1.01 * p_hot], batch=1024.0, nu=2.2e9,
              params={"f_max": 2.2e9, "throughput_max": 1e16})  # no rate cap below 12.5 kW
    assert df.thermal_margin[0] < 0 < df.thermal_margin[1]
    # heating rate: a step start (ramp → 0) heats at P_total/C, 0.5 K/s at 10 kW
    df = rows(power=[8000.0, 11000.0], batch=1024.0, nu=2.2e9, params={"f_max": 2.2e9, "ramp_s": 1e-6})
    np.testing.assert_allclose(df.heating_rate, df.power_w / C_TH, rtol=1e-4)
    assert df.heating_rate_margin[0] < 0 < df.heating_rate_margin[1]


def test_two_equal_units_with_proportional_work_are_one_system():
    one = rows(power=8000.0, batch=1024.0, nu=1.8e9).iloc[0]
    two = rows({"units": "two", "power_share": 0.3, "e_op_2": E_OP}, power=8000.0, batch=1024.0, nu=1.8e9).iloc[0]
    assert two.time_s == pytest.approx(one.time_s, rel=1e-5)
    assert two.energy_j == pytest.approx(one.energy_j, rel=1e-5)


def test_two_units_finish_with_the_slower_one():
    # unit 2 needs twice the energy per operation: at equal power it runs at half the rate; with
    # W_i ∝ P_i (α_w = 1) it gets half the work, so it takes (W/2)/(α·P/2/(2·E_op)·η) = 2× one system
    params = {"units": "two", "power_share": 0.5, "e_op_2": 2 * E_OP, "distribution_exponent": 1.0}
    two = rows(params, power=8000.0, batch=1024.0, nu=1.8e9).iloc[0]
    hand = by_hand(8000.0, 1024.0)
    assert two.time_s == pytest.approx((WORK / 2) / (ALPHA * 4000.0 / (2 * E_OP) * hand["batch_efficiency"]),
                                       rel=1e-5)
    assert two.time_s == pytest.approx(1.5 * hand["time_s"] * 4 / 3, rel=1e-5)


def test_optimum_agrees_with_a_dense_grid_and_scipy():
    # ETP falls with P up to P_max (the power constraint binds); in B it trades η_batch
    # against P_memory ∝ √B, an interior optimum; ν only caps the rate (flat above 1.58 GHz)
    powers, batches = np.linspace(9000.0, 10000.0, 41), np.arange(900.0, 1800.0, 4.0)
    p_grid, b_grid = (a.ravel() for a in np.meshgrid(powers, batches))
    grid = rows(power=p_grid, batch=b_grid, nu=1.7e9)
    best_grid = grid.loc[grid[grid.feasible].etp.idxmin()]

    def log_etp(x):
        return math.log(by_hand(x[0], math.exp(x[1]), 1.7e9)["etp"])

    scipy = minimize(log_etp, [8000.0, math.log(500.0)], method="L-BFGS-B",
                     bounds=[(1000.0, P_MAX), (math.log(16), math.log(8192))])
    assert best_grid.power == pytest.approx(P_MAX)
    assert scipy.x[0] == pytest.approx(P_MAX, rel=1e-6)
    assert best_grid.batch == pytest.approx(math.exp(scipy.x[1]), abs=4.0)
    run = explorer.optimize({"model": {"name": "seed003"},
                             "axes": {"power": {"low": 1000.0, "high": 12000.0},
                                      "batch": {"low": 16, "high": 8192, "scale": "log"},
                                      "nu": {"low": 6e8, "high": 2.2e9}},
                             "objectives": {"etp": "min"}, "constraints": {"margins": "all"},
                             "optimize": {"starts": 8}}, write=False)
    best = run[run.best].iloc[0]
    assert best.power == pytest.approx(P_MAX, rel=1e-3)
    assert best.batch == pytest.approx(math.exp(scipy.x[1]), rel=0.01)
    assert best.etp == pytest.approx(math.exp(scipy.fun), rel=1e-3)
