"""The report's schedule figure (``schedule.png``) and summary lines, for the output of a
``[schedule]`` run.

One panel per varied design variable: its value in each phase as a step over the run's
progress (0–100% of the recipe's tokens for llm_training, of ln(L₀/L*) for seed004), beside
the best constant configuration's value (dashed; from the file's ``constant_optimum``), in
planner units. The title gives the headline changes against that constant configuration;
``schedule_lines`` gives them for summary.md, output by output.
"""

from __future__ import annotations

import numpy as np

from explorer.display import human, scale_for
from explorer.report_figures import pyplot, save_figure


def _best_schedule_run(data):
    """The schedule's best run, or None where the file is no schedule with one."""
    if not data.meta.get("schedule") or data.runs is None or "best" not in data.runs or not data.runs.best.any():
        return None
    return data.runs[data.runs.best.astype(bool)].iloc[0]


def schedule_lines(data) -> list[str]:
    """Markdown bullets: the objectives and headline outputs (time, energy, cost, final loss),
    the schedule's value beside the best constant configuration's, with the change; [] where
    the file is no schedule."""
    from explorer.schedule_run import HEADLINE

    best, constant = _best_schedule_run(data), data.meta.get("constant_optimum", {})
    if best is None:
        return []
    lines = []
    for name in dict.fromkeys([*data.objectives, *HEADLINE]):
        if name in constant and name in best and name in data.units:
            value = constant[name]
            change = f", {best[name] / value - 1:+.2%}" if value else ""
            lines.append(f"- {name}: {human(float(best[name]), data.units[name])} "
                         f"(constant {human(float(value), data.units[name])}{change})")
    return lines


def schedule_png(data, path):
    """Writes the schedule figure of a ReportData ``data``; None where the file is no schedule."""
    best = _best_schedule_run(data)
    if best is None:
        return None
    schedule, constant = data.meta["schedule"], data.meta.get("constant_optimum", {})
    k = int(schedule["phases"])
    shares = np.array([float(best[f"share_{i}"]) for i in range(1, k + 1)])
    edges = 100.0 * np.concatenate([[0.0], np.cumsum(shares)])
    plt = pyplot()
    vary = list(schedule["vary"])
    fig, axes = plt.subplots(len(vary), 1, figsize=(8, 1.2 + 2.2 * len(vary)), dpi=110, sharex=True, squeeze=False)
    for ax, name in zip(axes[:, 0], vary):
        values = np.array([float(best[f"{name}_{i}"]) for i in range(1, k + 1)])
        unit = data.units.get(f"{name}_1", "")
        reference = [constant[name]] if name in constant else []
        scale = scale_for(np.concatenate([values, reference]), unit)
        shown = values * scale.factor + scale.offset
        ax.stairs(shown, edges, baseline=None, linewidth=2.0, label="schedule")
        if reference:
            ax.axhline(reference[0] * scale.factor + scale.offset, color="grey", linestyle="--",
                       label="best constant configuration")
        ax.set_ylabel(f"{name} [{scale.label}]" if scale.label else name)
        ax.grid(True, alpha=0.3)
        ax.legend(loc="best", fontsize=9)
    axes[-1, 0].set_xlabel("progress of the run [%]")
    axes[-1, 0].set_xlim(0.0, 100.0)
    changes = [f"{name} {(best[name] / constant[name] - 1):+.2%}" for name in data.objectives
               if constant.get(name)]
    fig.suptitle(f"Schedule in {k} phases" + (f": {', '.join(changes)} against the best constant configuration"
                                               if changes else ""), fontsize=11)
    return save_figure(fig, path)
