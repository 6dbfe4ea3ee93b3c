"""Presets: the required devices and workloads ship, every value has a source,
derived values follow their stated derivation, and data/hardware.csv is current."""

import pathlib

import pytest

from explorer import get_model, load_preset, preset_names
from explorer.cli.presets import table

ROOT = pathlib.Path(__file__).resolve().parents[1]
MODEL = get_model("llm_training")
REAL_DEVICES = ["v100-sxm2-32gb", "a100-sxm-80gb", "h100-sxm", "h200", "b200"]


def test_required_presets_ship():
    assert set(REAL_DEVICES + ["h100-x1000"]) <= set(preset_names("hardware"))
    assert {"chinchilla-70b", "llama3.1-8b", "llama3.1-70b", "llama3.1-405b", "gpt3-175b"} <= set(
        preset_names("workload"))


@pytest.mark.parametrize("kind", ["hardware", "workload"])
def test_every_value_has_a_source_and_the_model_unit(kind):
    for name in preset_names(kind):
        for key, entry in load_preset(kind, name).entries.items():
            assert entry.source.strip(), (name, key)
            assert entry.unit == MODEL.param(key).unit, (name, key)
            if "estimate" in entry.source or "calibration" in entry.source:
                assert entry.note.strip(), f"{name}.{key}: an estimated value must say how it was derived"


@pytest.mark.parametrize("name", REAL_DEVICES + ["h100-x1000"])
def test_derived_hardware_values_follow_their_derivation(name):
    p = load_preset("hardware", name).values
    # dense GEMMs at the nominal clock draw exactly the TDP: board + leakage·V/V_max + C_eff·V²·ν
    u = max(0.0, (p["nu_nominal"] - p["nu_knee"]) / (p["nu_max"] - p["nu_knee"]))
    volts = p["v_min"] + (p["v_max"] - p["v_min"]) * u ** p["vf_exponent"]
    gemm_power = p["p_board"] + p["p_leak"] * volts / p["v_max"] + p["c_eff"] * volts**2 * p["nu_nominal"]
    assert gemm_power == pytest.approx(p["tdp"], rel=1e-9)
    assert p["r_thermal"] == pytest.approx((p["t_junction_max"] - p["t_ambient"]) / p["tdp"], rel=1e-9)


@pytest.mark.parametrize("name", REAL_DEVICES)
def test_hardware_values_are_physical(name):
    p = load_preset("hardware", name).values
    # dynamic energy per bf16 FLOP at the nominal clock: 0.2-3 pJ on 12-4 nm GPUs
    u = max(0.0, (p["nu_nominal"] - p["nu_knee"]) / (p["nu_max"] - p["nu_knee"]))
    volts = p["v_min"] + (p["v_max"] - p["v_min"]) * u ** p["vf_exponent"]
    assert 0.2e-12 < p["c_eff"] * volts**2 * p["nu_nominal"] / p["peak_flops"] < 3e-12
    assert p["nu_min"] < p["nu_knee"] < p["nu_max"] and p["nu_nominal"] <= p["nu_max"]
    assert 0.6 < p["v_min"] < p["v_max"] <= 1.1
    assert p["p_board"] + p["p_leak"] < 0.5 * p["tdp"]
    assert p["scaleout_bandwidth"] < p["nvlink_bandwidth"]


def test_hypothetical_device_is_1000x_more_efficient():
    h100, x1000 = load_preset("hardware", "h100-sxm").values, load_preset("hardware", "h100-x1000").values
    for key in ("c_eff", "p_board", "p_leak", "e_mem_byte", "e_link_byte", "e_nvlink_byte", "tdp", "host_power"):
        assert x1000[key] == pytest.approx(h100[key] / 1000, rel=1e-9, abs=0), key
    assert x1000["peak_flops"] == h100["peak_flops"]


def test_peak_flops_equal_units_times_clock():
    # peak = SMs × FLOP per clock per SM × clock (architecture whitepapers)
    assert load_preset("hardware", "v100-sxm2-32gb").values["peak_flops"] == pytest.approx(80 * 1024 * 1.53e9, rel=0.01)
    assert load_preset("hardware", "a100-sxm-80gb").values["peak_flops"] == pytest.approx(108 * 2048 * 1.41e9, rel=0.01)
    assert load_preset("hardware", "h100-sxm").values["peak_flops"] == pytest.approx(132 * 4096 * 1.83e9, rel=0.01)


def test_data_tables_are_current():
    assert (ROOT / "data" / "hardware.csv").read_text() == table("hardware")
    assert (ROOT / "data" / "workloads.csv").read_text() == table("workload")
