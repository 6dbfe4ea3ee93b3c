"""The training trade-off explorer: models, presets and evaluation over (ν₀, B, T, N).

Public API::

    import explorer
    df = explorer.evaluate({"nu": [1.2e9, 1.8e9]}, params={"hardware": "h100-sxm"})
"""

from explorer.errors import ExplorerError
from explorer.evaluate import evaluate
from explorer.models import Model, Output, Param, Variable, available_models, get_model, register, resolve_params
from explorer.presets import load_preset, preset_names

__version__ = "0.1.0"

__all__ = ["ExplorerError", "Model", "Output", "Param", "Variable", "available_models", "evaluate",
           "get_model", "load_preset", "preset_names", "register", "resolve_params"]
