"""seed000: hand-worked values from seed 000's equations, margins, monotonicity, autodiff."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import explorer
from explorer.models import get_model, resolve_params

KB_T_LN2 = 1.380649e-23 * 300 * math.log(2)  # 2.871e-21 J
PARAMS = {"alpha": 1e-31, "l0": 10.0, "l_star": 2.0, "d": 1.0, "delta_l": 0.04, "delta_l_unit": 0.5,
          "gamma_comm": 1e-6, "accesses_per_flop": 0.0}


def row(**design):
    return explorer.evaluate(design, model="seed000", params=PARAMS).iloc[0]


def test_hand_worked_time_energy_gap():
    r = row(nu=1e9, batch=100.0, temperature=0.01, n_parallel=10.0)
    dl_step = 0.5 / math.sqrt(100)  # §2.3: 0.05
    t1 = 8.0 / (1.0 * 1e9 * 100 * math.exp(-4.0) * dl_step)  # §3.1 = 8·e⁴/5e9 s
    speedup = 10 / (1 + 1e-6 * 10 * math.log(10))  # §5.1
    assert r.t_train == pytest.approx(t1 / speedup, rel=1e-5)
    e_flop = KB_T_LN2 + 1e-31 * 1e18  # §1.1
    assert r.e_flop == pytest.approx(e_flop, rel=1e-6, abs=0)
    work = 1e9 * 100 * t1  # §2.1 operations on one device
    assert r.E_total == pytest.approx(work * 10 / speedup * e_flop, rel=1e-5)
    assert r.loss_gap == pytest.approx(0.01 / 2 * math.log(1e9 * t1 / speedup), rel=1e-5)


def test_margins_change_sign_at_their_limits():
    nu_max = math.sqrt(7.2e-13 / 1e-31)  # §1.3
    assert row(nu=nu_max * 0.999).clock_margin < 0 < row(nu=nu_max * 1.001).clock_margin
    b_max = row().batch_max
    assert row(batch=b_max * 0.999).batch_margin < 0 < row(batch=b_max * 1.001).batch_margin


def test_bandwidth_limit_on_batch():
    # §2.2: min(2.68e13/(1e9·1·16), 4e10/1) = 1675
    assert row(nu=1e9).batch_max == pytest.approx(2.68e13 / (1e9 * 16), rel=1e-6)


def test_time_falls_and_energy_grows_with_clock():
    df = explorer.evaluate({"nu": np.geomspace(1e8, 3e9, 30)}, model="seed000", params=PARAMS)
    assert np.all(np.diff(df.t_train) < 0)
    assert np.all(np.diff(df.E_total) > 0)


def test_efficiency_peaks_at_nu_efficient():
    nu_eff = math.sqrt(KB_T_LN2 / 1e-31)  # §1.3: 1.694e5 Hz
    df = explorer.evaluate({"nu": nu_eff * np.linspace(0.5, 2.0, 1501)}, model="seed000", params=PARAMS)
    best = df.nu[int(np.argmax(df.flops_per_joule))]
    assert best == pytest.approx(nu_eff, rel=2e-3)


def test_loss_gap_slope_in_temperature():
    # gap = (T/2)·log(ν·t(T)) with t ∝ exp(ΔL/T): d gap/dT = ½·(log(ν·t) − ΔL/T), so the
    # bound grows with T exactly where log(ν·t) > ΔL/T (T above the §3.3 optimum).
    temps = np.array([0.002, 0.004, 0.01, 0.03])
    h = 1e-7
    with jax.enable_x64(True):
        lo = explorer.evaluate({"temperature": temps - h}, model="seed000").loss_gap.to_numpy()
        hi = explorer.evaluate({"temperature": temps + h}, model="seed000").loss_gap.to_numpy()
        mid = explorer.evaluate({"temperature": temps}, model="seed000")
    slope = (hi - lo) / (2 * h)
    expected = 0.5 * (np.log(mid.nu * mid.t_train) - 0.04 / temps)
    np.testing.assert_allclose(slope, expected, rtol=1e-4, atol=1e-6)


def test_jit_vmap_grad_finite_and_float64():
    model = get_model("seed000")
    p = {k: jnp.float32(v) for k, v in resolve_params(model).items()}

    def f(x):
        return model.fn({"nu": x[0], "batch": x[1], "temperature": x[2], "n_parallel": x[3]}, p)

    x = jnp.asarray([1.8e9, 1024.0, 1.1e-3, 1024.0], jnp.float32)
    out = jax.jit(f)(x)
    assert all(bool(jnp.isfinite(v)) for v in out.values())
    assert jax.vmap(f)(jnp.stack([x, x]))["t_train"].shape == (2,)
    for name in ("t_train", "E_total", "C_total"):
        assert bool(jnp.all(jnp.isfinite(jax.grad(lambda v: jnp.log(f(v)[name]))(x))))
    with jax.enable_x64(True):
        p64 = {k: jnp.float64(v) for k, v in resolve_params(model).items()}

        def f64(x):
            return model.fn({"nu": x[0], "batch": x[1], "temperature": x[2], "n_parallel": x[3]}, p64)

        x64 = jnp.asarray([1.8e9, 1024.0, 1.1e-3, 1024.0], jnp.float64)
        for name in ("t_train", "E_total"):
            grad = np.asarray(jax.grad(lambda v: jnp.log(f64(v)[name]))(x64))
            for k in range(4):  # against a central finite difference of log(output)
                h = float(x64[k]) * 1e-6
                up, down = x64.at[k].add(h), x64.at[k].add(-h)
                fd = (float(jnp.log(f64(up)[name])) - float(jnp.log(f64(down)[name]))) / (2 * h)
                assert grad[k] == pytest.approx(fd, rel=1e-5, abs=1e-12 / h), (name, k)
