"""``explorer.kernels`` in a source checkout.

An installed distribution maps the repository's top-level ``kernels/`` folder to
``explorer.kernels`` (setuptools package-dir; an editable install's finder does the same).
Python run from the repository root without that (a notebook opened there, ``python -c``,
``python -m pytest``) imports the ``explorer/`` folder of the checkout, which has no
``kernels`` inside. This finder, consulted last, resolves ``explorer.kernels`` to the
checkout's ``kernels/`` folder in that case only.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT_KERNELS = _PACKAGE.parent / "kernels"
_MARKERS = ("__init__.py", "dvfs.py", "layout.py", "transformer.py")  # ours, not another "kernels" folder


class SourceKernelsFinder(importlib.abc.MetaPathFinder):
    """Finds ``explorer.kernels`` in the checkout's ``kernels/`` folder (its submodules follow
    from the package's ``__path__``)."""

    def find_spec(self, name, path=None, target=None):
        """The spec of ``explorer.kernels`` from the checkout, or None for every other name."""
        if name != "explorer.kernels":
            return None
        return importlib.util.spec_from_file_location(name, _CHECKOUT_KERNELS / "__init__.py",
                                                      submodule_search_locations=[str(_CHECKOUT_KERNELS)])


def install() -> None:
    """Appends the finder to ``sys.meta_path`` when this is a source checkout (no
    ``explorer/kernels`` beside this file, and the checkout's ``kernels/`` is this project's)."""
    if (_PACKAGE / "kernels").exists() or not all((_CHECKOUT_KERNELS / m).is_file() for m in _MARKERS):
        return
    if not any(isinstance(f, SourceKernelsFinder) for f in sys.meta_path):
        sys.meta_path.append(SourceKernelsFinder())
