"""``seed003``: seed 003 ("Engineering Optimization of Training Infrastructure") as written.

Design: the power P given to compute (W), the batch B (samples) and the core clock ν (Hz,
where the seed's f_opt applies). A training job of ``work`` operations runs on one system;
docs/seed003.md derives every step. Composition (seed 003's equations, DESIGN.md's fixes):

- throughput T(P) = min(α·P/E_op, T_max_hw) ("Throughput Model"), further capped by the
  clock, ops_per_cycle·ν with ops_per_cycle = T_max_hw/f_max; the batch efficiency
  η_batch(B) = γ·(1 − exp(−B/B_opt)) makes T(P)·η_batch the achieved rate;
- power P_total(B) = P_compute + P_memory ("Power-Batch Relationship"): P_compute is the
  seed's P_inst = β·T·E_op + P_idle at the achieved rate (∝ B for small B, as the seed
  says) and P_memory = c_memory·√B;
- T_total = work/achieved rate; E_total = P_total·T_total + E_cooling, E_cooling = CoP·Q
  with Q the heat, all of the IT energy ("Energy Estimation"); ETP = E_total·T_total;
- the thermal ODE dT/dt = (P_inst − P_cooling)/C over a start-up (``lax.scan``,
  ``thermal.startup_transient``) gives the peak |dT/dt|; its steady state T_amb + R_th·P
  the temperature;
- f_opt = min(f_max, √(P_max/(k·V²))) ("Voltage-Frequency Scaling");
- EEI, PPW and EUF ("Key Metrics"), with E_min = work × k_B·T_amb·ln2 (one bit erased per
  operation) and E_useful = work × E_op;
- the seed's constraints P ≤ P_max, T(P) ≥ T_min, B ≤ B_max, T ≤ T_max, |dT/dt| ≤ R_max,
  and ν ≤ f_opt, as margins;
- option ``units = "two"``: the seed's workload distribution W_i = W·(P_i/P)^α_w over two
  units of different E_op sharing P (shares normalised so the work adds up); the job
  ends when the slower unit does.
"""

import jax.numpy as jnp

from explorer.models.base import FRACTION, NONNEGATIVE, POSITIVE, Model, Output, Param, Variable, register
from explorer.kernels import batch as kb
from explorer.kernels import energy as ke
from explorer.kernels import information as ki
from explorer.kernels import parallel as kp
from explorer.kernels import thermal as kt
from explorer.kernels import throughput as ktp

THERMAL_STEPS = 64  # steps of the start-up transient


def _units(p):
    """(power share, energy per operation) of each unit; the seed's one system or two units."""
    if p["units"] == "two":
        return ((p["power_share"], p["e_op"]), (1.0 - p["power_share"], p["e_op_2"]))
    return ((1.0, p["e_op"]),)


def seed003(design, p):
    """Evaluates seed 003's composed model; see the module docstring for the equations."""
    power, batch, nu = design["power"], design["batch"], design["nu"]
    eta = kb.batch_efficiency(batch, p["gamma"], p["b_opt"])
    clock_cap = p["throughput_max"] * nu / p["f_max"]  # ops_per_cycle·ν
    units = _units(p)
    weights = [share ** p["distribution_exponent"] for share, _ in units]
    time_s, compute_energy, rate = 0.0, 0.0, 0.0
    for (share, e_op), weight in zip(units, weights):
        unit_rate = jnp.minimum(ktp.throughput_from_power(share * power, e_op, p["alpha"],
                                                          share * p["throughput_max"]), share * clock_cap)
        work = kp.workload_share(p["work"], weight, sum(weights), 1.0)
        # in units of the peak: 1/rate² of a raw 10¹⁵ op/s rate underflows float32 in reverse mode
        time_s = jnp.maximum(time_s, (work / p["throughput_max"]) / (unit_rate / p["throughput_max"] * eta))
        compute_energy = compute_energy + p["beta"] * e_op * work  # β·T·E_op over the unit's busy time
        rate = rate + unit_rate
    throughput = rate  # T(P), op/s
    p_memory = p["c_memory"] * jnp.sqrt(batch)
    it_energy = compute_energy + (p["p_idle"] + p_memory) * time_s
    power_total = it_energy / time_s
    p_inst = ktp.instantaneous_power(throughput, p["e_op"], p["beta"], p["p_idle"])
    cooling = ke.cooling_energy(p["cop"], it_energy)
    energy = it_energy + cooling
    t_steady = kt.steady_state_temperature(power_total, p["t_ambient"], p["r_thermal"])
    t_peak, heating_rate = kt.startup_transient(p["p_idle"], power_total, p["ramp_s"], p["t_ambient"],
                                                p["r_thermal"], p["heat_capacity"], THERMAL_STEPS)
    f_opt = ke.dvfs_clock(p["f_max"], p["p_max"], p["k_dyn"], p["voltage"])
    achieved = p["work"] / time_s
    e_min = p["work"] * ki.landauer_bit_energy(p["t_ambient"])
    return {
        "etp": ktp.energy_time_product(energy, time_s),
        "energy_j": energy,
        "time_s": time_s,
        "throughput": throughput,
        "achieved_throughput": achieved,
        "batch_efficiency": eta,
        "power_w": power_total,
        "p_inst": p_inst,
        "cooling_energy_j": cooling,
        "t_junction": jnp.maximum(t_steady, t_peak),
        "heating_rate": heating_rate,
        "f_opt": f_opt + jnp.zeros_like(nu),
        "eei": ktp.energy_efficiency_index(achieved, p["throughput_max"], e_min, energy),
        "ppw": ktp.performance_per_watt(achieved, power_total),
        "euf": ktp.energy_utilization_factor(p["work"] * p["e_op"], energy),
        "power_margin": power / p["p_max"] - 1.0,
        "throughput_margin": p["t_min"] / throughput - 1.0,
        "batch_margin": batch / p["b_max"] - 1.0,
        "thermal_margin": jnp.maximum(t_steady, t_peak) / p["t_max"] - 1.0,
        "heating_rate_margin": heating_rate / p["r_max"] - 1.0,
        "clock_margin": nu / f_opt - 1.0,
    }


