"""The seeds' closed-form optima next to the optimiser's answers, for a hardware preset.

Seed 000's constants are taken from the preset: α = E_FLOP(ν_nominal)/ν_nominal², where
E_FLOP(ν_nominal) = C_eff·V(ν_nominal)²·ν_nominal/peak_flops is the preset's dynamic energy
per FLOP of dense GEMMs at the nominal clock (kernels.dvfs), T = t_ambient, the seed's
T_max = α·ν_max² (so ν₀_max is the device's highest clock), memory bandwidth and
capacity from the datasheet. Then:

- ν₀_efficient = √(k_B·T·ln2/α) (§1.3) against maximising η = ν₀/E_FLOP;
- T_opt = ΔL/log(ν₀·t_available) (§3.3) against the lowest temperature whose
  barrier-crossing time (1/ν₀)·exp(ΔL/T) fits in t_available (a constrained optimum);
- §6.3's speed-optimised point (ν₀_max, B_max) against minimising t_train under
  ν₀ ≤ ν₀_max and B ≤ B_max(ν₀); the efficiency and quality points' clock is ν₀_efficient;
- seed 004's B* formula against the true minimiser of its W_total, which is the kink at
  B_max: below it W_total ∝ B^(β−γ) falls, above it ∝ B^β rises; B* is no stationary
  point (DESIGN.md).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import pandas as pd

from explorer.models.closed_form_problems import BARRIER, DELTA_L, SEED004, T_AVAILABLE
from explorer.presets import load_preset
from explorer.kernels import batch as kb
from explorer.kernels import cost as kc
from explorer.kernels import dvfs
from explorer.kernels import energy as ke
from explorer.kernels import quality as kq

T_MIN = 7 * 86400.0  # s: the shortest time considered at the speed point




def dynamic_energy_per_flop(hw: dict) -> float:
    """A preset's dynamic energy per FLOP of dense GEMMs at its nominal clock, J: C_eff·V²·ν/peak."""
    with jax.enable_x64(True):
        volts = float(dvfs.voltage(*(jnp.float64(hw[k]) for k in ("nu_nominal", "v_min", "v_max", "nu_knee",
                                                                   "nu_max", "vf_exponent"))))
    return hw["c_eff"] * volts**2 * hw["nu_nominal"] / hw["peak_flops"]


def seed000_params(hardware: str) -> dict:
    """seed000 model parameters implied by a hardware preset (see the module docstring)."""
    hw = load_preset("hardware", hardware).values
    alpha = dynamic_energy_per_flop(hw) / hw["nu_nominal"] ** 2
    return {"alpha": alpha, "t_kelvin": hw["t_ambient"], "thermal_limit": alpha * hw["nu_max"] ** 2,
            "mem_bandwidth": hw["mem_bandwidth"] * 8.0, "mem_total": hw["mem_capacity"] * 8.0 / 16.0}


def _best_run(model, axes, objectives, params=None, margins=(), solver="lbfgs", starts=8):
    """The optimiser's best run on a small float64 problem."""
    from explorer.optimizer import optimize

    spec = {"model": {"name": model, "params": params or {}}, "axes": axes, "objectives": objectives,
            "constraints": {"margins": list(margins)},
            "optimize": {"starts": starts, "solver": solver, "outer": 8, "inner": 100, "tolerance": 1e-9,
                         "kkt_tolerance": 1e-4},
            "output": {"dtype": "float64", "path": "unused.parquet"}}
    frame = optimize(spec, write=False)
    return frame[frame.best].iloc[0]


