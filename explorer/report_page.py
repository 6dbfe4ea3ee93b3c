"""The report's text: the offline HTML page (plotly.js embedded) and summary.md."""

from __future__ import annotations

import datetime
import html
import json
import math
from pathlib import Path

import numpy as np

from explorer.display import number
from explorer.report_figures import POINT_STYLE, group_label, point_groups, spans_decades
from explorer.report_picks import ranked_by, recommendations, weighed_columns
from explorer.report_schedule import schedule_lines

MAX_POINTS = 5000  # points drawn on the page (SVG); larger fronts are sampled evenly


def _columns(data):
    return list(dict.fromkeys(data.design + data.objectives
                              + [c for c in data.front.columns if c in data.units and not c.startswith("g[")]))


def _shown(data):
    """Row positions drawn on the page: all, or an even sample keeping the operating points."""
    n = len(data.front)
    if n <= MAX_POINTS:
        return np.arange(n)
    rows = set(np.linspace(0, n - 1, MAX_POINTS - len(data.points)).astype(int)) | set(data.points.values())
    return np.array(sorted(rows))


def page_html(data, path):
    """The interactive page (one self-contained HTML file, plotly inlined, no network): the front's
    columns in planner units, filters and the named picks; written to ``path``."""
    from plotly.offline import get_plotlyjs

    cols = _columns(data)
    shown = _shown(data)
    front = data.front.iloc[shown]
    payload = {
        "columns": cols,
        "units": {c: data.scales[c].label if c in data.scales else "" for c in cols},  # planner units
        "values": {c: [_json_number(v) for v in data.shown(c, front)] for c in cols},
        "objectives": data.objectives,
        "compact": list(dict.fromkeys(data.design + data.objectives)),  # hover and filters
        "integers": [c for c in cols if c in data.integers and c in data.scales and data.scales[c].factor == 1.0],
        "points": {name: int(np.searchsorted(shown, row)) for name, row in data.points.items()},
        "groups": [{"row": int(np.searchsorted(shown, row)), "names": names, "label": group_label(names)}
                   for row, names in point_groups(data)],
        "styles": {k: {"color": v[0], "label": v[1]} for k, v in POINT_STYLE.items()},
        "log": {c: bool(spans_decades(front[c])) for c in cols},
    }
    note = (f"Showing all {len(data.front):,} configurations on the front."
            if len(shown) == len(data.front) else
            f"Showing an evenly spaced sample of {len(shown):,} of the {len(data.front):,} configurations "
            f"on the front (the operating points are always shown).")
    meta = data.meta
    table = _recommendations_html(data)
    template = (Path(__file__).with_name("report_assets") / "page.html").read_text(encoding="utf-8")
    page = (template.replace("{{PLOTLY}}", get_plotlyjs())
            .replace("{{DATA}}", json.dumps(payload).replace("</", "<\\/"))
            .replace("{{TITLE}}", html.escape(f"{meta.get('model', '')}: {data.path.name}"))
            .replace("{{NOTE}}", html.escape(note))
            .replace("{{TABLE}}", table)
            .replace("{{RANKED_BY}}", html.escape(ranked_by(data)))
            .replace("{{META}}", _metapage_html(data)))
    path.write_text(page, encoding="utf-8")
    return path


def _json_number(v):
    return float(v) if math.isfinite(v) else None


def _cell(data, col, row) -> str:
    """The front's ``row`` of ``col`` in the column's planner unit (the heading names it)."""
    exact = col in data.integers and data.scales[col].factor == 1.0 if col in data.scales else False
    return number(float(data.shown(col)[row]), exact=exact)


def _span(data, col) -> str:
    """ "53.61 to 120.4 days": the column's range along the front, in its planner unit."""
    values = data.shown(col)
    unit = data.scales[col].label if col in data.scales else ""
    low, high = number(float(np.nanmin(values))), number(float(np.nanmax(values)))
    return f"{low} to {high}{'' if unit in ('', '%') or unit.startswith('×') else ' '}{unit}"


def _band(data) -> str:
    """The calibrated error band of the file's hardware preset (``explorer.error_band``)."""
    from explorer.error_band import band_line

    return band_line(data.meta.get("model", ""), data.meta.get("presets", {}).get("hardware"))


def _shadow_prices(data) -> list[str]:
    """The best run's shadow prices in words (optimiser outputs with one objective), else []."""
    if data.runs is None or "best" not in data.runs.columns or not data.runs.best.any():
        return []
    from explorer.errors import ExplorerError
    from explorer.problem import Problem
    from explorer.shadow_prices import describe
    from explorer.spec import parse_spec

    try:
        problem = Problem.from_spec(parse_spec(data.meta["spec"]))
    except (ExplorerError, KeyError, TypeError):  # a spec this version cannot rebuild
        return []
    return describe(problem, data.runs[data.runs.best].iloc[0])


