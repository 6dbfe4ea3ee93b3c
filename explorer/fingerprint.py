"""A canonical fingerprint of a plan: equal for equal contents, whatever the process.

``fingerprint(obj)`` walks ``obj`` generically and hashes a type-tagged form of it:
dataclasses (every field), NamedTuples, tuples, lists, mappings (keys sorted), sets, numbers
(floats by their exact hex form), strings, NumPy arrays (dtype, shape and bytes), enums,
classes and modules by name, and functions by module and qualified name with their closure
cells and defaults (so two closures over different values differ). The code behind a name is
not hashed here: ``program_cache`` adds a digest of the package's files. An object of any
other kind raises ``Unstable``, so a caller never keys a cache on something it cannot see.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import types

import numpy as np


class Unstable(TypeError):
    """Raised by ``fingerprint`` for an object with no canonical form."""


def fingerprint(obj) -> str:
    """SHA-256 (hex) of a canonical form of ``obj``; raises ``Unstable`` if part of it has none."""
    digest = hashlib.sha256()
    _feed(obj, digest, set())
    return digest.hexdigest()


def _feed(obj, digest, active: set) -> None:
    """Writes a canonical, type-tagged form of ``obj`` into ``digest``."""

    def tag(text: str) -> None:
        digest.update(text.encode() + b"\0")

    if obj is None or isinstance(obj, (bool, int, str, bytes)):
        tag(f"{type(obj).__name__}:{obj!r}")
    elif isinstance(obj, float):
        tag(f"float:{obj.hex()}")
    elif isinstance(obj, (np.generic, np.ndarray)):
        array = np.asarray(obj)
        tag(f"ndarray:{array.dtype.str}:{array.shape}")
        digest.update(np.ascontiguousarray(array).tobytes())
    elif isinstance(obj, np.dtype):
        tag(f"dtype:{obj.str}")
    elif isinstance(obj, enum.Enum):
        tag(f"enum:{qualified_name(type(obj))}.{obj.name}")
    elif isinstance(obj, type):
        tag(f"type:{qualified_name(obj)}")
    elif isinstance(obj, types.ModuleType):
        tag(f"module:{obj.__name__}")
    elif id(obj) in active:  # a cycle (a closure that refers to itself): its name is enough
        tag(f"cycle:{type(obj).__name__}")
    else:
        active.add(id(obj))
        try:
            _feed_compound(obj, digest, active, tag)
        finally:
            active.discard(id(obj))


def _feed_compound(obj, digest, active: set, tag) -> None:
    if dataclasses.is_dataclass(obj):
        tag(f"dataclass:{qualified_name(type(obj))}")
        for field in dataclasses.fields(obj):
            tag(field.name)
            _feed(getattr(obj, field.name), digest, active)
    elif isinstance(obj, tuple) and hasattr(obj, "_fields"):  # a NamedTuple
        tag(f"namedtuple:{qualified_name(type(obj))}")
        for name in obj._fields:
            tag(name)
            _feed(getattr(obj, name), digest, active)
    elif isinstance(obj, (tuple, list)):
        tag(f"{type(obj).__name__}:{len(obj)}")
        for item in obj:
            _feed(item, digest, active)
    elif isinstance(obj, (dict, types.MappingProxyType)):
        tag(f"mapping:{len(obj)}")
        for key in sorted(obj, key=repr):
            _feed(key, digest, active)
            _feed(obj[key], digest, active)
    elif isinstance(obj, (set, frozenset)):
        tag(f"set:{len(obj)}")
        for item in sorted(obj, key=repr):
            _feed(item, digest, active)
    elif isinstance(obj, functools.partial):
        tag("partial")
        _feed((obj.func, obj.args, obj.keywords), digest, active)
    elif isinstance(obj, types.FunctionType):
        tag(f"function:{obj.__module__}.{obj.__qualname__}")
        cells = tuple(cell.cell_contents for cell in obj.__closure__ or ())
        _feed((cells, obj.__defaults__, obj.__kwdefaults__ or {}), digest, active)
    elif isinstance(obj, types.MethodType):
        tag(f"method:{obj.__func__.__qualname__}")
        _feed((obj.__func__, obj.__self__), digest, active)
    elif isinstance(obj, (types.BuiltinFunctionType, np.ufunc)):
        tag(f"builtin:{getattr(obj, '__module__', '')}.{obj.__name__}")
    else:
        raise Unstable(f"no canonical form for a {qualified_name(type(obj))}")


def qualified_name(kind: type) -> str:
    """``module.QualifiedName`` of a class."""
    return f"{kind.__module__}.{kind.__qualname__}"