def seed_optima(hardware: str = "h100-sxm", progress: bool = False) -> pd.DataFrame:
    """Closed forms against the optimiser for ``hardware``; one row per quantity.
    ``progress``: a bar on stderr, one step per optimisation (four).

    Returns:
      DataFrame with columns quantity, unit, closed_form, optimiser, relative_error, note.
    """
    from tqdm import tqdm

    from explorer.models import get_model

    bar = tqdm(total=4, desc="optima", unit="optimisation", disable=not progress)

    def best_run(*args, **kwargs):
        row = _best_run(*args, **kwargs)
        bar.update()
        return row

    with jax.enable_x64(True):
        p = seed000_params(hardware)
        seed000 = get_model("seed000")
        nu_eff = float(ke.nu_efficient(p["alpha"], p["t_kelvin"]))
        nu_max = float(ke.nu_max_thermal(p["thermal_limit"], p["alpha"]))
        best_eta = best_run(seed000, {"nu": {"low": nu_eff / 100, "high": nu_eff * 100, "scale": "log"}},
                         {"flops_per_joule": "max"}, p)
        t_opt = float(kq.temperature_opt(DELTA_L, nu_max, T_AVAILABLE))
        best_t = best_run(BARRIER, {"temperature": {"low": 1e-4, "high": 0.1, "scale": "log"}},
                       {"temperature_out": "min"}, {"nu": nu_max}, margins=["crossing_margin"])
        temperature_speed = float(kq.temperature_opt(DELTA_L, nu_max, T_MIN))
        speed = best_run(seed000, {"nu": {"low": 1e8, "high": 3e9, "scale": "log"},
                                "batch": {"low": 1.0, "high": 1e6, "scale": "log"}},
                      {"t_train": "min"}, {**p, "t_max": 1e12},
                      margins=["clock_margin", "batch_margin"], starts=16)
        b_max_fast = float(kb.batch_max(p["mem_bandwidth"], nu_max, 1.0, 16.0, p["mem_total"]))
        points = kc.operating_points(p["alpha"], p["t_kelvin"], p["thermal_limit"], b_max_fast, 1e-6, 1024.0,
                                     DELTA_L, T_MIN, T_AVAILABLE, 1e12)
        s4 = {k: v.default for k, v in ((q.name, q) for q in SEED004.params)}
        b_star = float(kb.batch_star_seed004(s4["beta"], s4["gamma"], s4["w_base"], s4["t0"]))
        best_b = best_run(SEED004, {"batch": {"low": 1.0, "high": 1e6, "scale": "log"}}, {"w_total": "min"})
    bar.close()
    rows = [
        ("ν₀_efficient (§1.3): argmax ν₀/E_FLOP", "Hz", nu_eff, best_eta.nu, "interior maximum"),
        ("T_opt (§3.3): least T with exp(ΔL/T)/ν₀_max ≤ t_available", "nats", t_opt, best_t.temperature,
         f"ΔL = {DELTA_L} nats, t_available = {T_AVAILABLE / 86400:g} days; a constrained optimum"),
        ("speed point (§6.3): ν₀ = ν₀_max", "Hz", nu_max, speed.nu, "minimise t_train: ν₀ on its bound"),
        ("speed point (§6.3): B = B_max(ν₀_max)", "samples", b_max_fast, speed.batch,
         "B on the bandwidth limit M_bw/(ν₀·d·bits)"),
        ("speed point (§6.3): T = ΔL/log(ν₀_max·t_min)", "nats", temperature_speed, float("nan"),
         f"a formula, not an optimum: no optimiser value (t_min = {T_MIN / 86400:g} days)"),
        ("efficiency/quality points (§6.3): ν₀ = ν₀_efficient", "Hz", float(points["efficiency"]["nu"]),
         best_eta.nu, "same maximiser as the first row"),
        ("seed 004 B* = (βγW_base/T₀)^(1/(γ−β)) vs argmin W_total", "samples", b_star, best_b.batch,
         "B* is no stationary point: W_total ∝ B^(β−γ) below B_max and ∝ B^β above, "
         f"so the minimum is the kink B_max = {s4['b_max']:g}"),
    ]
    frame = pd.DataFrame(rows, columns=["quantity", "unit", "closed_form", "optimiser", "note"])
    frame.insert(4, "relative_error", (frame.optimiser - frame.closed_form) / frame.closed_form)
    frame.attrs["hardware"] = hardware
    return frame
