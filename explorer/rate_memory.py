"""The configurations/s of earlier sweeps on this machine, so a sweep can say up front how
long it will take (``explorer sweep`` prints it with the plan).

One small JSON file, ``$XDG_CACHE_HOME/explorer/rates.json`` (``~/.cache/...``), keyed by
model, sampler, mode and JAX platform; the last measurement of a key wins.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from explorer import io


def _file() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "explorer" / "rates.json"


def rate_key(plan, platform: str) -> str:
    """The key of a plan's rate: model, sampler, mode and platform."""
    return f"{plan.model.name}|{plan.sampler_kind}|{plan.mode}|{platform}"


def recall(key: str) -> float | None:
    """The last configurations/s measured for ``key``, or None."""
    try:
        rate = json.loads(_file().read_text()).get(key)
    except (OSError, ValueError, AttributeError):
        return None
    return float(rate) if isinstance(rate, (int, float)) and rate > 0 else None


def remember(key: str, rate: float) -> None:
    """Stores a measured rate (best effort: a read-only or full disk is not an error here)."""
    if not rate > 0:
        return
    try:
        rates = json.loads(_file().read_text())
        rates = rates if isinstance(rates, dict) else {}
    except (OSError, ValueError):
        rates = {}
    rates[key] = float(rate)
    try:
        with io.atomic_path(_file()) as tmp:
            tmp.write_text(json.dumps(rates, sort_keys=True))
    except OSError:
        pass


def duration(seconds: float) -> str:
    """A duration a person reads: 40 s, 12 min, 3.5 h, 2.1 days, 1.3 years."""
    for limit, unit, size in ((120, "s", 1), (7200, "min", 60), (172800, "h", 3600), (730 * 86400, "days", 86400)):
        if seconds < limit:
            return f"{seconds / size:.0f} {unit}" if unit in ("s", "min") else f"{seconds / size:.1f} {unit}"
    return f"{seconds / (365.25 * 86400):,.1f} years"
