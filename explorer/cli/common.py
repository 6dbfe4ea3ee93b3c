"""Options every command shares, defined once: presets and parameter overrides for a spec's
model (``--hardware``, ``--workload``, ``--param``), and how results are shown (``--quiet``,
``--json``)."""

from __future__ import annotations

import json
import math


def add_model_arguments(parser):
    """``--hardware``, ``--workload`` and repeatable ``--param KEY=VALUE``: they replace the
    spec's ``[model]`` presets and add to its ``[model.params]``."""
    parser.add_argument("--hardware", help="hardware preset, replacing the spec's (see `explorer presets`)")
    parser.add_argument("--workload", help="workload preset, replacing the spec's")
    parser.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                        help="a model parameter override (units allowed: --param pue=1.3 --param t_max=60days)")


def add_configuration_arguments(parser):
    """``NAME=VALUE`` settings, ``--model``, ``--hardware`` and ``--workload``: a configuration
    given on the command line (``evaluate``, ``sensitivity``)."""
    parser.add_argument("settings", nargs="*", metavar="NAME=VALUE", help="design variables and parameter overrides")
    parser.add_argument("--model", default="llm_training", help="registered model (default: llm_training)")
    parser.add_argument("--hardware", help="hardware preset (see `explorer presets`)")
    parser.add_argument("--workload", help="workload preset (see `explorer presets`)")


def model_overrides(args) -> dict:
    """The ``[model]`` entries that ``add_model_arguments``'s options set (for ``load_spec``)."""
    from explorer.errors import ExplorerError

    params = {}
    for item in args.param:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ExplorerError(f"--param {item!r} is not KEY=VALUE")
        params[key.strip()] = value.strip()
    out = {kind: getattr(args, kind) for kind in ("hardware", "workload") if getattr(args, kind)}
    return out | ({"params": params} if params else {})


def add_output_arguments(parser, *, progress: bool = True):
    """``--quiet`` (no progress bars or phase lines) and ``--json`` (one JSON document on stdout)."""
    parser.add_argument("--quiet", action="store_true",
                        help="no progress bars or phase lines" if progress else "print nothing but errors")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON document")


def print_json(document) -> None:
    """``document`` as JSON on stdout: NumPy scalars as numbers, NaN and ±inf as null."""
    print(json.dumps(_plain(document), indent=2))


def _plain(value):
    import numpy as np

    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
