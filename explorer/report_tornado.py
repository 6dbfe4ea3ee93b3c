"""The report's tornado chart: which assumptions the answer hinges on.

At the report's main point (an optimiser output's best run, its objective's elasticity taken
at the optimum with the active constraints' multipliers; a front's knee, or its best when there
is one objective), the elasticities ∂ln(objective)/∂ln(parameter) of every objective
(``explorer.sensitivity``), for the parameters with the largest effect, as horizontal bars:
+1 means 1% more of the parameter costs 1% more of the objective.
"""

from __future__ import annotations

import numpy as np

from explorer.report_figures import pyplot, save_figure

TOP = 10  # parameters drawn


def tornado_rows(data, top: int = TOP):
    """(point label, elasticities frame of the objectives, top ``top`` parameters by the largest
    |elasticity| across them), or None where the file's model is not registered here."""
    from explorer.errors import ExplorerError
    from explorer.sensitivity import elasticities
    from explorer.sensitivity_points import points_of

    try:
        found = points_of(data.path)
    except (ExplorerError, KeyError):
        return None
    point = found.points[0]
    envelope = point.envelope or None
    frame = elasticities(point.design, found.model, point.params, data.objectives, envelope)
    moving = frame[(frame[list(data.objectives)].abs() > 0).any(axis=1)]  # parameters that matter here
    return point.label, moving.head(top)


def tornado_png(data, path):
    """Writes the tornado chart; returns its path (None where it cannot be computed)."""
    rows = tornado_rows(data)
    if rows is None:
        return None
    label, frame = rows
    plt = pyplot()
    names = list(frame.index)[::-1]  # the largest effect on top
    objectives = list(data.objectives)
    height = 0.8 / len(objectives)
    fig, ax = plt.subplots(figsize=(8, 1.2 + 0.45 * len(names) * max(1, len(objectives) / 2)), dpi=110)
    for k, objective in enumerate(objectives):
        values = frame.loc[names, objective].to_numpy(float)
        offsets = np.arange(len(names)) + ((len(objectives) - 1) / 2 - k) * height  # the first on top
        ax.barh(offsets, values, height=height * 0.95, label=objective)
    ax.set_yticks(np.arange(len(names)))
    ax.set_yticklabels(names)
    ax.axvline(0.0, color="black", linewidth=0.8)
    ax.set_xlabel("elasticity: % change of the objective per +1% of the parameter")
    ax.set_title(f"What the answer hinges on, at {label}", fontsize=11)
    ax.grid(True, axis="x", alpha=0.3)
    ax.legend(loc="lower right", fontsize=9)
    return save_figure(fig, path)
