"""Calibration of ``llm_training`` against published training runs, with leave-one-out errors.

Each row of ``published_runs.csv`` gives a run's hardware preset, a workload preset for
the recipe, and the run's published architecture, batch and parallel layout (the columns
named in ``RUN_COLUMNS``), with one published metric: a step time or the run's
device-hours. The model is evaluated at exactly that configuration. Where a run publishes
its energy, the prediction is in the published scope: ``facility`` (devices + hosts, times
PUE: the model's ``energy_j``) or ``device_tdp`` (device-hours × TDP, the method of the
Llama 3.1 model card and of Luccioni et al. for BLOOM; an upper bound, not a measurement).

Only ``FITTED`` parameters are fitted, once per device, by least squares on the log
errors of that device's rows. The leave-one-out error of a row refits its device without
it and then predicts it; a device left with no other row takes the pooled fit of every
other device's rows.
"""

from __future__ import annotations

from importlib import resources
from io import StringIO
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from explorer.models import get_model, resolve_params
from explorer.models.params import split_choices
from explorer.problem import Problem
from explorer.kernels.constants import JOULES_PER_MWH, SECONDS_PER_HOUR

FITTED = ("gemm_efficiency",)
FIT_BOUNDS = ((0.2,), (1.0,))
RUN_COLUMNS = ("n_params", "n_layers", "d_model", "n_heads", "seq_len", "micro_batch", "tp", "pp",
               "pp_interleave", "zero_stage", "recompute", "sequence_parallel", "flash_attention")
_METRICS = ("step_time_s", "device_hours")


def published_runs() -> pd.DataFrame:
    """The table of published runs shipped with the package (data/published_runs.csv)."""
    text = resources.files("explorer.presets").joinpath("published_runs.csv").read_text(encoding="utf-8")
    return pd.read_csv(StringIO(text))


class _Runs(NamedTuple):
    """Every run's design and parameters as arrays (one entry per run), ready for the model."""

    design: dict
    params: dict
    choices: dict


def _stack(runs: pd.DataFrame, model) -> _Runs:
    rows = []
    for run in runs.itertuples(index=False):
        overrides = {k: getattr(run, k) for k in RUN_COLUMNS}
        if run.tokens == run.tokens:  # published token count, where the metric needs it
            overrides["tokens"] = run.tokens
        rows.append(resolve_params(model, {"hardware": run.hardware, "workload": run.workload}, overrides))
    numeric, choices = split_choices(model, rows[0])
    params = {k: np.array([float(r[k]) for r in rows]) for k in numeric}
    design = {v.name: params[v.default] if isinstance(v.default, str) else np.full(len(rows), v.default)
              for v in model.design}
    design["batch"] = runs["batch"].to_numpy(float)
    design["n_parallel"] = runs["devices"].to_numpy(float)
    design["temperature"] = params["temperature_ref"]
    return _Runs(design, params, choices)


def _predictor(model, stacked: _Runs):
    """outputs(fitted values per run) for every run, jitted once: the problem's structure with the
    runs' parameters as (per-run) fixed values and the fitted ones free."""
    import jax
    import jax.numpy as jnp

    dtype = jnp.float32
    structure = Problem.for_model(model, {**{k: v[0] for k, v in stacked.params.items()}, **stacked.choices}).structure
    design = {k: jnp.asarray(v, dtype) for k, v in stacked.design.items()}
    base = {k: jnp.asarray(v, dtype) for k, v in stacked.params.items()}

    @jax.jit
    def outputs(fitted):
        return structure.evaluate({**design, **{k: fitted[:, i] for i, k in enumerate(FITTED)}}, base)

    return lambda fitted: {k: np.asarray(v, float) for k, v in outputs(jnp.asarray(fitted, dtype)).items()}


def _predicted_metric(out, metrics):
    return np.where(metrics == "step_time_s", out["step_time_s"], out["device_hours"])


def _fit(predict, n_runs, rows, published, metrics):
    """Least-squares fit of ``FITTED`` on the log errors of ``rows`` (indices); one value set."""
    def residuals(theta):
        fitted = np.tile(theta, (n_runs, 1))
        return np.log(_predicted_metric(predict(fitted), metrics)[rows] / published[rows])

    start = np.array([0.5 * (lo + hi) for lo, hi in zip(*FIT_BOUNDS)])
    return least_squares(residuals, start, bounds=FIT_BOUNDS, diff_step=1e-3).x


