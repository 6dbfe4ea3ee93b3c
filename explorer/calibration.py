"""Calibration of ``llm_training`` against published training runs.

Each row of ``published_runs.csv`` names a workload preset (which holds the
published configuration: parameters, tokens, batch, devices) and a hardware
preset. The model is evaluated at that configuration and its device-hours and
energy are compared with the published ones, in the published energy's scope:
``facility`` (devices + hosts, times PUE: the model's ``energy_j``) or
``device_tdp`` (device energy only: ``device_energy_j``).
"""

from __future__ import annotations

from importlib import resources
from io import StringIO

import numpy as np
import pandas as pd

from explorer.evaluation import evaluate
from explorer.presets import load_preset

from kernels.constants import JOULES_PER_MWH

_SCOPE_OUTPUT = {"facility": "energy_j", "device_tdp": "device_energy_j"}


def published_runs() -> pd.DataFrame:
    """The table of published runs shipped with the package (data/published_runs.csv)."""
    text = resources.files("explorer.presets").joinpath("published_runs.csv").read_text(encoding="utf-8")
    return pd.read_csv(StringIO(text), dtype={"mfu": str})


def calibration_table(model: str = "llm_training") -> pd.DataFrame:
    """Published against predicted device-hours, energy and MFU for every published run.

    Returns:
      One row per run: run, hardware, devices, published and predicted
      device-hours and energy (MWh), their relative errors, and MFU.
    """
    rows = []
    for run in published_runs().itertuples(index=False):
        df = evaluate({}, model=model, params={"hardware": run.hardware, "workload": run.workload})
        out = df.iloc[0]
        scope = run.energy_scope if isinstance(run.energy_scope, str) else "facility"
        predicted_mwh = out[_SCOPE_OUTPUT[scope]] / JOULES_PER_MWH
        mfu_if_no_failures = out["mfu"] * out["time_s"] / (out["time_s"] - _lost_time(out, run.hardware))
        rows.append({
            "run": run.run,
            "hardware": run.hardware,
            "devices": int(out["n_parallel"]),
            "published_device_hours": run.device_hours,
            "predicted_device_hours": out["device_hours"],
            "device_hours_error": _error(out["device_hours"], run.device_hours),
            "energy_scope": scope,
            "published_energy_mwh": run.energy_mwh,
            "predicted_energy_mwh": predicted_mwh,
            "energy_error": _error(predicted_mwh, run.energy_mwh),
            "published_mfu": run.mfu if isinstance(run.mfu, str) else "",
            "predicted_mfu": mfu_if_no_failures,
        })
    return pd.DataFrame(rows)


def _lost_time(out, hardware):
    """Time lost to failures (the model's goodput), s: reported MFUs exclude downtime."""
    hw = load_preset("hardware", hardware).values
    goodput = 1.0 / (1.0 + out["n_parallel"] * hw["restart_hours"] / hw["mtbf_hours"])
    return out["time_s"] * (1.0 - goodput)


def _error(predicted, published):
    """(predicted − published)/published, NaN where nothing was published."""
    published = float(published) if published == published else np.nan
    return (predicted - published) / published if published else np.nan


def format_table(table: pd.DataFrame) -> str:
    """The calibration table as Markdown (the form docs/calibration.md carries)."""
    def pct(x):
        return "" if x != x else f"{100 * x:+.1f}%"

    def num(x, fmt):
        return "" if x != x else format(x, fmt)

    lines = ["| run | hardware | devices | device-hours published | predicted | error "
             "| energy MWh published | predicted | error | scope | MFU published | predicted |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|"]
    for r in table.itertuples(index=False):
        lines.append(
            f"| {r.run} | {r.hardware} | {r.devices} | {num(r.published_device_hours, ',.0f')} "
            f"| {r.predicted_device_hours:,.0f} | {pct(r.device_hours_error)} "
            f"| {num(r.published_energy_mwh, ',.0f')} | {r.predicted_energy_mwh:,.0f} | {pct(r.energy_error)} "
            f"| {r.energy_scope} | {r.published_mfu} | {r.predicted_mfu:.3f} |")
    return "\n".join(lines)
