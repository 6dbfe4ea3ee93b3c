"""The report's schedule figure: drawn for a [schedule] run's best row, absent otherwise."""

from types import SimpleNamespace

import matplotlib.image
import pandas as pd

from explorer import report_schedule
from explorer.display import human
from explorer.report_schedule import schedule_lines, schedule_png


def fake_data(schedule=True, best=True):
    runs = pd.DataFrame({"best": [best, False], "batch_1": [400.0, 500.0], "batch_2": [480.0, 500.0],
                         "share_1": [0.25, 0.5], "share_2": [0.75, 0.5], "time_s": [99.0, 100.0]})
    meta = {"constant_optimum": {"batch": 460.0, "time_s": 100.0}}
    if schedule:
        meta["schedule"] = {"phases": 2, "vary": ["batch"], "shares": "free", "min_share": 0.02}
    return SimpleNamespace(meta=meta, runs=runs, objectives=["time_s"],
                           units={"batch_1": "sequences", "batch_2": "sequences", "time_s": "s"})


def test_the_figure_draws_each_phase_over_its_share_beside_the_constant(tmp_path, monkeypatch):
    drawn = {}

    def keep(fig, path):  # what the figure holds, before it is written
        ax = fig.axes[0]
        drawn["steps"] = ax.patches[0].get_data()
        drawn["constant"] = ax.lines[0].get_ydata()
        drawn["title"] = fig._suptitle.get_text()
        return save(fig, path)

    save = report_schedule.save_figure
    monkeypatch.setattr(report_schedule, "save_figure", keep)
    path = schedule_png(fake_data(), tmp_path / "schedule.png")
    values, edges, _ = drawn["steps"]
    assert list(values) == [400.0, 480.0] and list(edges) == [0.0, 25.0, 100.0]
    assert list(drawn["constant"]) == [460.0, 460.0]
    assert drawn["title"] == "Schedule in 2 phases: time_s -1.00% against the best constant configuration"
    assert matplotlib.image.imread(path).shape[2] in (3, 4)


def test_no_figure_without_a_schedule_or_a_best_run(tmp_path):
    assert schedule_png(fake_data(schedule=False), tmp_path / "a.png") is None
    assert schedule_png(fake_data(best=False), tmp_path / "b.png") is None
    assert not list(tmp_path.iterdir())


def test_the_summary_lines_set_each_headline_output_beside_the_constant():
    # 99 s against the constant 100 s: −1%; the constant's batch is a design value, not a line
    assert schedule_lines(fake_data()) == [f"- time_s: {human(99.0, 's')} (constant {human(100.0, 's')}, -1.00%)"]
    assert schedule_lines(fake_data(schedule=False)) == []