class Calibration(NamedTuple):
    """The per-device fits and the per-run table (in-sample and leave-one-out errors)."""

    fits: dict  # hardware preset -> {parameter: value}
    table: pd.DataFrame


def calibrate(model: str = "llm_training") -> Calibration:
    """Fits ``FITTED`` per device and predicts every published run in and out of sample.

    Returns:
      A Calibration: ``fits`` per hardware preset, and ``table`` with one row per run:
      run, hardware, devices, metric, published and predicted value, in-sample error,
      leave-one-out prediction and error, predicted MFU, and energy (MWh) where published.
    """
    model = get_model(model)
    runs = published_runs()
    unknown = sorted(set(runs.metric) - set(_METRICS))
    if unknown:
        raise ValueError(f"published_runs.csv: unknown metric {unknown[0]!r} (known: {', '.join(_METRICS)})")
    stacked = _stack(runs, model)
    predict = _predictor(model, stacked)
    n = len(runs)
    published = runs.published.to_numpy(float)
    metrics = runs.metric.to_numpy()
    hardware = runs.hardware.to_numpy()
    fits = {hw: _fit(predict, n, np.flatnonzero(hardware == hw), published, metrics) for hw in np.unique(hardware)}
    in_sample = predict(np.stack([fits[hw] for hw in hardware]))
    loo = np.empty((n, len(FITTED)))
    for i in range(n):
        same = np.flatnonzero((hardware == hardware[i]) & (np.arange(n) != i))
        rows = same if len(same) else np.flatnonzero(hardware != hardware[i])
        loo[i] = _fit(predict, n, rows, published, metrics)
    out_of_sample = predict(loo)
    fitted_metric = _predicted_metric(in_sample, metrics)
    loo_metric = _predicted_metric(out_of_sample, metrics)
    scope = runs.energy_scope.fillna("facility")
    tdp_hours = in_sample["device_hours"] * stacked.params["tdp"] * SECONDS_PER_HOUR
    energy = np.where(scope == "device_tdp", tdp_hours, in_sample["energy_j"]) / JOULES_PER_MWH
    table = pd.DataFrame({
        "run": runs.run, "hardware": hardware, "devices": runs.devices.astype(int), "metric": metrics,
        "published": published, "predicted": fitted_metric, "error": fitted_metric / published - 1.0,
        "loo_predicted": loo_metric, "loo_error": loo_metric / published - 1.0,
        "mfu": in_sample["mfu"], "energy_scope": scope, "published_energy_mwh": runs.energy_mwh,
        "predicted_energy_mwh": energy, "energy_error": energy / runs.energy_mwh - 1.0,
    })
    return Calibration({hw: dict(zip(FITTED, map(float, v))) for hw, v in fits.items()}, table)


def format_table(cal: Calibration) -> str:
    """The calibration as Markdown: fitted values, one line per run, then mean and max errors."""
    def pct(x):
        return "" if x != x else f"{100 * x:+.1f}%"

    def num(x):
        return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"

    lines = ["| device | " + " | ".join(FITTED) + " | runs |", "|---|" + "---:|" * (len(FITTED) + 1)]
    for hw, values in cal.fits.items():
        count = int((cal.table.hardware == hw).sum())
        lines.append(f"| {hw} | " + " | ".join(f"{v:.3f}" for v in values.values()) + f" | {count} |")
    lines += ["", "| run | hardware | devices | metric | published | predicted | error | leave-one-out | "
              "LOO error | MFU | energy MWh published | predicted | error |",
              "|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in cal.table.itertuples(index=False):
        energy = "" if r.published_energy_mwh != r.published_energy_mwh else f"{r.published_energy_mwh:,.0f}"
        predicted_energy = "" if not energy else f"{r.predicted_energy_mwh:,.0f}"
        lines.append(f"| {r.run} | {r.hardware} | {r.devices:,} | {r.metric} | {num(r.published)} "
                     f"| {num(r.predicted)} | {pct(r.error)} | {num(r.loo_predicted)} | {pct(r.loo_error)} "
                     f"| {r.mfu:.3f} | {energy} | {predicted_energy} | {pct(r.energy_error) if energy else ''} |")
    err, loo = cal.table.error.abs(), cal.table.loo_error.abs()
    lines += ["", f"In-sample |error|: mean {100 * err.mean():.1f}%, max {100 * err.max():.1f}%. "
              f"Leave-one-out |error|: mean {100 * loo.mean():.1f}%, max {100 * loo.max():.1f}% "
              f"over {len(cal.table)} runs."]
    return "\n".join(lines)
