"""The gradient optimiser: closed forms, SciPy, brute force, integers, infeasibility, fronts."""

import functools
import math
import re

import jax
import numpy as np
import pytest

import explorer
from explorer import Model, Output, Param, Variable, io
from explorer.models import get_model, resolve_params
from explorer.models.params import split_choices
from explorer.optimize_settings import OptimizeSettings
from explorer.optimizer import optimize, parse_settings, simplex_weights
from explorer.kernels.constants import K_B, LN2
from references import traced_front_problem


def spec(model, axes, objectives, *, margins=(), bounds=(), params=None, hardware=None, workload=None,
         dtype="float64", path="unused.parquet", mode="all", **settings):
    model_table = {"name": model, "params": params or {}}
    if hardware:
        model_table["hardware"] = hardware
    if workload:
        model_table["workload"] = workload
    return {"model": model_table, "axes": axes, "objectives": objectives,
            "constraints": {"margins": list(margins), "bounds": list(bounds)},
            "optimize": {"starts": 8, "solver": "lbfgs", "outer": 8, "inner": 60, **settings},
            "output": {"dtype": dtype, "path": str(path), "mode": mode}}


def best(frame):
    return frame[frame.best].iloc[0]


# --- analytic problems -----------------------------------------------------------------------

def _quadratic(design, p):
    x, y = design["x"], design["y"]
    return {"f": (x - p["cx"]) ** 2 + 3.0 * (y - p["cy"]) ** 2 + 1.0,
            "disk_margin": (x**2 + y**2) / p["r2"] - 1.0}


QUADRATIC = Model(
    name="test_quadratic", version="1", fn=_quadratic,
    design=(Variable("x", "1", 0.5, (-5.0, 5.0), "linear"), Variable("y", "1", 0.5, (-5.0, 5.0), "linear")),
    params=(Param("cx", "1", 1.0), Param("cy", "1", -2.0), Param("r2", "1", 1.0)),
    outputs=(Output("f", "1", "min"), Output("disk_margin", "1", None, "margin")))

LINEAR_AXES = {"x": {"low": -5.0, "high": 5.0}, "y": {"low": -5.0, "high": 5.0}}


def test_unconstrained_quadratic():
    row = best(optimize(spec(QUADRATIC, LINEAR_AXES, {"f": "min"}), write=False))
    assert row.x == pytest.approx(1.0, abs=1e-6) and row.y == pytest.approx(-2.0, abs=1e-6)
    assert row.f == pytest.approx(1.0, abs=1e-9) and row.converged


def test_optimum_on_a_bound():
    axes = {"x": {"low": 2.0, "high": 5.0}, "y": {"low": -1.0, "high": 5.0}}
    row = best(optimize(spec(QUADRATIC, axes, {"f": "min"}), write=False))
    # the unconstrained minimiser (1, -2) lies outside the box: the optimum is its corner (2, -1)
    assert row.x == pytest.approx(2.0, abs=1e-4) and row.y == pytest.approx(-1.0, abs=1e-4)
    assert row.converged  # box-KKT: the reparametrised gradient vanishes at the bound


def test_inequality_constraint_is_active():
    # minimise over the unit disk: the closest disk point to (1, -2) weighted by the metric diag(1, 3)
    row = best(optimize(spec(QUADRATIC, LINEAR_AXES, {"f": "min"}, margins=["disk_margin"]), write=False))
    from scipy.optimize import minimize

    ref = minimize(lambda v: (v[0] - 1) ** 2 + 3 * (v[1] + 2) ** 2 + 1, [0.0, 0.0], method="SLSQP",
                   constraints=[{"type": "ineq", "fun": lambda v: 1 - v[0] ** 2 - v[1] ** 2}], tol=1e-12)
    assert row.f == pytest.approx(ref.fun, rel=1e-6)
    assert row.disk_margin == pytest.approx(0.0, abs=1e-6) and row.max_violation <= 1e-6 and row.converged


def test_infeasible_problem_is_reported_infeasible():
    params = {"r2": 1.0}
    axes = {"x": {"low": 2.0, "high": 5.0}, "y": {"low": 2.0, "high": 5.0}}  # the box misses the disk
    frame = optimize(spec(QUADRATIC, axes, {"f": "min"}, margins=["disk_margin"], params=params), write=False)
    assert not frame.feasible.any() and not frame.converged.any() and not frame.best.any()
    assert (frame.max_violation > 0.1).all()  # nearest box corner (2, 2): 8/1 − 1 = 7


