"""Test configuration: JAX on CPU, strict dtype promotion, a fixed seed, most of XLA's
optimisations off, and JAX's persistent compilation cache in a temporary directory of this run,
shared by its xdist workers and Ray's (identical programs built by different tests compile once).

The suite's time is mostly XLA compiling programs that then run on a few thousand points, so
``JAX_DISABLE_MOST_OPTIMIZATIONS`` (XLA's backend optimisation level 0, set before JAX starts,
so subprocesses and Ray's workers inherit it) shortens it by about a sixth (581 s → 489 s on
2 cores). tests/test_engine.py runs one sweep with XLA's defaults in a fresh process and
checks that its front is the same."""

import os
import shutil
import tempfile

os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("JAX_DISABLE_MOST_OPTIMIZATIONS", "1")

import jax  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

jax.config.update("jax_numpy_dtype_promotion", "strict")

# One folder for the whole run, shared by its pytest-xdist workers (each worker would
# otherwise compile the same engine programs again): the process that loads this file first
# (xdist's controller, which starts the workers afterwards) makes it and removes it.
_CACHE = os.environ.get("EXPLORER_TEST_JAX_CACHE")
_OWNER = not _CACHE
if _OWNER:
    _CACHE = tempfile.mkdtemp(prefix="explorer-test-jax-cache-")
    os.environ["EXPLORER_TEST_JAX_CACHE"] = _CACHE
jax.config.update("jax_compilation_cache_dir", _CACHE)
jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
os.environ["JAX_COMPILATION_CACHE_DIR"] = _CACHE  # Ray's workers (tests/test_distributed.py) share it
os.environ["XDG_CACHE_HOME"] = _CACHE  # explorer's own state (rates.json) stays out of the user's home


def pytest_configure(config):
    """Refuse --dist loadgroup where pytest-xdist ignores the xdist_group marks: pytest-xdist
    3.8 and older with pytest 9.2 or newer (pytest-dev/pytest-xdist#1386). The Ray tests
    would each start a Ray instance and the optimiser groups would compile once per worker,
    silently making the suite slower; pyproject.toml's test extra pins pytest below 9.2."""
    from importlib.metadata import version

    from packaging.version import Version

    if config.getoption("dist", "no") == "loadgroup" and Version(pytest.__version__) >= Version("9.2") \
            and Version(version("pytest-xdist")) <= Version("3.8.0"):
        raise pytest.UsageError(
            f"pytest {pytest.__version__} with pytest-xdist {version('pytest-xdist')} ignores xdist_group "
            f"(pytest-dev/pytest-xdist#1386): install 'pytest<9.2' (pip install '.[test]' does) or run with -n 0")


def pytest_sessionfinish(session, exitstatus):
    if _OWNER:
        shutil.rmtree(_CACHE, ignore_errors=True)


@pytest.fixture
def rng():
    """A NumPy generator with a fixed seed, so failures reproduce."""
    return np.random.default_rng(20261123)
