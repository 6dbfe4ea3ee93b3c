"""The parameters ``llm_training`` reads, with units and what supplies them.

Defaults are an H100 SXM running Llama 3.1 70B; the hardware and workload presets
(explorer/presets, each value with its source) override them. Layout codes:
``recompute`` 0 none / 1 selective / 2 full; ``zero_stage`` 0–3 (3 = FSDP);
``sequence_parallel`` and ``flash_attention`` 0 or 1.
"""

import dataclasses

from explorer.models.base import COUNT, FRACTION, NONNEGATIVE, PUE, SHARE, SWITCH, Domain, Param

_HW = "hardware preset"
_WL = "workload preset"

HARDWARE = (
    Param("peak_flops", "FLOP/s", 989.4e12, f"{_HW}: dense 16-bit tensor peak at nu_nominal"),
    Param("nu_nominal", "Hz", 1.83e9, f"{_HW}: clock at which peak_flops is quoted"),
    Param("nu_min", "Hz", 0.59e9, f"{_HW}: lowest usable clock"),
    Param("nu_max", "Hz", 1.98e9, f"{_HW}: highest supported clock"),
    Param("nu_knee", "Hz", 1.485e9, f"{_HW}: clock below which the core voltage sits on its floor"),
    Param("v_max", "V", 0.95, f"{_HW}: core voltage at nu_max"),
    Param("v_min", "V", 0.7, f"{_HW}: DVFS voltage floor"),
    Param("vf_exponent", "1", 2.0, f"{_HW}: curvature κ of the V–f curve above the knee (1 = straight)"),
    Param("tdp", "W", 700.0, f"{_HW}: board power limit at factory settings (default power_limit)"),
    Param("p_board", "W", 100.0, f"{_HW}: clock-independent board power (HBM, I/O, uncore, regulators)"),
    Param("p_leak", "W", 105.0, f"{_HW}: leakage power at v_max (∝ V)"),
    Param("c_eff", "F", 2.99e-7, f"{_HW}: switched capacitance of dense GEMMs (seed 003 C_eff)"),
    Param("activity_memory", "1", 0.35, f"{_HW}: core activity in memory-bound kernels, share of C_eff"),
    Param("activity_wait", "1", 0.25, f"{_HW}: core activity while waiting on communication or the pipeline"),
    Param("gemm_efficiency", "1", 0.75, f"{_HW}: γ of seed 003 η_batch: sustained share of peak per cycle "
          "in large GEMMs (fitted per device, docs/calibration.md)"),
    Param("mem_capacity", "B", 80e9, f"{_HW}: device memory"),
    Param("mem_bandwidth", "B/s", 3.35e12, f"{_HW}: device memory bandwidth"),
    Param("e_mem_byte", "J/B", 24e-12, f"{_HW}: DRAM energy per byte moved"),
    Param("devices_per_node", "devices", 8.0, f"{_HW}: devices sharing one NVLink domain"),
    Param("nvlink_bandwidth", "B/s", 450e9, f"{_HW}: intra-node bandwidth per device, one way"),
    Param("nvlink_efficiency", "1", 0.8, f"{_HW}: achieved share of nvlink_bandwidth in NCCL collectives"),
    Param("e_nvlink_byte", "J/B", 10e-12, f"{_HW}: NVLink energy per byte"),
    Param("scaleout_bandwidth", "B/s", 50e9, f"{_HW}: scale-out (NIC) bandwidth per device, one way"),
    Param("scaleout_efficiency", "1", 0.9, f"{_HW}: achieved share of scaleout_bandwidth"),
    Param("e_link_byte", "J/B", 80e-12, f"{_HW}: scale-out network energy per byte"),
    Param("t_ambient", "K", 308.15, f"{_HW}: coolant inlet temperature"),
    Param("t_junction_max", "K", 358.15, f"{_HW}: junction temperature limit"),
    Param("r_thermal", "K/W", 0.0714, f"{_HW}: junction-to-inlet thermal resistance"),
    Param("mtbf_hours", "h", 50700.0, f"{_HW}: mean time between failures per device"),
    Param("restart_hours", "h", 0.3, f"{_HW}: work lost per failure (restart + since checkpoint)"),
    Param("host_power", "W", 200.0, f"{_HW}: host, NIC and switch power per device"),
    Param("pue", "1", 1.1, f"{_HW}: facility power usage effectiveness"),
    Param("usd_per_device_hour", "USD/h", 3.0, f"{_HW}: rental price"),
)

