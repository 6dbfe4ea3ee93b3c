"""``explorer bench``: throughput of the sweep engine, measured against references in the same run.

Three measurements on the current machine:

1. the full ``llm_training`` grid sweep with the streaming Pareto frontier (best of two runs)
   (generate → evaluate → constrain → reject → merge), in configurations/s;
2. the same model on the same configurations evaluated by plain NumPy
   (``numpy_reference``), with the same constraints: the ratio of (1) to this; and
   the same with NumPy broadcasting over each grid slab (the outer product the
   engine's prefilter evaluates), which a NumPy user could write too;
3. Pareto filtering of the same sweep's feasible points: the engine's streaming
   front (device-side rejection + exact merge) against moocore's one-shot
   ``is_nondominated`` on all points at once;
4. the optimiser: 4,096 starts of a 4-variable constrained ``llm_training`` problem in
   one compiled call, against SciPy's SLSQP run start by start on the same starts
   (timed on a subset and scaled to all of them).
"""

from __future__ import annotations

import functools
import math
import platform
import time

import numpy as np

from explorer.bench_references import OBJECTIVES, feasible_objectives, numpy_sweep, streaming_front
from explorer.pareto import is_nondominated
from explorer.spec import parse_spec



def bench_spec(n_side: int, chunk: int, sampler: str = "grid") -> dict:
    """A spec of n_side⁴ llm_training configurations (the quickstart's ranges; N in multiples of the
    workload's TP 8 × PP 4): a grid, or as many points of the ``sampler`` ("random", "sobol", "lhs")."""
    return {
        "sampler": {"kind": sampler, "seed": 1, **({"samples": n_side**4} if sampler != "grid" else {})},
        "model": {"name": "llm_training", "hardware": "h100-sxm", "workload": "llama3.1-70b"},
        "axes": {"nu": {"low": 0.6e9, "high": 1.98e9, "count": n_side},
                 "batch": {"low": 256, "high": 16384, "scale": "log", "count": n_side},
                 "temperature": {"low": 1e-3, "high": 3e-2, "scale": "log", "count": n_side},
                 "n_parallel": {"low": 512, "high": 65536, "scale": "log", "count": n_side, "multiple_of": 32}},
        "objectives": {o: "min" for o in OBJECTIVES},
        "output": {"mode": "frontier", "chunk_size": chunk, "path": "data/results/bench.parquet"},
    }


def run_bench(quick: bool = False, progress: bool = False) -> list[tuple[str, str]]:
    """Runs the measurements; returns (label, value) rows for printing. ``progress``: a bar on
    stderr, one step per measurement (engine, NumPy, NumPy broadcasting, Pareto, samplers, sizes,
    optimiser)."""
    import jax
    from tqdm import tqdm

    from explorer.engine import sweep

    bar = tqdm(total=7, desc="bench", unit="measurement", disable=not progress)
    n_side, chunk = (16, 1 << 16) if quick else (64, 1 << 20)
    spec = parse_spec(bench_spec(n_side, chunk), "bench")
    # best of two runs for the engine and for NumPy alike: this machine's noise is one-sided
    bar.set_postfix_str("engine")
    runs = [sweep(spec, progress=False, write=False) for _ in range(2)]
    bar.update()
    result = min(runs, key=lambda r: r.run_s)
    compile_s = runs[0].compile_s  # the first run compiles (or loads the persistent cache); the second reuses it
    jax_rate = result.evaluated / result.run_s
    limit = min(result.evaluated, 1 << 18 if quick else 1 << 22)
    bar.set_postfix_str("NumPy")
    np_s, np_n, _ = min((numpy_sweep(spec, limit) for _ in range(2)), key=lambda r: r[0])
    np_rate = np_n / np_s
    bar.update()
    bar.set_postfix_str("NumPy broadcasting")
    nb_s, nb_n, _ = min((numpy_sweep(spec, limit, broadcast=True) for _ in range(2)), key=lambda r: r[0])
    bar.update()
    bar.set_postfix_str("Pareto")
    _, _, feasible_obj = numpy_sweep(spec, result.evaluated) if quick else (None, None, None)
    if feasible_obj is None:
        feasible_obj = feasible_objectives(spec, result.evaluated)
    t = time.perf_counter()
    one_shot = int(is_nondominated(feasible_obj).sum())
    moocore_s = time.perf_counter() - t
    stream_s, stream_n = streaming_front(feasible_obj, chunk)
    bar.update()
    bar.set_postfix_str("random and Sobol samplers")
    sampled_rows = [row for kind in ("random", "sobol") for row in sampler_rows(kind, n_side, chunk, limit)]
    bar.update()
    bar.set_postfix_str("10⁸ against 10⁷")
    size_rows = [] if quick else size_ratio_rows(chunk)
    bar.update()
    bar.set_postfix_str("optimiser")
    optimizer_rows = optimizer_bench(32 if quick else 4096, 2 if quick else 32)
    bar.update()
    bar.close()
    device = jax.devices()[0]
    return [
        ("device", f"{device.platform}: {getattr(device, 'device_kind', '?')} ({jax.device_count()} device(s)), "
                   f"{platform.processor() or platform.machine()}"),
        ("llm_training sweep + streaming frontier", f"{jax_rate:,.0f} configurations/s, best of 2 "
                                                    f"({result.evaluated:,} in {result.run_s:.2f} s; "
                                                    f"first run's compile {compile_s:.2f} s)"),
        ("same model, plain NumPy", f"{np_rate:,.0f} configurations/s, best of 2 ({np_n:,} in {np_s:.2f} s)"),
        ("JAX engine / NumPy", f"{jax_rate / np_rate:.1f}x"),
        ("NumPy broadcasting over grid slabs", f"{nb_n / nb_s:,.0f} configurations/s, best of 2, model and "
                                               f"constraints only, no front ({nb_n:,} in {nb_s:.2f} s)"),
        ("JAX engine / NumPy broadcasting", f"{jax_rate / (nb_n / nb_s):.1f}x"),
        ("Pareto: moocore one-shot", f"{moocore_s:.3f} s for {len(feasible_obj):,} points ({one_shot:,} on front)"),
        ("Pareto: streaming archive", f"{stream_s:.3f} s ({stream_n:,} on front)"),
        ("streaming / one-shot speed", f"{moocore_s / stream_s:.1f}x"),
        *sampled_rows,
        *size_rows,
        *optimizer_rows,
    ]


