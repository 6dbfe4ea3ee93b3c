"""JAX's persistent compilation cache, on by default for the engine.

A sweep's two programs take seconds to compile (docs/engine.md). With the cache, a run whose
programs were built before (by an earlier run, or by another Ray worker on the same machine)
loads them from disk. The folder is ``$EXPLORER_COMPILE_CACHE``, else
``$XDG_CACHE_HOME/explorer/jax`` (``~/.cache/explorer/jax``); ``EXPLORER_COMPILE_CACHE=off``
turns it off. A cache folder set through JAX itself (``JAX_COMPILATION_CACHE_DIR`` or
``jax.config``) is left as it is.
"""

from __future__ import annotations

import os
from pathlib import Path

MAX_BYTES = 2 << 30  # JAX evicts the least recently used entries beyond this (it needs filelock)


def cache_dir() -> Path | None:
    """The default cache folder, or None when turned off."""
    setting = os.environ.get("EXPLORER_COMPILE_CACHE", "")
    if setting.lower() == "off":
        return None
    if setting:
        return Path(setting)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "explorer" / "jax"


def enable() -> None:
    """Turns the cache on (idempotent), unless JAX already has a folder or it is turned off."""
    import jax

    if jax.config.jax_compilation_cache_dir:
        return
    folder = cache_dir()
    if folder is None:
        return
    jax.config.update("jax_compilation_cache_dir", str(folder))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.5)
    jax.config.update("jax_compilation_cache_max_size", MAX_BYTES)
