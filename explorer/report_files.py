"""Reports of sweep and optimiser outputs: PNG figures, one offline HTML page, a summary.

``report(path, out_dir)`` reads any explorer Parquet output (its metadata names the model,
units and objectives) and writes into ``out_dir``, every number in a planner's unit
(``explorer.display``: days, GWh, GHz, $M, °C, %):

- ``frontier_<a>_vs_<b>.png`` for each pair of objectives: that pair's own 2-D front over
  the faint rest, coloured by a third column, the operating points and the knee marked
  (``report_figures``);
- ``frontier_<a>_vs_<b>_by_<c>.png`` (three objectives or more): the front of the first two
  at 4 levels of the third;
- ``design_along_front.png``: each design variable's median and 10–90% band along the front;
- ``convergence.png`` (optimiser outputs): every run's KKT residual against its largest
  constraint violation, converged runs marked;
- ``schedule.png``: a ``[schedule]`` run's phases beside the best constant configuration
  (``report_schedule``);
- ``sensitivity_tornado.png``: the elasticities of every objective to the parameters the
  answer hinges on most, at the best run or the front's knee (``report_tornado``);
- ``index.html``: self-contained (plotly.js embedded, no network): an interactive frontier
  with axis and colour pickers, a compact hover (design and objectives; a click shows every
  column), min/max filters on every design and objective column that update the plot and
  the table of matching configurations, a CSV download of the matching rows, the ranked
  recommendations (``report_picks``) and the run's metadata with its calibrated error band;
- ``summary.md``: the ranked recommendations and the headline trade-offs, for a design doc.

Fronts above ``MAX_POINTS`` rows are shown on the page as an evenly spaced sample (it says so).
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd

from explorer import io
from explorer import report_figures as figures
from explorer.display import label, scale_for
from explorer.errors import ExplorerError
from explorer.pareto import is_nondominated, knee_point, operating_points
from explorer.report_page import page_html, summary_md
from explorer.report_schedule import schedule_png
from explorer.report_tornado import tornado_png

class ReportData:
    """A result file read and checked: the front, its objectives, units and metadata."""

    def __init__(self, path):
        frame, meta = io.read(path)
        if not meta or "objectives" not in meta or "units" not in meta:
            raise ExplorerError(f"{path} is not an explorer output (no explorer metadata with objectives); "
                                "write it with explorer sweep/optimize, or use explorer frontier first")
        self.meta, self.units, self.path = meta, meta["units"], Path(path)
        self.objectives = [o["name"] for o in meta["objectives"]]
        self.maximize = [bool(o["maximize"]) for o in meta["objectives"]]
        missing = [o for o in self.objectives if o not in frame.columns]
        if missing:
            raise ExplorerError(f"{path} lacks the objective column {missing[0]!r} named in its metadata")
        self.kind = meta.get("kind", "sweep")
        self.runs = frame if self.kind == "optimize" else None
        self.front = self._front(frame)
        if self.front.empty:
            raise ExplorerError(f"{path} has no feasible configuration to report")
        self.design = self._design_columns()
        order = np.argsort(self._signed(self.front)[:, 0], kind="stable")
        self.front = self.front.iloc[order].reset_index(drop=True)
        self.points = self._operating_points()
        shares = set(meta.get("shares", ()))
        self.integers = set(meta.get("integers", ()))  # counts, written whole
        # one planner unit per column (days, MWh, GHz, %), chosen from the front's values
        self.scales = {c: scale_for(self.front[c].to_numpy(float), self.units.get(c, ""), c in shares)
                       for c in self.front.columns if c in self.units and pd.api.types.is_numeric_dtype(self.front[c])}

    def _design_columns(self):
        """The model's design variables that vary along the front (the spec's axes, or its
        inputs in file order, when the model is not registered here)."""
        try:
            from explorer.spec import result_model

            names = result_model(self.meta).design_names
        except (ExplorerError, KeyError):  # the spec's axes, else every column that is not an objective
            names = list(self.meta.get("spec", {}).get("axes", {})) or [
                c for c in self.front.columns if c in self.units and c not in self._outputs()]
        present = [c for c in names if c in self.front.columns]
        self.inputs = set(present)  # every design column, shown or not
        varying = [c for c in present if self.front[c].nunique() > 1]  # a fixed input has nothing to show
        if varying:
            return varying[:6]
        free = self._free_inputs()  # one configuration (an optimiser's best): what was free first
        return sorted(present, key=lambda c: c not in free)[:8]

    def _free_inputs(self) -> set:
        """The spec's free inputs: its axes, each phase's own where it has a [schedule]."""
        spec = self.meta.get("spec", {})
        try:
            from explorer.spec import parse_spec

            return {a.name for a in parse_spec(spec).axes}
        except (ExplorerError, KeyError, TypeError):
            return set(spec.get("axes", {})) if isinstance(spec, dict) else set()

    def _outputs(self):
        try:
            from explorer.spec import result_model

            return set(result_model(self.meta).output_names)
        except ExplorerError:
            return set(self.objectives)

    def _signed(self, frame):
        return frame[self.objectives].to_numpy(float) * np.where(self.maximize, -1.0, 1.0)

    def _front(self, frame):
        keep = np.ones(len(frame), bool)
        if "feasible" in frame.columns:
            keep &= frame["feasible"].astype(bool).to_numpy()
        frame = frame[keep]
        mask = is_nondominated(self._signed(frame)) if len(frame) else np.zeros(0, bool)
        return frame[mask].reset_index(drop=True)

    def _operating_points(self) -> dict[str, int]:
        names = {"time": None, "energy": None, "quality": None}
        for obj in self.objectives:
            unit = self.units.get(obj, "")
            if names["time"] is None and unit in ("s", "h"):
                names["time"] = obj
            elif names["energy"] is None and unit == "J":
                names["energy"] = obj
            elif names["quality"] is None and unit == "nats":
                names["quality"] = obj
        for key, obj in zip(("time", "energy", "quality"), self.objectives):  # fall back to order
            names[key] = names[key] or obj
        cols = {k: v for k, v in names.items() if v}
        picks = operating_points(self.front, time=cols.get("time", "-"), energy=cols.get("energy", "-"),
                                 quality=cols.get("quality", "-"))
        if len(self.objectives) >= 2:
            picks["knee"] = knee_point(self.front[self.objectives].to_numpy(float), self.maximize)
        return picks

    def label(self, col):
        """The column's heading in its planner unit: "time_s [days]"."""
        return label(col, self.scales[col]) if col in self.scales else col

    def shown(self, col, frame=None):
        """The column's values (of the front, or of ``frame``) in its planner unit."""
        values = (self.front if frame is None else frame)[col].to_numpy(float)
        return self.scales[col].apply(values) if col in self.scales else values


