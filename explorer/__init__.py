"""The training trade-off explorer: models, presets, sweeps and Pareto frontiers over (ν₀, B, T, N).

Public API::

    import explorer
    df = explorer.evaluate({"nu": [1.2e9, 1.8e9]}, params={"hardware": "h100-sxm"})
    result = explorer.sweep("sweeps/quickstart.toml")   # frontier DataFrame, counts, path

Names are imported on first use, so ``explorer --help`` does not load JAX.
"""

import importlib

from explorer import _source_kernels

__version__ = "0.1.0"

_source_kernels.install()  # explorer.kernels from a source checkout too (see that module)

_EXPORTS = {
    "ExplorerError": "explorer.errors",
    "evaluate": "explorer.evaluation",
    "sweep": "explorer.engine", "SweepResult": "explorer.engine",
    "Model": "explorer.models", "Output": "explorer.models", "Param": "explorer.models",
    "Variable": "explorer.models", "available_models": "explorer.models", "get_model": "explorer.models",
    "register": "explorer.models", "resolve_params": "explorer.models",
    "load_preset": "explorer.presets", "preset_names": "explorer.presets",
}
_SUBMODULES = ("io", "pareto")

__all__ = sorted([*_EXPORTS, *_SUBMODULES])


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    if name in _SUBMODULES:
        return importlib.import_module(f"explorer.{name}")
    raise AttributeError(f"module 'explorer' has no attribute {name!r}")
