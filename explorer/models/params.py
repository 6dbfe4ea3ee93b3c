"""Resolving a model's parameters from its defaults, presets and user overrides."""

from __future__ import annotations

from collections.abc import Mapping

from explorer.errors import ExplorerError
from explorer.models.base import Model
from explorer.presets import load_preset


def resolve_params(model: Model, presets: Mapping[str, str] | None = None,
                   overrides: Mapping[str, float | str] | None = None) -> dict[str, float | str]:
    """Model defaults, then presets (in ``model.preset_kinds`` order), then overrides.

    Args:
      model: the model.
      presets: preset name per kind, e.g. {"hardware": "h100-sxm"}; kinds left
        out take ``model.default_presets``.
      overrides: parameter values that win over everything.

    Returns:
      Every parameter of the model, by name.

    Raises:
      ExplorerError: unknown preset kind or name, a preset value whose unit is
        not the model's, an override that names no parameter, a choice
        parameter set to a value it does not allow, a value outside its domain.
    """
    presets = dict(presets or {})
    unknown_kinds = sorted(set(presets) - set(model.preset_kinds))
    if unknown_kinds:
        raise ExplorerError(f"model {model.name!r} takes no {unknown_kinds[0]!r} preset "
                            f"(it takes: {', '.join(model.preset_kinds) or 'none'})")
    values: dict[str, float | str] = {p.name: p.default for p in model.params}
    for kind in model.preset_kinds:
        name = presets.get(kind) or model.default_presets.get(kind)
        if name is None:
            continue
        preset = load_preset(kind, name)
        for key, entry in preset.entries.items():
            param = model.param(key)
            if entry.unit != param.unit:
                raise ExplorerError(f"{kind} preset {name!r}: {key} is in {entry.unit!r}, "
                                    f"model {model.name!r} expects {param.unit!r}")
            values[key] = entry.value
            check_domain(model, key, entry.value, f"{kind} preset {name!r}: ")
    for key, value in (overrides or {}).items():
        values[key] = _checked(model, key, value)
        if not model.param(key).choices:
            check_domain(model, key, values[key], "model.params: ")
    return values


def check_domain(model: Model, key: str, value: float, where: str = "") -> None:
    """Raises one ExplorerError line if ``value`` lies outside parameter ``key``'s domain."""
    param = model.param(key)
    if not param.domain.contains(float(value)):
        unit = f" {param.unit}" if param.unit not in ("1", "") else ""
        raise ExplorerError(f"{where}{key} = {float(value):g}{unit} is outside its domain "
                            f"({param.domain.describe()})")


def _checked(model: Model, key: str, value):
    param = model.param(key)
    if param.choices:
        if value not in param.choices:
            raise ExplorerError(f"parameter {key} must be one of {', '.join(param.choices)}; got {value!r}")
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ExplorerError(f"parameter {key} must be a number ({param.unit}); got {value!r}") from None


def split_choices(model: Model, params: Mapping[str, float | str]):
    """(numeric params, choice params): choices are fixed before tracing."""
    choices = {p.name for p in model.params if p.choices}
    numeric = {k: v for k, v in params.items() if k not in choices}
    return numeric, {k: v for k, v in params.items() if k in choices}