# --- seed closed forms -----------------------------------------------------------------------

def test_nu_efficient_recovered_to_1e6_in_float64():
    alpha, t_kelvin = 1.8e-31, 300.0
    closed = math.sqrt(K_B * t_kelvin * LN2 / alpha)
    frame = optimize(spec("seed000", {"nu": {"low": closed / 100, "high": closed * 100, "scale": "log"}},
                          {"flops_per_joule": "max"}, params={"alpha": alpha, "t_kelvin": t_kelvin}), write=False)
    assert best(frame).nu == pytest.approx(closed, rel=1e-6, abs=0)


def test_t_opt_recovered_as_a_constrained_optimum():
    from explorer.optima import BARRIER

    delta_l, nu, t_available = 0.04, 1.8e9, 90 * 86400.0
    closed = delta_l / math.log(nu * t_available)
    frame = optimize(spec(BARRIER, {"temperature": {"low": 1e-4, "high": 0.1, "scale": "log"}},
                          {"temperature_out": "min"}, margins=["crossing_margin"],
                          params={"delta_l": delta_l, "nu": nu, "t_available": t_available}), write=False)
    row = best(frame)
    assert row.temperature == pytest.approx(closed, rel=1e-5, abs=0)
    assert row.crossing_margin <= 1e-9  # the constraint is active at the optimum


# --- against SciPy on the model -----------------------------------------------------------------

@functools.cache
def _scipy_functions(choices: tuple):
    """Jitted (cost divided by a scale, its gradient) and (the constraints g ≥ 0, their Jacobian),
    on v = (log temperature, log batch), with the numeric parameters and t_max as arguments (one
    compilation for every instance) and the model function itself: nothing of the optimiser
    (its problem, transforms or constraints) is used. ``choices``: the choice parameters, as
    (name, value) pairs (strings, fixed before tracing)."""
    import jax.numpy as jnp

    model = get_model("llm_training")

    def outputs(v, p, design0):
        return model.fn({**design0, "temperature": jnp.exp(v[0]), "batch": jnp.exp(v[1])}, {**p, **dict(choices)})

    def f(v, p, design0, scale, t_max):
        return outputs(v, p, design0)["cost_usd"] / scale

    def g(v, p, design0, scale, t_max):
        out = outputs(v, p, design0)
        g_v = -jnp.stack([out["memory_margin"], out["thermal_margin"], out["time_s"] / t_max - 1.0])
        return g_v, g_v  # the Jacobian's auxiliary output: the values themselves

    # (g, ∂g/∂v) from one forward pass: jacfwd with has_aux gives (∂g/∂v, g)
    return jax.jit(jax.value_and_grad(f)), jax.jit(lambda *a: jax.jacfwd(g, has_aux=True)(*a)[::-1])


def _remembered(fn, args):
    """fn(v, *args) as NumPy arrays, kept for the last v: SLSQP asks for a value, then its derivative."""
    at = functools.lru_cache(maxsize=1)(
        lambda key: tuple(np.asarray(a, float) for a in fn(np.frombuffer(key), *args)))
    return lambda v: at(np.asarray(v, float).tobytes())


def _scipy_reference(params, days):
    """SLSQP from the centre of the box on log(temperature), log(batch), with JAX gradients of the
    model function (``_scipy_functions``)."""
    import jax.numpy as jnp
    from scipy.optimize import minimize

    model = get_model("llm_training")
    resolved = resolve_params(model, {"hardware": "h100-sxm", "workload": "llama3.1-70b"}, params)
    numeric, choices = split_choices(model, resolved)
    p = {k: jnp.float64(v) for k, v in numeric.items()}
    design0 = {k: jnp.float64(v) for k, v in model.design_defaults(resolved).items()}
    f_and_grad, g_and_jacobian = _scipy_functions(tuple(sorted(choices.items())))
    centre = jnp.array([np.log(np.sqrt(3e-5)), np.log(np.sqrt(256 * 8192))])
    one = jnp.float64(1.0)
    scale = float(f_and_grad(centre, p, design0, one, one)[0])
    args = (p, design0, jnp.float64(scale), jnp.float64(days * 86400.0))
    f, g = _remembered(f_and_grad, args), _remembered(g_and_jacobian, args)
    box = [(np.log(1e-3), np.log(3e-2)), (np.log(256.0), np.log(8192.0))]
    res = minimize(lambda v: float(f(v)[0]), np.array([np.mean(b) for b in box]), jac=lambda v: f(v)[1],
                   method="SLSQP", bounds=box, options={"maxiter": 500, "ftol": 1e-14},
                   constraints=[{"type": "ineq", "fun": lambda v: g(v)[0], "jac": lambda v: g(v)[1]}])
    return res, float(res.fun) * scale, max(0.0, float(-np.min(g(res.x)[0])))


