"""``seed004``: seed 004 ("Training Dynamics: Energy-Information Tradeoffs") as written.

Design: the global batch B (samples). Seed 004's throughput parameters (T₀, B_max, γ) and
efficiency parameters (α, β) are parameters, so any of them can be a sweep axis.

Composition (every equation from seed 004, with DESIGN.md's fixes; docs/seed004.md):

- per-sample efficiency E(B) = α·B^−β, a fractional loss reduction per token ("Efficiency
  Relations"); throughput T(B) = T₀·min(1, B/B_max)^γ ("Throughput Scaling");
- information processing rate I = E(B)·T(B), 1/s ("Information Processing Rate");
- the loss ODE dL/dt = −E(B)·T(B)·L ("System Dynamics"), integrated by ``lax.scan``
  (``quality.time_to_loss``) to the time t* at which L reaches L*; energy W_base·t*;
- the seed's closed form W_total = W_base·(L₀ − L*)/(E·T) ("Energy-Time Tradeoff"), as
  written. It is the ODE's energy times the constant (L₀ − L*)/ln(L₀/L*), so both have the
  same minimiser in B;
- the seed's B* = (β·γ·W_base/T₀)^(1/(γ−β)), as written: not a stationary point of its
  own W_total (DESIGN.md), shown beside the true optimum;
- Landauer's E_min = k_B·T·ln2·N_params·H_data and E_practical = η·E_min ("Theoretical
  Bounds"), with H_data = D·L*/ln2 bits (the data set's entropy at the target loss);
- the seed's problem: minimise W_total subject to L ≤ L* (after the data set's D tokens,
  L(D) = L₀·exp(−E(B)·D) from the ODE), B ≤ B_max and T(B) ≥ T_min.
"""

import jax.numpy as jnp

from explorer.models.base import POSITIVE, Model, Output, Param, PhasePlan, Variable, register
from explorer.kernels import batch as kb
from explorer.kernels import information as ki
from explorer.kernels import quality as kq
from explorer.kernels.constants import LN2

SCAN_STEPS = 64  # steps of the loss ODE over the horizon; the crossing is exact within a step


def seed004(design, p):
    """Evaluates seed 004's composed model; see the module docstring for the equations."""
    batch = design["batch"]
    efficiency = kb.per_sample_efficiency(batch, p["alpha"], p["beta"])
    throughput = kb.throughput_vs_batch(batch, p["t0"], p["b_max"], p["gamma"])
    rate = kq.information_rate(efficiency, throughput)
    l0 = p["l0"] + jnp.zeros_like(rate)  # one trajectory per configuration: a constant rate, not a schedule
    time_s = kq.time_to_loss(l0, p["l_star"], rate, p["horizon_s"] / SCAN_STEPS, SCAN_STEPS)
    energy = p["w_base"] * time_s
    h_data_bits = p["tokens"] * p["l_star"] / LN2
    e_min = ki.landauer_minimum_energy(p["t_kelvin"], p["n_params"], h_data_bits)
    final_loss = p["l0"] * jnp.exp(-efficiency * p["tokens"])
    return {
        "energy_j": energy,
        "time_s": time_s,
        "w_total_seed": kq.total_energy_seed004(p["w_base"], p["l0"], p["l_star"], efficiency, throughput),
        "information_rate": rate,
        "efficiency": efficiency,
        "throughput": throughput,
        "tokens_used": throughput * time_s,
        "final_loss": final_loss,
        "batch_star": kb.batch_star_seed004(p["beta"], p["gamma"], p["w_base"], p["t0"]) + jnp.zeros_like(batch),
        "e_landauer": e_min + jnp.zeros_like(batch),
        "e_practical": ki.practical_energy(p["practical_factor"], e_min) + jnp.zeros_like(batch),
        "landauer_ratio": energy / e_min,
        "loss_margin": final_loss / p["l_star"] - 1.0,
        "batch_margin": batch / p["b_max"] - 1.0,
        "throughput_margin": p["t_min"] / throughput - 1.0,
    }


def _phase_params(p, start, end):
    """A schedule's phase covers [start, end) of the log-loss decrement ln(L₀/L*): the ODE runs
    from L₀·(L*/L₀)^start down to L₀·(L*/L₀)^end."""
    ratio = p["l_star"] / p["l0"]
    return {**p, "l0": p["l0"] * ratio**start, "l_star": p["l0"] * ratio**end}


