"""The options every command shares: --param parsing into the spec's [model] table, and JSON."""

import argparse
import json

import numpy as np
import pytest

from explorer import ExplorerError
from explorer.cli.common import add_model_arguments, model_overrides, print_json
from explorer.spec import with_model


def _args(*argv):
    parser = argparse.ArgumentParser()
    add_model_arguments(parser)
    return parser.parse_args(list(argv))


def test_overrides_merge_into_the_model_table():
    overrides = model_overrides(_args("--hardware", "b200", "--param", "pue = 1.3", "--param", "t_max=60days"))
    assert overrides == {"hardware": "b200", "params": {"pue": "1.3", "t_max": "60days"}}
    raw = {"model": {"name": "llm_training", "hardware": "h100-sxm", "params": {"pue": 1.1, "usd_per_kwh": 0.1}}}
    merged = with_model(raw, overrides)
    assert merged["model"] == {"name": "llm_training", "hardware": "b200",
                               "params": {"pue": "1.3", "usd_per_kwh": 0.1, "t_max": "60days"}}
    assert raw["model"]["hardware"] == "h100-sxm"  # the caller's dict is not changed
    assert with_model(raw, {}) is raw


def test_a_param_without_a_value_is_one_line():
    with pytest.raises(ExplorerError, match="--param 'pue' is not KEY=VALUE"):
        model_overrides(_args("--param", "pue"))


def test_json_turns_numpy_and_non_finite_values_into_plain_json(capsys):
    print_json({"n": np.int64(3), "x": np.float32(0.5), "bad": float("nan"), "inf": np.inf, "ok": [True, None]})
    assert json.loads(capsys.readouterr().out) == {"n": 3, "x": 0.5, "bad": None, "inf": None, "ok": [True, None]}
