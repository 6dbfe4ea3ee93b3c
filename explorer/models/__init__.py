"""Composed models over the design variables (ν₀, B, T, N) and their registry."""

from explorer.models import llm_training, seed000, seed003, seed004  # noqa: F401  (registers the shipped models)
from explorer.models.base import Model, Output, Param, Variable, available_models, get_model, register
from explorer.models.params import resolve_params

__all__ = ["Model", "Output", "Param", "Variable", "available_models", "get_model", "register",
           "resolve_params"]
