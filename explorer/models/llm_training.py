"""``llm_training``: large-model training from its parallel layout, bandwidths and DVFS power.

Design variables: core clock ν₀ (``nu``), board power limit (``power_limit``), global batch
B in sequences (``batch``), SGD temperature T in nats (``temperature``), devices N
(``n_parallel``). docs/model.md derives every step; per optimiser step:

1. layout: tensor ``tp`` × pipeline ``pp`` × data ``dp = N/(tp·pp)``; each replica's B/dp
   sequences run as m micro-batches of ``micro_batch``; ``layout_margin`` flags a tp wider
   than a node, more stages than layers, or less than a sequence per replica, and
   ``replica_margin`` a dp that is not a whole number.
2. clock: ν = min(ν₀, the clock at which full-activity power meets ``power_limit``)
   (kernels.dvfs). GEMMs run at flops_per_cycle·ν·η_batch (seed 003); memory-bound kernels
   and every communication take the same time at any core clock.
3. step time = (m + (p−1)/v)·t_microbatch (Narayanan et al. 2021 §2.2) + data-parallel
   gradient reduction not hidden behind the last backward + the optimiser's update;
   t_microbatch = GEMMs + memory-bound kernels + tensor-parallel all-reduces + pipeline sends.
   ``comm_model = "seed000"`` replaces all of it by seed 000 §5.1's t_single/S(N).
4. data needed: the recipe's tokens × a batch law × seed 000 §3's barrier factor; the noise-scale
   law integrates McCandlish's 1 + B/B_noise(L) along the loss curve (docs/model.md §4).
   ``progress_start``/``progress_end`` restrict all of it to a share of the recipe: one
   phase of a schedule (explorer.schedule).
5. time = steps × step time / goodput (failures: N·t_restart/MTBF; checkpoints and evaluation).
6. energy per step = (board + leakage)·t_step + C_eff·V²·ν × (busy GEMM time + activity-weighted
   memory-bound and waiting time) + bytes × energy per byte (HBM, NVLink, scale-out); host
   share; PUE as cooling.
7. thermal steady state T_j = T_amb + R_th·P (seed 003) must stay ≤ T_j,max.
8. loss = Chinchilla L(N_params, D) + (T/2)·log(steps) (seed 000 §3.2).
"""

import jax.numpy as jnp

from explorer.models import llm_training_phases as phases
from explorer.models.llm_training_data import chinchilla_loss, noise_scale_data_ratio
from explorer.models.base import POSITIVE, Model, Output, PhasePlan, Variable, register
from explorer.models.llm_training_params import PARAMS
from explorer.kernels import batch as kb
from explorer.kernels import cost as kc
from explorer.kernels import dvfs
from explorer.kernels import information as ki
from explorer.kernels import layout as kl
from explorer.kernels import parallel as kp
from explorer.kernels import quality as kq
from explorer.kernels import thermal as kt
from explorer.kernels import throughput as ktp
from explorer.kernels import transformer as ktr
from explorer.kernels.constants import LN2, SECONDS_PER_HOUR


def _layout(n, batch, p):
    """Degrees, micro-batches, the layout margin and the whole-replica margin (each ≤ 0 where
    the layout is realisable)."""
    tp, pp = p["tp"], p["pp"]
    dp = n / (tp * pp)
    per_replica = batch / dp  # sequences
    micro = jnp.minimum(p["micro_batch"], per_replica)
    microbatches = per_replica / micro
    whole = jnp.abs(dp - jnp.round(dp)) * 2.0 - 1e-3  # ≤ 0 only for a whole number of replicas
    margin = jnp.maximum(tp / p["devices_per_node"] - 1.0,
                         jnp.maximum(1.0 - per_replica, pp / p["n_layers"] - 1.0))
    return dp, micro, microbatches, margin, whole


def _clock(nu, power_limit, p):
    """Running clock (Hz), its voltage (V), and the power margin: ≤ 0 where the limit can be met
    (the full-activity power at the lowest clock is under it)."""
    vf = (p["v_min"], p["v_max"], p["nu_knee"], p["nu_max"], p["vf_exponent"])
    limited = dvfs.power_limited_clock(power_limit, p["nu_min"], p["nu_max"], p["p_board"], p["p_leak"],
                                       p["c_eff"], p["v_min"], p["v_max"], p["nu_knee"], p["nu_max"], p["vf_exponent"])
    clock = jnp.minimum(nu, limited)
    floor_power = dvfs.board_power(p["nu_min"], 1.0, p["p_board"], p["p_leak"], p["c_eff"], p["v_max"],
                                   dvfs.voltage(p["nu_min"], *vf))
    return clock, dvfs.voltage(clock, *vf), floor_power / power_limit - 1.0


