"""The resolved problem: structure hashed on every field, values apart, hand-worked constraints."""

import copy
import dataclasses

import jax.numpy as jnp
import numpy as np
import pytest

from explorer.problem import Problem, Structure
from explorer.spec import parse_spec

SPEC = {
    "model": {"name": "llm_training", "hardware": "h100-sxm", "workload": "llama3.1-70b"},
    "axes": {"nu": {"low": 1e9, "high": 1.9e9, "count": 4}, "pue": {"low": 1.05, "high": 1.5, "count": 2}},
    "objectives": {"time_s": "min", "tokens_per_s": "max"},
    "constraints": {"margins": ["memory_margin"], "bounds": ["time_s <= 90 days", "mfu >= 0.3"]},
}


def problem(**changes):
    raw = copy.deepcopy(SPEC)
    for key, value in changes.items():
        raw[key] = value
    return Problem.from_spec(parse_spec(raw))


def test_free_and_fixed_inputs():
    p = problem()
    s = p.structure
    assert s.free_names == ("nu", "pue")
    assert "pue" not in s.fixed and "nu" not in s.fixed
    assert {"batch", "temperature", "n_parallel", "power_limit", "tdp"} <= set(s.fixed)
    assert p.fixed["batch"] == 2048.0 and p.fixed["power_limit"] == 700.0  # the recipe's defaults
    assert s.signs.tolist() == [1.0, -1.0]
    assert p.bound_values == (90 * 86400.0, 0.3)
    assert p.constraint_names == ("memory_margin", "time_s <= 7.776e+06", "mfu >= 0.3")
    assert p.units["nu"] == "Hz" and p.units["pue"] == "1" and p.units["time_s"] == "s"


def test_structure_is_hashed_on_every_field_and_not_on_values():
    a, b = problem().structure, problem().structure
    assert a == b and hash(a) == hash(b)
    # other numbers (a bound's value, a parameter override) keep the structure
    other_values = problem(constraints={"margins": ["memory_margin"], "bounds": ["time_s <= 30 days", "mfu >= 0.1"]})
    assert other_values.structure == a and other_values.bound_values != problem().bound_values
    # every field of the structure is part of its identity
    changes = {"dtype": "float64", "objectives": ("energy_j", "tokens_per_s"), "maximize": (False, False),
               "margins": (), "bounds": (), "choices": (("batch_law", "power"),), "fixed": a.fixed[1:],
               "free": a.free[:1], "model": object()}
    assert set(changes) == {f.name for f in dataclasses.fields(Structure)}
    for name, changed in changes.items():
        assert dataclasses.replace(a, **{name: changed}) != a, name


def test_constraint_values_and_feasibility_by_hand():
    s = problem().structure
    out = {"memory_margin": jnp.array([-0.5, 0.2]), "time_s": jnp.array([100.0, 300.0]),
           "mfu": jnp.array([0.4, 0.2]), "tokens_per_s": jnp.array([1.0, 2.0])}
    g = np.asarray(s.constraint_values(out, jnp.array([200.0, 0.3])))
    # margin as is; time (t − 200)/200; mfu (0.3 − mfu)/0.3
    np.testing.assert_allclose(g, [[-0.5, -0.5, -1 / 3], [0.2, 0.5, 1 / 3]], rtol=1e-6)
    assert np.asarray(s.feasible(out, (200.0, 0.3))).tolist() == [True, False]
    # the second point is 50% over the time bound: a slack of 1 (relative) lets it pass that one only
    assert np.asarray(s.feasible({**out, "memory_margin": jnp.array([-0.5, -0.1])}, (200.0, 0.3), slack=1.0)).tolist() \
        == [True, True]
    np.testing.assert_allclose(np.asarray(s.objective_values(out)), [[100.0, -1.0], [300.0, -2.0]])


def test_evaluate_takes_free_over_fixed_values():
    p = problem()
    s = p.structure
    fixed = p.fixed_arrays(jnp.float32)
    low = s.evaluate({"nu": jnp.float32(1.0e9), "pue": jnp.float32(1.1)}, fixed)
    high = s.evaluate({"nu": jnp.float32(1.5e9), "pue": jnp.float32(1.1)}, fixed)
    assert float(low["clock_hz"]) == pytest.approx(1.0e9) and float(high["clock_hz"]) == pytest.approx(1.5e9)
    assert float(high["time_s"]) < float(low["time_s"])


def test_for_model_fixes_every_input_and_shares_one_structure_across_presets():
    from explorer.models import get_model, resolve_params

    model = get_model("llm_training")
    a = Problem.for_model(model, resolve_params(model, {"hardware": "h100-sxm"}))
    b = Problem.for_model(model, resolve_params(model, {"hardware": "a100-sxm-80gb"}))
    assert a.structure == b.structure and a.fixed != b.fixed  # other numbers, one structure
    assert set(model.design_names) <= set(a.structure.fixed) and a.structure.free == ()
    assert a.fixed["peak_flops"] == 989.4e12 and b.fixed["peak_flops"] == 312e12
