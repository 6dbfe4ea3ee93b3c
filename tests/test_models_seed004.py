"""seed004: hand-worked values from seed 004's equations, its constraints, and its optimum
against a dense grid and SciPy."""

import math

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

import explorer

K_B = 1.380649e-23
ALPHA, BETA, T0, B_MAX, GAMMA, W_BASE = 5e-10, 0.5, 1e7, 4096.0, 0.8, 1e6
L0, L_STAR, D, T_MIN = 10.0, 2.5, 1e11, 1e6
B_DATA = (ALPHA * D / math.log(L0 / L_STAR)) ** (1 / BETA)  # largest B whose D tokens reach L*: 1301.0
B_SPEED = B_MAX * (T_MIN / T0) ** (1 / GAMMA)  # least B with T(B) ≥ T_min: 230.3


def rows(batch):
    return explorer.evaluate({"batch": np.round(np.asarray(batch, float))}, model="seed004")  # whole samples


def test_hand_worked_values_at_1024():
    r = rows([1024.0]).iloc[0]
    e = ALPHA / 32.0  # α·B^−½
    t = T0 * (1024 / B_MAX) ** GAMMA  # T₀·(¼)^0.8 = 3.299e6 tokens/s
    assert r.efficiency == pytest.approx(e, rel=1e-6)
    assert r.throughput == pytest.approx(t, rel=1e-6)
    assert r.information_rate == pytest.approx(e * t, rel=1e-6)
    assert r.time_s == pytest.approx(math.log(L0 / L_STAR) / (e * t), rel=1e-5)  # the ODE's crossing
    assert r.energy_j == pytest.approx(W_BASE * math.log(4) / (e * t), rel=1e-5)
    assert r.w_total_seed == pytest.approx(W_BASE * (L0 - L_STAR) / (e * t), rel=1e-6)  # as written
    assert r.final_loss == pytest.approx(L0 * math.exp(-e * D), rel=1e-5)
    assert r.tokens_used == pytest.approx(math.log(4) / e, rel=1e-5)
    assert r.batch_star == pytest.approx((BETA * GAMMA * W_BASE / T0) ** (1 / (GAMMA - BETA)), rel=1e-5)
    e_min = K_B * 300 * math.log(2) * 7e9 * (D * L_STAR / math.log(2))
    assert r.e_landauer == pytest.approx(e_min, rel=1e-5)
    assert r.e_practical == pytest.approx(1e8 * e_min, rel=1e-5)


def test_the_seeds_closed_form_is_the_ode_energy_times_a_constant():
    df = rows(np.geomspace(16, 8192, 9))
    np.testing.assert_allclose(df.w_total_seed / df.energy_j, (L0 - L_STAR) / math.log(L0 / L_STAR), rtol=1e-5)


def test_constraints_change_sign_where_they_are_crossed():
    df = rows([B_DATA * 0.99, B_DATA * 1.01, B_SPEED * 0.99, B_SPEED * 1.01, B_MAX * 0.99, B_MAX * 1.01])
    assert df.loss_margin[0] < 0 < df.loss_margin[1]
    assert df.throughput_margin[2] > 0 > df.throughput_margin[3]
    assert df.batch_margin[4] < 0 < df.batch_margin[5]


def test_optimum_agrees_with_a_dense_grid_and_scipy():
    # energy falls with B (γ > β) until the data set's tokens no longer reach L*: the optimum
    # is B_DATA, on the loss constraint, not the seed's B*
    grid = rows(np.linspace(16, 8192, 8177))
    feasible = grid[grid.feasible]
    b_grid = feasible.batch[feasible.energy_j.idxmin()]

    def energy(log_b):  # SciPy on the model's closed-form reading, the loss constraint as a bound
        b = math.exp(log_b)
        return W_BASE * math.log(L0 / L_STAR) / (ALPHA * b**-BETA * T0 * min(1.0, b / B_MAX) ** GAMMA)

    b_scipy = math.exp(minimize_scalar(energy, bounds=(math.log(B_SPEED), math.log(B_DATA)),
                                       method="bounded", options={"xatol": 1e-9}).x)
    assert b_grid == pytest.approx(B_DATA, abs=1.0)
    assert b_scipy == pytest.approx(B_DATA, rel=1e-6)
    run = explorer.optimize({"model": {"name": "seed004"}, "axes": {"batch": {"low": 16, "high": 8192, "scale": "log"}},
                             "objectives": {"energy_j": "min"}, "constraints": {"margins": "all"},
                             "optimize": {"starts": 4}}, write=False)
    best = run[run.best].iloc[0]
    assert best.batch == pytest.approx(B_DATA, abs=1.0)
    assert best.energy_j == pytest.approx(feasible.energy_j.min(), rel=2e-3)