def llm_training(design, p):
    """Evaluates the composition in the module docstring; units in the metadata."""
    nu, batch = design["nu"], design["batch"]
    temperature, n = design["temperature"], design["n_parallel"]
    n_params, h, layers, seq = p["n_params"], p["d_model"], p["n_layers"], p["seq_len"]
    tp, pp, recompute = p["tp"], p["pp"], p["recompute"]
    full_recompute = recompute >= 1.5

    # 1. layout and memory
    dp, micro, microbatches, layout_margin, replica_margin = _layout(n, batch, p)
    micro_tokens = micro * seq
    stage_layers = layers / pp
    shape = (h, p["n_heads"], seq, tp, p["sequence_parallel"], p["flash_attention"])
    state_bytes = ktr.state_bytes_per_device(n_params, tp, pp, dp, p["zero_stage"])
    in_flight = jnp.minimum(pp, microbatches) * (1.0 + (pp - 1.0) / (pp * p["pp_interleave"]))
    act_bytes = stage_layers * micro_tokens * in_flight * ktr.activation_bytes_per_token_layer(*shape, recompute)
    memory_used = state_bytes + act_bytes

    # 2. clock and the work of one micro-batch on one device
    clock, volts, power_margin = _clock(nu, design["power_limit"], p)
    flops_per_token = ktr.flops_per_token(n_params, layers, h, seq, recompute)
    micro_flops = flops_per_token * micro_tokens / (tp * pp)
    eta = kb.batch_efficiency(micro_tokens, p["gemm_efficiency"], p["peak_flops"] / p["mem_bandwidth"])
    t_gemm = micro_flops / ktp.bound_throughput(p["peak_flops"] / p["nu_nominal"] * clock, eta)
    micro_hbm = stage_layers * micro_tokens * ktr.elementwise_bytes_per_token_layer(*shape)
    t_elementwise = micro_hbm / p["mem_bandwidth"]
    nvlink = p["nvlink_bandwidth"] * p["nvlink_efficiency"]
    scaleout = p["scaleout_bandwidth"] * p["scaleout_efficiency"]
    allreduces = jnp.where(full_recompute, 6.0, 4.0)
    t_tp = kl.tensor_parallel_time(micro_tokens, h, stage_layers, tp, allreduces, nvlink)
    t_send = jnp.where(pp > 1.0, kl.pipeline_send_time(micro_tokens, h, tp, scaleout), 0.0)
    t_micro = t_gemm + t_elementwise + t_tp + t_send

    # 3. the step
    bubble = kl.pipeline_bubble_fraction(pp, microbatches, p["pp_interleave"])
    t_pipeline = microbatches * t_micro / (1.0 - bubble)
    grad_bytes = ktr.GRAD_BYTES * n_params / (tp * pp) * jnp.where(p["zero_stage"] >= 2.5, 1.5, 1.0)
    t_dp = kl.hierarchical_allreduce_time(grad_bytes, dp, jnp.maximum(p["devices_per_node"] / tp, 1.0),
                                          nvlink, scaleout)
    t_dp_exposed = jnp.maximum(t_dp - p["dp_overlap"] * (2.0 / 3.0) * t_micro, 0.0)
    t_update = 2.0 * state_bytes / p["mem_bandwidth"]
    t_step = t_pipeline + t_dp_exposed + t_update
    if p["comm_model"] == "seed000":
        t_single = n * microbatches * (t_gemm + t_elementwise)  # the step's work on one device
        t_step = t_single / kp.parallel_speedup(n, p["comm_overhead"]) + t_update
    t_busy = microbatches * t_gemm
    comm_exposed = microbatches * (t_tp + t_send) + t_dp_exposed
    t_memory = microbatches * t_elementwise + t_update + comm_exposed  # NCCL kernels are memory-bound too
    t_wait = jnp.maximum(t_step - t_busy - t_memory, 0.0)  # pipeline bubble: the device idles

    # 4. data needed over [progress_start, progress_end) of the recipe (the whole run: [0, 1))
    tokens_per_step = batch * seq
    loss_min = chinchilla_loss(n_params, p["tokens"] * p["progress_end"], p["loss_e"], p["loss_a"],
                               p["loss_b"], p["loss_alpha"], p["loss_beta"])
    share = p["progress_end"] - p["progress_start"]
    if p["batch_law"] == "power":
        batch_factor = share * (batch / p["batch_ref"]) ** p["batch_beta"]
    else:
        batch_factor = noise_scale_data_ratio(tokens_per_step, p)
    barrier = jnp.exp(p["barrier"] / temperature - p["barrier"] / p["temperature_ref"])
    tokens_needed = p["tokens"] * batch_factor * barrier
    steps = tokens_needed / tokens_per_step

    # 5. time. Everything per step is computed on the axes it depends on (clock, batch,
    # devices) and multiplied by the step count once: the engine's prefilter evaluates this
    # function as an outer product over the sweep's axes, so fewer full-size operations
    # make it faster (values are the same up to float rounding).
    goodput = (1.0 - p["run_overhead"]) / (1.0 + n * p["restart_hours"] / p["mtbf_hours"])
    wall_per_step = t_step / goodput  # s of wall clock per optimiser step, failures included
    time_s = steps * wall_per_step

    # 6. power and energy (one device, one step)
    p_static = p["p_board"] + p["p_leak"] * volts / p["v_max"]
    p_dynamic = p["c_eff"] * volts**2 * clock  # at activity 1
    hbm_bytes = microbatches * micro_hbm + 2.0 * state_bytes + 3.0 * ktr.WEIGHT_BYTES * n_params / (tp * pp)
    dp_in_node = tp < p["devices_per_node"]
    nvlink_bytes = microbatches * t_tp * nvlink + jnp.where(dp_in_node, 2.0 * grad_bytes, 0.0)
    scaleout_bytes = 2.0 * grad_bytes + microbatches * t_send * scaleout
    step_energy = (p_static * t_step
                   + p_dynamic * (t_busy + p["activity_memory"] * t_memory + p["activity_wait"] * t_wait)
                   + hbm_bytes * p["e_mem_byte"] + nvlink_bytes * p["e_nvlink_byte"]
                   + scaleout_bytes * p["e_link_byte"])
    power_w = step_energy / t_step
    p_idle = p["p_board"] + p["p_leak"] * p["v_min"] / p["v_max"]
    device_step = n * (step_energy + (wall_per_step - t_step) * p_idle)  # lost time at idle power
    it_step = device_step + n * p["host_power"] * wall_per_step
    device_energy = steps * device_step
    cooling = steps * (it_step * (p["pue"] - 1.0))  # seed 003 E_cooling with CoP = PUE − 1
    energy = steps * (it_step * p["pue"])
    cluster_power = it_step * p["pue"] / wall_per_step

    # 7. thermal
    t_junction = kt.steady_state_temperature(power_w, p["t_ambient"], p["r_thermal"])

    # 8. quality and figures of merit
    loss_gap = kq.loss_floor(temperature, 1.0 / goodput, steps)  # ν·t = time/t_step = steps/goodput
    model_flops_per_token = ktr.model_flops_per_token(n_params, layers, h, seq)
    peak_cluster = n * p["peak_flops"]
    tokens_per_s = tokens_per_step / wall_per_step
    useful_rate = model_flops_per_token * tokens_per_s
    h_data_bits = tokens_needed * loss_min / LN2
    e_landauer = ki.landauer_minimum_energy(p["t_ambient"], n_params, h_data_bits)
    useful_step = n * t_busy * p_dynamic * (model_flops_per_token / flops_per_token)
    hourly = n * p["usd_per_device_hour"] / SECONDS_PER_HOUR
    return {
        "time_s": time_s,
        "energy_j": energy,
        "final_loss": loss_min + loss_gap,
        "loss_gap": loss_gap,
        "cost_usd": kc.total_cost(hourly, time_s, p["usd_per_kwh"] / 3.6e6, energy, p["usd_per_nat"], loss_gap),
        "device_hours": steps * (n * wall_per_step / SECONDS_PER_HOUR),
        "device_energy_j": device_energy,
        "cooling_energy_j": cooling,
        "power_w": power_w,
        "cluster_power_w": cluster_power,
        "clock_hz": clock,
        "tokens_per_s": tokens_per_s,
        "tokens_needed": tokens_needed,
        "mfu": model_flops_per_token * tokens_per_step / t_step / peak_cluster,
        "step_time_s": t_step,
        "goodput": goodput,
        "bubble_fraction": bubble,
        "comm_fraction": comm_exposed / t_step,
        "microbatches": microbatches,
        "t_junction": t_junction,
        "energy_time_product": ktp.energy_time_product(energy, time_s),
        "eei": ktp.energy_efficiency_index(useful_rate, peak_cluster, e_landauer, energy),
        "ppw": ktp.performance_per_watt(useful_rate, cluster_power),
        "euf": ktp.energy_utilization_factor(useful_step, it_step * p["pue"]),
        "landauer_ratio": energy / e_landauer,
        "memory_margin": memory_used / p["mem_capacity"] - 1.0,
        "thermal_margin": t_junction / p["t_junction_max"] - 1.0,
        "clock_margin": jnp.maximum(nu / p["nu_max"], p["nu_min"] / nu) - 1.0,
        "power_margin": power_margin,
        "layout_margin": layout_margin,
        "replica_margin": replica_margin,
        "time_margin": time_s / p["t_max"] - 1.0,
    }


