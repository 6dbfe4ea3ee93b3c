"""The energy-optimal power limit of every hardware preset, beside published measurements.

At a reference configuration per device (its largest published run in published_runs.csv,
with that run's layout; Llama 3.1 405B on 16,384 devices for a device with none), the
power limit is swept from the lowest limit the device can meet to its TDP, with the clock
requested at ν_max, as ``nvidia-smi -pl`` and Zeus (You et al., NSDI'23) do. The device
energy (the GPUs alone, as Zeus measures) is minimised over that sweep.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from explorer.calibration import RUN_COLUMNS, published_runs
from explorer.evaluation import evaluate
from explorer.kernels import dvfs
from explorer.presets import load_preset, preset_names

POINTS = 400  # power limits swept per device

# What each device's optimum should be set beside: the measurements the literature gives.
PUBLISHED = {
    "v100-sxm2-32gb": "Tang et al. 2019 (e-Energy'19, arXiv:1905.11012): the best core clock saves 8.7–23.1% of "
                      "training energy; Zeus (NSDI'23): energy-optimal limits ~0.5–0.75 of TDP on V100",
    "a100-sxm-80gb": "Perseus (Chung et al., SOSP'24, arXiv:2312.06902): up to 30% less energy for GPT-3/BLOOM "
                     "training on A100 at little throughput loss; EnvPipe (ATC'23): 25–28% at < 1% slowdown",
    "h100-sxm": "NVIDIA datacenter power profiles (2025): up to 15% energy saved at ≥ 97% performance; "
                "measured GPUs: 10–25% at small slowdown, limits at 0.5–0.75 of TDP (DESIGN.md, Zeus)",
}
_DEFAULT_PUBLISHED = "no published measurement for this device; H100-class expectation: 10–25% at ≤ 20% slowdown"


class PowerLimitOptimum(NamedTuple):
    """One device's energy-optimal power limit at its reference configuration."""

    hardware: str
    reference: str
    power_limit_w: float
    power_fraction_of_tdp: float
    clock_hz: float
    clock_fraction_of_max: float
    energy_saving: float  # device energy saved against the limit at TDP
    slowdown: float  # time / time at TDP − 1
    average_power_fraction_of_tdp: float
    above_voltage_floor: bool  # the optimum's voltage is above the floor (an interior minimum)
    published: str


def reference_configuration(hardware: str) -> tuple[str, dict, dict]:
    """(run name, params, design) of the device's reference run: its largest published run, with
    that run's layout, or Llama 3.1 405B at the preset layout for a device with none."""
    runs = published_runs()
    rows = runs[runs.hardware == hardware]
    if rows.empty:
        return "Llama 3.1 405B, 16,384 devices (preset layout)", {"workload": "llama3.1-405b"}, {}
    run = rows.loc[rows.devices.idxmax()]
    params = {"workload": run.workload, **{k: float(run[k]) for k in RUN_COLUMNS}}
    return str(run.run), params, {"batch": float(run.batch), "n_parallel": float(run.devices)}


def power_limit_optimum(hardware: str) -> PowerLimitOptimum:
    """Sweeps the power limit of ``hardware`` at its reference configuration and returns the optimum."""
    hw = load_preset("hardware", hardware).values
    reference, params, design = reference_configuration(hardware)
    params = {"hardware": hardware, **params}
    at_default = evaluate(design, params=params).iloc[0]
    lowest = (at_default.power_margin + 1.0) * hw["tdp"]  # full-activity power at nu_min: no lower limit holds
    limits = np.linspace(lowest, hw["tdp"], POINTS)
    df = evaluate({**design, "nu": hw["nu_max"], "power_limit": limits}, params=params)
    df = df[df.power_margin <= 0].reset_index(drop=True)
    best = int(np.argmin(df.device_energy_j.to_numpy()))
    at_tdp = df.iloc[-1]
    row = df.iloc[best]
    volts = _voltage(hw, row.clock_hz)
    return PowerLimitOptimum(
        hardware=hardware, reference=reference, power_limit_w=float(row.power_limit),
        power_fraction_of_tdp=float(row.power_limit / hw["tdp"]), clock_hz=float(row.clock_hz),
        clock_fraction_of_max=float(row.clock_hz / hw["nu_max"]),
        energy_saving=float(1.0 - row.device_energy_j / at_tdp.device_energy_j),
        slowdown=float(row.time_s / at_tdp.time_s - 1.0),
        average_power_fraction_of_tdp=float(row.power_w / hw["tdp"]),
        above_voltage_floor=bool(0 < best < len(df) - 1 and volts > hw["v_min"] + 1e-3),
        published=PUBLISHED.get(hardware, _DEFAULT_PUBLISHED))


def _voltage(hw, clock):
    return float(dvfs.voltage(clock, hw["v_min"], hw["v_max"], hw["nu_knee"], hw["nu_max"], hw["vf_exponent"]))


def power_limit_table(hardware: tuple[str, ...] | None = None) -> pd.DataFrame:
    """``power_limit_optimum`` for every hardware preset (or those named), one row each."""
    names = hardware or preset_names("hardware")
    return pd.DataFrame([power_limit_optimum(h)._asdict() for h in names])


def format_power_limits(table: pd.DataFrame) -> str:
    """The table as Markdown, in the units an operator sets (W, MHz, %)."""
    lines = ["| hardware | reference run | optimal limit | of TDP | clock | of max | device energy saved "
             "| slowdown | avg power of TDP | above V floor | published |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|"]
    for r in table.itertuples(index=False):
        lines.append(f"| {r.hardware} | {r.reference} | {_watts(r.power_limit_w)} | {100 * r.power_fraction_of_tdp:.0f}% "
                     f"| {r.clock_hz / 1e6:,.0f} MHz | {100 * r.clock_fraction_of_max:.0f}% "
                     f"| {100 * r.energy_saving:.1f}% | {100 * r.slowdown:.1f}% "
                     f"| {100 * r.average_power_fraction_of_tdp:.0f}% | {'yes' if r.above_voltage_floor else 'no'} "
                     f"| {r.published} |")
    return "\n".join(lines)


def _watts(w):
    return f"{w:,.0f} W" if w >= 100 else f"{w:.3g} W"
