"""The optimiser's compiled program: what the solve returns at its final point, against closed
forms on a quadratic with a disk constraint (every value worked by hand, not by the program).

f(x, y) = (x − 1)² + 3(y + 2)² + 1, g(x, y) = (x² + y²)/r² − 1, with x = −5 + 10σ(z₀) and
y = −5 + 10σ(z₁) (linear axes on [−5, 5]), so ∂x/∂z₀ = 10σ(z₀)(1 − σ(z₀))."""

import jax
import jax.numpy as jnp
import numpy as np

from explorer import Model, Output, Param, Variable
from explorer.optimize_program import compiled_solver, optimization_problem
from explorer.optimize_settings import parse_settings
from explorer.spec import load_spec


def _quadratic(design, p):
    x, y = design["x"], design["y"]
    return {"f": (x - p["cx"]) ** 2 + 3.0 * (y - p["cy"]) ** 2 + 1.0,
            "disk_margin": (x**2 + y**2) / p["r2"] - 1.0}


QUADRATIC = Model(
    name="test_program_quadratic", version="1", fn=_quadratic,
    design=(Variable("x", "1", 0.5, (-5.0, 5.0), "linear"), Variable("y", "1", 0.5, (-5.0, 5.0), "linear")),
    params=(Param("cx", "1", 1.0), Param("cy", "1", -2.0), Param("r2", "1", 4.0)),
    outputs=(Output("f", "1", "min"), Output("disk_margin", "1", None, "margin")))


def test_the_solve_returns_value_constraints_and_derivatives_of_its_final_point():
    raw = {"model": {"name": QUADRATIC}, "axes": {"x": {"low": -5.0, "high": 5.0}, "y": {"low": -5.0, "high": 5.0}},
           "objectives": {"f": "min"}, "constraints": {"margins": ["disk_margin"]},
           "optimize": {"starts": 4, "outer": 3, "inner": 20},  # Adam, few steps: the end points differ
           "output": {"dtype": "float64", "path": "unused.parquet"}}
    with jax.enable_x64(True), jax.numpy_dtype_promotion("standard"):  # as explorer.optimize runs it (optax)
        spec = load_spec(raw)
        problem = optimization_problem(spec)
        solve, _ = compiled_solver(problem.structure, parse_settings(spec.raw, 1))
        z0 = jnp.asarray([[-1.0, 0.5], [0.3, -2.0], [1.5, 1.5], [0.0, 0.0]])
        values = (problem.fixed_arrays(jnp.float64), jnp.zeros((0,)), jnp.zeros(1), jnp.ones(1))  # ideal 0, span 1
        z, value, g, f, grad, jac = (np.asarray(a) for a in solve(z0, jnp.ones((4, 1)), values))
    s = 1.0 / (1.0 + np.exp(-z))
    x, y = -5.0 + 10.0 * s[:, 0], -5.0 + 10.0 * s[:, 1]
    dx, dy = 10.0 * s[:, 0] * (1 - s[:, 0]), 10.0 * s[:, 1] * (1 - s[:, 1])
    f_hand = (x - 1.0) ** 2 + 3.0 * (y + 2.0) ** 2 + 1.0
    np.testing.assert_allclose(value, f_hand, rtol=1e-12)  # one objective, normalised by (0, 1): f itself
    np.testing.assert_allclose(f[:, 0], f_hand, rtol=1e-12)
    np.testing.assert_allclose(g[:, 0], (x**2 + y**2) / 4.0 - 1.0, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(grad, np.stack([2 * (x - 1.0) * dx, 6.0 * (y + 2.0) * dy], axis=1),
                               rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(jac[:, 0, :], np.stack([x / 2.0 * dx, y / 2.0 * dy], axis=1), rtol=1e-10, atol=1e-12)
    assert not np.allclose(z, np.asarray(z0))  # the descent moved every start