LLM_TRAINING = register(Model(
    name="llm_training",
    version="3",
    fn=llm_training,
    design=(
        Variable("nu", "Hz", "nu_nominal", (2e8, 2.2e9), "linear", doc="requested core clock ν₀", domain=POSITIVE),
        Variable("power_limit", "W", "tdp", (50.0, 1500.0), "linear",
                 doc="board power limit (nvidia-smi -pl); the clock drops to meet it", domain=POSITIVE),
        Variable("batch", "sequences", "batch_ref", (16.0, 65536.0), "log", integer=True, doc="global batch B",
                 domain=POSITIVE),
        Variable("temperature", "nats", "temperature_ref", (1e-3, 3e-2), "log",
                 doc="SGD temperature T (seed 000 §3), loss units", domain=POSITIVE),
        Variable("n_parallel", "devices", "n_parallel_ref", (8.0, 65536.0), "log", integer=True,
                 doc="number of devices N", domain=POSITIVE),
    ),
    params=PARAMS,
    outputs=(
        Output("time_s", "s", "min", doc="wall-clock training time"),
        Output("energy_j", "J", "min", doc="facility energy (devices + hosts) × PUE"),
        Output("final_loss", "nats", "min", doc="Chinchilla loss + temperature loss gap"),
        Output("loss_gap", "nats", "min", doc="(T/2)·log(steps), seed 000 §3.2"),
        Output("cost_usd", "USD", "min", doc="seed 000 §6.1 with device-hour and kWh prices"),
        Output("device_hours", "h", "min", "info", "N × time"),
        Output("device_energy_j", "J", "min", "info", "energy of the devices alone"),
        Output("cooling_energy_j", "J", None, "info", "(PUE − 1) × IT energy (seed 003 E_cooling)"),
        Output("power_w", "W", None, "info", "average device power while training"),
        Output("cluster_power_w", "W", None, "info", "average facility power"),
        Output("clock_hz", "Hz", None, "info", "running core clock: ν₀, or lower where the power limit binds"),
        Output("tokens_per_s", "tokens/s", "max", "info", "training throughput"),
        Output("tokens_needed", "tokens", None, "info", "tokens to reach the target"),
        Output("mfu", "1", "max", "info", "model FLOPs utilisation while training (6N + 12lhs per token; "
               "downtime excluded, as published MFUs are)", share=True),
        Output("step_time_s", "s", None, "info", "time per optimiser step"),
        Output("goodput", "1", "max", "info", "share of wall-clock time spent training (failures, checkpoints)",
               share=True),
        Output("bubble_fraction", "1", None, "info", "pipeline idle share (p−1)/(v·m+p−1)", share=True),
        Output("comm_fraction", "1", None, "info", "share of the step in exposed communication", share=True),
        Output("microbatches", "1", None, "info", "micro-batches per step per pipeline"),
        Output("t_junction", "K", None, "info", "steady-state junction temperature"),
        Output("energy_time_product", "J*s", "min", "info", "seed 003 ETP"),
        Output("eei", "1", "max", "info", "seed 003 EEI"),
        Output("ppw", "FLOP/J", "max", "info", "seed 003 PPW (useful FLOP per joule)"),
        Output("euf", "1", "max", "info", "seed 003 EUF", share=True),
        Output("landauer_ratio", "1", "min", "info", "energy / Landauer minimum (seed 004)"),
        Output("memory_margin", "1", None, "margin", "memory used / capacity − 1"),
        Output("thermal_margin", "1", None, "margin", "T_junction / T_junction_max − 1"),
        Output("clock_margin", "1", None, "margin", "max(ν₀/ν_max, ν_min/ν₀) − 1"),
        Output("power_margin", "1", None, "margin", "full-activity power at nu_min / power limit − 1 (the limit cannot be met)"),
        Output("layout_margin", "1", None, "margin", "≤ 0 when tp fits a node, pp ≤ layers "
               "and every replica has a sequence"),
        Output("replica_margin", "1", None, "margin", "≤ 0 when tp·pp divides N: a whole number of "
               "replicas (met by rounding N, not by descent)", discrete=True),
        Output("time_margin", "1", None, "margin", "time / t_max − 1"),
    ),
    preset_kinds=("hardware", "workload"),
    default_presets={"hardware": "h100-sxm", "workload": "llama3.1-70b"},
    doc=__doc__.split("\n\n")[0],
    phases=PhasePlan(params=phases.phase_params, combine=phases.COMBINE, finish=phases.finish,
                     sets=("progress_start", "progress_end")),
    integer_steps={"n_parallel": ("tp", "pp")},
))
