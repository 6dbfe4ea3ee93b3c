"""Checks on where a run will write, made before any compilation or streaming.

``check_output`` creates the output's folder (or finds it), proves it writable by making
and removing a file in it, refuses a target that is a folder (other than a Ray run's own
dataset folder) and a disk without room for the estimated output. ``remove_orphans`` removes
the temporary files an earlier killed run of the same output left. Every failure is one
``ExplorerError`` line naming the path.
"""

from __future__ import annotations

import errno
import shutil
import sys
import tempfile
from pathlib import Path

from explorer.errors import ExplorerError

LOW_SPACE_BYTES = 1 << 30  # warn below this much free space


def os_error_line(err: OSError, what: str = "") -> str:
    """One line for an OSError: what was being done, the path, and the reason."""
    where = f" {str(err.filename)!r}" if err.filename else ""
    reason = "no space left on the device" if err.errno == errno.ENOSPC else (err.strerror or str(err))
    return f"{what or 'cannot write'}{where}: {reason}"


def estimated_bytes(plan) -> int:
    """An upper bound on the output's size: every column of every row in feasible/all mode
    (uncompressed), and of a front of 1% of the rows in frontier mode (a guess: the quickstart's
    front holds 2%, the 10⁸ bench grid's 0.9%)."""
    rows = plan.total if not plan.frontier else max(plan.total // 100, 1)
    width = 8 if plan.structure.dtype == "float64" else 4
    return rows * len(plan.columns) * width


def check_output(path: Path, plan=None, *, dataset_ok: bool = False) -> None:
    """Makes sure ``path`` can be written (see the module docstring)."""
    path = Path(path)
    if path.is_dir() and not (dataset_ok and (path / "_common_metadata").is_file()):
        raise ExplorerError(f"output {str(path)!r} is a folder; give a file path ending in .parquet")
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(prefix=f".{path.name}.", suffix=".probe", dir=folder):
            pass
    except FileExistsError:
        raise ExplorerError(f"cannot write {str(path)!r}: a part of its folder {str(folder)!r} is a file") from None
    except NotADirectoryError:
        raise ExplorerError(f"cannot write {str(path)!r}: a part of its folder {str(folder)!r} is a file") from None
    except OSError as err:
        raise ExplorerError(f"cannot write {str(path)!r}: " + os_error_line(err, "in folder")) from None
    free = shutil.disk_usage(folder).free
    need = estimated_bytes(plan) if plan is not None else 0
    if need > free:
        raise ExplorerError(f"not enough room for {str(path)!r}: about {need / 1e9:,.1f} GB estimated, "
                            f"{free / 1e9:,.1f} GB free")
    if free < max(LOW_SPACE_BYTES, 2 * need):
        print(f"explorer: warning: only {free / 1e9:,.2f} GB free beside {str(path)!r}", file=sys.stderr)


def remove_orphans(path: Path) -> None:
    """Removes temporary files a killed run of ``path`` left beside it (``.NAME.*.tmp``); call it
    holding the output's lock, so that no live run's files are taken."""
    for orphan in Path(path).parent.glob(f".{Path(path).name}.*.tmp"):
        try:
            orphan.unlink()
        except OSError:
            pass


__all__ = ["check_output", "estimated_bytes", "os_error_line", "remove_orphans"]
