"""llm_training: a step worked by hand, layout and power physics, margins, jit/vmap/grad, float64."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.integrate import quad
from scipy.optimize import brentq

import explorer
from explorer.models import get_model, resolve_params
from explorer.models.params import split_choices
from explorer.power_limits import power_limit_optimum, reference_configuration

MODEL = get_model("llm_training")

# Simple enough to work on paper: 100 devices of pure data parallelism, a straight V–f line,
# a power limit that never binds, no failures, host or cooling.
SIMPLE = {
    "peak_flops": 1e15, "nu_nominal": 1e9, "nu_max": 2e9, "nu_min": 0.2e9, "nu_knee": 0.5e9,
    "v_min": 0.7, "v_max": 1.0, "vf_exponent": 1.0, "tdp": 1e4, "p_board": 50.0, "p_leak": 40.0, "c_eff": 1e-7,
    "activity_memory": 0.5, "activity_wait": 0.1, "gemm_efficiency": 0.5, "mem_capacity": 80e9,
    "mem_bandwidth": 1e12, "e_mem_byte": 1e-11, "devices_per_node": 8.0, "nvlink_bandwidth": 1e11,
    "nvlink_efficiency": 1.0, "e_nvlink_byte": 1e-12, "scaleout_bandwidth": 1e10, "scaleout_efficiency": 1.0,
    "e_link_byte": 1e-11, "restart_hours": 0.0, "run_overhead": 0.0, "host_power": 0.0, "pue": 1.0,
    "t_ambient": 300.0, "r_thermal": 0.1, "t_junction_max": 400.0,
    "n_params": 1e9, "tokens": 1e12, "seq_len": 1000.0, "d_model": 1000.0, "n_layers": 10.0, "n_heads": 10.0,
    "batch_ref": 1000.0, "n_parallel_ref": 100.0, "tp": 1.0, "pp": 1.0, "pp_interleave": 1.0, "micro_batch": 1.0,
    "zero_stage": 0.0, "recompute": 0.0, "sequence_parallel": 0.0, "flash_attention": 1.0, "dp_overlap": 0.0,
    "temperature_ref": 0.004, "barrier": 0.004,
}


def simple(params=None, **design):
    return explorer.evaluate(design, params={**SIMPLE, **(params or {})}).iloc[0]


def test_hand_worked_step_time_energy_and_loss():
    row = simple()
    # dp = 100, 10 sequences per replica → 10 micro-batches of 1,000 tokens; ridge 1e15/1e12 = 1,000
    eta = 0.5 * (1 - math.exp(-1.0))
    t_gemm = (6e9 + 12 * 10 * 1000 * 1000) * 1000 / (1e6 * 1e9 * eta)  # FLOP/cycle · clock · η
    t_elementwise = 10 * 1000 * 4 * 1000 * 34 / 1e12  # 4 passes over h·34 B per token and layer
    # gradients 2 GB: 8 ranks per node over NVLink, then 12.5 nodes over the NICs, not hidden
    t_dp = 2 * 7 / 8 * 2e9 / 1e11 + 2 * 11.5 / 12.5 * 2e9 / 8 / 1e10
    t_update = 2 * 16e9 / 1e12  # read and write 16 B of state per parameter
    t_step = 10 * (t_gemm + t_elementwise) + t_dp + t_update
    assert row.step_time_s == pytest.approx(t_step, rel=1e-5)
    assert row.bubble_fraction == 0.0 and row.microbatches == pytest.approx(10.0)
    steps = 1e12 / 1e6
    assert row.time_s == pytest.approx(steps * t_step, rel=1e-5)
    # V = 0.7 + 0.3·(1 − 0.5)/1.5 = 0.8: static 50 + 40·0.8 = 82 W, dynamic at activity 1 1e-7·0.64·1e9 = 64 W
    busy, memory = 10 * t_gemm, 10 * t_elementwise + t_update + t_dp
    bytes_energy = (10 * 1.36e9 + 2 * 16e9 + 6e9) * 1e-11 + 4e9 * 1e-12 + 4e9 * 1e-11
    step_energy = 82 * t_step + 64 * (busy + 0.5 * memory) + bytes_energy
    assert row.power_w == pytest.approx(step_energy / t_step, rel=1e-5)
    assert row.energy_j == pytest.approx(100 * steps * step_energy, rel=1e-5)
    assert row.clock_hz == pytest.approx(1e9)
    assert row.device_hours == pytest.approx(100 * steps * t_step / 3600, rel=1e-5)
    loss = 1.69 + 406.4 / 1e9**0.34 + 410.7 / 1e12**0.28
    assert row.loss_gap == pytest.approx(0.004 / 2 * math.log(steps), rel=1e-5)
    assert row.final_loss == pytest.approx(loss + row.loss_gap, rel=1e-6)
    assert row.memory_margin == pytest.approx((16e9 + 10 * 1000 * 34000) / 80e9 - 1, rel=1e-5)
    assert row.t_junction == pytest.approx(300 + 0.1 * row.power_w, rel=1e-6)
    assert row.mfu == pytest.approx(6.12e9 * 1e6 / t_step / (100 * 1e15), rel=1e-5)


def test_seed000_cluster_model_is_the_seeds_speedup():
    row = simple({"comm_model": "seed000", "comm_overhead": 1e-3})
    eta = 0.5 * (1 - math.exp(-1.0))
    t_single = 100 * 10 * (6.12e12 / (1e15 * eta) + 1.36e-3)  # the step's work on one device
    speedup = 100 / (1 + 1e-3 * 100 * math.log(100))
    assert row.step_time_s == pytest.approx(t_single / speedup + 0.032, rel=1e-5)


def test_temperature_barrier_and_floor_follow_seed000_section3():
    base, hot = simple(), simple(temperature=0.008)
    assert hot.tokens_needed / base.tokens_needed == pytest.approx(math.exp(-0.5), rel=1e-5)
    assert hot.loss_gap == pytest.approx(0.008 / 2 * math.log(1e6 * math.exp(-0.5)), rel=1e-5)


def _noise_scale_ratio(batch_tokens, start=0.0, end=1.0):
    """McCandlish's (1 + B/B_noise)/(1 + B_ref/B_noise) along the Chinchilla curve, by scipy's quad."""
    def integrand(u):
        loss = 1.69 + 406.4 / 1e9**0.34 + 410.7 / (u * 1e12) ** 0.28
        b_noise = 2.0e8 / loss ** (1 / 0.21)
        return (1 + batch_tokens / b_noise) / (1 + 1e6 / b_noise)
    return quad(integrand, start, end, limit=200)[0]


def test_noise_scale_law_integrates_along_the_loss_curve_and_power_law():
    assert simple(batch=4000.0).tokens_needed / 1e12 == pytest.approx(_noise_scale_ratio(4e6), rel=1e-5)
    assert simple(batch=1000.0).tokens_needed / 1e12 == pytest.approx(1.0, rel=1e-6)  # the recipe itself
    assert simple({"batch_law": "power"}, batch=4000.0).tokens_needed / 1e12 == pytest.approx(2.0, rel=1e-5)


def test_a_share_of_the_recipe_needs_its_share_of_the_data_and_ends_at_its_loss():
    part = simple({"progress_start": 0.25, "progress_end": 0.5}, batch=4000.0)
    assert part.tokens_needed / 1e12 == pytest.approx(_noise_scale_ratio(4e6, 0.25, 0.5), rel=1e-5)
    assert part.final_loss - part.loss_gap == pytest.approx(1.69 + 406.4 / 1e9**0.34 + 410.7 / 5e11**0.28,
                                                            rel=1e-6)
    assert simple({"progress_start": 0.25, "progress_end": 0.5}, batch=1000.0).tokens_needed == pytest.approx(
        0.25e12, rel=1e-6)


def test_outputs_match_declared_metadata():
    df = explorer.evaluate({})
    assert set(df.columns) == set(MODEL.design_names) | set(MODEL.output_names) | {"feasible"}
    assert df.attrs["units"]["power_limit"] == "W" and df.attrs["units"]["clock_hz"] == "Hz"
    assert set(MODEL.margins) == {"memory_margin", "thermal_margin", "clock_margin", "power_margin",
                                  "layout_margin", "replica_margin", "time_margin"}


# --- layout ---------------------------------------------------------------------------------------

LLAMA = {"hardware": "h100-sxm", "workload": "llama3.1-70b"}


def _exposed_comm(row):
    return row.comm_fraction * row.step_time_s


def test_more_tensor_parallelism_means_more_communication():
    rows = [explorer.evaluate({}, params={**LLAMA, "tp": tp, "pp": 4.0}).iloc[0] for tp in (2.0, 4.0, 8.0)]
    comm = [_exposed_comm(r) for r in rows]
    assert comm[0] < comm[1] < comm[2]


def test_bubble_shrinks_as_microbatches_grow():
    df = explorer.evaluate({"batch": [512.0, 1024.0, 2048.0, 4096.0]}, params=LLAMA)
    # pp = 4, v = 2, dp = 128: m = B/128, bubble (p−1)/(v·m + p − 1)
    m = np.array([512, 1024, 2048, 4096]) / 128
    np.testing.assert_allclose(df.bubble_fraction, 3 / (2 * m + 3), rtol=1e-6)
    assert np.all(np.diff(df.bubble_fraction) < 0)


def test_a_fraction_of_a_replica_is_infeasible_by_the_replica_margin():
    assert simple({"tp": 8.0}, n_parallel=100.0).replica_margin > 0  # 100/8 replicas is no whole number
    assert simple({"tp": 8.0}, n_parallel=104.0).replica_margin <= 0
    assert explorer.get_model("llm_training").output("replica_margin").discrete


@pytest.mark.parametrize("override,design", [
    ({"tp": 16.0}, {}),  # wider than an 8-GPU node
    ({}, {"batch": 50.0}),  # fewer sequences than replicas
    ({"pp": 200.0}, {"n_parallel": 1600.0}),  # more stages than layers
])
def test_unrealisable_layouts_are_infeasible_not_errors(override, design):
    assert simple({**override}, **design).layout_margin > 0
    assert simple().layout_margin <= 0


def test_time_falls_with_devices_until_communication_dominates():
    n = 128.0 * np.array([1, 2, 4, 8, 16, 32, 64, 128])
    fast = explorer.evaluate({"n_parallel": n}, params={"hardware": "h100-sxm", "workload": "llama3.1-405b"})
    assert np.all(np.diff(fast.time_s) < 0)
    # 100 Mb/s NICs: the gradient reduction (a per-device volume that does not shrink with N)
    # takes over the step, and more devices stop paying
    slow = explorer.evaluate({"n_parallel": n}, params={"hardware": "h100-sxm", "workload": "llama3.1-405b",
                                                        "scaleout_bandwidth": 1.25e7})
    assert np.all(np.diff(slow.comm_fraction) > 0) and slow.comm_fraction.iloc[-1] > 0.9
    gain = slow.time_s.to_numpy()[:-1] / slow.time_s.to_numpy()[1:]
    assert np.all(gain >= 1.0) and gain[-1] < 1.1 < gain[0]


def test_per_device_throughput_holds_from_1k_to_16k_devices():
    # the published Llama 3 layout at a fixed 16 sequences per replica (0.125 per device)
    n = np.array([1024.0, 2048.0, 4096.0, 8192.0, 16384.0])
    df = explorer.evaluate({"n_parallel": n, "batch": n / 8},
                           params={"hardware": "h100-sxm", "workload": "llama3.1-405b"})
    per_device = (df.tokens_per_s / df.n_parallel * df.goodput.iloc[0] / df.goodput).to_numpy()
    assert per_device[-1] / per_device[0] >= 0.85


# --- power ----------------------------------------------------------------------------------------

H100 = explorer.load_preset("hardware", "h100-sxm").values


def _h100_full_power(nu):
    u = max(0.0, (nu - H100["nu_knee"]) / (H100["nu_max"] - H100["nu_knee"]))
    v = H100["v_min"] + (H100["v_max"] - H100["v_min"]) * u ** H100["vf_exponent"]
    return H100["p_board"] + H100["p_leak"] * v / H100["v_max"] + H100["c_eff"] * v * v * nu


def test_a_power_limit_below_the_knee_lowers_the_clock():
    limit = 0.6 * H100["tdp"]
    row = explorer.evaluate({"power_limit": limit}, params=LLAMA).iloc[0]
    expected = brentq(lambda nu: _h100_full_power(nu) - limit, H100["nu_min"], H100["nu_max"])
    assert row.clock_hz == pytest.approx(expected, rel=1e-5)
    assert row.clock_hz < H100["nu_nominal"]
    at_tdp = explorer.evaluate({}, params=LLAMA).iloc[0]
    assert at_tdp.clock_hz == pytest.approx(H100["nu_nominal"], rel=1e-5)  # TDP is met at the nominal clock
    assert row.step_time_s > at_tdp.step_time_s


def test_power_limit_gradient_matches_finite_differences():
    params = resolve_params(MODEL, LLAMA)
    numeric, choices = split_choices(MODEL, params)
    with jax.enable_x64(True):
        p = {k: jnp.float64(v) for k, v in numeric.items()}

        def time_at(limit):
            design = {"nu": p["nu_nominal"], "power_limit": limit, "batch": p["batch_ref"],
                      "temperature": p["temperature_ref"], "n_parallel": p["n_parallel_ref"]}
            return MODEL.fn(design, {**p, **choices})["time_s"]

        limit = jnp.float64(450.0)
        g = float(jax.grad(time_at)(limit))
        fd = (float(time_at(limit + 0.01)) - float(time_at(limit - 0.01))) / 0.02
    assert g < 0 and g == pytest.approx(fd, rel=1e-4)


def test_power_margin_says_when_no_clock_meets_the_limit():
    assert explorer.evaluate({"power_limit": 50.0}, params=LLAMA).iloc[0].power_margin > 0
    assert explorer.evaluate({"power_limit": 400.0}, params=LLAMA).iloc[0].power_margin <= 0


@pytest.mark.parametrize("hardware", explorer.preset_names("hardware"))
def test_energy_against_clock_has_an_interior_minimum_above_the_voltage_floor(hardware):
    hw = explorer.load_preset("hardware", hardware).values
    _, params, design = reference_configuration(hardware)
    nu = np.linspace(hw["nu_min"], hw["nu_max"], 300)
    df = explorer.evaluate({**design, "nu": nu, "power_limit": 10 * hw["tdp"]}, params={"hardware": hardware, **params})
    best = int(np.argmin(df.device_energy_j))
    assert 0 < best < len(nu) - 1
    assert nu[best] > hw["nu_knee"]  # above the knee, so the voltage is above its floor
    # the power-limit sweep of `explorer calibrate --dvfs` lands on the same clock, within the grid spacing
    assert power_limit_optimum(hardware).clock_hz == pytest.approx(nu[best], abs=2 * (nu[1] - nu[0]))


@pytest.mark.parametrize("hardware", ["v100-sxm2-32gb", "a100-sxm-80gb", "h100-sxm"])
def test_energy_optimal_power_limit_is_where_measured_gpus_put_it(hardware):
    # Zeus/Perseus/Tang et al.: 10–30% of device energy saved, limits at 0.5–0.8 of TDP
    optimum = power_limit_optimum(hardware)
    assert 0.10 <= optimum.energy_saving <= 0.30
    assert 0.5 <= optimum.power_fraction_of_tdp <= 0.8
    assert optimum.slowdown <= 0.25
    assert optimum.above_voltage_floor


def test_thermal_margin_caps_a_raised_power_limit():
    # cooling sized for TDP: a limit well above it lets the clock climb and the junction overheat
    df = explorer.evaluate({"nu": H100["nu_max"], "power_limit": [H100["tdp"], 1.5 * H100["tdp"]]}, params=LLAMA)
    assert df.thermal_margin[0] <= 0 < df.thermal_margin[1]
    assert df.clock_hz[1] > df.clock_hz[0]


# --- margins, transforms ----------------------------------------------------------------------------

def test_memory_margin_changes_sign_with_the_micro_batch():
    # 16 GB of state + 340 MB of activations per sequence: (80e9 − 16e9)/3.4e8 = 188.2 sequences
    below = simple({"micro_batch": 188.0}, batch=18800.0).memory_margin
    above = simple({"micro_batch": 189.0}, batch=18900.0).memory_margin
    assert below < 0 < above


def test_clock_margin_changes_sign_at_both_ends():
    assert simple(nu=2e9 * 0.999).clock_margin < 0 < simple(nu=2e9 * 1.001).clock_margin
    assert simple(nu=0.2e9 * 0.999).clock_margin > 0 > simple(nu=0.2e9 * 1.001).clock_margin


def test_loss_floor_grows_with_temperature():
    df = explorer.evaluate({"temperature": np.geomspace(1e-3, 3e-2, 20)})
    assert np.all(np.diff(df.loss_gap) > 0)
    assert np.all(np.diff(df.tokens_needed) < 0)


def _traced(dtype):
    params = resolve_params(MODEL, LLAMA)
    numeric, choices = split_choices(MODEL, params)
    numeric = {k: jnp.asarray(v, dtype) for k, v in numeric.items()}

    def f(x):
        design = {"nu": x[0], "power_limit": x[1], "batch": x[2], "temperature": x[3], "n_parallel": x[4]}
        return MODEL.fn(design, {**numeric, **choices})

    return f


@pytest.mark.parametrize("point", [[1.83e9, 700.0, 2048.0, 4e-3, 4096.0], [0.8e9, 300.0, 64.0, 2e-2, 64.0],
                                   [1.98e9, 1000.0, 65536.0, 1e-3, 65536.0]])
def test_jit_vmap_grad_finite(point):
    f = _traced(jnp.float32)
    x = jnp.asarray(point, jnp.float32)
    out = jax.jit(f)(x)
    assert all(bool(jnp.all(jnp.isfinite(v))) for v in out.values())
    vout = jax.vmap(f)(jnp.stack([x, x * 1.01]))
    np.testing.assert_allclose(vout["time_s"][0], out["time_s"], rtol=1e-6)
    for name in ("time_s", "energy_j", "final_loss", "cost_usd"):
        g = jax.grad(lambda v: jnp.log(f(v)[name]))(x)
        assert bool(jnp.all(jnp.isfinite(g))), name


def test_float64():
    with jax.enable_x64(True):
        out = _traced(jnp.float64)(jnp.asarray([1.83e9, 700.0, 2048.0, 4e-3, 4096.0], jnp.float64))
        assert out["time_s"].dtype == jnp.float64
        df = explorer.evaluate({})
    assert df.time_s[0] == pytest.approx(explorer.evaluate({}).time_s[0], rel=1e-5)
