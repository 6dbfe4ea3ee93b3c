"""The NumPy reference: the same model source, evaluated by NumPy, equal to the JAX values."""

import pkgutil
import threading

import jax.numpy as jnp
import numpy as np
import pytest

import explorer
from explorer import kernels
from explorer.models import Model, Output, Variable, get_model, resolve_params
from explorer.models.params import split_choices
from explorer.numpy_reference import evaluate_numpy, kernel_modules, model_modules, numpy_backend


def test_every_kernel_module_is_swapped():
    on_disk = {m.name for m in pkgutil.iter_modules(kernels.__path__)}
    assert {name.rsplit(".", 1)[1] for name in kernel_modules()} == on_disk
    with numpy_backend():
        import explorer.kernels.dvfs as dvfs

        assert dvfs.jnp is np
    assert dvfs.jnp is jnp  # restored on the way out


def test_every_model_module_is_swapped():
    # a model's helpers in modules of their own (its data accounting, its phases) run on NumPy too
    from explorer import models

    on_disk = {m.name for m in pkgutil.iter_modules(models.__path__)}
    assert {name.rsplit(".", 1)[1] for name in model_modules()} == on_disk
    with numpy_backend():
        import explorer.models.llm_training_data as data

        assert data.jnp is np
    assert data.jnp is jnp


@pytest.mark.parametrize("model_name", ["llm_training", "seed000"])
def test_numpy_values_equal_the_jax_values(model_name):
    model = get_model(model_name)
    params = resolve_params(model)
    numeric, choices = split_choices(model, params)
    rng = np.random.default_rng(3)
    design = {k: v * rng.uniform(0.8, 1.2, 16) for k, v in model.design_defaults(params).items()}
    if "n_parallel" in design:
        design["n_parallel"] = np.full(16, model.design_defaults(params)["n_parallel"])
    for name in model.integers:  # whole numbers (batch in sequences)
        if name in design:
            design[name] = np.round(design[name])
    out = evaluate_numpy(model, design, {**numeric, **choices})
    reference = explorer.evaluate(design, model=model_name)
    for name in model.output_names:
        value = np.broadcast_to(np.asarray(out[name], float), (16,))
        assert isinstance(out[name], (np.ndarray, np.generic, float))
        np.testing.assert_allclose(value, reference[name], rtol=2e-5, atol=1e-12, err_msg=name)


def test_a_model_that_computes_with_jax_elsewhere_is_an_error():
    import jax

    def fn(design, p):
        return {"y": jax.nn.softplus(jnp.asarray(design["x"]))}

    model = Model("uses_jax_nn", "1", fn, (Variable("x", "1", 1.0, (0.1, 10.0)),), (), (Output("y", "1", "min"),))
    with pytest.raises(TypeError, match="'y' came back as"):
        evaluate_numpy(model, {"x": np.ones(3)}, {})


def test_concurrent_evaluations_do_not_interleave_the_swap():
    model = get_model("llm_training")
    params = resolve_params(model)
    numeric, choices = split_choices(model, params)
    design = {k: np.full(8, v) for k, v in model.design_defaults(params).items()}
    results, errors = [], []

    def work():
        try:
            results.append(evaluate_numpy(model, design, {**numeric, **choices})["time_s"])
        except Exception as err:  # noqa: BLE001 - collected and asserted below
            errors.append(err)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == 4
    assert all(np.array_equal(r, results[0]) for r in results)
    import explorer.kernels.dvfs as dvfs

    assert dvfs.jnp is jnp