def sampler_rows(kind: str, n_side: int, chunk: int, limit: int) -> list[tuple[str, str]]:
    """The bench's sweep with ``kind``'s points instead of the grid (as many), beside NumPy on the same
    points: (label, value) rows. Best of two runs each."""
    from explorer.engine import sweep

    spec = parse_spec(bench_spec(n_side, chunk, kind), "bench")
    result = min((sweep(spec, progress=False, write=False) for _ in range(2)), key=lambda r: r.run_s)
    rate = result.evaluated / result.run_s
    np_s, np_n, _ = min((numpy_sweep(spec, limit) for _ in range(2)), key=lambda r: r[0])
    return [(f"{kind} sampler + streaming frontier", f"{rate:,.0f} configurations/s, best of 2 "
                                                     f"({result.evaluated:,} in {result.run_s:.2f} s)"),
            (f"{kind}: JAX engine / NumPy on the same points", f"{rate / (np_n / np_s):.1f}x "
                                                               f"(NumPy {np_n / np_s:,.0f}/s on {np_n:,})")]


def size_ratio_rows(chunk: int) -> list[tuple[str, str]]:
    """The grid sweep at 10⁸ configurations (100⁴) against 10⁷ (56⁴ ≈ 9.8·10⁶): how the rate holds
    as the sweep and its front grow (issue: cost linear in the sweep)."""
    from explorer.engine import sweep

    rates = {}
    for n_side in (56, 100):
        spec = parse_spec(bench_spec(n_side, chunk), "bench")
        # best of two for both sizes: this machine's noise is one-sided, and one run of each made the
        # ratio swing between 0.77 and 1.09 from run to run
        result = min((sweep(spec, progress=False, write=False) for _ in range(2)), key=lambda r: r.run_s)
        rates[n_side] = (result.evaluated, result.evaluated / result.run_s, result.on_front)
    (n7, r7, f7), (n8, r8, f8) = rates[56], rates[100]
    return [("grid, 10⁷ configurations", f"{r7:,.0f} configurations/s, best of 2 ({n7:,}; {f7:,} on the front)"),
            ("grid, 10⁸ configurations", f"{r8:,.0f} configurations/s, best of 2 ({n8:,}; {f8:,} on the front)"),
            ("10⁸ rate / 10⁷ rate", f"{r8 / r7:.2f}")]


def optimizer_problem(starts: int) -> dict:
    """Least dollar cost (time, energy and a price on loss) of Llama 3.1 70B on H100s in 90 days:
    clock, batch, temperature and device count free; memory and thermal limits."""
    return {"model": {"name": "llm_training", "hardware": "h100-sxm", "workload": "llama3.1-70b",
                      "params": {"usd_per_nat": 1e9}},
            "axes": {"nu": {"low": 1.0e9, "high": 1.98e9}, "batch": {"low": 512, "high": 8192, "scale": "log"},
                     "temperature": {"low": 2e-3, "high": 2e-2, "scale": "log"},
                     "n_parallel": {"low": 1024, "high": 16384, "scale": "log"}},
            "objectives": {"cost_usd": "min"},
            "constraints": {"margins": ["memory_margin", "thermal_margin"], "bounds": ["time_s <= 90 days"]},
            "optimize": {"starts": starts, "solver": "adam", "outer": 10, "inner": 100},
            "output": {"dtype": "float64", "path": "data/results/bench_optimize.parquet"}}


