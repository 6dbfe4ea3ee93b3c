"""explorer bench: its table is self-consistent (speed itself is measured, never asserted)."""

import json
import re

import pytest

from explorer.cli.main import main


def _number(text):
    return float(re.search(r"([0-9][0-9,]*\.?[0-9]*)", text).group(1).replace(",", ""))


@pytest.mark.xdist_group("bench_optimizer")  # shares its optimiser program with test_optimizer's 4-D test
def test_quick_bench_prints_consistent_numbers(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["bench", "--quick", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)  # one JSON document on stdout, nothing else
    assert document["bench"] == "explorer bench --quick"
    rows = document["rows"]
    assert list(tmp_path.iterdir()) == []  # the bench writes no result file
    jax_rate = _number(rows["llm_training sweep + streaming frontier"])
    numpy_rate = _number(rows["same model, plain NumPy"])
    # the printed ratio is the quotient of the two printed rates (rounded to one decimal)
    assert _number(rows["JAX engine / NumPy"]) == pytest.approx(jax_rate / numpy_rate, abs=0.051)
    # the streaming archive and moocore agree on the front's size
    one_shot = re.search(r"\(([0-9,]+) on front\)", rows["Pareto: moocore one-shot"]).group(1)
    streamed = re.search(r"\(([0-9,]+) on front\)", rows["Pareto: streaming archive"]).group(1)
    assert one_shot == streamed
    for kind in ("random", "sobol"):  # each sampler beside NumPy on the same points: the quotient again
        rate = _number(rows[f"{kind} sampler + streaming frontier"])
        ratio, numpy_rate = re.search(r"([0-9.]+)x \(NumPy ([0-9,]+)/s", rows[f"{kind}: JAX engine / NumPy on the "
                                                                              f"same points"]).groups()
        assert float(ratio) == pytest.approx(rate / float(numpy_rate.replace(",", "")), abs=0.051)
