"""Presets: hardware and workload parameter sets shipped as TOML files, one per preset.

Each file holds ``name``, ``kind``, ``description`` and a ``[params]`` table
whose entries are ``{value, unit, source}`` (plus optional ``note`` saying how
a value was derived). Adding a device is adding one file under ``hardware/``.
"""

from __future__ import annotations

import dataclasses
import tomllib
from functools import cache
from importlib import resources

from explorer.errors import ExplorerError

KINDS = ("hardware", "workload")
_FOLDERS = {"hardware": "hardware", "workload": "workloads"}


@dataclasses.dataclass(frozen=True)
class Entry:
    """One preset value with its unit and provenance."""

    value: float | str
    unit: str
    source: str
    note: str = ""


@dataclasses.dataclass(frozen=True)
class Preset:
    """A named set of parameter values of one kind (hardware or workload), each with its source."""

    name: str
    kind: str
    description: str
    entries: dict[str, Entry]

    @property
    def values(self) -> dict[str, float | str]:
        """The values alone, by parameter name."""
        return {k: e.value for k, e in self.entries.items()}


def _parse(text: str, origin: str) -> Preset:
    raw = tomllib.loads(text)
    try:
        entries = {}
        for key, item in raw["params"].items():
            value = item["value"]
            entries[key] = Entry(value=value if isinstance(value, str) else float(value),
                                 unit=item["unit"], source=item["source"], note=item.get("note", ""))
        return Preset(name=raw["name"], kind=raw["kind"], description=raw["description"], entries=entries)
    except (KeyError, TypeError, ValueError) as err:
        raise ExplorerError(f"malformed preset file {origin}: {err}") from None


@cache
def _all() -> dict[tuple[str, str], Preset]:
    found = {}
    root = resources.files(__name__)
    for kind, folder in _FOLDERS.items():
        for path in sorted(root.joinpath(folder).iterdir(), key=lambda p: p.name):
            if path.name.endswith(".toml"):
                preset = _parse(path.read_text(encoding="utf-8"), f"{folder}/{path.name}")
                if preset.kind != kind or f"{preset.name}.toml" != path.name:
                    raise ExplorerError(f"preset file {folder}/{path.name} declares kind={preset.kind!r}, "
                                        f"name={preset.name!r}; they must match its folder and file name")
                found[(kind, preset.name)] = preset
    return found


def preset_names(kind: str) -> tuple[str, ...]:
    """Names of the shipped presets of one kind ("hardware" or "workload")."""
    if kind not in KINDS:
        raise ExplorerError(f"unknown preset kind: {kind!r} (known: {', '.join(KINDS)})")
    return tuple(name for (k, name) in _all() if k == kind)


def load_preset(kind: str, name: str) -> Preset:
    """The preset ``name`` of ``kind``; unknown names raise one clear ExplorerError."""
    names = preset_names(kind)
    if name not in names:
        raise ExplorerError(f"unknown {kind} preset: {name!r} (known: {', '.join(names)})")
    return _all()[(kind, name)]


def find_preset(name: str) -> Preset:
    """The preset called ``name`` in whichever kind has it."""
    matches = [p for (k, n), p in _all().items() if n == name]
    if not matches:
        known = ", ".join(n for (_, n) in _all())
        raise ExplorerError(f"unknown preset: {name!r} (known: {known})")
    return matches[0]
