"""``llm_training``: a calibrated composition of the seeds for large-model training.

Design variables: clock ν₀ (``nu``), global batch B in sequences (``batch``),
SGD temperature T in nats (``temperature``), devices N (``n_parallel``).
docs/model.md derives every step; in short, per optimiser step:

1. tokens per device b = B·seq_len/N, in ``grad_accumulation`` micro-batches;
   memory = sharded optimiser state + activations of one micro-batch ≤
   capacity (gives ``batch_max``).
2. device: compute rate = (peak/ν_nominal)·ν₀·η_batch(b) (seed 003), with
   η_batch of the micro-batch saturating at the roofline ridge b_opt =
   peak/bandwidth (tokens: a bf16 GEMM over b tokens does b FLOP per byte
   of weights); memory
   time from optimiser-state and activation traffic; roofline: the slower wins.
3. cluster: seed 000 §5.1 S(N), or a ring all-reduce of the gradients.
4. data needed: the recipe's tokens × a batch law (McCandlish noise scale or
   seed 004's E(B) = αB^−β) × seed 000 §3's barrier factor exp(ΔL/T − ΔL/T_ref).
5. time = steps × step time / goodput (failures: N·t_restart/MTBF).
6. power: static (∝ V, seed 003 V·I_leak) + FLOP rate × E_FLOP(ν₀) with DVFS
   V = max(V_min, V_nom·ν₀/ν_nom) (seed 000 §1, seed 003 C·V²·f) + memory and
   link traffic × energy per byte (seed 000 §4); host share; PUE as cooling.
7. thermal steady state T_j = T_amb + R_th·P (seed 003) must stay ≤ T_j,max.
8. loss = Chinchilla L(N_params, D) + (T/2)·log(steps) (seed 000 §3.2).
"""

import jax.numpy as jnp

from explorer.models.base import Model, Output, Param, Variable, register
from kernels import batch as kb
from kernels import cost as kc
from kernels import energy as ke
from kernels import information as ki
from kernels import parallel as kp
from kernels import quality as kq
from kernels import thermal as kt
from kernels import throughput as ktp
from kernels.constants import LN2, SECONDS_PER_HOUR

# Korthikanti et al. 2022 ("Reducing Activation Recomputation in Large Transformer
# Models", eq. 1): a transformer layer stores 34·h bytes of activations per token
# in 16-bit precision (flash attention: no s²-term); full recompute keeps only
# the layer input, 2·h bytes.
_ACT_BYTES_PER_TOKEN_LAYER_FULL = 34.0
_ACT_BYTES_PER_TOKEN_LAYER_CHECKPOINT = 2.0
_GRAD_BYTES_PER_PARAM = 2.0  # bf16 gradients on the wire


def chinchilla_loss(n_params, tokens, e, a, b, alpha, beta):
    """Hoffmann et al. 2022 eq. 2: L(N, D) = E + A/N^α + B/D^β, nats/token."""
    return e + a / n_params**alpha + b / tokens**beta


def ring_allreduce_time(bytes_per_device, n_replicas, link_bandwidth):
    """Ring all-reduce (Patarasuk & Yuan 2009): 2·(n−1)/n · bytes / bandwidth, s."""
    return 2.0 * (n_replicas - 1.0) / n_replicas * bytes_per_device / link_bandwidth


