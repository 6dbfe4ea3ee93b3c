"""How far to trust a prediction: the calibrated error band of a hardware preset.

``explorer calibrate`` predicts every published run with its device refitted without that
run (leave-one-out, docs/calibration.md). The spread of those out-of-sample errors is what a
new prediction on the same device can expect. ``error_band(hardware)`` summarises it (mean
and largest |error| of step time or device-hours, and of energy where published), and
``band_sentence`` says it in one line for ``evaluate`` and the report's summary.

The calibration takes a few seconds, so its table is kept in the user's cache folder
(``$XDG_CACHE_HOME/explorer``), keyed by the digest of everything it reads: the published
runs, the presets and the model's version. A changed input computes it anew.
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

CALIBRATED_MODELS = ("llm_training",)  # the models data/published_runs.csv calibrates


class ErrorBand(NamedTuple):
    """Leave-one-out |errors| of one device's published runs (fractions of 1)."""

    hardware: str
    runs: int  # published runs of this device (0: none; the band is then over every run)
    mean: float
    largest: float
    energy_runs: int
    energy_mean: float  # NaN without published energy


def _inputs_digest(model: str) -> str:
    from explorer.models import get_model

    digest = hashlib.sha256(f"{model} v{get_model(model).version}".encode())
    root = resources.files("explorer.presets")
    files = [root.joinpath("published_runs.csv")]
    for kind in ("hardware", "workloads"):
        files += sorted((f for f in root.joinpath(kind).iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)
    for f in files:
        digest.update(f.name.encode() + f.read_bytes())
    return digest.hexdigest()[:16]


def _cache_path(model: str) -> Path:
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "explorer"
    return root / f"calibration-{model}-{_inputs_digest(model)}.json"


def loo_table(model: str = "llm_training") -> pd.DataFrame:
    """``explorer calibrate``'s per-run table (hardware, loo_error, energy_error), from the cache
    when its inputs are unchanged."""
    path = _cache_path(model)
    try:
        return pd.DataFrame(json.loads(path.read_text()))
    except (OSError, ValueError):
        pass
    from explorer.calibration import calibrate

    table = calibrate(model).table[["run", "hardware", "loo_error", "energy_error"]]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(table.to_json(orient="records"))
        os.replace(tmp, path)  # atomic: a concurrent reader sees the old file or the whole new one
    except OSError:
        pass  # a read-only cache: compute again next time
    return table


def error_band(hardware: str, model: str = "llm_training") -> ErrorBand:
    """The leave-one-out error band of ``hardware``'s published runs (of every run when the
    device has none)."""
    table = loo_table(model)
    rows = table[table.hardware == hardware]
    runs = len(rows)
    if rows.empty:
        rows = table
    errors = np.abs(rows.loo_error.to_numpy(float))
    energy = np.abs(rows.energy_error.to_numpy(float))
    energy = energy[np.isfinite(energy)]
    return ErrorBand(hardware, runs, float(errors.mean()), float(errors.max()), len(energy),
                     float(energy.mean()) if len(energy) else float("nan"))


def band_sentence(band: ErrorBand) -> str:
    """One line: "model error on a100-sxm-80gb: ±6.4% mean, ±17.5% at most (leave-one-out, 30 runs) …"."""
    if band.runs == 0:
        text = (f"model error: {band.hardware} has no published run to check against; over every other "
                f"device's runs the leave-one-out error is ±{band.mean:.1%} mean, ±{band.largest:.1%} at most")
    else:
        text = (f"model error on {band.hardware}: ±{band.mean:.1%} mean, ±{band.largest:.1%} at most in step time "
                f"or device-hours (leave-one-out over {band.runs} published run{'s' if band.runs > 1 else ''})")
    if band.runs and band.energy_runs:
        text += f"; energy ±{band.energy_mean:.0%} ({band.energy_runs} run{'s' if band.energy_runs > 1 else ''})"
    return text + "; see explorer calibrate"


def band_line(model: str, hardware: str | None) -> str:
    """``band_sentence`` for a calibrated model's hardware preset; "" for any other model."""
    if model not in CALIBRATED_MODELS or not hardware:
        return ""
    return band_sentence(error_band(hardware, model))
