"""The report's PNG figures, every axis in its planner unit (``explorer.display``).

- ``frontier_png``: the 2-D Pareto front of one pair of objectives (the front of the
  projection, drawn as a step line over its points), the rest of the file's front faint
  behind it, coloured by a third column; the operating points marked, one label per point;
- ``levels_png``: the front of the first two objectives at 3–5 levels of the third (each
  curve: the best trade-off among configurations whose third objective is at most that
  level), a family of curves to read "how much time and energy does a better loss cost";
- ``design_png``: each design variable along the front, as the median and the 10–90% band
  of equal-count bins over the first objective (not one dot per configuration);
- ``convergence_png``: every optimiser run's KKT residual against its largest violation.
"""

from __future__ import annotations

import math

import numpy as np

from explorer.display import number
from explorer.pareto import is_nondominated

LEVELS = 4  # curves in levels_png (3–5: fewer says little, more cannot be told apart)
BINS = 40  # equal-count bins of design_png, at most; at least PER_BIN configurations in each
PER_BIN = 25
POINT_STYLE = {"speed": ("#d62728", "speed-optimised"), "efficiency": ("#2ca02c", "efficiency-optimised"),
               "quality": ("#1f77b4", "quality-optimised"), "knee": ("#111111", "knee")}  # figures and page


def spans_decades(values) -> bool:
    """Whether positive ``values`` span more than 30× (drawn on a log axis)."""
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    return len(v) > 1 and v.min() > 0 and v.max() / v.min() > 30