def report(path, out_dir=None, progress: bool = False) -> dict[str, Path]:
    """Writes the report of ``path`` into ``out_dir`` (default: beside it, ``<stem>_report``);
    ``progress``: a progress bar on stderr, one step per file.

    Returns:
      {name: path} of every file written.

    Raises:
      ExplorerError: unreadable file, not an explorer output, objectives missing, nothing
        feasible. Raised before anything is written.
    """
    data = ReportData(path)  # all checks happen here, before any file is written
    out = Path(out_dir) if out_dir else data.path.with_name(data.path.stem + "_report")
    if out.exists() and not out.is_dir():
        raise ExplorerError(f"report folder {str(out)!r} is a file; give a folder with --out")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ExplorerError(f"cannot make the report folder {str(out)!r}: {err.strerror or err}") from None
    from tqdm import tqdm

    jobs = {f"frontier_{a}_vs_{b}.png": functools.partial(figures.frontier_png, data, a, b, c)
            for a, b, c in _pairs(data)}
    if len(data.objectives) >= 3:
        a, b, c = data.objectives[:3]
        jobs[f"frontier_{a}_vs_{b}_by_{c}.png"] = functools.partial(figures.levels_png, data, a, b, c)
    jobs["design_along_front.png"] = functools.partial(figures.design_png, data)
    if data.runs is not None and "kkt_residual" in data.runs.columns:
        jobs["convergence.png"] = functools.partial(figures.convergence_png, data)
    if "schedule" in data.meta:
        jobs["schedule.png"] = functools.partial(schedule_png, data)
    jobs["sensitivity_tornado.png"] = functools.partial(tornado_png, data)
    jobs["index.html"] = functools.partial(page_html, data)
    jobs["summary.md"] = functools.partial(summary_md, data)
    files = {}
    with tqdm(jobs.items(), desc="report", unit="file", disable=not progress, leave=False) as bar:
        for name, write in bar:
            bar.set_postfix_str(name)
            written = write(out / name)
            if written is not None:  # the tornado needs the file's model registered here
                files[name] = written
    return files


def _pairs(data):
    objs = data.objectives
    if len(objs) == 1:
        return [(data.design[0], objs[0], None)] if data.design else []
    pairs = []
    for i in range(len(objs)):
        for j in range(i + 1, len(objs)):
            third = next((o for o in objs if o not in (objs[i], objs[j])), data.design[0] if data.design else None)
            pairs.append((objs[i], objs[j], third))
    return pairs[:3]