SEED003 = register(Model(
    name="seed003",
    version="1",
    fn=seed003,
    design=(
        Variable("power", "W", 8000.0, (500.0, 20000.0), "linear", doc="power P given to compute",
                 domain=POSITIVE),
        Variable("batch", "samples", 1024.0, (1.0, 65536.0), "log", integer=True, doc="batch size B",
                 domain=POSITIVE),
        Variable("nu", "Hz", 1.8e9, (2e8, 2.5e9), "linear", doc="core clock ν", domain=POSITIVE),
    ),
    params=(
        Param("work", "FLOP", 4.2e21, "operations of the job (6·N·D: 7B parameters, 100B tokens)"),
        Param("alpha", "1", 0.8, "architecture efficiency factor α of T(P) = α·P/E_op"),
        Param("e_op", "J", 1.25e-12, "energy per operation E_op"),
        Param("throughput_max", "FLOP/s", 8e15, "the seed's B_max: highest throughput of the system"),
        Param("beta", "1", 1.25, "power efficiency coefficient β of P_inst = β·T·E_op + P_idle"),
        Param("p_idle", "W", 800.0, "idle power P_idle"),
        Param("gamma", "1", 0.9, "maximum batch efficiency γ", domain=FRACTION),
        Param("b_opt", "samples", 256.0, "saturation batch B_opt of η_batch"),
        Param("c_memory", "W", 20.0, "P_memory = c_memory·√B (W per √sample)", domain=NONNEGATIVE),
        Param("p_max", "W", 10000.0, "power delivery capacity P_max"),
        Param("t_min", "FLOP/s", 1e15, "least acceptable throughput T_min"),
        Param("b_max", "samples", 4096.0, "largest batch B_max"),
        Param("t_ambient", "K", 308.15, "coolant or inlet temperature"),
        Param("r_thermal", "K/W", 0.004, "thermal resistance to ambient (10 kW → 40 K)"),
        Param("heat_capacity", "J/K", 20000.0, "thermal capacity C (time constant R·C = 80 s)"),
        Param("t_max", "K", 358.15, "highest operating temperature T_max"),
        Param("r_max", "K/s", 0.5, "largest allowed |dT/dt| R_max"),
        Param("ramp_s", "s", 30.0, "start-up: power ramps from P_idle to P_total over this time"),
        Param("cop", "1", 0.1, "cooling energy per joule of heat (seed's CoP; PUE − 1)", domain=NONNEGATIVE),
        Param("f_max", "Hz", 1.98e9, "highest clock f_max"),
        Param("k_dyn", "F*s", 3.81e-15, "k of P = k·V²·f² (f_opt = 1.8 GHz at P_max, 0.9 V)"),
        Param("voltage", "V", 0.9, "supply voltage V"),
        Param("units", "", "one", "one system, or the seed's workload distribution over two units",
              choices=("one", "two")),
        Param("power_share", "1", 0.5, "share of P given to unit 1 (units = two)", domain=FRACTION),
        Param("e_op_2", "J", 2.5e-12, "energy per operation of unit 2 (units = two)"),
        Param("distribution_exponent", "1", 1.0, "α_w of W_i = W·(P_i/P)^α_w (units = two)"),
    ),
    outputs=(
        Output("etp", "J*s", "min", doc="energy-time product E_total·T_total"),
        Output("energy_j", "J", "min", doc="E_total: IT energy + cooling"),
        Output("time_s", "s", "min", doc="T_total = work / achieved throughput"),
        Output("throughput", "FLOP/s", "max", "info", "T(P), capped by the clock"),
        Output("achieved_throughput", "FLOP/s", "max", "info", "work / T_total = T(P)·η_batch"),
        Output("batch_efficiency", "1", None, "info", "η_batch(B) = γ·(1 − exp(−B/B_opt))", share=True),
        Output("power_w", "W", None, "info", "P_total = P_compute + P_memory, average"),
        Output("p_inst", "W", None, "info", "the seed's P_inst = β·T(P)·E_op + P_idle"),
        Output("cooling_energy_j", "J", None, "info", "E_cooling = CoP × heat"),
        Output("t_junction", "K", None, "info", "highest temperature: steady state or start-up peak"),
        Output("heating_rate", "K/s", None, "info", "largest |dT/dt| over the start-up"),
        Output("f_opt", "Hz", None, "info", "f_opt = min(f_max, √(P_max/(k·V²)))"),
        Output("eei", "1", "max", "info", "EEI = (T_achieved/T_theoretical)·(E_min/E_actual)"),
        Output("ppw", "FLOP/J", "max", "info", "PPW = achieved throughput / P_total"),
        Output("euf", "1", "max", "info", "EUF = work·E_op / E_total", share=True),
        Output("power_margin", "1", None, "margin", "P/P_max − 1 ≤ 0"),
        Output("throughput_margin", "1", None, "margin", "T_min/T(P) − 1 ≤ 0"),
        Output("batch_margin", "1", None, "margin", "B/B_max − 1 ≤ 0"),
        Output("thermal_margin", "1", None, "margin", "T/T_max − 1 ≤ 0"),
        Output("heating_rate_margin", "1", None, "margin", "|dT/dt|/R_max − 1 ≤ 0"),
        Output("clock_margin", "1", None, "margin", "ν/f_opt − 1 ≤ 0"),
    ),
    doc=__doc__.split("\n\n")[0],
))