def pyplot():
    """matplotlib.pyplot on the file-only Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _plain_ticks(ax, x=True, y=True):
    """Tick labels as plain numbers in the axis' planner unit: 1,000 not 10³, no 1e6 offset,
    and as many decimals as the tick spacing needs (1.875, 1.880, not 1.88 twice)."""
    from matplotlib.ticker import Formatter, NullFormatter

    class Plain(Formatter):
        def format_ticks(self, values):
            steps = np.diff(np.sort(np.asarray(values, float)))
            steps = steps[steps > 0]
            if not len(steps) or self.axis.get_scale() == "log":
                return [number(v, 3) for v in values]
            decimals = max(0, -math.floor(math.log10(steps.min()) + 1e-9))
            return [f"{v:,.{decimals}f}" for v in values]

        def __call__(self, value, pos=None):
            return number(value, 4)

    for axis, wanted in ((ax.xaxis, x), (ax.yaxis, y)):
        if wanted:
            axis.set_major_formatter(Plain())
            if axis.get_scale() == "log":
                axis.set_minor_formatter(NullFormatter())


def _scales(ax, data, x, y):
    ax.set_xscale("log" if spans_decades(data.front[x]) else "linear")
    ax.set_yscale("log" if spans_decades(data.front[y]) else "linear")
    _plain_ticks(ax)
    ax.set_xlabel(data.label(x))
    ax.set_ylabel(data.label(y))
    ax.grid(True, which="both", alpha=0.25)


def save_figure(fig, path):
    """Lays out, writes and closes a figure; returns its path."""
    fig.tight_layout()
    fig.savefig(path)
    pyplot().close(fig)
    return path


def point_groups(data) -> list[tuple[int, list[str]]]:
    """The operating points by row: (row, [names]) with the names of points that fall on the
    same configuration together, so each row is marked and labelled once."""
    rows: dict[int, list[str]] = {}
    for name, row in data.points.items():
        rows.setdefault(row, []).append(name)
    return list(rows.items())


def group_label(names) -> str:
    """One label for the points on one row: "speed- and efficiency-optimised", "knee",
    "quality-optimised and knee"."""
    seeds = [n for n in names if n != "knee"]
    parts = []
    if seeds:
        stems = [f"{n}-" for n in seeds]
        parts.append((", ".join(stems[:-1]) + " and " + stems[-1] if len(stems) > 1 else stems[0]) + "optimised")
    if "knee" in names:
        parts.append("knee")
    return " and ".join(parts)


def _mark_points(ax, data, x, y):
    xs, ys = data.shown(x), data.shown(y)
    for row, names in point_groups(data):
        color = POINT_STYLE[names[0]][0]
        text = group_label(names)
        px, py = xs[row], ys[row]
        ax.scatter([px], [py], s=140, marker="D" if names == ["knee"] else "*", color=color, edgecolor="white",
                   linewidth=1.0, zorder=5, label=text)
        right_half = px > np.nanmedian(xs)  # label inwards, so it stays inside the axes
        ax.annotate(text, (px, py), textcoords="offset points", xytext=(-8 if right_half else 8, 8),
                    ha="right" if right_half else "left", fontsize=9, color=color, fontweight="bold", zorder=6)


def pair_front(data, x, y, rows=None) -> np.ndarray:
    """Row positions (into ``data.front``) of the 2-D front of (x, y) among ``rows`` (default:
    all), sorted by x."""
    rows = np.arange(len(data.front)) if rows is None else np.asarray(rows)
    sign = {c: -1.0 if c in data.objectives and data.maximize[data.objectives.index(c)] else 1.0 for c in (x, y)}
    pts = np.stack([data.front[x].to_numpy(float)[rows] * sign[x], data.front[y].to_numpy(float)[rows] * sign[y]],
                   axis=1)
    keep = rows[is_nondominated(pts)]
    return keep[np.argsort(data.front[x].to_numpy(float)[keep], kind="stable")]


def frontier_png(data, x, y, c, path):
    """The 2-D front of objectives ``x`` and ``y`` (planner units), coloured by column ``c`` (or
    none), over the rest of the front in grey, with the named picks marked; a PNG at ``path``."""
    plt = pyplot()

    fig, ax = plt.subplots(figsize=(8, 6), dpi=110)
    own = pair_front(data, x, y) if x in data.objectives and y in data.objectives else np.arange(len(data.front))
    if len(own) < len(data.front):
        ax.scatter(data.shown(x), data.shown(y), s=6, color="#c8c8c8", alpha=0.6, zorder=1,
                   label=f"rest of the {len(data.objectives)}-objective front ({len(data.front) - len(own):,})")
        ax.step(data.shown(x)[own], data.shown(y)[own], where="post", color="#555555", linewidth=1.0, zorder=2)
    kwargs = {}
    if c is not None:
        kwargs = {"c": data.shown(c)[own], "cmap": "viridis"}
        if spans_decades(data.front[c]):
            from matplotlib.colors import LogNorm

            kwargs["norm"] = LogNorm()
    sc = ax.scatter(data.shown(x)[own], data.shown(y)[own], s=16, zorder=3,
                    label=f"front of {x} and {y} ({len(own):,})", **kwargs)
    if c is not None:
        _plain_ticks(fig.colorbar(sc, ax=ax, label=data.label(c)).ax, x=False)
    _mark_points(ax, data, x, y)
    _scales(ax, data, x, y)
    ax.set_title(f"Pareto front of {y} against {x} ({data.meta.get('model', '')})")
    ax.legend(loc="best", fontsize=8)
    return save_figure(fig, path)


def level_rows(data, third) -> list[tuple[float, np.ndarray]]:
    """(level, rows) for ``levels_png``: LEVELS quantiles of ``third`` over the front (the best
    value first), each with the rows whose ``third`` is at least that good."""
    values = data.front[third].to_numpy(float)
    maximize = data.maximize[data.objectives.index(third)]
    quantiles = np.linspace(0.0, 1.0, LEVELS + 1)[1:] ** 2  # denser near the best value
    levels = np.quantile(values, 1.0 - quantiles if maximize else quantiles)
    out = []
    for level in dict.fromkeys(levels.tolist()):
        rows = np.flatnonzero(values >= level if maximize else values <= level)
        out.append((level, rows))
    return out


def levels_png(data, x, y, third, path):
    """The (x, y) front at a few levels of objective ``third``: one step line per level; a PNG at ``path``."""
    plt = pyplot()

    fig, ax = plt.subplots(figsize=(8, 6), dpi=110)
    scale = data.scales.get(third)
    cmap = plt.get_cmap("viridis")
    groups = level_rows(data, third)
    shown = [float(scale.apply(level)) if scale else level for level, _ in groups]
    digits = next((d for d in range(4, 9) if len({number(v, d) for v in shown}) == len(shown)), 9)
    unit = f" {scale.label}" if scale and scale.label else ""
    better = "≥" if data.maximize[data.objectives.index(third)] else "≤"
    for k, ((_, rows), value) in enumerate(zip(groups, shown)):
        own = pair_front(data, x, y, rows)
        ax.step(data.shown(x)[own], data.shown(y)[own], where="post", color=cmap(k / max(len(groups) - 1, 1)),
                marker="o", markersize=3, linewidth=1.6, label=f"{third} {better} {number(value, digits)}{unit}")
    _scales(ax, data, x, y)
    ax.set_title(f"{y} against {x}, at {len(groups)} levels of {third}")
    ax.legend(loc="best", fontsize=9, title="configurations with")
    return save_figure(fig, path)


def design_png(data, path):
    """Each design input along the front, against the first objective: the median and the 10–90%
    band per bin of front points, with the named picks marked; a PNG at ``path``."""
    plt = pyplot()

    cols = data.design or data.objectives
    first = data.objectives[0]
    order = np.argsort(data.front[first].to_numpy(float), kind="stable")
    bins = np.array_split(order, int(np.clip(len(order) // PER_BIN, 1, BINS)))
    x = np.array([np.median(data.shown(first)[b]) for b in bins])
    fig, axes = plt.subplots(len(cols), 1, figsize=(8, 2.2 * len(cols) + 0.8), dpi=110, sharex=True, squeeze=False)
    for ax, col in zip(axes[:, 0], cols):
        values = data.shown(col)
        low, mid, high = (np.array([np.quantile(values[b], q) for b in bins]) for q in (0.1, 0.5, 0.9))
        ax.fill_between(x, low, high, color="#9ecae1", alpha=0.6, linewidth=0, label="10–90% of the configurations")
        ax.plot(x, mid, color="#08519c", linewidth=1.6, label="median")
        for row, names in point_groups(data):
            ax.axvline(data.shown(first)[row], color=POINT_STYLE[names[0]][0], alpha=0.7, linewidth=1.2,
                       label=group_label(names))
        ax.set_yscale("log" if spans_decades(data.front[col]) else "linear")
        ax.set_xscale("log" if spans_decades(data.front[first]) else "linear")
        _plain_ticks(ax)
        ax.set_ylabel(data.label(col))
        ax.grid(True, which="both", alpha=0.25)
    fig.suptitle(f"Design along the front, by {first} ({len(bins)} bins of equal count)")
    axes[0, 0].legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, fontsize=8,
                      frameon=False)  # above the plots, covering no point
    axes[-1, 0].set_xlabel(data.label(first))
    return save_figure(fig, path)


def convergence_png(data, path):
    """An optimiser file's runs: largest constraint violation against KKT residual (log–log),
    converged and not, with the tolerances as lines; a PNG at ``path``."""
    plt = pyplot()

    runs = data.runs
    fig, ax = plt.subplots(figsize=(7, 5), dpi=110)
    floor = 1e-16
    violation = np.maximum(runs.max_violation.to_numpy(float), floor)
    kkt = np.maximum(runs.kkt_residual.to_numpy(float), floor)
    ok = runs.converged.to_numpy(bool)
    ax.scatter(violation[ok], kkt[ok], s=14, color="#2ca02c", label=f"converged ({ok.sum():,})")
    ax.scatter(violation[~ok], kkt[~ok], s=14, color="#d62728", marker="x", label=f"not converged ({(~ok).sum():,})")
    settings = data.meta.get("optimize", {})
    if "tolerance" in settings:
        ax.axvline(settings["tolerance"], color="gray", linestyle="--", label="feasibility tolerance")
    if "kkt_tolerance" in settings:
        ax.axhline(settings["kkt_tolerance"], color="gray", linestyle=":", label="KKT tolerance")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(f"largest constraint violation (values below {number(floor)} drawn at {number(floor)})")
    ax.set_ylabel("relative KKT residual")
    ax.set_title(f"Convergence of {len(runs):,} optimiser runs")
    ax.grid(True, which="both", alpha=0.25)
    ax.legend(loc="best", fontsize=9)
    return save_figure(fig, path)