@pytest.mark.xdist_group("slsqp")  # one worker: the instances share one compiled optimiser
@pytest.mark.parametrize("seed", range(6))  # each instance is a full optimisation and 8 SLSQP runs
def test_matches_scipy_slsqp_on_random_model_instances(seed):
    rng = np.random.default_rng(seed)
    params = {"gemm_efficiency": 0.72 * rng.uniform(0.8, 1.2), "usd_per_device_hour": rng.uniform(1.5, 4.0),
              "usd_per_nat": 10 ** rng.uniform(8.0, 9.5), "tdp": 700.0 * rng.uniform(0.9, 1.1)}
    days = rng.uniform(40.0, 120.0)
    # batch continuous, as in SLSQP's problem (an integer batch is rounded after the descent)
    problem = spec("llm_training", {"temperature": {"low": 1e-3, "high": 3e-2, "scale": "log"},
                                    "batch": {"low": 256, "high": 8192, "scale": "log", "integer": False}},
                   {"cost_usd": "min"}, margins=["memory_margin", "thermal_margin"],
                   bounds=[f"time_s <= {days} days"], params=params, hardware="h100-sxm",
                   workload="llama3.1-70b", starts=8, outer=10, inner=60)
    ours = best(optimize(problem, write=False))
    with jax.enable_x64(True):
        res, theirs, their_violation = _scipy_reference(params, days)
    # never less feasible than SLSQP, up to the optimiser's documented feasibility tolerance (an
    # augmented Lagrangian approaches an active constraint from outside; SLSQP's active set sits on it)
    assert ours.max_violation <= max(their_violation, OptimizeSettings().tolerance)
    assert ours.cost_usd <= theirs * (1 + 1e-4)  # never worse
    if res.success:
        assert ours.cost_usd == pytest.approx(theirs, rel=1e-4)


# --- against brute force --------------------------------------------------------------------------

@pytest.mark.xdist_group("bench_optimizer")  # the quick bench's optimiser: one worker, one compilation
def test_no_worse_than_a_dense_grid_on_a_4d_problem(tmp_path):
    from explorer.bench import optimizer_problem

    problem = optimizer_problem(32)  # the problem `explorer bench` times: 4 free variables, 2 margins, 1 bound
    ours = best(optimize(problem, write=False))
    grid_spec = {**problem, "axes": {k: {**v, "count": 12} for k, v in problem["axes"].items()},
                 "output": {"dtype": "float32", "path": str(tmp_path / "grid.parquet"), "mode": "frontier"}}
    grid_spec.pop("optimize")
    grid = explorer.sweep(grid_spec, progress=False).frame
    assert ours.cost_usd <= grid.cost_usd.min() * (1 + 1e-3)  # within grid resolution or better
    assert float(ours.n_parallel) == round(float(ours.n_parallel))  # integers (devices, sequences),
    assert float(ours.batch) == round(float(ours.batch))  # and feasible:
    # feasible to the tolerance (the augmented Lagrangian approaches the boundary from outside)
    assert ours.feasible and ours.max_violation <= 1e-4
    assert ours.memory_margin <= 1e-4 and ours.thermal_margin <= 1e-4


# --- Pareto tracing ----------------------------------------------------------------------------------

