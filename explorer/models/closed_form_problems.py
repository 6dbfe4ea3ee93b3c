"""Two small seed problems whose optima have closed forms (used by ``explorer optima``).

- ``seed000_barrier``: seed 000 §3.3 as a constrained problem, the least temperature whose
  barrier-crossing time (1/ν₀)·exp(ΔL/T) fits in t_available; its optimum is T_opt.
- ``seed004_energy``: seed 004's W_total(B) alone, whose minimiser is the kink at B_max,
  not the seed's B* (DESIGN.md).

They are not registered: they exist to check the optimiser against the seeds' formulas.
"""

import jax.numpy as jnp

from explorer.models.base import Model, Output, Param, Variable
from explorer.kernels import batch as kb
from explorer.kernels import quality as kq

T_AVAILABLE = 90 * 86400.0  # s: the time available used for T_opt
DELTA_L = 0.04  # nats: the barrier ΔL (seed000 model default)


def _barrier(design, p):
    temperature = design["temperature"]
    log_crossing = p["delta_l"] / temperature - jnp.log(p["nu"])  # log of (1/ν₀)·exp(ΔL/T)
    return {"temperature_out": temperature,
            "crossing_time": jnp.exp(log_crossing),
            "crossing_margin": log_crossing - jnp.log(p["t_available"])}


BARRIER = Model(
    name="seed000_barrier", version="1", fn=_barrier,
    design=(Variable("temperature", "nats", 1e-3, (1e-4, 1e-1), "log"),),
    params=(Param("delta_l", "nats", DELTA_L), Param("nu", "Hz", 1.8e9), Param("t_available", "s", T_AVAILABLE)),
    outputs=(Output("temperature_out", "nats", "min"), Output("crossing_time", "s", None, "info"),
             Output("crossing_margin", "1", None, "margin", "log(crossing time / t_available) ≤ 0")),
    doc="Seed 000 §3.3 as a constrained problem: least T whose barrier crossing fits in t_available.")


def _seed004(design, p):
    b = design["batch"]
    efficiency = kb.per_sample_efficiency(b, p["alpha"], p["beta"])
    throughput = kb.throughput_vs_batch(b, p["t0"], p["b_max"], p["gamma"])
    return {"w_total": kq.total_energy_seed004(p["w_base"], p["l0"], p["l_star"], efficiency, throughput)}


SEED004 = Model(
    name="seed004_energy", version="1", fn=_seed004,
    design=(Variable("batch", "samples", 1024.0, (1.0, 1e6), "log"),),
    params=(Param("alpha", "nats/token", 0.01), Param("beta", "1", 0.3), Param("gamma", "1", 0.8),
            Param("t0", "tokens/s", 1e6), Param("b_max", "samples", 4096.0), Param("w_base", "W", 1e6),
            Param("l0", "nats", 10.0), Param("l_star", "nats", 2.0)),
    outputs=(Output("w_total", "J", "min"),),
    doc="Seed 004's W_total(B).")