def _finish(combined, phases, designs, p):
    """What the whole schedule sets: the loss after the data set's D tokens (the last phase's
    design runs on past L* if the schedule uses fewer) and the bounds of the whole data set."""
    left = p["tokens"] - combined["tokens_used"]
    final_loss = p["l_star"] * jnp.exp(-phases[-1]["efficiency"] * left)
    e_min = ki.landauer_minimum_energy(p["t_kelvin"], p["n_params"], p["tokens"] * p["l_star"] / LN2)
    return {"final_loss": final_loss, "loss_margin": final_loss / p["l_star"] - 1.0,
            "e_landauer": e_min + jnp.zeros_like(left), "landauer_ratio": combined["energy_j"] / e_min,
            "e_practical": ki.practical_energy(p["practical_factor"], e_min) + jnp.zeros_like(left)}


SEED004 = register(Model(
    name="seed004",
    version="1",
    fn=seed004,
    design=(
        Variable("batch", "samples", 512.0, (1.0, 1e5), "log", integer=True, doc="global batch B",
                 domain=POSITIVE),
    ),
    params=(
        Param("alpha", "1/token", 5e-10, "base efficiency α of E(B) = α·B^−β (fractional loss reduction "
              "per token)"),
        Param("beta", "1", 0.5, "batch scaling exponent β ∈ (0, 1); ½ is seed 000 §2.3's 1/√B"),
        Param("t0", "tokens/s", 1e7, "maximum throughput T₀"),
        Param("b_max", "samples", 4096.0, "hardware-determined maximum batch B_max"),
        Param("gamma", "1", 0.8, "hardware utilisation exponent γ of T(B)"),
        Param("w_base", "W", 1e6, "baseline power W_base (a 1 MW cluster)"),
        Param("l0", "nats", 10.0, "initial loss L₀"),
        Param("l_star", "nats", 2.5, "target loss L*"),
        Param("tokens", "tokens", 1e11, "data set size D"),
        Param("t_min", "tokens/s", 1e6, "least acceptable throughput T_min"),
        Param("t_kelvin", "K", 300.0, "temperature of Landauer's bound"),
        Param("n_params", "params", 7e9, "model parameters N_params"),
        Param("practical_factor", "1", 1e8, "practical efficiency factor η (seed: 10⁶–10⁹)"),
        Param("horizon_s", "s", 30 * 86400.0, "span over which the loss ODE is sampled (64 steps; the "
              "last rate holds beyond it, so the crossing time is exact at any horizon)"),
    ),
    outputs=(
        Output("energy_j", "J", "min", doc="W_base × time to L* from the loss ODE"),
        Output("time_s", "s", "min", doc="time at which dL/dt = −E·T·L reaches L*"),
        Output("w_total_seed", "J", "min", "info", "the seed's W_base·(L₀ − L*)/(E·T), as written"),
        Output("information_rate", "1/s", "max", "info", "I = E(B)·T(B)"),
        Output("efficiency", "1/token", None, "info", "E(B) = α·B^−β"),
        Output("throughput", "tokens/s", "max", "info", "T(B) = T₀·min(1, B/B_max)^γ"),
        Output("tokens_used", "tokens", None, "info", "tokens seen until L*"),
        Output("final_loss", "nats", "min", "info", "loss after the data set's D tokens"),
        Output("batch_star", "samples", None, "info", "the seed's B* as written (not an optimum)"),
        Output("e_landauer", "J", None, "info", "Landauer minimum k_B·T·ln2·N_params·H_data"),
        Output("e_practical", "J", None, "info", "η × the Landauer minimum"),
        Output("landauer_ratio", "1", "min", "info", "energy / Landauer minimum"),
        Output("loss_margin", "1", None, "margin", "L(D)/L* − 1 ≤ 0: the data set reaches the target"),
        Output("batch_margin", "1", None, "margin", "B/B_max − 1 ≤ 0"),
        Output("throughput_margin", "1", None, "margin", "T_min/T(B) − 1 ≤ 0"),
    ),
    doc=__doc__.split("\n\n")[0],
    phases=PhasePlan(params=_phase_params, finish=_finish, sets=(),
                     combine=dict.fromkeys(("energy_j", "time_s", "w_total_seed", "tokens_used"), "sum")),
))
