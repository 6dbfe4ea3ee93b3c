"""Evaluating a model with plain NumPy: the reference ``explorer bench`` compares against.

The kernels and models call ``jnp``; inside ``numpy_backend()`` that name is
NumPy in every kernels module and in the model's own module, so the very
same equations run eagerly in NumPy (no jit, no XLA). Only for models whose
code uses ``jnp`` functions NumPy also has (both shipped models do).
"""

from __future__ import annotations

import contextlib
import importlib
import sys

import numpy as np

_KERNEL_MODULES = ("kernels._safe", "kernels._scan", "kernels.batch", "kernels.cost", "kernels.dvfs",
                   "kernels.energy", "kernels.information", "kernels.layout", "kernels.parallel", "kernels.quality",
                   "kernels.thermal", "kernels.throughput", "kernels.transformer")


@contextlib.contextmanager
def numpy_backend(*extra_modules: str):
    """Within the block, ``jnp`` is NumPy in the kernels and in ``extra_modules``."""
    modules = [importlib.import_module(m) for m in (*_KERNEL_MODULES, *extra_modules)]
    saved = [(m, m.jnp) for m in modules if hasattr(m, "jnp")]
    try:
        for m, _ in saved:
            m.jnp = np
        yield
    finally:
        for m, original in saved:
            m.jnp = original


def evaluate_numpy(model, design: dict, params: dict) -> dict:
    """``model.fn(design, params)`` evaluated by NumPy (float64 unless the inputs say otherwise)."""
    with numpy_backend(sys.modules[model.fn.__module__].__name__), np.errstate(all="ignore"):
        return model.fn(design, params)
