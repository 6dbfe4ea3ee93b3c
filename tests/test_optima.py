"""The seeds' optima report: closed forms recovered by the optimiser, B* explained."""

import math

import pytest

from explorer.cli.main import main
from explorer.optima import seed000_params, seed_optima
from explorer.presets import load_preset


pytestmark = pytest.mark.xdist_group("optima")  # one worker: one compiled optimiser for every preset


@pytest.fixture(scope="module")
def table():
    return seed_optima("h100-sxm").set_index("quantity")


def row(table, prefix):
    return table[table.index.str.startswith(prefix)].iloc[0]


def test_seed000_constants_come_from_the_preset():
    hw = load_preset("hardware", "h100-sxm").values
    p = seed000_params("h100-sxm")
    # E_FLOP(ν_nominal) = C_eff·V²·ν/peak, V on the parabola from the knee: worked from the preset's values
    u = (hw["nu_nominal"] - hw["nu_knee"]) / (hw["nu_max"] - hw["nu_knee"])
    volts = hw["v_min"] + (hw["v_max"] - hw["v_min"]) * u**2
    e_flop = hw["c_eff"] * volts**2 * hw["nu_nominal"] / hw["peak_flops"]
    assert 0.2e-12 < e_flop < 2e-12  # sub-picojoule class per bf16 FLOP on a 4 nm part
    assert p["alpha"] * hw["nu_nominal"] ** 2 == pytest.approx(e_flop, rel=1e-9, abs=0)
    assert math.sqrt(p["thermal_limit"] / p["alpha"]) == pytest.approx(hw["nu_max"], rel=1e-12)


def test_closed_forms_recovered(table):
    for prefix in ("ν₀_efficient", "T_opt", "speed point (§6.3): ν₀", "speed point (§6.3): B"):
        r = row(table, prefix)
        assert abs(r.relative_error) <= 1e-6, prefix
    # worked by hand: √(k_B·308.15·ln2 / α) with α = e_flop/ν_nom²
    alpha = seed000_params("h100-sxm")["alpha"]
    assert row(table, "ν₀_efficient").closed_form == pytest.approx(
        math.sqrt(1.380649e-23 * 308.15 * math.log(2) / alpha), rel=1e-12)


def test_seed004_b_star_is_not_the_optimum(table):
    r = row(table, "seed 004")
    assert r.closed_form == pytest.approx((0.3 * 0.8 * 1e6 / 1e6) ** (1 / (0.8 - 0.3)), rel=1e-12)  # 0.0576
    assert r.optimiser == pytest.approx(4096.0, rel=1e-6)  # the kink at B_max
    assert "kink" in r.note


def test_cli_prints_the_report(capsys):
    assert main(["optima", "--hardware", "a100-sxm-80gb"]) == 0
    out = capsys.readouterr().out
    assert "a100-sxm-80gb" in out and "ν₀_efficient" in out and "relative error" in out
