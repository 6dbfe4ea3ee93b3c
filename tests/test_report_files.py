"""explorer report: files, images, an offline page that renders and responds in a real browser."""

import json
import os
import re
import shutil

import numpy as np
import pandas as pd
import pytest

import explorer
from explorer import ExplorerError, io
from explorer.report_files import ReportData, report
from references import traced_front_problem

AXES = {"nu": {"low": "1.0 GHz", "high": "1.98 GHz", "count": 5},
        "batch": {"low": 512, "high": 8192, "scale": "log", "count": 5},
        "temperature": {"values": [0.002, 0.004, 0.008]},
        "n_parallel": {"low": 1024, "high": 16384, "scale": "log", "count": 5}}
MODEL = {"name": "llm_training", "hardware": "h100-sxm", "workload": "llama3.1-70b"}


@pytest.fixture(scope="module")
def sweep_report(tmp_path_factory):
    root = tmp_path_factory.mktemp("sweep")
    spec = {"model": MODEL, "axes": AXES,
            "objectives": {"time_s": "min", "energy_j": "min", "final_loss": "min"},
            "output": {"path": str(root / "front.parquet"), "chunk_size": 256}}
    result = explorer.sweep(spec, progress=False)
    return result, report(result.path, root / "report")


@pytest.fixture(scope="module")
def optimize_report(tmp_path_factory):
    from explorer.optimizer import optimize

    root = tmp_path_factory.mktemp("opt")
    spec = traced_front_problem(root / "runs.parquet")
    spec["output"]["mode"] = "all"  # every run, as the convergence figure needs
    frame = optimize(spec)
    return frame, report(root / "runs.parquet", root / "report")


def _png_shape(path):
    import matplotlib.image

    return matplotlib.image.imread(path).shape


def test_sweep_report_writes_every_file(sweep_report):
    result, files = sweep_report
    assert set(files) == {"frontier_time_s_vs_energy_j.png", "frontier_time_s_vs_final_loss.png",
                          "frontier_energy_j_vs_final_loss.png", "frontier_time_s_vs_energy_j_by_final_loss.png",
                          "design_along_front.png", "sensitivity_tornado.png", "index.html", "summary.md"}
    for name, path in files.items():
        assert path.stat().st_size > 0
        if name.endswith(".png"):
            height, width, _ = _png_shape(path)
            assert height >= 400 and width >= 600
    summary = files["summary.md"].read_text()
    assert "speed-optimised" in summary and "knee" in summary and f"{len(result.frame):,}" in summary
    assert "> Pareto-optimal for time_s, energy_j, final_loss only" in summary  # what the front can answer
    assert "_Model error on h100-sxm: ±" in summary  # the preset's calibrated leave-one-out band
    # the ranked recommendations: ranked by cost, the first the front's cheapest (in $M, as headed)
    table = [line for line in summary.splitlines() if re.match(r"\| \d+ \|", line)]
    assert "## Recommended configurations (ranked by cost_usd)" in summary and 4 <= len(table) <= 5
    heading = next(line for line in summary.splitlines() if line.startswith("| rank |")).split(" | ")
    cost = [float(line.split(" | ")[heading.index("cost_usd [$M]")]) for line in table]
    assert cost == sorted(cost) and "cheapest on this front" in table[0]
    assert cost[0] == pytest.approx(result.frame.cost_usd.min() / 1e6, rel=6e-4)


def _page_data(path):
    text = path.read_text()
    match = re.search(r'<script id="front-data" type="application/json">(.*?)</script>', text, re.S)
    return text, json.loads(match.group(1).replace("<\\/", "</"))


def test_page_holds_every_front_point_and_no_external_url(sweep_report):
    result, files = sweep_report
    text, data = _page_data(files["index.html"])
    assert len(data["values"]["time_s"]) == len(result.frame)  # below MAX_POINTS: every point
    # values in planner units, named in "units": GWh are 3.6e12 J, GHz 1e9 Hz, days 86,400 s
    assert (data["units"]["energy_j"], data["units"]["nu"], data["units"]["time_s"]) == ("GWh", "GHz", "days")
    np.testing.assert_allclose(sorted(data["values"]["energy_j"]), sorted(result.frame.energy_j / 3.6e12), rtol=1e-6)
    np.testing.assert_allclose(sorted(data["values"]["time_s"]), sorted(result.frame.time_s / 86400.0), rtol=1e-6)
    markup = re.sub(r"<script[^>]*>.*?</script>", "<script></script>", text, flags=re.S)  # library code aside
    assert not re.search(r"https?://", markup)  # the page's own markup names no external resource
    assert "<script src" not in text and "<link" not in text  # everything is inline
    assert "Plotly" in text
    assert set(data["points"]) == {"speed", "efficiency", "quality", "knee"}