def llm_training(design, p):
    """Evaluates the composition in the module docstring; units in the metadata."""
    nu, batch = design["nu"], design["batch"]
    temperature, n = design["temperature"], design["n_parallel"]
    n_params = p["n_params"]

    # 1. per-device batch and memory
    tokens_per_step = batch * p["seq_len"]
    b = tokens_per_step / n
    recompute = p["recompute"]
    layer_tokens = p["d_model"] * p["n_layers"]
    act_stored = layer_tokens * (_ACT_BYTES_PER_TOKEN_LAYER_CHECKPOINT * recompute
                                 + _ACT_BYTES_PER_TOKEN_LAYER_FULL * (1.0 - recompute))
    act_traffic = 2.0 * _ACT_BYTES_PER_TOKEN_LAYER_FULL * layer_tokens  # written once, read once
    state_bytes = p["state_bytes_per_param"] * n_params / n
    micro = b / p["grad_accumulation"]  # tokens per device per micro-batch, all live at once
    memory_used = state_bytes + act_stored * micro
    tokens_fit = jnp.maximum(p["mem_capacity"] - state_bytes, 0.0) / act_stored
    batch_max = tokens_fit * p["grad_accumulation"] * n / p["seq_len"]

    # 2. device roofline
    flops_per_cycle = p["peak_flops"] / p["nu_nominal"]
    ridge_tokens = p["peak_flops"] / p["mem_bandwidth"]
    eta = kb.batch_efficiency(micro, p["kernel_efficiency"], ridge_tokens)
    compute_rate = ktp.bound_throughput(flops_per_cycle * nu, eta)
    # Narayanan et al. 2021 eq. 3: 6·N_params plus attention scores 12·layers·h·seq per
    # token (forward + backward), and one more forward pass for what is recomputed.
    attention_flops = 12.0 * p["n_layers"] * p["d_model"] * p["seq_len"]
    exec_flops_per_token = (6.0 * n_params + attention_flops) * (1.0 + recompute / 3.0)
    step_flops = exec_flops_per_token * b
    step_bytes = 2.0 * state_bytes + act_traffic * b
    t_compute = step_flops / compute_rate
    t_memory = step_bytes / p["mem_bandwidth"]
    t_device = jnp.maximum(t_compute, t_memory)  # seed 003 T_est = min(throughputs)

    # 3. cluster
    replicas = jnp.maximum(n / p["model_parallel"], 1.0)
    grad_bytes = _GRAD_BYTES_PER_PARAM * n_params / p["model_parallel"]
    t_ring = ring_allreduce_time(grad_bytes, replicas, p["link_bandwidth"])
    comm_bytes = 2.0 * (replicas - 1.0) / replicas * grad_bytes
    if p["comm_model"] == "ring":
        t_step = jnp.maximum(t_device, t_ring)  # gradient reduction overlapped with backward
    else:
        t_step = t_device * n / kp.parallel_speedup(n, p["comm_overhead"])

    # 4. data needed
    loss_min = chinchilla_loss(n_params, p["tokens"], p["loss_e"], p["loss_a"], p["loss_b"],
                               p["loss_alpha"], p["loss_beta"])
    ref_tokens_per_step = p["batch_ref"] * p["seq_len"]
    if p["batch_law"] == "power":
        batch_factor = (batch / p["batch_ref"]) ** p["batch_beta"]
    else:
        b_noise = p["noise_scale_b_star"] / loss_min ** (1.0 / p["noise_scale_alpha"])
        batch_factor = (kb.noise_scale_data_factor(tokens_per_step, b_noise)
                        / kb.noise_scale_data_factor(ref_tokens_per_step, b_noise))
    barrier = jnp.exp(p["barrier"] / temperature - p["barrier"] / p["temperature_ref"])
    tokens_needed = p["tokens"] * batch_factor * barrier
    steps = tokens_needed / tokens_per_step

    # 5. time
    goodput = 1.0 / (1.0 + n * p["restart_hours"] / p["mtbf_hours"])
    time_s = steps * t_step / goodput

    # 6. power and energy
    voltage = ke.dvfs_voltage(nu, p["v_nominal"], p["nu_nominal"], p["v_min"])
    e_flop = ki.landauer_bit_energy(p["t_ambient"]) + ke.dvfs_energy_per_flop(
        nu, p["e_flop_nominal"], p["v_nominal"], p["nu_nominal"], p["v_min"])
    p_static = p["p_static"] * voltage / p["v_nominal"]
    p_compute = ke.compute_power(step_flops / t_step, e_flop)
    p_memory = step_bytes / t_step * p["e_mem_byte"]
    p_link = comm_bytes / t_step * p["e_link_byte"]
    power_w = p_static + p_compute + p_memory + p_link
    power_avg = goodput * power_w + (1.0 - goodput) * p_static  # idle while restarting
    device_energy = n * power_avg * time_s
    it_energy = device_energy + n * p["host_power"] * time_s
    cooling = ke.cooling_energy(p["pue"] - 1.0, it_energy)
    energy = it_energy + cooling

    # 7. thermal
    t_junction = kt.steady_state_temperature(power_w, p["t_ambient"], p["r_thermal"])

    # 8. quality and figures of merit
    loss_gap = kq.loss_floor(temperature, 1.0 / t_step, time_s)
    model_flops = 6.0 * n_params * tokens_needed
    useful_rate = model_flops / time_s
    peak_cluster = n * p["peak_flops"]
    h_data_bits = tokens_needed * loss_min / LN2
    e_landauer = ki.landauer_minimum_energy(p["t_ambient"], n_params, h_data_bits)
    useful_energy = n * goodput * time_s * p_compute * (6.0 * n_params / exec_flops_per_token)
    hourly = n * p["usd_per_device_hour"] / SECONDS_PER_HOUR
    return {
        "time_s": time_s,
        "energy_j": energy,
        "final_loss": loss_min + loss_gap,
        "loss_gap": loss_gap,
        "cost_usd": kc.total_cost(hourly, time_s, p["usd_per_kwh"] / 3.6e6, energy, p["usd_per_nat"], loss_gap),
        "device_hours": n * time_s / SECONDS_PER_HOUR,
        "device_energy_j": device_energy,
        "cooling_energy_j": cooling,
        "power_w": power_w,
        "cluster_power_w": energy / time_s,
        "tokens_per_s": tokens_needed / time_s,
        "tokens_needed": tokens_needed,
        "mfu": useful_rate / peak_cluster,
        "step_time_s": t_step,
        "t_junction": t_junction,
        "batch_max": batch_max,
        "energy_time_product": ktp.energy_time_product(energy, time_s),
        "eei": ktp.energy_efficiency_index(useful_rate, peak_cluster, e_landauer, energy),
        "ppw": ktp.performance_per_watt(useful_rate, energy / time_s),
        "euf": ktp.energy_utilization_factor(useful_energy, energy),
        "landauer_ratio": energy / e_landauer,
        "memory_margin": memory_used / p["mem_capacity"] - 1.0,
        "thermal_margin": t_junction / p["t_junction_max"] - 1.0,
        "clock_margin": jnp.maximum(nu / p["nu_max"], p["nu_min"] / nu) - 1.0,
        "time_margin": time_s / p["t_max"] - 1.0,
    }


