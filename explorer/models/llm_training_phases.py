"""How an ``llm_training`` run splits into the phases of a schedule (explorer.schedule).

A phase covers the share [start, end) of the recipe's tokens: the model evaluated with
``progress_start = start`` and ``progress_end = end`` gives the phase's own time, energy and
tokens at its design (its batch sets the data it needs through the noise scale at the
phase's losses, docs/model.md §4). Amounts add up over phases; caps (margins, power, junction
temperature) hold in the worst phase; rates (MFU, throughput) are averaged over time. What
the whole schedule sets is computed here: the loss gap (T/2)·log(steps) of seed 000 §3.2 at
the last phase's temperature over every step of the run, and what depends on it.
"""

import functools

import jax.numpy as jnp

from explorer.kernels import quality as kq

SUM = ("time_s", "energy_j", "device_hours", "device_energy_j", "cooling_energy_j", "tokens_needed")
PEAK = ("power_w", "cluster_power_w", "t_junction")
COMBINE = {**dict.fromkeys(SUM, "sum"), **dict.fromkeys(PEAK, "max")}


def phase_params(p, start, end):
    """The parameters of the phase covering [start, end) of the recipe's tokens."""
    return {**p, "progress_start": start, "progress_end": end}


def finish(combined, phases, designs, p):
    """The outputs that depend on the whole schedule: the loss gap at the last phase's
    temperature over every step (seed 000 §3.2), the final loss and the cost that include it,
    the energy–time product, the Landauer ratio over all the data, and the time margin."""
    steps = functools.reduce(jnp.add, [o["tokens_needed"] / (d["batch"] * p["seq_len"])
                                       for o, d in zip(phases, designs)])
    last = phases[-1]
    gap = kq.loss_floor(designs[-1]["temperature"], 1.0 / last["goodput"], steps)
    per_nat = p["usd_per_nat"]
    cost = functools.reduce(jnp.add, [o["cost_usd"] - per_nat * o["loss_gap"] for o in phases]) + per_nat * gap
    # seed 004's E_min counts every token's entropy at the run's final loss, not at the phase's
    loss_min = last["final_loss"] - last["loss_gap"]
    landauer = functools.reduce(jnp.add, [
        o["energy_j"] / o["landauer_ratio"] * loss_min / (o["final_loss"] - o["loss_gap"]) for o in phases])
    return {"loss_gap": gap, "final_loss": loss_min + gap, "cost_usd": cost,
            "energy_time_product": combined["energy_j"] * combined["time_s"],
            "landauer_ratio": combined["energy_j"] / landauer, "time_margin": combined["time_s"] / p["t_max"] - 1.0}
