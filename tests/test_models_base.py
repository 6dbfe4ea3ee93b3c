"""The model registry: shipped models, user-registered models, clear errors."""

import jax.numpy as jnp
import pytest

import explorer
from explorer import ExplorerError, Model, Output, Param, Variable


def test_shipped_models_are_registered():
    assert {"llm_training", "seed000", "seed003", "seed004"} <= set(explorer.available_models())
    assert explorer.get_model("llm_training").preset_kinds == ("hardware", "workload")


def test_user_model_works_with_evaluate():
    def quadratic(design, params):
        return {"cost": params["scale"] * (design["x"] - 2.0) ** 2, "margin": design["x"] - 3.0}

    model = Model(name="user_quadratic", version="1", fn=quadratic,
                  design=(Variable("x", "1", 1.0, (0.1, 10.0), "linear"),),
                  params=(Param("scale", "1", 3.0),),
                  outputs=(Output("cost", "1", "min"), Output("margin", "1", None, "margin")))
    explorer.register(model, replace=True)
    df = explorer.evaluate({"x": [1.0, 2.0, 4.0]}, model="user_quadratic", params={"scale": 2.0})
    assert list(df.cost) == [2.0, 0.0, 8.0]
    assert list(df.margin) == [-2.0, -1.0, 1.0]
    assert explorer.get_model("user_quadratic").margins == ("margin",)


def test_registering_twice_or_with_clashing_names_fails():
    model = explorer.get_model("seed000")
    with pytest.raises(ExplorerError, match="already registered"):
        explorer.register(model)
    clash = Model(name="clash", version="1", fn=lambda d, p: {"y": d["x"]},
                  design=(Variable("x", "1", 1.0, (0, 1)),), params=(Param("x", "1", 1.0),),
                  outputs=(Output("y", "1", "min"),))
    with pytest.raises(ExplorerError, match="uses these names twice: x"):
        explorer.register(clash)


def test_unknown_model_and_names_give_one_line():
    with pytest.raises(ExplorerError, match="unknown model: 'nope'") as err:
        explorer.get_model("nope")
    assert "\n" not in str(err.value)
    with pytest.raises(ExplorerError, match="unknown output of model 'seed000': 'speed'"):
        explorer.get_model("seed000").output("speed")


def test_register_rejects_non_models():
    with pytest.raises(TypeError):
        explorer.register(lambda d, p: {"y": jnp.zeros(())})
