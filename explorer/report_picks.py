"""Which configuration to run: the report's short, ranked list of recommendations.

From a front (``report_files``' data): seed 000 §6.3's operating points (speed, efficiency,
quality), the knee, and the cheapest configuration on the front (every row of a front meets
the spec's margins and bounds, so it is the cheapest within them). Points that fall on one
configuration are one entry with one label. Each entry carries what a planner weighs: the
run's time, energy, cost and final loss (the columns with those units), and the design.
Entries are ranked by cost where the file has a cost column, else by the first objective.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from explorer.report_figures import group_label, point_groups

# what a planner weighs, by unit: the objective with that unit, else the first such output
# (never a design variable: the SGD temperature is in nats too)
WEIGHED_UNITS = (("time", "s"), ("energy", "J"), ("cost", "USD"), ("loss", "nats"))


class Recommendation(NamedTuple):
    """One ranked entry: its label, its row in the front, and its rank (1 = first)."""

    rank: int
    label: str
    row: int


def weighed_columns(data) -> dict[str, str]:
    """{"time": "time_s", "energy": "energy_j", "cost": "cost_usd", "loss": "final_loss"}: the
    front's column for each quantity a planner weighs (those it has)."""
    out = {}
    for quantity, unit in WEIGHED_UNITS:
        columns = [c for c in data.front.columns if data.units.get(c) == unit and c not in data.inputs]
        chosen = next((c for c in data.objectives if c in columns), columns[0] if columns else None)
        if chosen is not None:
            out[quantity] = chosen
    return out


def recommendations(data) -> list[Recommendation]:
    """The operating points, the knee and the cheapest configuration, one entry per row, ranked."""
    groups = {row: list(names) for row, names in point_groups(data)}
    weighed = weighed_columns(data)
    labels = {row: group_label(names) for row, names in groups.items()}
    if "cost" in weighed:
        cheapest = int(np.nanargmin(data.front[weighed["cost"]].to_numpy(float)))
        cheapest_label = "cheapest" if weighed["cost"] in data.objectives else "cheapest on this front"
        labels[cheapest] = cheapest_label + (f"; {labels[cheapest]}" if cheapest in labels else "")
    rank_by = weighed.get("cost", data.objectives[0])
    sign = -1.0 if rank_by in data.objectives and data.maximize[data.objectives.index(rank_by)] else 1.0
    values = data.front[rank_by].to_numpy(float) * sign
    order = sorted(labels, key=lambda row: (values[row], row))
    return [Recommendation(k + 1, labels[row], row) for k, row in enumerate(order)]


def ranked_by(data) -> str:
    """The column the recommendations are ranked by."""
    return weighed_columns(data).get("cost", data.objectives[0])
