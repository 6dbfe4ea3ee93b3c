"""Elasticities ∂ln f/∂ln p: a closed form, finite differences, and the compute-bound limit."""

import math

import numpy as np
import pytest

import explorer
from explorer import Model, Output, Param, Variable
from explorer.cli.main import main
from explorer.sensitivity import elasticities


def _power_law(design, p):
    return {"f": p["a"] * design["x"] ** 2 * p["k"] ** 3 / p["c"], "g": p["a"] + p["c"]}


POWER_LAW = Model(
    name="test_power_law", version="1", fn=_power_law, design=(Variable("x", "1", 2.0, (0.1, 10.0), "linear"),),
    params=(Param("a", "1", 2.0), Param("k", "1", 1.5), Param("c", "1", 4.0)),
    outputs=(Output("f", "1", "min"), Output("g", "1", "min")))


def test_a_power_law_has_its_exponents_as_elasticities():
    e = elasticities({"x": 3.0}, POWER_LAW)
    assert e.at["a", "f"] == pytest.approx(1.0, abs=1e-12)
    assert e.at["k", "f"] == pytest.approx(3.0, abs=1e-12)
    assert e.at["c", "f"] == pytest.approx(-1.0, abs=1e-12)
    # g = a + c: elasticity a/(a + c) = 2/6 and c/(a + c) = 4/6, worked by hand
    assert e.at["a", "g"] == pytest.approx(1 / 3, rel=1e-12) and e.at["c", "g"] == pytest.approx(2 / 3, rel=1e-12)
    assert list(e.index) == ["k", "a", "c"]  # ranked by the largest |elasticity|


@pytest.mark.parametrize("name", ["peak_flops", "pue", "mem_bandwidth", "host_power", "usd_per_kwh", "c_eff"])
def test_llm_training_elasticities_equal_central_finite_differences(name):
    design = {"nu": 1.6e9, "n_parallel": 2048, "batch": 1024}
    params = {"hardware": "h100-sxm", "workload": "llama3.1-70b"}
    e = elasticities(design, params=params, outputs=["time_s", "energy_j", "cost_usd"])
    value = explorer.evaluate(design, params=params).attrs["params"][name]
    h = 1e-4
    with __import__("jax").enable_x64(True):
        up, down = (explorer.evaluate(design, params={**params, name: value * math.exp(s * h)}) for s in (1, -1))
    for output in ("time_s", "energy_j", "cost_usd"):
        finite = (math.log(up[output].iloc[0]) - math.log(down[output].iloc[0])) / (2 * h)
        assert e.at[name, output] == pytest.approx(finite, abs=2e-4), output


def test_time_falls_as_one_over_peak_flops_when_compute_bound():
    design = {"nu": 1.83e9, "n_parallel": 1024, "batch": 2048}
    fast_links = {"hardware": "h100-sxm", "workload": "llama3.1-70b", "mem_bandwidth": 3.35e15,
                  "nvlink_bandwidth": 4.5e14, "scaleout_bandwidth": 5e13}  # memory and links 1,000× faster
    assert elasticities(design, params=fast_links, outputs=["time_s"]).at["peak_flops", "time_s"] == \
        pytest.approx(-1.0, abs=0.01)
    shipped = elasticities(design, params={"hardware": "h100-sxm"}, outputs=["time_s"]).at["peak_flops", "time_s"]
    assert -1.0 < shipped < -0.5  # with the shipped bandwidths, part of the step is not compute


def test_cli_ranks_and_refuses_several_values(capsys):
    assert main(["sensitivity", "nu=1.5GHz", "n_parallel=4096", "--outputs", "time_s", "--top", "3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("elasticities") and "nu = 1.5 GHz" in out[0] and "4,096 devices" in out[0]
    values = [abs(float(line.split()[1])) for line in out[2:5]]
    assert len(values) == 3 and values == sorted(values, reverse=True)
    assert main(["sensitivity", "nu=1.5GHz,1.8GHz"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "one value" in err
    assert np.isfinite(values).all()