WORKLOAD = (
    Param("n_params", "1", 70.6e9, f"{_WL}: parameters"),
    Param("tokens", "tokens", 15e12, f"{_WL}: training tokens of the reference recipe"),
    Param("seq_len", "tokens", 8192.0, f"{_WL}: sequence length"),
    Param("d_model", "1", 8192.0, f"{_WL}: hidden size"),
    Param("n_layers", "1", 80.0, f"{_WL}: layers"),
    Param("n_heads", "1", 64.0, f"{_WL}: attention heads"),
    Param("batch_ref", "sequences", 2048.0, f"{_WL}: reference global batch"),
    Param("n_parallel_ref", "devices", 4096.0, f"{_WL}: reference device count"),
    Param("tp", "devices", 8.0, f"{_WL}: tensor-parallel degree (inside a node)"),
    Param("pp", "devices", 4.0, f"{_WL}: pipeline-parallel stages"),
    Param("pp_interleave", "1", 1.0, f"{_WL}: model chunks per pipeline device (interleaved 1F1B)"),
    Param("micro_batch", "sequences", 1.0, f"{_WL}: sequences per micro-batch"),
    Param("zero_stage", "1", 1.0, f"{_WL}: optimizer-state sharding over data parallel (0–3; 3 = FSDP)"),
    Param("recompute", "1", 1.0, f"{_WL}: activation recompute: 0 none, 1 selective, 2 full"),
    Param("sequence_parallel", "1", 1.0, f"{_WL}: 1 if layer norms and dropout are split over tp"),
    Param("flash_attention", "1", 1.0, f"{_WL}: 1 if attention never stores its s×s scores"),
    Param("dp_overlap", "1", 1.0, f"{_WL}: share of the last micro-batch's backward that hides the "
          "gradient reduction"),
    Param("run_overhead", "1", 0.02, f"{_WL}: share of run time in checkpoints and evaluation"),
    Param("temperature_ref", "nats", 4e-3, f"{_WL}: temperature of the reference recipe"),
    Param("barrier", "nats", 4e-3, f"{_WL}: loss barrier ΔL of seed 000 §3"),
)

RECIPE = (
    Param("batch_law", "choice", "noise_scale", "statistical efficiency law", choices=("noise_scale", "power")),
    Param("batch_beta", "1", 0.5, "β of seed 004 E(B) = αB^−β (0.5 is seed 000 §2.3)"),
    Param("noise_scale_b_star", "tokens", 2.0e8, "Kaplan et al. 2020 B_crit(L) = B*/L^(1/α_B): B*"),
    Param("noise_scale_alpha", "1", 0.21, "Kaplan et al. 2020 α_B"),
    Param("loss_e", "nats", 1.69, "Chinchilla irreducible loss E (Hoffmann et al. 2022)"),
    Param("loss_a", "nats", 406.4, "Chinchilla A"),
    Param("loss_b", "nats", 410.7, "Chinchilla B"),
    Param("loss_alpha", "1", 0.34, "Chinchilla α"),
    Param("loss_beta", "1", 0.28, "Chinchilla β"),
    Param("comm_model", "choice", "layout", "step time from the parallel layout, or seed 000 §5.1's S(N)",
          choices=("layout", "seed000")),
    Param("comm_overhead", "1", 1e-6, "γ of seed 000 §5.1 S(N) = N/(1 + γN·lnN) (comm_model = seed000 only)"),
    Param("t_max", "s", 365 * 86400.0, "time limit (seed 000 §6.2 t_max)"),
    Param("progress_start", "1", 0.0, "share of the recipe's tokens already trained (a schedule's phase "
          "starts there; 0 for a whole run)"),
    Param("progress_end", "1", 1.0, "share of the recipe's tokens trained at the end (a schedule's phase "
          "ends there; 1 for a whole run)"),
    Param("usd_per_kwh", "USD/kWh", 0.08, "electricity price"),
    Param("usd_per_nat", "USD/nats", 0.0, "seed 000 §6.1 w_quality"),
)

# Where each parameter may lie; every parameter not listed is finite and positive. A preset,
# override or axis outside its domain is refused before any work (explorer/models/params.py).
DOMAINS = {
    **dict.fromkeys(("p_board", "p_leak", "e_mem_byte", "e_nvlink_byte", "e_link_byte", "restart_hours",
                     "host_power", "usd_per_device_hour", "usd_per_kwh", "usd_per_nat", "comm_overhead",
                     "barrier", "loss_e"), NONNEGATIVE),
    **dict.fromkeys(("activity_memory", "activity_wait", "dp_overlap", "progress_start"), SHARE),
    "progress_end": FRACTION,
    "run_overhead": Domain(high=1.0, open_low=False, open_high=True),  # [0, 1): some time must be training
    **dict.fromkeys(("gemm_efficiency", "nvlink_efficiency", "scaleout_efficiency"), FRACTION),
    "pue": PUE,
    **dict.fromkeys(("devices_per_node", "n_layers", "n_heads", "tp", "pp", "pp_interleave", "micro_batch",
                     "seq_len", "d_model", "n_parallel_ref"), COUNT),
    "zero_stage": Domain(values=(0.0, 1.0, 2.0, 3.0)),
    "recompute": Domain(values=(0.0, 1.0, 2.0)),
    **dict.fromkeys(("sequence_parallel", "flash_attention"), SWITCH),
}

PARAMS = tuple(dataclasses.replace(p, domain=DOMAINS[p.name]) if p.name in DOMAINS else p
               for p in HARDWARE + WORKLOAD + RECIPE)
