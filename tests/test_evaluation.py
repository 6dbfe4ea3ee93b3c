"""evaluate(): defaults, broadcasting, preset selection and bad input."""

import numpy as np
import pytest

import explorer
from explorer import ExplorerError


def test_empty_design_is_the_default_point():
    df = explorer.evaluate({})
    assert len(df) == 1
    p = explorer.load_preset("workload", "llama3.1-70b").values
    assert df.batch[0] == p["batch_ref"] and df.n_parallel[0] == p["n_parallel_ref"]
    assert df.nu[0] == explorer.load_preset("hardware", "h100-sxm").values["nu_nominal"]
    assert df.attrs["model"] == "llm_training" and df.attrs["units"]["nu"] == "Hz"


def test_arrays_broadcast_to_one_row_per_configuration():
    df = explorer.evaluate({"nu": np.array([[1.2e9], [1.5e9]]), "batch": [512.0, 1024.0, 2048.0]})
    assert len(df) == 6
    assert sorted(set(df.nu)) == [1.2e9, 1.5e9]


def test_preset_name_or_mapping_selects_params():
    by_name = explorer.evaluate({}, params="b200")
    by_map = explorer.evaluate({}, params={"hardware": "b200"})
    assert by_name.time_s[0] == by_map.time_s[0]
    assert by_name.time_s[0] < explorer.evaluate({}).time_s[0]  # B200 is faster than H100


@pytest.mark.parametrize("design,params,message", [
    ({"nuu": 1e9}, None, "unknown design variable of model 'llm_training': 'nuu'"),
    ({"nu": -1e9}, None, "nu must be a positive finite number"),
    ({"nu": float("nan")}, None, "nu must be a positive finite number"),
    ({"n_parallel": 10.5}, None, "n_parallel must be an integer"),
    ({"batch": 1024.5}, None, r"batch must be an integer \(sequences\); got 1024.5"),
    ({}, "h99", "unknown preset: 'h99'"),
    ({}, {"hardware": "tpu"}, "unknown hardware preset: 'tpu'"),
    ({"nu": [1e9, 2e9], "batch": [1.0, 2.0, 3.0]}, None, "do not broadcast"),
])
def test_bad_input_is_one_clear_error(design, params, message):
    with pytest.raises(ExplorerError, match=message) as err:
        explorer.evaluate(design, params=params)
    assert "\n" not in str(err.value)