_HW = "hardware preset"
_WL = "workload preset"

LLM_TRAINING = register(Model(
    name="llm_training",
    version="1",
    fn=llm_training,
    design=(
        Variable("nu", "Hz", "nu_nominal", (2e8, 2.2e9), "linear", doc="core clock ν₀"),
        Variable("batch", "sequences", "batch_ref", (16.0, 65536.0), "log", doc="global batch B"),
        Variable("temperature", "nats", "temperature_ref", (1e-3, 3e-2), "log",
                 doc="SGD temperature T (seed 000 §3), loss units"),
        Variable("n_parallel", "devices", "n_parallel_ref", (8.0, 65536.0), "log", integer=True,
                 doc="number of devices N"),
    ),
    params=(
        # hardware
        Param("peak_flops", "FLOP/s", 989.4e12, f"{_HW}: dense 16-bit tensor peak at nu_nominal"),
        Param("nu_nominal", "Hz", 1.83e9, f"{_HW}: clock at which peak_flops is quoted"),
        Param("nu_min", "Hz", 0.5e9, f"{_HW}: lowest usable clock"),
        Param("nu_max", "Hz", 1.98e9, f"{_HW}: highest supported clock"),
        Param("v_nominal", "V", 1.0, f"{_HW}: supply voltage at nu_nominal"),
        Param("v_min", "V", 0.7, f"{_HW}: DVFS voltage floor"),
        Param("e_flop_nominal", "J", 0.5e-12, f"{_HW}: dynamic energy per FLOP at nu_nominal"),
        Param("p_static", "W", 90.0, f"{_HW}: static (leakage) power at v_nominal"),
        Param("tdp", "W", 700.0, f"{_HW}: board power limit"),
        Param("mem_capacity", "B", 80e9, f"{_HW}: device memory"),
        Param("mem_bandwidth", "B/s", 3.35e12, f"{_HW}: device memory bandwidth"),
        Param("e_mem_byte", "J/B", 24e-12, f"{_HW}: DRAM energy per byte moved"),
        Param("link_bandwidth", "B/s", 50e9, f"{_HW}: per-device scale-out bandwidth"),
        Param("e_link_byte", "J/B", 80e-12, f"{_HW}: network energy per byte"),
        Param("kernel_efficiency", "1", 0.45, f"{_HW}: γ of seed 003 η_batch: best sustained fraction of peak"),
        Param("comm_overhead", "1", 1e-6, f"{_HW}: γ of seed 000 §5.1 S(N)"),
        Param("t_ambient", "K", 308.15, f"{_HW}: coolant inlet temperature"),
        Param("t_junction_max", "K", 358.15, f"{_HW}: junction temperature limit"),
        Param("r_thermal", "K/W", 0.0714, f"{_HW}: junction-to-inlet thermal resistance"),
        Param("heat_capacity", "J/K", 800.0, f"{_HW}: thermal capacity of device and heatsink"),
        Param("mtbf_hours", "h", 50700.0, f"{_HW}: mean time between failures per device"),
        Param("restart_hours", "h", 0.3, f"{_HW}: work lost per failure (restart + since checkpoint)"),
        Param("host_power", "W", 200.0, f"{_HW}: host, NIC and switch power per device"),
        Param("pue", "1", 1.1, f"{_HW}: facility power usage effectiveness"),
        Param("usd_per_device_hour", "USD/h", 3.0, f"{_HW}: rental price"),
        # workload and recipe
        Param("n_params", "1", 70.6e9, f"{_WL}: parameters"),
        Param("tokens", "tokens", 15e12, f"{_WL}: training tokens of the reference recipe"),
        Param("seq_len", "tokens", 8192.0, f"{_WL}: sequence length"),
        Param("d_model", "1", 8192.0, f"{_WL}: hidden size"),
        Param("n_layers", "1", 80.0, f"{_WL}: layers"),
        Param("batch_ref", "sequences", 2048.0, f"{_WL}: reference global batch"),
        Param("n_parallel_ref", "devices", 4096.0, f"{_WL}: reference device count"),
        Param("model_parallel", "devices", 64.0, f"{_WL}: devices per model replica (TP·PP)"),
        Param("grad_accumulation", "1", 1.0, f"{_WL}: micro-batches per optimiser step"),
        Param("recompute", "1", 0.0, f"{_WL}: fraction of activations recomputed (0..1)"),
        Param("state_bytes_per_param", "B", 16.0, f"{_WL}: weights+grads+Adam state per parameter"),
        Param("temperature_ref", "nats", 4e-3, f"{_WL}: temperature of the reference recipe"),
        Param("barrier", "nats", 4e-3, f"{_WL}: loss barrier ΔL of seed 000 §3"),
        Param("batch_law", "choice", "noise_scale", "statistical efficiency law",
              choices=("noise_scale", "power")),
        Param("batch_beta", "1", 0.5, "β of seed 004 E(B) = αB^−β (0.5 is seed 000 §2.3)"),
        Param("noise_scale_b_star", "tokens", 2.0e8, "Kaplan et al. 2020 B_crit(L) = B*/L^(1/α_B): B*"),
        Param("noise_scale_alpha", "1", 0.21, "Kaplan et al. 2020 α_B"),
        Param("loss_e", "nats", 1.69, "Chinchilla irreducible loss E (Hoffmann et al. 2022)"),
        Param("loss_a", "nats", 406.4, "Chinchilla A"),
        Param("loss_b", "nats", 410.7, "Chinchilla B"),
        Param("loss_alpha", "1", 0.34, "Chinchilla α"),
        Param("loss_beta", "1", 0.28, "Chinchilla β"),
        Param("comm_model", "choice", "speedup", "cluster model", choices=("speedup", "ring")),
        Param("t_max", "s", 365 * 86400.0, "time limit (seed 000 §6.2 t_max)"),
        Param("usd_per_kwh", "USD/kWh", 0.08, "electricity price"),
        Param("usd_per_nat", "USD/nats", 0.0, "seed 000 §6.1 w_quality"),
    ),
    outputs=(
        Output("time_s", "s", "min", doc="wall-clock training time"),
        Output("energy_j", "J", "min", doc="facility energy (devices + hosts) × PUE"),
        Output("final_loss", "nats", "min", doc="Chinchilla loss + temperature loss gap"),
        Output("loss_gap", "nats", "min", doc="(T/2)·log(steps), seed 000 §3.2"),
        Output("cost_usd", "USD", "min", doc="seed 000 §6.1 with device-hour and kWh prices"),
        Output("device_hours", "h", "min", "info", "N × time"),
        Output("device_energy_j", "J", "min", "info", "energy of the devices alone"),
        Output("cooling_energy_j", "J", None, "info", "(PUE − 1) × IT energy (seed 003 E_cooling)"),
        Output("power_w", "W", None, "info", "device power while training"),
        Output("cluster_power_w", "W", None, "info", "average facility power"),
        Output("tokens_per_s", "tokens/s", "max", "info", "training throughput"),
        Output("tokens_needed", "tokens", None, "info", "tokens to reach the target"),
        Output("mfu", "1", "max", "info", "model FLOPs utilisation (6·N_params per token, datasheet peak)"),
        Output("step_time_s", "s", None, "info", "time per optimiser step"),
        Output("t_junction", "K", None, "info", "steady-state junction temperature"),
        Output("batch_max", "sequences", None, "info", "largest global batch that fits in memory"),
        Output("energy_time_product", "J*s", "min", "info", "seed 003 ETP"),
        Output("eei", "1", "max", "info", "seed 003 EEI"),
        Output("ppw", "FLOP/J", "max", "info", "seed 003 PPW (useful FLOP per joule)"),
        Output("euf", "1", "max", "info", "seed 003 EUF"),
        Output("landauer_ratio", "1", "min", "info", "energy / Landauer minimum (seed 004)"),
        Output("memory_margin", "1", None, "margin", "memory used / capacity − 1"),
        Output("thermal_margin", "1", None, "margin", "T_junction / T_junction_max − 1"),
        Output("clock_margin", "1", None, "margin", "max(ν₀/ν_max, ν_min/ν₀) − 1"),
        Output("time_margin", "1", None, "margin", "time / t_max − 1"),
    ),
    preset_kinds=("hardware", "workload"),
    default_presets={"hardware": "h100-sxm", "workload": "llama3.1-70b"},
    doc=__doc__.split("\n\n")[0],
))
