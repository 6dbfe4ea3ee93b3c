"""Evaluating a model with plain NumPy: the reference ``explorer bench`` compares against.

The kernels and models call ``jnp``. Inside ``numpy_backend()`` that name is NumPy in
every module of the ``kernels`` package, of the ``explorer.models`` package, and in the
model's own module, so the very same source runs eagerly in NumPy (no jit, no XLA). The
modules are found by walking the packages, so a new kernel or model module (a model's data
accounting, its phases) cannot be left on JAX, and ``evaluate_numpy`` checks
that every output came back as NumPy: a model that reaches JAX another way (``jax.lax``,
``jax.nn``) gets an error naming the output, not a silent JAX timing.

This swaps module globals, so one NumPy evaluation runs at a time (a lock serialises
them). It is a reference for timing and cross-checks, not an evaluation path of the
tool. The alternative, rewriting every kernel against the array API
(``array_namespace(x)``), would touch every kernel for no change in the numbers; the
swap evaluates the same source.
"""

from __future__ import annotations

import contextlib
import importlib
import pkgutil
import sys
import threading

import numpy as np

from explorer import kernels, models

_LOCK = threading.Lock()


def kernel_modules() -> tuple[str, ...]:
    """Every module of the ``kernels`` package, by name."""
    return _modules(kernels)


def model_modules() -> tuple[str, ...]:
    """Every module of the ``explorer.models`` package, by name."""
    return _modules(models)


def _modules(package) -> tuple[str, ...]:
    return tuple(sorted(f"{package.__name__}.{m.name}" for m in pkgutil.iter_modules(package.__path__)))


@contextlib.contextmanager
def numpy_backend(*extra_modules: str):
    """Within the block, ``jnp`` is NumPy in the kernels, the models and ``extra_modules``."""
    with _LOCK:
        modules = [importlib.import_module(m) for m in (*kernel_modules(), *model_modules(), *extra_modules)]
        saved = [(m, m.jnp) for m in modules if hasattr(m, "jnp")]
        try:
            for m, _ in saved:
                m.jnp = np
            yield
        finally:
            for m, original in saved:
                m.jnp = original


def evaluate_numpy(model, design: dict, params: dict) -> dict:
    """``model.fn(design, params)`` evaluated by NumPy (float64 unless the inputs say otherwise).

    Raises:
      TypeError: an output is not a NumPy value (the model computed it with JAX).
    """
    with numpy_backend(sys.modules[model.fn.__module__].__name__), np.errstate(all="ignore"):
        out = model.fn(design, params)
    for name, value in out.items():
        if not isinstance(value, (np.ndarray, np.generic, float, int)):
            raise TypeError(f"model {model.name!r}: output {name!r} came back as {type(value).__name__}, "
                            "not NumPy; it is computed outside jnp (e.g. jax.lax), which the NumPy reference "
                            "cannot swap")
    return out
