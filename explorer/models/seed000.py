"""``seed000``: seed 000 ("Fundamental Trade-offs in Neural Network Training") as written.

Composition (all equations from seed 000, with DESIGN.md's fixes):

- E_FLOP = k_B·T·ln2 + α·ν₀² (§1.1); η = ν₀/E_FLOP (§1.2, the form that peaks
  at ν₀_efficient, §1.3); ν₀_max = √(T_max/α) (§1.3).
- B_max (§2.2); per-sample progress ΔL_step = ΔL₁/√B (§2.3).
- single-device time t₁ from §3.1; with N devices t_train = t₁/S(N) (§5.1).
- energy = work·E_FLOP·N/S(N) + accesses·E_mem (§4.2, P = E_FLOP × rate),
  where work = ν₀·B·t₁ operations (§2.1) and E_mem = β·d_mem (§4.1).
- loss gap L* − L_min = (T/2)·log(ν₀·t_train) (§3.2, the bound taken as equality).
- C_total (§6.1); margins for ν₀ ≤ ν₀_max, B ≤ B_max, t_train ≤ t_max (§6.2).
"""

import jax.numpy as jnp

from explorer.models.base import NONNEGATIVE, POSITIVE, Model, Output, Param, Variable, register
from explorer.kernels import batch as kb
from explorer.kernels import cost as kc
from explorer.kernels import energy as ke
from explorer.kernels import parallel as kp
from explorer.kernels import quality as kq


def seed000(design, p):
    """Evaluates seed 000's composed model; see the module docstring for the equations."""
    nu, batch = design["nu"], design["batch"]
    temperature, n = design["temperature"], design["n_parallel"]
    e_flop = ke.energy_per_flop(nu, p["alpha"], p["t_kelvin"])
    nu_max = ke.nu_max_thermal(p["thermal_limit"], p["alpha"])
    b_max = kb.batch_max(p["mem_bandwidth"], nu, p["d"], p["bits_per_param"], p["mem_total"])
    dl_step = kb.step_loss_decrease(batch, p["delta_l_unit"])
    t_single = kq.training_time(p["l0"], p["l_star"], p["d"], nu, batch, p["delta_l"], temperature, dl_step)
    speedup = kp.parallel_speedup(n, p["gamma_comm"])
    t_train = t_single / speedup
    work = kb.compute_rate(nu, batch, 1.0) * t_single
    e_mem = ke.memory_access_energy(p["beta_mem"], p["d_mem"])
    energy = ke.update_energy(work * n / speedup, e_flop, work * p["accesses_per_flop"], e_mem)
    loss_gap = kq.loss_floor(temperature, nu, t_train)
    return {
        "t_train": t_train,
        "E_total": energy,
        "loss_gap": loss_gap,
        "C_total": kc.total_cost(p["w_time"], t_train, p["w_energy"], energy, p["w_quality"], loss_gap),
        "e_flop": e_flop,
        "flops_per_joule": ke.flops_per_joule(nu, p["alpha"], p["t_kelvin"]),
        "power_w": ke.compute_power(kb.compute_rate(nu, batch, n), e_flop),
        "speedup": speedup,
        "batch_max": b_max,
        "nu_max": nu_max + jnp.zeros_like(nu),
        "clock_margin": nu / nu_max - 1.0,
        "batch_margin": batch / b_max - 1.0,
        "time_margin": t_train / p["t_max"] - 1.0,
    }


SEED000 = register(Model(
    name="seed000",
    version="1",
    fn=seed000,
    design=(
        Variable("nu", "Hz", 1.8e9, (1e4, 4e9), "log", doc="clock frequency ν₀", domain=POSITIVE),
        Variable("batch", "samples", 1024.0, (1.0, 1e5), "log", doc="batch size B", domain=POSITIVE),
        Variable("temperature", "nats", 1.1e-3, (1e-4, 1e-1), "log", doc="SGD temperature T", domain=POSITIVE),
        Variable("n_parallel", "devices", 1024.0, (1.0, 1e5), "log", integer=True, doc="hardware parallelism N",
                 domain=POSITIVE),
    ),
    params=(
        Param("alpha", "J*s^2", 1.8e-31, "dynamic energy coefficient α (H100-like: 0.6 pJ at 1.83 GHz)"),
        Param("t_kelvin", "K", 300.0, "temperature of the logic for Landauer's term"),
        Param("thermal_limit", "J", 7.2e-13, "seed's T_max as dynamic energy per op (ν₀_max = 2 GHz)"),
        Param("mem_bandwidth", "bit/s", 2.68e13, "memory bandwidth M_bandwidth"),
        Param("mem_total", "params", 4.0e10, "memory capacity M_total, in parameters"),
        Param("d", "1", 1.0, "seed's d: per-sample working set (params) and steps per cycle"),
        Param("bits_per_param", "bit", 16.0, "bits per parameter"),
        Param("l0", "nats", 10.0, "initial loss L₀"),
        Param("l_star", "nats", 2.0, "target loss L*"),
        Param("delta_l", "nats", 0.04, "loss barrier ΔL"),
        Param("delta_l_unit", "nats", 3e-4, "per-sample loss decrease at B = 1 (ΔL_step = this/√B); ~1 month at the defaults"),
        Param("gamma_comm", "1", 1e-6, "communication overhead γ of §5", domain=NONNEGATIVE),
        Param("beta_mem", "J/m", 4e-9, "memory access energy per unit distance β", domain=NONNEGATIVE),
        Param("d_mem", "m", 0.01, "memory distance d_mem"),
        Param("accesses_per_flop", "1", 0.01, "parameter accesses per operation", domain=NONNEGATIVE),
        Param("t_max", "s", 90 * 86400.0, "time limit t_max"),
        Param("w_time", "1/s", 1.0 / 86400.0, "cost weight of time (1 per day)", domain=NONNEGATIVE),
        Param("w_energy", "1/J", 1.0 / 3.6e9, "cost weight of energy (1 per MWh)", domain=NONNEGATIVE),
        Param("w_quality", "1/nats", 10.0, "cost weight of the loss gap", domain=NONNEGATIVE),
    ),
    outputs=(
        Output("t_train", "s", "min", doc="training time, §3.1 / S(N)"),
        Output("E_total", "J", "min", doc="energy, §4.2"),
        Output("loss_gap", "nats", "min", doc="L* − L_min, §3.2"),
        Output("C_total", "1", "min", doc="total cost, §6.1"),
        Output("e_flop", "J", None, "info", "energy per operation, §1.1"),
        Output("flops_per_joule", "1/(J*s)", "max", "info", "η = ν₀/E_FLOP, §1.2"),
        Output("power_w", "W", None, "info", "E_FLOP × R_compute"),
        Output("speedup", "1", None, "info", "S(N), §5.1"),
        Output("batch_max", "samples", None, "info", "B_max, §2.2"),
        Output("nu_max", "Hz", None, "info", "ν₀_max, §1.3"),
        Output("clock_margin", "1", None, "margin", "ν₀/ν₀_max − 1 ≤ 0"),
        Output("batch_margin", "1", None, "margin", "B/B_max − 1 ≤ 0"),
        Output("time_margin", "1", None, "margin", "t_train/t_max − 1 ≤ 0"),
    ),
    doc=__doc__.split("\n\n")[0],
))
