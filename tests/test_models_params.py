"""Parameter resolution: defaults, presets, overrides and their errors."""

import pytest

from explorer import ExplorerError, get_model, resolve_params

MODEL = get_model("llm_training")


def test_presets_override_defaults_and_overrides_win():
    params = resolve_params(MODEL, {"hardware": "b200"}, {"pue": 1.4})
    assert params["peak_flops"] == 2.25e15
    assert params["pue"] == 1.4
    assert params["n_params"] == 70.6e9  # default workload llama3.1-70b


def test_errors_are_clear():
    with pytest.raises(ExplorerError, match="unknown hardware preset: 'h99'"):
        resolve_params(MODEL, {"hardware": "h99"})
    with pytest.raises(ExplorerError, match="takes no 'dataset' preset"):
        resolve_params(MODEL, {"dataset": "x"})
    with pytest.raises(ExplorerError, match="unknown parameter of model 'llm_training': 'pue2'"):
        resolve_params(MODEL, None, {"pue2": 1.0})
    with pytest.raises(ExplorerError, match="batch_law must be one of noise_scale, power"):
        resolve_params(MODEL, None, {"batch_law": "linear"})
    with pytest.raises(ExplorerError, match="pue must be a number"):
        resolve_params(MODEL, None, {"pue": "high"})


# --- domains --------------------------------------------------------------------------------------

from explorer.models.base import COUNT, FRACTION, NONNEGATIVE, POSITIVE, PUE, SHARE, SWITCH, Domain  # noqa: E402


@pytest.mark.parametrize("domain,inside,outside", [
    (POSITIVE, [1e-300, 1.0, 1e300], [0.0, -1.0, float("inf"), float("nan")]),
    (NONNEGATIVE, [0.0, 2.5], [-1e-12, float("inf")]),
    (FRACTION, [1e-9, 0.5, 1.0], [0.0, 1.0000001, -0.5]),
    (SHARE, [0.0, 1.0], [-0.01, 1.01]),
    (PUE, [1.0, 1.58], [0.99, 0.0, -1.2, float("nan")]),
    (COUNT, [1.0, 8.0, 4096.0], [0.0, 3.5, -2.0]),
    (SWITCH, [0.0, 1.0], [0.5, 2.0]),
    (Domain(high=1.0, open_low=False, open_high=True), [0.0, 0.999], [1.0]),
])
def test_domains_hold_what_they_say(domain, inside, outside):
    assert all(domain.contains(x) for x in inside)
    assert not any(domain.contains(x) for x in outside)


@pytest.mark.parametrize("model_name", ["llm_training", "seed000", "seed003", "seed004"])
def test_every_default_and_preset_value_is_in_its_domain(model_name):
    model = get_model(model_name)
    for p in model.params:
        if not p.choices:
            assert p.domain.contains(float(p.default)), p.name
    if model_name == "llm_training":
        from pathlib import Path

        import explorer.presets

        folder = Path(explorer.presets.__file__).parent
        for hardware in sorted(p.stem for p in (folder / "hardware").glob("*.toml")):
            for workload in sorted(p.stem for p in (folder / "workloads").glob("*.toml")):
                resolve_params(model, {"hardware": hardware, "workload": workload})  # raises if out of domain


@pytest.mark.parametrize("override,message", [
    ({"pue": -1.2}, "pue = -1.2 is outside its domain (finite and ≥ 1)"),
    ({"pue": float("nan")}, "pue = nan is outside its domain"),
    ({"mem_capacity": -1}, "mem_capacity = -1 B is outside its domain (finite and > 0)"),
    ({"n_params": 0}, "n_params = 0 is outside its domain"),
    ({"peak_flops": 0}, "peak_flops = 0 FLOP/s is outside its domain"),
    ({"tokens": float("inf")}, "tokens = inf tokens is outside its domain"),
    ({"gemm_efficiency": 1.2}, "gemm_efficiency = 1.2 is outside its domain (in (0, 1])"),
    ({"tp": 3.5}, "tp = 3.5 devices is outside its domain (an integer ≥ 1)"),
    ({"recompute": 3}, "recompute = 3 is outside its domain (one of 0, 1, 2)"),
    ({"host_power": -5}, "host_power = -5 W is outside its domain (finite and ≥ 0)"),
])
def test_an_override_outside_its_domain_is_one_line(override, message):
    with pytest.raises(ExplorerError) as err:
        resolve_params(get_model("llm_training"), {"hardware": "h100-sxm"}, override)
    assert message in str(err.value) and "\n" not in str(err.value)
