"""Device programs that outlive the process: ``jax.export`` modules on disk, keyed on what built them.

JAX's persistent compilation cache (``compile_cache``) is keyed on the *lowered* program, so
a repeated run still traces and lowers its programs before the cache can answer: 0.7 s of
the quickstart's 1.2 s of compilation on a 2-core CPU (docs/engine.md). Here a program is
exported once (``jax.export``: its StableHLO with its calling convention), written to disk
under a key that names everything it was built from, and every run, the first included,
compiles *through* the exported module. The module handed to XLA is then the same in every
process, so the persistent cache serves its compiled code, and tracing is skipped.

The key is a SHA-256 over

- ``fingerprint.fingerprint(plan)``: a canonical form of the plan, walked generically
  (dataclasses, NamedTuples, containers, numbers, strings, NumPy arrays by their bytes,
  functions by module, name, closure cells and defaults);
- the program's name, and the shapes and dtypes of its arguments;
- the files of the ``explorer`` and ``explorer.kernels`` packages (code and data);
- the versions of jax, jaxlib, NumPy and optax, the platform, the device kind and the x64 flag.

An object of a kind the walk does not know gives no key: that program is built as usual and
not saved, so a stale program is never reused. The folder is ``compile_cache.cache_dir()``'s
sibling ``programs``; ``EXPLORER_COMPILE_CACHE=off`` turns both off. Writes are atomic
(a temporary file renamed into place), an unreadable entry is deleted and rebuilt, and the
folder is kept under ``MAX_BYTES`` by removing the least recently used entries.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from pathlib import Path

import numpy as np

from explorer import compile_cache
from explorer.fingerprint import Unstable, fingerprint, qualified_name

MAX_BYTES = 256 << 20  # the folder's size limit; the least recently used programs go first
SUFFIX = ".jaxexport"


@functools.cache
def source_digest() -> str:
    """SHA-256 of every file of the explorer and explorer.kernels packages (path and bytes; the
    code and the data it reads, such as presets), bytecode caches left out."""
    import explorer
    import explorer.kernels

    digest = hashlib.sha256()
    for package in (explorer, explorer.kernels):
        root = Path(package.__file__).parent
        for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def program_key(name: str, plan, args) -> str | None:
    """The key of program ``name`` of ``plan`` for ``args`` (see the module docstring), or None
    when the plan has no canonical form."""
    import jax

    leaves = jax.tree.leaves(args)
    devices = sorted({str(d.device_kind) for leaf in leaves if hasattr(leaf, "devices") for d in leaf.devices()})
    avals = [(np.shape(x), str(getattr(x, "dtype", type(x).__name__)), bool(getattr(x, "weak_type", False)))
             for x in leaves]
    context = (name, str(jax.tree.structure(args)), avals, source_digest(), _versions(), jax.default_backend(),
               devices, bool(jax.config.jax_enable_x64))
    try:
        return fingerprint((context, plan))
    except Unstable:
        return None


@functools.cache
def _versions() -> tuple:
    """Versions of the libraries a program's code comes from, besides this package's own."""
    from importlib import metadata

    found = []
    for name in ("jax", "jaxlib", "numpy", "optax"):
        try:
            found.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            found.append((name, None))
    return tuple(found)


def program_dir() -> Path | None:
    """Where exported programs are kept (None when the compile cache is turned off)."""
    folder = compile_cache.cache_dir()
    return None if folder is None else folder.parent / "programs"


def compile_program(name: str, fn, plan, args):
    """``jax.jit(fn)`` compiled for ``args`` through its exported module, loaded from disk when an
    earlier process saved it under the same key and saved otherwise. ``fn`` is a pure function
    of ``args`` (a pytree of arrays) built from ``plan``; NamedTuples among its inputs and outputs
    must be registered first (``register_namedtuples``). Returns a ``jax.stages.Compiled``."""
    import jax

    compile_cache.enable()
    folder, key = program_dir(), program_key(name, plan, args)
    path = folder / f"{key}{SUFFIX}" if folder is not None and key is not None else None
    exported = _load(path) if path is not None else None
    if exported is None:
        exported = jax.export.export(jax.jit(fn))(*args)
        if path is not None:
            _save(path, exported)
    return jax.jit(exported.call).lower(*args).compile()


class ExportedFunction:
    """``jax.jit(fn)`` for top-level calls, whose program for each argument signature (pytree,
    shapes, dtypes) compiles through ``compile_program``, so a later process loads it instead of
    tracing it. ``(name, plan)`` must determine ``fn``, as for ``compile_program``."""

    def __init__(self, name: str, fn, plan):
        self.name, self.fn, self.plan = name, fn, plan
        self._programs = {}  # one compiled program per signature: a caller keeps its shapes few

    def __call__(self, *args):
        import jax
        import jax.numpy as jnp

        args = jax.tree.map(jnp.asarray, args)
        leaves, tree = jax.tree.flatten(args)
        signature = (tree, tuple((x.shape, x.dtype, x.weak_type) for x in leaves))
        if signature not in self._programs:
            self._programs[signature] = compile_program(self.name, self.fn, self.plan, args)
        return self._programs[signature](*args)


def register_namedtuples(*kinds: type) -> None:
    """Registers NamedTuple classes for ``jax.export`` serialisation (once each)."""
    for kind in kinds:
        _register(kind)


@functools.cache
def _register(kind: type) -> None:
    import jax

    jax.export.register_namedtuple_serialization(kind, serialized_name=qualified_name(kind))


def _load(path: Path):
    """The exported program at ``path``, or None (missing, or unreadable: then it is removed)."""
    import jax

    try:
        blob = path.read_bytes()
    except OSError:
        return None
    try:
        exported = jax.export.deserialize(bytearray(blob))
    except Exception:  # noqa: BLE001 - any corrupt entry (truncated, from another version) is a miss
        path.unlink(missing_ok=True)
        return None
    os.utime(path)  # recently used: evicted last
    return exported


def _save(path: Path, exported) -> None:
    """Writes ``exported`` atomically; a full disk or a read-only folder only means no saving."""
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(exported.serialize())
        os.replace(temporary, path)
    except OSError:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        return
    _evict(path.parent, MAX_BYTES, keep=path)


def _evict(folder: Path, limit: int, keep: Path) -> None:
    """Removes the least recently used programs, never ``keep`` (the one just written), until
    the folder holds at most ``limit`` bytes or only ``keep`` is left."""
    entries = [(entry, _stat(entry)) for entry in folder.glob(f"*{SUFFIX}") if entry != keep]
    entries = sorted((stat.st_mtime, stat.st_size, entry) for entry, stat in entries if stat is not None)
    total = sum(size for _, size, _ in entries) + getattr(_stat(keep), "st_size", 0)
    for _, size, entry in entries:
        if total <= limit:
            break
        entry.unlink(missing_ok=True)
        total -= size


def _stat(path: Path):
    """``path.stat()``, or None when another process removed the file meanwhile."""
    try:
        return path.stat()
    except OSError:
        return None