@pytest.mark.xdist_group("traced_front")  # the optimiser program of test_optimizer's traced-front test
def test_optimiser_report_has_convergence(optimize_report):
    frame, files = optimize_report
    assert "convergence.png" in files and _png_shape(files["convergence.png"])[0] >= 400
    _, data = _page_data(files["index.html"])
    assert len(data["values"]["time_s"]) == int((frame.feasible & frame.on_front).sum())


def test_large_fronts_are_sampled_and_say_so(tmp_path):
    n = 12000
    rng = np.random.default_rng(0)
    t = rng.uniform(1.0, 100.0, n)
    frame = pd.DataFrame({"nu": rng.uniform(1e9, 2e9, n), "time_s": t, "energy_j": 1000.0 / t})
    io.write(frame, tmp_path / "big.parquet", {"model": "custom", "units": {"nu": "Hz", "time_s": "s", "energy_j": "J"},
                                              "objectives": [{"name": "time_s", "maximize": False},
                                                             {"name": "energy_j", "maximize": False}]})
    files = report(tmp_path / "big.parquet", tmp_path / "r")
    text, data = _page_data(files["index.html"])
    assert len(data["values"]["time_s"]) <= 5000 and "evenly spaced sample of" in text


@pytest.mark.parametrize("frame,meta,message", [
    (pd.DataFrame({"a": [1.0]}), None, "is not an explorer output"),
    (pd.DataFrame({"time_s": [1.0]}), {"units": {}, "objectives": [{"name": "energy_j", "maximize": False}]},
     "lacks the objective column 'energy_j'"),
])
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, capsys, frame, meta, message):
    path = tmp_path / "in.parquet"
    if meta is None:
        frame.to_parquet(path)
    else:
        io.write(frame, path, meta)
    with pytest.raises(ExplorerError, match=message):
        report(path, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    from explorer.cli.main import main

    assert main(["report", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and not (tmp_path / "out").exists()


def test_report_out_that_is_a_file_is_one_line(sweep_report, tmp_path, capsys):
    from explorer.cli.main import main

    result, _ = sweep_report
    target = tmp_path / "taken"
    target.write_text("mine")
    assert main(["report", str(result.path), "--out", str(target)]) == 2
    err = capsys.readouterr().err
    assert "is a file; give a folder with --out" in err and err.count("\n") == 1
    assert target.read_text() == "mine"


def _chromium():
    """Debian's chromium, or a skip with the reason printed in the summary. ``.ci/run`` sets
    EXPLORER_REQUIRE_BROWSER=1, which turns the skip into a failure, so CI always runs it."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        message = "the browser test needs chromium: install chromium to run it (apt-get install chromium)"
        if os.environ.get("EXPLORER_REQUIRE_BROWSER") == "1":
            pytest.fail(message + "; EXPLORER_REQUIRE_BROWSER=1 makes it mandatory")
        pytest.skip(message)
    return path


def test_page_renders_and_responds_in_a_real_browser_offline(sweep_report, tmp_path):
    from playwright.sync_api import sync_playwright

    result, files = sweep_report
    page_path = files["index.html"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=_chromium(), args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        context = browser.new_context(viewport={"width": 1300, "height": 1100})
        requested = []

        def network_off(route):
            requested.append(route.request.url)
            if route.request.url.startswith("file:"):
                route.continue_()
            else:
                route.abort()

        context.route("**/*", network_off)
        page = context.new_page()
        page.goto(page_path.as_uri())
        points = page.locator("#plot .scatterlayer .trace").first.locator("path.point")
        points.first.wait_for(timeout=20000)
        assert points.count() == len(result.frame)  # every front point is drawn
        rows_marked = len(set(_page_data(page_path)[1]["points"].values()))  # coinciding points: one marker
        assert page.locator("#plot .scatterlayer .trace").count() == 1 + rows_marked  # front + operating points
        assert page.locator(".xtitle").text_content() == "time_s [days]"  # planner units on the axes

        page.select_option("#x-axis", "nu")  # switching an axis redraws the plot
        page.wait_for_function("document.querySelector('.xtitle').textContent === 'nu [GHz]'", timeout=10000)
        assert page.locator(".xtitle").text_content() == "nu [GHz]"

        box = points.nth(len(result.frame) // 2).bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        hover = page.locator(".hoverlayer .hovertext")
        hover.first.wait_for(timeout=10000)
        text = hover.first.text_content()
        assert "nu =" in text and "GHz" in text and "n_parallel =" in text and "energy_j =" in text
        assert not re.search(r"\de[+-]?\d", text)  # no raw scientific notation (1.2e+07)
        days = float(re.search(r"time_s = ([0-9.,]+) days", text).group(1).replace(",", ""))
        # the hovered value is one of the front's times, in days, to the 4 digits shown
        assert np.min(np.abs(result.frame.time_s.to_numpy() / 86400.0 / days - 1.0)) < 6e-4
        assert "cost_usd" not in text and "power_w" not in text  # compact: the design and the objectives only
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # a click shows every column
        page.locator("#details-table").wait_for(timeout=10000)
        assert "cost_usd [$M]" in page.locator("#details-table").text_content()

        # a filter on time shrinks the plot and the table; the CSV holds exactly the matching rows
        page.select_option("#x-axis", "time_s")
        times = np.sort(result.frame.time_s.to_numpy() / 86400.0)
        cut = 0.5 * (times[len(times) // 3] + times[len(times) // 3 + 1])  # between two rows, no tie
        expected = int((times <= cut).sum())
        page.fill("#filter-time_s-max", f"{cut:.6f}")
        page.wait_for_function(f"document.querySelectorAll('#plot .scatterlayer .trace:first-child path.point')"
                               f".length === {expected}", timeout=10000)
        assert page.locator("#matching tbody tr").count() == min(expected, 100)
        heads = page.locator("#matching thead th").all_text_contents()
        devices = page.locator(f"#matching tbody tr td:nth-child({heads.index('n_parallel [devices]') + 1})")
        counts = {int(t.replace(",", "")) for t in devices.all_text_contents()}
        assert counts <= set(result.frame.n_parallel.tolist())  # counts written whole, never rounded
        assert f"{expected:,} of {len(times):,} configurations match" in page.locator("#match-count").text_content()
        with page.expect_download() as download:
            page.click("#download")
        csv = pd.read_csv(download.value.path())
        assert len(csv) == expected and "time_s [days]" in csv.columns and "energy_j [GWh]" in csv.columns
        np.testing.assert_allclose(np.sort(csv["time_s [days]"]), times[times <= cut], rtol=1e-6)
        page.screenshot(path=str(tmp_path / "report.png"), full_page=False)
        browser.close()
    assert all(url.startswith("file:") for url in requested)
    assert (tmp_path / "report.png").stat().st_size > 10000


def test_optimiser_report_says_what_the_active_constraint_costs(tmp_path):
    # seed 004's energy optimum sits on its loss constraint: 0.4328 × 6.953 MWh per unit of
    # margin (tests/test_shadow_prices.py), 30.09 kWh per 1% more room
    explorer.optimize({"model": {"name": "seed004"}, "axes": {"batch": {"low": 16, "high": 8192, "scale": "log"}},
                       "objectives": {"energy_j": "min"}, "constraints": {"margins": "all"},
                       "optimize": {"starts": 4}, "output": {"path": str(tmp_path / "o.parquet")}})
    files = report(tmp_path / "o.parquet")
    sentence = "loss_margin: 1% more room saves 30.09 kWh of energy_j"
    assert f"- {sentence}" in files["summary.md"].read_text()
    assert sentence in files["index.html"].read_text()


def test_tornado_ranks_what_the_optimum_hinges_on(tmp_path):
    # at seed 004's optimum the energy's elasticity to the data set's size is (β − γ)/β = −0.6
    # (the optimum moves along its loss constraint); parameters with no effect are left out
    from explorer.report_tornado import tornado_rows

    explorer.optimize({"model": {"name": "seed004"}, "axes": {"batch": {"low": 16, "high": 8192, "scale": "log"}},
                       "objectives": {"energy_j": "min"}, "constraints": {"margins": "all"},
                       "optimize": {"starts": 4}, "output": {"path": str(tmp_path / "o.parquet")}})
    files = report(tmp_path / "o.parquet")
    assert _png_shape(files["sensitivity_tornado.png"])[0] >= 300

    label, frame = tornado_rows(ReportData(tmp_path / "o.parquet"))
    assert "optimum" in label
    assert frame.at["tokens", "energy_j"] == pytest.approx(-0.6, rel=0.02)
    assert (frame.energy_j.abs() > 0).all() and len(frame) <= 10


def test_one_configuration_shows_what_its_spec_left_free_first(tmp_path):
    # a 4-phase schedule of batch and clock: its one best run shows the 8 per-phase values,
    # not the shared inputs that come first in the model's order
    spec = {"model": {"name": "llm_training"}, "objectives": {"time_s": "min"},
            "axes": {"batch": {"low": 64, "high": 16384, "scale": "log"}, "nu": {"low": 6e8, "high": 1.98e9}},
            "schedule": {"phases": 4, "vary": ["batch", "nu"], "shares": "equal"}}
    free = [f"{n}_{k}" for n in ("batch", "nu") for k in range(1, 5)]
    frame = pd.DataFrame({**{c: [1e9 if c.startswith("nu") else 512.0] for c in free},
                          "power_limit": [700.0], "temperature": [0.004], "n_parallel": [4096.0], "time_s": [2.7e6]})
    units = {**{c: "Hz" if c.startswith("nu") else "sequences" for c in free}, "power_limit": "W",
             "temperature": "nats", "n_parallel": "devices", "time_s": "s"}
    io.write(frame, tmp_path / "s.parquet", {"model": "llm_training", "units": units, "spec": spec,
                                             "objectives": [{"name": "time_s", "maximize": False}]})
    design = ReportData(tmp_path / "s.parquet").design
    assert len(design) == 8 and set(design) == set(free)