def _picked_columns(data) -> list[str]:
    """The recommendation table's columns: the design, then time, energy, cost and loss."""
    return list(dict.fromkeys([*data.design, *weighed_columns(data).values()]))


def _recommendations_html(data) -> str:
    cols = _picked_columns(data)
    head = "".join(f"<th>{html.escape(data.label(c))}</th>" for c in cols)
    rows = []
    for pick in recommendations(data):
        cells = "".join(f"<td>{html.escape(_cell(data, c, pick.row))}</td>" for c in cols)
        rows.append(f"<tr><td>{pick.rank}</td><th>{html.escape(pick.label)}</th>{cells}</tr>")
    return (f"<table id='recommended'><thead><tr><th>rank</th><th>configuration</th>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def _metapage_html(data):
    meta = data.meta
    band = _band(data)
    items = [("model", f"{meta.get('model', '?')} v{meta.get('model_version', '?')}"),
             ("kind", meta.get("kind", "sweep")), ("presets", json.dumps(meta.get("presets", {}))),
             ("evaluated", f"{meta.get('evaluated', meta.get('runs', '?')):,}" if isinstance(
                 meta.get("evaluated", meta.get("runs")), int) else "?"),
             ("feasible", f"{meta.get('feasible', '?')}"), ("on the front", f"{len(data.front):,}"),
             ("objectives", ", ".join(f"{o} ({'max' if m else 'min'})" for o, m in zip(data.objectives, data.maximize))),
             *([("answers", meta["answers"])] if meta.get("answers") else []),
             *([("model error", band)] if band else []),
             *([("shadow prices", "; ".join(prices))] if (prices := _shadow_prices(data)) else []),
             ("created", meta.get("created", "?")), ("file", str(data.path))]
    rows = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in items)
    spec = html.escape(json.dumps(meta.get("spec", {}), indent=2, default=str))
    return f"<table>{rows}</table><details><summary>full spec</summary><pre>{spec}</pre></details>"


def summary_md(data, path):
    """The Markdown summary: what was swept, the error band, the recommended configurations in
    planner units, the schedule and shadow prices where the file has them, and the knee's
    trade-offs; written to ``path``."""
    cols = _picked_columns(data)
    band = _band(data)
    lines = [f"# Trade-off summary: {data.path.name}", "",
             f"Model `{data.meta.get('model', '?')}` ({data.meta.get('kind', 'sweep')}), presets "
             f"{json.dumps(data.meta.get('presets', {}))}; {len(data.front):,} configuration"
             f"{'s' if len(data.front) != 1 else ''} on the Pareto front "
             f"of {', '.join(data.objectives)}" + (f" out of {data.meta['evaluated']:,} evaluated."
                                                    if isinstance(data.meta.get("evaluated"), int) else "."), "",
             *([f"> {data.meta['answers']}.", ""] if data.meta.get("answers") else []),
             *([f"_{band[0].upper()}{band[1:]}._", ""] if band else []),
             f"## Recommended configurations (ranked by {ranked_by(data)})", "",
             "| rank | configuration | " + " | ".join(data.label(c) for c in cols) + " |",
             "|---:|---|" + "---:|" * len(cols)]
    for pick in recommendations(data):
        lines.append(f"| {pick.rank} | {pick.label} | " + " | ".join(_cell(data, c, pick.row) for c in cols) + " |")
    phases = schedule_lines(data)
    if phases:
        lines += ["", f"## The schedule against the best constant configuration "
                  f"({data.meta['schedule']['phases']} phases; schedule.png)", "", *phases]
    prices = _shadow_prices(data)
    if prices:
        lines += ["", "## What the active constraints cost (shadow prices at the best run)", "",
                  *(f"- {line}" for line in prices)]
    lines += ["", "## Trade-offs", ""]
    if "knee" in data.points and len(data.objectives) >= 2:
        knee = data.front.iloc[data.points["knee"]]
        for name, best_col in zip(("speed", "efficiency"), data.objectives[:2]):
            if name in data.points:
                best = data.front.iloc[data.points[name]]
                lines.append(f"- The knee costs {_pct(knee[best_col], best[best_col])} in {best_col} against the "
                             f"{POINT_STYLE[name][1]} point, and changes the other objectives by "
                             + ", ".join(f"{_pct(knee[o], best[o])} in {o}" for o in data.objectives if o != best_col)
                             + ".")
    for o in data.objectives:
        if len(data.front) > 1:
            lines.append(f"- {o} spans {_span(data, o)} along the front.")
        else:
            lines.append(f"- {o} is {_span(data, o).split(' to ')[1]}.")
    lines += ["", f"_Generated {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC by explorer report._"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _pct(value, reference):
    if reference == 0 or not math.isfinite(reference):
        return "n/a"
    return f"{100 * (value / reference - 1):+.1f}%"

