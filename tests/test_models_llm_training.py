"""llm_training: hand-worked values, metadata, margins, monotonicity, jit/vmap/grad, float64."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import explorer
from explorer.models import get_model, resolve_params
from explorer.models.params import split_choices

MODEL = get_model("llm_training")

# A configuration simple enough to work out on paper: no communication cost,
# no failures, no host or cooling overhead, at the nominal clock.
SIMPLE = {
    "peak_flops": 1e15, "nu_nominal": 1e9, "nu_max": 2e9, "nu_min": 0.2e9, "mem_bandwidth": 1e12,
    "mem_capacity": 80e9, "kernel_efficiency": 0.5, "comm_overhead": 0.0, "restart_hours": 0.0,
    "n_params": 1e9, "tokens": 1e12, "seq_len": 1000.0, "d_model": 1000.0, "n_layers": 10.0,
    "batch_ref": 1000.0, "n_parallel_ref": 100.0, "model_parallel": 1.0, "grad_accumulation": 1.0,
    "recompute": 0.0, "e_flop_nominal": 1e-12, "p_static": 50.0, "e_mem_byte": 1e-11,
    "e_link_byte": 1e-11, "host_power": 0.0, "pue": 1.0, "temperature_ref": 0.004, "barrier": 0.004,
    "t_ambient": 300.0, "r_thermal": 0.1, "t_junction_max": 400.0,
}


def simple(**design):
    return explorer.evaluate(design, params=SIMPLE).iloc[0]


def test_hand_worked_time_energy_loss():
    row = simple()
    # tokens/step = 1000·1000 = 1e6; per device b = 1e4; ridge = 1e15/1e12 = 1000 tokens
    eta = 0.5 * (1 - math.exp(-1e4 / 1000))
    flops_per_token = 6 * 1e9 + 12 * 10 * 1000 * 1000  # 6N + attention = 6.12e9
    t_step = flops_per_token * 1e4 / (1e6 * 1e9 * eta)  # peak/ν_nom = 1e6 FLOP/cycle
    steps = 1e12 / 1e6
    assert row.step_time_s == pytest.approx(t_step, rel=1e-5)
    assert row.time_s == pytest.approx(steps * t_step, rel=1e-5)
    # power: static 50 W + rate·E_FLOP + memory + link traffic
    p_compute = flops_per_token * 1e4 / t_step * (1e-12 + 1.380649e-23 * 300 * math.log(2))
    step_bytes = 2 * 16 * 1e9 / 100 + 68 * 1e4 * 1e4
    p_memory = step_bytes / t_step * 1e-11
    p_link = 2 * (99 / 100) * 2 * 1e9 / t_step * 1e-11
    power = 50 + p_compute + p_memory + p_link
    assert row.power_w == pytest.approx(power, rel=1e-5)
    assert row.energy_j == pytest.approx(100 * power * steps * t_step, rel=1e-5)
    assert row.device_hours == pytest.approx(100 * steps * t_step / 3600, rel=1e-5)
    loss = 1.69 + 406.4 / 1e9**0.34 + 410.7 / 1e12**0.28
    gap = 0.004 / 2 * math.log(steps)
    assert row.loss_gap == pytest.approx(gap, rel=1e-5)
    assert row.final_loss == pytest.approx(loss + gap, rel=1e-6)
    assert row.memory_margin == pytest.approx((16e9 / 100 + 34 * 1e4 * 1e4) / 80e9 - 1, rel=1e-5)
    assert row.t_junction == pytest.approx(300 + 0.1 * power, rel=1e-6)
    assert row.mfu == pytest.approx(6e9 * 1e12 / (steps * t_step) / (100 * 1e15), rel=1e-5)


def test_temperature_barrier_and_floor_follow_seed000_section3():
    base, hot = simple(), simple(temperature=0.008)
    # tokens scale by exp(ΔL/T − ΔL/T_ref) = exp(0.5 − 1)
    assert hot.tokens_needed / base.tokens_needed == pytest.approx(math.exp(-0.5), rel=1e-5)
    steps_hot = 1e6 * math.exp(-0.5)
    assert hot.loss_gap == pytest.approx(0.008 / 2 * math.log(steps_hot), rel=1e-5)


def test_noise_scale_law_and_power_law():
    loss = 1.69 + 406.4 / 1e9**0.34 + 410.7 / 1e12**0.28
    b_noise = 2.0e8 / loss ** (1 / 0.21)
    big = simple(batch=4000.0)
    expected = (1 + 4e6 / b_noise) / (1 + 1e6 / b_noise)
    assert big.tokens_needed / 1e12 == pytest.approx(expected, rel=1e-5)
    powered = explorer.evaluate({"batch": 4000.0}, params={**SIMPLE, "batch_law": "power"}).iloc[0]
    assert powered.tokens_needed / 1e12 == pytest.approx(4.0**0.5, rel=1e-5)


def test_ring_allreduce_cluster_model():
    params = {**SIMPLE, "comm_model": "ring", "link_bandwidth": 1e9}
    row = explorer.evaluate({}, params=params).iloc[0]
    t_ring = 2 * (99 / 100) * 2e9 / 1e9  # 3.96 s ≫ compute, so it sets the step
    assert row.step_time_s == pytest.approx(t_ring, rel=1e-5)


def test_outputs_match_declared_metadata():
    df = explorer.evaluate({})
    assert set(df.columns) == set(MODEL.design_names) | set(MODEL.output_names)
    units = df.attrs["units"]
    assert units["time_s"] == "s" and units["energy_j"] == "J" and units["final_loss"] == "nats"
    directions = {o.name: o.direction for o in MODEL.outputs}
    assert directions["time_s"] == directions["energy_j"] == directions["final_loss"] == "min"
    assert directions["tokens_per_s"] == "max"
    assert all(o.direction is None for o in MODEL.outputs if o.kind == "margin")
    assert set(MODEL.margins) == {"memory_margin", "thermal_margin", "clock_margin", "time_margin"}


def _crossing(margin, design_key, at, rel=1e-3, params=SIMPLE):
    below = explorer.evaluate({design_key: at * (1 - rel)}, params=params).iloc[0][margin]
    above = explorer.evaluate({design_key: at * (1 + rel)}, params=params).iloc[0][margin]
    return below, above


def test_memory_margin_changes_sign_at_batch_max():
    # capacity − state = 80e9 − 1.6e8 bytes hold 34e4 B/token: b* tokens per device
    b_star = (80e9 - 1.6e8) / (34 * 1e4)
    batch_at_limit = b_star * 100 / 1000
    assert simple().batch_max == pytest.approx(batch_at_limit, rel=1e-5)
    below, above = _crossing("memory_margin", "batch", batch_at_limit)
    assert below < 0 < above


def test_clock_margin_changes_sign_at_both_ends():
    below, above = _crossing("clock_margin", "nu", 2e9)
    assert below < 0 < above
    below, above = _crossing("clock_margin", "nu", 0.2e9)
    assert below > 0 > above


def test_time_margin_changes_sign_at_t_max():
    t = simple().time_s
    inside = explorer.evaluate({}, params={**SIMPLE, "t_max": t * 1.001}).iloc[0].time_margin
    outside = explorer.evaluate({}, params={**SIMPLE, "t_max": t * 0.999}).iloc[0].time_margin
    assert inside < 0 < outside


def test_thermal_margin_is_what_caps_the_clock():
    # with cooling sized for TDP, raising the clock above nominal heats past the limit
    df = explorer.evaluate({"nu": np.linspace(1.5e9, 1.98e9, 25)}, params={"hardware": "h100-sxm"})
    margin = df.thermal_margin.to_numpy()
    assert np.all(np.diff(margin) > 0)
    assert margin[0] < 0 < margin[-1]
    crossing = df.t_junction.to_numpy()
    limit = explorer.load_preset("hardware", "h100-sxm").values["t_junction_max"]
    assert np.all((crossing <= limit) == (margin <= 0))


def test_time_falls_and_energy_grows_with_clock_above_the_efficient_point():
    df = explorer.evaluate({"nu": np.linspace(1.4e9, 1.98e9, 30)})
    assert np.all(np.diff(df.time_s) < 0)
    assert np.all(np.diff(df.energy_j) > 0)


def test_lower_clock_saves_energy_like_measured_gpus():
    # Zeus (You et al. 2023): ~10-25% energy saved at 10-20% slowdown; not more.
    df = explorer.evaluate({"nu": [1.83e9, 1.83e9 * 0.87]})
    slowdown = df.time_s[1] / df.time_s[0] - 1
    saved = 1 - df.device_energy_j[1] / df.device_energy_j[0]
    assert 0.10 <= slowdown <= 0.20
    assert 0.10 <= saved <= 0.30


def test_loss_floor_grows_with_temperature():
    df = explorer.evaluate({"temperature": np.geomspace(1e-3, 3e-2, 20)})
    assert np.all(np.diff(df.loss_gap) > 0)
    assert np.all(np.diff(df.tokens_needed) < 0)


def test_temperature_has_an_interior_optimum_for_a_weighted_cost():
    temps = np.geomspace(1e-3, 3e-2, 400)
    df = explorer.evaluate({"temperature": temps}, params={"usd_per_nat": 1e9})
    best = int(np.argmin(df.cost_usd))
    assert 0 < best < len(temps) - 1


def _traced(dtype):
    params = resolve_params(MODEL, {"hardware": "h100-sxm", "workload": "llama3.1-70b"})
    numeric, choices = split_choices(MODEL, params)
    numeric = {k: jnp.asarray(v, dtype) for k, v in numeric.items()}

    def f(x):
        design = {"nu": x[0], "batch": x[1], "temperature": x[2], "n_parallel": x[3]}
        return MODEL.fn(design, {**numeric, **choices})

    return f


@pytest.mark.parametrize("point", [[1.83e9, 2048.0, 4e-3, 4096.0], [0.8e9, 64.0, 2e-2, 8.0],
                                   [1.98e9, 65536.0, 1e-3, 65536.0]])
def test_jit_vmap_grad_finite(point):
    f = _traced(jnp.float32)
    x = jnp.asarray(point, jnp.float32)
    out = jax.jit(f)(x)
    assert all(bool(jnp.all(jnp.isfinite(v))) for v in out.values())
    batch = jnp.stack([x, x * 1.01])
    vout = jax.vmap(f)(batch)
    assert vout["time_s"].shape == (2,)
    np.testing.assert_allclose(vout["time_s"][0], out["time_s"], rtol=1e-6)
    for name in ("time_s", "energy_j", "final_loss", "cost_usd"):
        g = jax.grad(lambda v: jnp.log(f(v)[name]))(x)
        assert bool(jnp.all(jnp.isfinite(g))), name


def test_float64():
    with jax.enable_x64(True):
        f = _traced(jnp.float64)
        out = f(jnp.asarray([1.83e9, 2048.0, 4e-3, 4096.0], jnp.float64))
        assert out["time_s"].dtype == jnp.float64
        df = explorer.evaluate({})
    f32 = explorer.evaluate({})
    assert df.time_s[0] == pytest.approx(f32.time_s[0], rel=1e-5)
