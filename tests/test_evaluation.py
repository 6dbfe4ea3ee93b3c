"""evaluate(): defaults, broadcasting, DataFrames, unit strings, feasibility, preset selection
and bad input."""

import numpy as np
import pandas as pd
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
    ({"nu": "1.5 GW"}, None, "unit 'GW' in '1.5 GW' does not convert to 'Hz'"),
    ({"nu": ["1.5 GHz", "fast"]}, None, "'fast' is not a number"),
])
def test_bad_input_is_one_clear_error(design, params, message):
    with pytest.raises(ExplorerError, match=message) as err:
        explorer.evaluate(design, params=params)
    assert "\n" not in str(err.value)


def test_unit_strings_equal_si_numbers():
    by_text = explorer.evaluate({"nu": "1.5 GHz", "n_parallel": ["8k", "16,384"], "batch": "1,024"})
    by_number = explorer.evaluate({"nu": 1.5e9, "n_parallel": [8000, 16384], "batch": 1024})
    pd.testing.assert_frame_equal(by_text, by_number)


def test_a_dataframe_is_evaluated_row_by_row_with_its_index():
    rows = pd.DataFrame({"nu": [1.2e9, 1.8e9], "n_parallel": [4096, 8192], "time_s": [0.0, 0.0]}, index=[7, 9])
    df = explorer.evaluate(rows)  # time_s, an output, is not an input: ignored
    assert list(df.index) == [7, 9]
    one = explorer.evaluate({"nu": 1.8e9, "n_parallel": 8192})
    assert df.loc[9, "time_s"] == one.time_s[0] and df.loc[9, "time_s"] != 0.0


def test_feasible_column_is_every_margin_met():
    df = explorer.evaluate({"n_parallel": [8, 1024, 65536]})
    margins = [c for c in df.columns if c.endswith("_margin")]
    assert margins and (df.feasible == (df[margins] <= 0).all(axis=1)).all()
    assert not df.feasible[0]  # 70B parameters and their optimiser state do not fit in 8 GPUs' memory


def test_counts_are_integers():
    df = explorer.evaluate({"batch": [512, 1024]})
    assert df.batch.dtype == np.int64 and df.n_parallel.dtype == np.int64


def test_a_value_far_outside_its_range_warns_with_the_likely_unit(capsys):
    explorer.evaluate({"nu": 1.5})
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nu = 1.5 Hz is far outside its usual range 200 MHz to 2.2 GHz" in err
    assert "did you mean '1.5 GHz'?" in err
    explorer.evaluate({"nu": 1.5e9})
    assert capsys.readouterr().err == ""


def test_the_usual_range_includes_the_presets_own_default(capsys):
    # h100-x1000 scales power by 1/1000 (TDP 0.7 W): a 0.5 W limit is normal for it, a typo for an A100
    explorer.evaluate({"power_limit": 0.5}, params="h100-x1000")
    assert capsys.readouterr().err == ""
    explorer.evaluate({"power_limit": 0.5}, params="a100-sxm-80gb")
    assert "power_limit = 0.5 W is far outside its usual range 50 W to 1.5 kW" in capsys.readouterr().err


def test_a_new_number_of_rows_reuses_the_compiled_program():
    import jax

    from explorer.evaluation import size_bucket

    assert [size_bucket(n) for n in (1, 2, 3, 4, 5, 1000, 1024, 1025)] == [1, 2, 4, 4, 8, 1024, 1024, 2048]
    explorer.evaluate({"nu": np.linspace(1.0e9, 1.9e9, 5)})  # 5 rows: traced and compiled for 8
    traced = []
    jax.monitoring.register_event_duration_secs_listener(
        lambda event, _seconds, **_: traced.append(event) if event.endswith("jaxpr_trace_duration") else None)
    six = explorer.evaluate({"nu": np.linspace(1.0e9, 1.9e9, 6)})
    seven = explorer.evaluate({"nu": np.linspace(1.0e9, 1.9e9, 7)})
    assert traced == []  # a new shape would be traced again
    assert len(six) == 6 and len(seven) == 7  # the padded rows never leak into the answer
    np.testing.assert_allclose(seven.time_s.iloc[-1], explorer.evaluate({"nu": 1.9e9}).time_s.iloc[0], rtol=1e-6)
