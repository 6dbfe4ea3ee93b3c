"""Exported programs on disk: loading without tracing, keys that change with what built the
program, corrupt entries, eviction, and a sweep's second process that never traces its programs."""

import dataclasses
import functools
import os
import subprocess
import sys

import jax.numpy as jnp
import numpy as np
import pytest

from explorer import program_cache


@dataclasses.dataclass(frozen=True)
class Plan:
    scale: float
    weights: tuple


def program(plan, x):
    return x * plan.scale + sum(plan.weights)


def never_traced(*_):
    raise AssertionError("the program was traced again")


@pytest.fixture
def programs_dir(monkeypatch, tmp_path):
    """A programs folder of this test's own (compile_cache's folder is ``jax`` beside it)."""
    monkeypatch.setenv("EXPLORER_COMPILE_CACHE", str(tmp_path / "jax"))
    return tmp_path / "programs"


def saved(folder):
    return sorted(folder.glob(f"*{program_cache.SUFFIX}")) if folder.exists() else []


def test_a_plan_without_a_fingerprint_has_no_key():
    assert program_cache.program_key("p", Plan(1.0, (object(),)), (jnp.zeros(2),)) is None


def test_the_key_names_the_program_its_arguments_and_the_package_source(monkeypatch):
    plan, args = Plan(2.0, ()), (jnp.zeros(4, jnp.float32),)
    key = program_cache.program_key("p", plan, args)
    assert key == program_cache.program_key("p", Plan(2.0, ()), (jnp.ones(4, jnp.float32),))  # values do not count
    others = {program_cache.program_key("q", plan, args), program_cache.program_key("p", Plan(2.5, ()), args),
              program_cache.program_key("p", plan, (jnp.zeros(5, jnp.float32),)),
              program_cache.program_key("p", plan, (jnp.zeros(4, jnp.int32),))}
    monkeypatch.setattr(program_cache, "source_digest", lambda: "edited")
    others.add(program_cache.program_key("p", plan, args))
    assert key not in others and len(others) == 5


def test_a_saved_program_is_loaded_without_tracing(programs_dir):
    plan, x = Plan(2.0, (1.0,)), jnp.arange(4.0, dtype=jnp.float32)
    first = program_cache.compile_program("p", functools.partial(program, plan), plan, (x,))
    np.testing.assert_array_equal(first(x), [1.0, 3.0, 5.0, 7.0])
    assert len(saved(programs_dir)) == 1
    again = program_cache.compile_program("p", never_traced, Plan(2.0, (1.0,)), (x,))
    np.testing.assert_array_equal(again(x + 1.0), [3.0, 5.0, 7.0, 9.0])
    with pytest.raises(AssertionError, match="traced"):  # another plan is another program
        program_cache.compile_program("p", never_traced, Plan(2.0, (2.0,)), (x,))


def test_a_corrupt_entry_is_rebuilt(programs_dir):
    plan, x = Plan(3.0, ()), jnp.ones(2, jnp.float32)
    program_cache.compile_program("p", functools.partial(program, plan), plan, (x,))
    [entry] = saved(programs_dir)
    entry.write_bytes(b"not a program")
    rebuilt = program_cache.compile_program("p", functools.partial(program, plan), plan, (x,))
    np.testing.assert_array_equal(rebuilt(x), [3.0, 3.0])
    assert saved(programs_dir) == [entry] and entry.read_bytes() != b"not a program"


def test_a_plan_without_a_fingerprint_compiles_and_saves_nothing(programs_dir):
    plan, x = Plan(2.0, (object(),)), jnp.ones(2, jnp.float32)
    compiled = program_cache.compile_program("p", lambda y: y * 2.0, plan, (x,))
    np.testing.assert_array_equal(compiled(x), [2.0, 2.0])
    assert saved(programs_dir) == []


def test_turned_off_nothing_is_saved(monkeypatch, tmp_path):
    monkeypatch.setenv("EXPLORER_COMPILE_CACHE", "off")
    plan, x = Plan(2.0, ()), jnp.ones(2, jnp.float32)
    assert program_cache.program_dir() is None
    np.testing.assert_array_equal(program_cache.compile_program("p", functools.partial(program, plan), plan, (x,))(x),
                                  [2.0, 2.0])


def test_the_least_recently_used_programs_are_evicted(programs_dir, monkeypatch):
    x = jnp.ones(2, jnp.float32)
    plans = [Plan(float(k) + 1.5, (1.0,)) for k in range(3)]  # programs of one size
    program_cache.compile_program("p", functools.partial(program, plans[0]), plans[0], (x,))
    [first] = saved(programs_dir)
    monkeypatch.setattr(program_cache, "MAX_BYTES", int(2.5 * first.stat().st_size))  # room for two
    program_cache.compile_program("p", functools.partial(program, plans[1]), plans[1], (x,))
    os.utime(first, (0, 0))  # the oldest
    program_cache.compile_program("p", functools.partial(program, plans[2]), plans[2], (x,))
    left = saved(programs_dir)
    assert len(left) == 2 and first not in left


def test_an_exported_function_compiles_once_per_signature_and_loads_from_disk(programs_dir):
    plan = Plan(2.0, (1.0,))
    f = program_cache.ExportedFunction("f", functools.partial(program, plan), plan)
    np.testing.assert_array_equal(f(np.arange(3.0, dtype=np.float32)), [1.0, 3.0, 5.0])
    np.testing.assert_array_equal(f(np.ones(2, np.float32)), [3.0, 3.0])  # another shape, another program
    np.testing.assert_array_equal(f(np.zeros(2, np.float32)), [1.0, 1.0])  # the same shape again
    assert len(saved(programs_dir)) == 2
    again = program_cache.ExportedFunction("f", never_traced, Plan(2.0, (1.0,)))  # as a later process would
    np.testing.assert_array_equal(again(np.full(3, 2.0, np.float32)), [5.0, 5.0, 5.0])
    with pytest.raises(AssertionError, match="traced"):  # int32 arguments: another signature
        again(np.zeros(3, np.int32))


SWEEP = """
import sys
import explorer.device_programs as programs
from explorer.engine import sweep
sys.path.insert(0, sys.argv[2])
from test_engine import small_spec
from pathlib import Path
if sys.argv[1] == "second":  # a trace of either program would raise
    programs.exact_stage = programs.prefilter = lambda *a: (_ for _ in ()).throw(AssertionError("traced"))
result = sweep(small_spec(Path(sys.argv[3]), name=sys.argv[1]), progress=False)
print(len(result.frame), result.feasible)
"""


def test_a_second_sweep_process_does_not_trace_its_programs(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("JAX_COMPILATION_CACHE")}
    env["EXPLORER_COMPILE_CACHE"] = str(tmp_path / "cache" / "jax")
    tests = os.path.dirname(__file__)
    lines = []
    for run in ("first", "second"):
        out = subprocess.run([sys.executable, "-c", SWEEP, run, tests, str(tmp_path)], env=env,
                             capture_output=True, text=True)
        assert out.returncode == 0, out.stderr[-2000:]
        lines.append(out.stdout.strip().splitlines()[-1])
    assert len(saved(tmp_path / "cache" / "programs")) == 2  # the prefilter and the exact stage
    assert lines[0] == lines[1] and int(lines[0].split()[0]) > 0
