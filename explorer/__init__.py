"""The training trade-off explorer: models, presets, sweeps and Pareto frontiers over (ν₀, B, T, N).

Public API (the CLI's commands, as functions)::

    import explorer
    df = explorer.evaluate({"nu": [1.2e9, 1.8e9]}, params={"hardware": "h100-sxm"})
    result = explorer.sweep("sweeps/quickstart.toml")     # frontier DataFrame, counts, path
    runs = explorer.optimize("sweeps/optimize_energy.toml")  # one row per run, the best marked
    front = explorer.frontier("all.parquet", objectives=["time_s", "cost_usd"])
    files = explorer.report("data/results/quickstart.parquet")
    table = explorer.calibrate()                          # published runs, in-sample and leave-one-out
    frame, metadata = explorer.read("data/results/quickstart.parquet")

Names are imported on first use, so ``explorer --help`` does not load JAX; type checkers and
IDEs see them through the ``TYPE_CHECKING`` imports below.
"""

import importlib
from typing import TYPE_CHECKING

from explorer import _source_kernels

__version__ = "0.1.0"

_source_kernels.install()  # explorer.kernels from a source checkout too (see that module)

_EXPORTS = {
    "ExplorerError": "explorer.errors",
    "evaluate": "explorer.evaluation",
    "sweep": "explorer.engine", "SweepResult": "explorer.engine",
    "optimize": "explorer.optimizer",
    "frontier": "explorer.file_front",
    "report": "explorer.report_files",
    "calibrate": "explorer.calibration",
    "read": "explorer.io",
    "Model": "explorer.models", "Output": "explorer.models", "Param": "explorer.models",
    "Variable": "explorer.models", "available_models": "explorer.models", "get_model": "explorer.models",
    "register": "explorer.models", "resolve_params": "explorer.models",
    "load_preset": "explorer.presets", "preset_names": "explorer.presets",
}
_SUBMODULES = ("io", "pareto")

__all__ = sorted([*_EXPORTS, *_SUBMODULES])

if TYPE_CHECKING:  # what the lazy __getattr__ below returns, for type checkers and IDEs
    from explorer import io, pareto
    from explorer.calibration import calibrate
    from explorer.engine import SweepResult, sweep
    from explorer.errors import ExplorerError
    from explorer.evaluation import evaluate
    from explorer.file_front import frontier
    from explorer.io import read
    from explorer.models import (Model, Output, Param, Variable, available_models, get_model, register,
                                 resolve_params)
    from explorer.optimizer import optimize
    from explorer.presets import load_preset, preset_names
    from explorer.report_files import report


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    if name in _SUBMODULES:
        return importlib.import_module(f"explorer.{name}")
    raise AttributeError(f"module 'explorer' has no attribute {name!r}")
