"""Parquet results: one row per configuration, provenance in the file's metadata.

The metadata (key ``explorer``, JSON) holds the model name and version, the
unit of every column, the full spec, the seed and the sample counts, so a
result says how it was made. Each column also carries its own unit and
description as Arrow field metadata (``unit``, ``description``; what DuckDB's
``parquet_schema`` and Polars show), and counts (devices, sequences, layout
degrees) are int64. Writes are atomic: a temporary file in the same folder,
then a rename, so a crash never leaves a half-written result.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from explorer.errors import ExplorerError

METADATA_KEY = b"explorer"


def schema_with_metadata(schema: pa.Schema, metadata: dict) -> pa.Schema:
    """``schema`` carrying ``metadata`` as JSON under the ``explorer`` key."""
    return schema.with_metadata({**(schema.metadata or {}), METADATA_KEY: json.dumps(metadata, default=str)})


def annotated(table: pa.Table, columns: dict) -> pa.Table:
    """``table`` with its integer columns as int64 and each column's unit and description as
    field metadata. ``columns``: a metadata dict's ``units`` and ``descriptions`` (name → str)
    and ``integers`` (names); columns it does not name stay as they are. A float column named
    an integer must hold whole numbers (pyarrow's safe cast refuses anything else)."""
    units, docs = columns.get("units", {}), columns.get("descriptions", {})
    integers = set(columns.get("integers", ()))
    fields = []
    for field in table.schema:
        kind = pa.int64() if field.name in integers and pa.types.is_floating(field.type) else field.type
        info = {k: v for k, v in (("unit", units.get(field.name)), ("description", docs.get(field.name))) if v}
        fields.append(pa.field(field.name, kind, field.nullable, {**(field.metadata or {}), **info} or None))
    return table.cast(pa.schema(fields, metadata=table.schema.metadata))


def write(frame: pd.DataFrame, path: str | os.PathLike, metadata: dict) -> Path:
    """Writes ``frame`` to ``path`` atomically with ``metadata`` (its ``units``, ``descriptions``
    and ``integers`` annotate the columns, see ``annotated``); returns the path."""
    path = Path(path)
    table = annotated(pa.Table.from_pandas(frame, preserve_index=False), metadata)
    table = table.replace_schema_metadata(schema_with_metadata(table.schema, metadata).metadata)
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)
    return path


class atomic_path:
    """Context manager yielding a temporary path beside ``path``; renamed onto it on success."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def __enter__(self) -> Path:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        os.close(fd)
        self.tmp = Path(name)
        return self.tmp

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(self.tmp, 0o666 & ~umask)  # mkstemp makes 0600; results follow the umask
            os.replace(self.tmp, self.path)
        else:
            self.tmp.unlink(missing_ok=True)
        return False


def replace_path(source: Path, target: Path):
    """Moves ``source`` (a file or folder) onto ``target``, which may exist (and is then removed
    once the new one is in place: a reader sees the old result or the new one, never neither for
    long and never a mix)."""
    import shutil

    source, target = Path(source), Path(target)
    old = None
    if target.exists() or target.is_symlink():
        old = target.with_name(f".{target.name}.{os.getpid()}.old")
        os.replace(target, old)
    os.replace(source, target)
    if old is not None:
        shutil.rmtree(old) if old.is_dir() and not old.is_symlink() else old.unlink()


def read(path: str | os.PathLike) -> tuple[pd.DataFrame, dict]:
    """Reads a Parquet file, or a dataset folder of Parquet files (a Ray run's feasible/all
    output, whose metadata is in its ``_common_metadata``): (DataFrame, explorer metadata or {}
    for foreign files)."""
    path = Path(path)
    if not path.is_file() and not path.is_dir():
        raise ExplorerError(f"cannot read {str(path)!r}: no such file")
    if path.is_dir() and not any(path.glob("*.parquet")):
        raise ExplorerError(f"cannot read {str(path)!r}: a folder without Parquet parts (*.parquet)")
    try:
        table = pq.read_table(path)
        schema = table.schema
        if path.is_dir() and (path / "_common_metadata").is_file():
            schema = pq.read_schema(path / "_common_metadata")
    except (pa.ArrowInvalid, OSError) as err:
        raise ExplorerError(f"cannot read {str(path)!r} as Parquet: {str(err).splitlines()[0]}") from None
    raw = (schema.metadata or {}).get(METADATA_KEY)
    try:
        metadata = json.loads(raw) if raw else {}
    except json.JSONDecodeError as err:
        raise ExplorerError(f"{str(path)!r} has unreadable explorer metadata: {err}") from None
    if not isinstance(metadata, dict):
        raise ExplorerError(f"{str(path)!r} has unreadable explorer metadata: a JSON {type(metadata).__name__}, "
                            "not an object")
    return table.to_pandas(), metadata
