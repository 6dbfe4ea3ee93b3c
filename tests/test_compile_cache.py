"""The default persistent compilation cache: where it goes, how it is turned off, and that a
folder set through JAX is left alone."""

from pathlib import Path

import jax

from explorer import compile_cache


def test_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("EXPLORER_COMPILE_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert compile_cache.cache_dir() == tmp_path / "explorer" / "jax"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert compile_cache.cache_dir() == Path.home() / ".cache" / "explorer" / "jax"
    monkeypatch.setenv("EXPLORER_COMPILE_CACHE", str(tmp_path / "mine"))
    assert compile_cache.cache_dir() == tmp_path / "mine"
    monkeypatch.setenv("EXPLORER_COMPILE_CACHE", "OFF")
    assert compile_cache.cache_dir() is None


def test_enable_keeps_a_folder_set_through_jax_and_sets_one_otherwise(monkeypatch, tmp_path):
    before = jax.config.jax_compilation_cache_dir  # the test run's own (tests/conftest.py)
    assert before
    monkeypatch.setenv("EXPLORER_COMPILE_CACHE", str(tmp_path / "ours"))
    compile_cache.enable()
    assert jax.config.jax_compilation_cache_dir == before
    try:
        jax.config.update("jax_compilation_cache_dir", None)
        compile_cache.enable()
        assert jax.config.jax_compilation_cache_dir == str(tmp_path / "ours")
        jax.config.update("jax_compilation_cache_dir", None)
        monkeypatch.setenv("EXPLORER_COMPILE_CACHE", "off")
        compile_cache.enable()
        assert jax.config.jax_compilation_cache_dir is None
    finally:
        jax.config.update("jax_compilation_cache_dir", before)
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)


def test_evaluate_and_the_optimiser_compile_through_the_cache(tmp_path):
    """A fresh process that only evaluates (or only calls the optimiser's first program) turns the
    persistent cache on in the folder the environment names."""
    import os
    import subprocess
    import sys

    code = """
import sys, jax
from explorer.problem import Problem
if sys.argv[1] == "evaluate":
    from explorer.evaluation import evaluate
    evaluate({"nu": 1.5e9, "batch": 16, "n_parallel": 8}, model="seed000")
else:
    from explorer.optimize_program import compiled_solver
    from explorer.optimize_settings import OptimizeSettings
    from explorer.spec import parse_spec
    spec = parse_spec({"model": {"name": "seed000"}, "axes": {"nu": {"low": 1e8, "high": 2e9}},
                       "objectives": {"t_train": "min"}})
    problem = Problem.from_spec(spec)
    evaluate = compiled_solver(problem.structure, OptimizeSettings())[1]
    evaluate({"nu": jax.numpy.ones(1)}, problem.fixed_arrays(jax.numpy.float32),
             jax.numpy.asarray(problem.bound_values, jax.numpy.float32))
print(jax.config.jax_compilation_cache_dir)
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JAX_COMPILATION_CACHE")}
    env["EXPLORER_COMPILE_CACHE"] = str(tmp_path / "cache")
    for what in ("evaluate", "optimize"):
        out = subprocess.run([sys.executable, "-c", code, what], env=env, capture_output=True, text=True, check=True)
        assert out.stdout.strip().splitlines()[-1] == str(tmp_path / "cache"), (what, out.stderr[-500:])
