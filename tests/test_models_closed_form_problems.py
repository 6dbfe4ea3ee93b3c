"""The two closed-form seed problems: values worked by hand from the seeds' formulas."""

import math

import jax.numpy as jnp
import pytest

from explorer.models.closed_form_problems import BARRIER, DELTA_L, SEED004, T_AVAILABLE


def test_barrier_margin_is_zero_at_the_closed_form_temperature():
    nu = 1.8e9
    t_opt = DELTA_L / math.log(nu * T_AVAILABLE)  # seed 000 §3.3
    out = BARRIER.fn({"temperature": jnp.float32(t_opt)}, {"delta_l": DELTA_L, "nu": nu, "t_available": T_AVAILABLE})
    assert float(out["crossing_margin"]) == pytest.approx(0.0, abs=1e-4)
    assert float(out["crossing_time"]) == pytest.approx(T_AVAILABLE, rel=1e-3)


def test_seed004_energy_by_hand_at_and_above_b_max():
    p = {q.name: q.default for q in SEED004.params}
    # E(B) = 0.01·B^−0.3, T(B) = 1e6·min(1, B/4096)^0.8; W = W_base·(L0 − L*)/(E·T)
    for b in (4096.0, 8192.0):
        e = 0.01 * b**-0.3
        t = 1e6 * min(1.0, b / 4096.0) ** 0.8
        expected = 1e6 * (10.0 - 2.0) / (e * t)
        assert float(SEED004.fn({"batch": jnp.float32(b)}, p)["w_total"]) == pytest.approx(expected, rel=1e-5)