@functools.lru_cache(maxsize=8)
def _slsqp_program(structure, objective: str):
    """(v, fixed, bounds, scale) → ([f, g], their Jacobian): f and the constraints g (≥ 0 where
    met) with their derivatives from one forward-mode pass, jitted once per problem structure
    (one program: two, for f and for g, compiled 1.9 s against 1.1). SLSQP asks for a value and
    then its derivative at the same point, so each pair comes from one call (``_at_last_point``)."""
    import jax
    import jax.numpy as jnp

    logs = [a.scale == "log" for a in structure.free]

    def f_and_g(v, fixed, bounds, scale):
        out = structure.evaluate({a.name: jnp.exp(v[k]) if lg else v[k]
                                  for k, (a, lg) in enumerate(zip(structure.free, logs))}, fixed)
        values = jnp.concatenate([(out[objective] / scale)[None], -structure.constraint_values(out, bounds)])
        return values, values

    def values_and_jacobian(*args):
        jacobian, values = jax.jacfwd(f_and_g, has_aux=True)(*args)
        return values, jacobian

    return jax.jit(values_and_jacobian)


def _at_last_point(fn, args):
    """``fn(v, *args)`` as NumPy arrays, remembered for the last v (value and derivative in one call)."""
    last = {}

    def call(v):
        key = np.asarray(v, float).tobytes()
        if key not in last:
            last.clear()
            last[key] = tuple(np.asarray(a, float) for a in fn(np.asarray(v, float), *args))
        return last[key]

    return call


def slsqp(problem_spec: dict, objective: str, starts: np.ndarray):
    """SciPy SLSQP from each row of ``starts`` (unit cube) on the same problem, in log/linear
    coordinates of the box, with JAX gradients; float64. Returns [(result, objective, violation)]."""
    import jax.numpy as jnp
    from scipy.optimize import minimize

    from explorer.optimizer import optimization_problem
    from explorer.spec import parse_spec

    problem = optimization_problem(parse_spec(problem_spec, "slsqp"))
    fixed = problem.fixed_arrays(jnp.float64)
    bounds = jnp.asarray(problem.bound_values, jnp.float64)
    box = [(math.log(a.low), math.log(a.high)) if a.scale == "log" else (a.low, a.high)
           for a in problem.structure.free]
    program = _slsqp_program(problem.structure, objective)
    lo = np.array([b[0] for b in box])
    hi = np.array([b[1] for b in box])
    scale = abs(float(program(jnp.asarray((lo + hi) / 2), fixed, bounds, jnp.float64(1.0))[0][0])) or 1.0
    args = (fixed, bounds, jnp.float64(scale))
    results = []
    for u in starts:
        at = _at_last_point(program, args)  # (values, Jacobian): row 0 is f, the others g
        res = minimize(lambda v: float(at(v)[0][0]), lo + u * (hi - lo), jac=lambda v: at(v)[1][0],
                       method="SLSQP", bounds=box,
                       constraints=[{"type": "ineq", "fun": lambda v: at(v)[0][1:], "jac": lambda v: at(v)[1][1:]}],
                       options={"maxiter": 500, "ftol": 1e-14})
        results.append((res, float(res.fun) * scale, max(0.0, float(-np.min(at(res.x)[0][1:], initial=0.0)))))
    return results


def optimizer_bench(starts: int, scipy_starts: int) -> list[tuple[str, str]]:
    """Our vmapped solve of ``starts`` starts against SLSQP on ``scipy_starts`` of them, scaled."""
    import jax
    from scipy.stats import qmc

    from explorer.optimizer import optimize

    spec = optimizer_problem(starts)
    t = time.perf_counter()
    frame = optimize(spec, write=False)
    first = time.perf_counter() - t
    t = time.perf_counter()
    frame = optimize(spec, write=False)
    ours = time.perf_counter() - t
    u = qmc.Sobol(4, scramble=True, seed=0).random(starts)[:scipy_starts]
    with jax.enable_x64(True):
        slsqp(spec, "cost_usd", u[:1])  # compile the JAX gradients outside the timing
        t = time.perf_counter()
        results = slsqp(spec, "cost_usd", u)
        theirs = (time.perf_counter() - t) / scipy_starts * starts
    best_ours = float(frame[frame.best].cost_usd.iloc[0]) if frame.best.any() else float("nan")
    feasible = [obj for res, obj, viol in results if viol <= 1e-4]
    best_theirs = min(feasible) if feasible else float("nan")
    return [
        (f"optimize: {starts:,} starts, 4 variables", f"{ours:.2f} s in one compiled call "
                                                      f"({first:.2f} s with compilation); "
                                                      f"{int(frame.converged.sum()):,} converged"),
        ("SciPy SLSQP, start by start", f"{theirs:.1f} s for {starts:,} starts "
                                         f"(timed on {scipy_starts}, scaled)"),
        ("optimize / SLSQP speed", f"{theirs / ours:.0f}x (with compilation {theirs / first:.0f}x); "
                                   f"best cost ours ${best_ours:,.0f} vs SLSQP ${best_theirs:,.0f}"),
    ]
