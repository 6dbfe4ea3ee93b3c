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