@pytest.mark.xdist_group("traced_front")  # shares its optimiser program with test_report_files' report
def test_traced_front_compares_with_the_sweep_front_by_hypervolume(tmp_path):
    from explorer.pareto import hypervolume

    problem = traced_front_problem(tmp_path / "front.parquet")
    axes = problem["axes"]
    result = optimize(problem)
    front, meta = io.read(tmp_path / "front.parquet")
    assert meta["kind"] == "optimize" and len(front) == int(result.on_front.sum())
    assert {"weight_time_s", "weight_energy_j", "converged", "kkt_residual"} <= set(front.columns)
    grid_spec = {**problem, "axes": {k: {**v, "count": 60} for k, v in axes.items()},
                 "output": {**problem["output"], "path": str(tmp_path / "grid.parquet")}}
    grid_spec.pop("optimize")
    grid = explorer.sweep(grid_spec, progress=False).frame
    pts_grid = grid[["time_s", "energy_j"]].to_numpy()
    pts_opt = front[["time_s", "energy_j"]].to_numpy()
    reference = np.maximum(pts_grid.max(axis=0), pts_opt.max(axis=0)) * 1.01
    ratio = hypervolume(pts_opt, reference) / hypervolume(pts_grid, reference)
    assert ratio >= 0.98  # 128 gradient runs cover the front about as well as a 3,600-point grid
    from explorer.pareto import is_nondominated

    on_front = is_nondominated(np.concatenate([pts_opt, pts_grid]))[: len(pts_opt)]
    assert on_front.mean() >= 0.98  # and the grid dominates (almost) none of them


# --- settings --------------------------------------------------------------------------------------

def test_simplex_weights_cover_the_extremes():
    w = simplex_weights(3, 16)
    assert np.allclose(w.sum(axis=1), 1.0) and len(w) <= 16
    for k in range(3):
        assert any(np.allclose(row, np.eye(3)[k]) for row in w)


@pytest.mark.parametrize("table,message", [
    ({"scalarization": "lexicographic"}, "optimize.scalarization"),
    ({"solver": "sgd"}, "optimize.solver"),
    ({"starts": 0}, "optimize.starts"),
    ({"weights": [[1.0]]}, "optimize.weights"),
    ({"tolerance": -1}, "optimize.tolerance"),
    ({"restarts": 3}, "unknown key optimize.restarts"),
])
def test_bad_settings_are_one_line(table, message):
    with pytest.raises(explorer.ExplorerError, match=message.replace(".", r"\.")):
        parse_settings({"optimize": table}, 2)


def test_defaults_are_the_documented_ones():
    # the table in docs/optimize.md, read from the page so the two cannot drift apart
    from pathlib import Path

    page = (Path(__file__).resolve().parents[1] / "docs" / "optimize.md").read_text()
    rows = re.findall(r"^\| `(\w+)`[^|]*\| `?([\w.+-]+)`?(?:, [\w.+-]+)? \|", page, flags=re.M)
    documented = dict(rows)
    s = parse_settings({}, 1)
    assert s.scalarization == documented["scalarization"] == "chebyshev"
    assert s.starts == int(documented["starts"]) == 32
    assert s.solver == documented["solver"] == "adam"
    assert (s.outer, s.inner) == (12, 150) and documented["outer"] == "12"
    assert s.learning_rate == float(documented["learning_rate"]) == 0.05
    assert s.tolerance == float(documented["tolerance"]) == 1e-4
    assert s.kkt_tolerance == float(documented["kkt_tolerance"]) == 1e-2
    assert s.seed == int(documented["seed"]) == 0 and s.n_weights == 16


@pytest.mark.xdist_group("bench_optimizer")
def test_a_whole_number_margin_does_not_pin_the_descent():
    # the least energy within 20 days with the device count free: a whole number of replicas
    # holds only at isolated N, and descending on it left most starts at their first N (spread
    # 2.7-10.5 TJ); met by rounding instead (to the model's step tp·pp = 32: the axis has no
    # multiple_of), every start is feasible and most reach one optimum on the time budget
    problem = {"model": {"name": "llm_training", "hardware": "h100-sxm", "workload": "llama3.1-70b"},
               "axes": {"nu": {"low": "0.6 GHz", "high": "1.98 GHz"},
                        "n_parallel": {"low": 512, "high": 65536, "scale": "log"}},
               "objectives": {"energy_j": "min"},
               "constraints": {"margins": "all", "bounds": ["time_s <= 20 days"]}, "optimize": {"starts": 8}}
    runs = optimize(problem, write=False)
    assert runs.feasible.all()
    assert (runs.energy_j <= runs.energy_j.min() * 1.01).mean() >= 0.75  # (2 of 8 stop 6% above it)
    top = best(runs)
    assert top.replica_margin <= 0 and top.n_parallel % 32 == 0
    assert top.time_s == pytest.approx(20 * 86400.0, rel=0.01)  # the budget binds

