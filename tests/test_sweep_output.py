"""A sweep's result as people read it: counts are int64, every column has its unit and
description in the file, and the in-memory front matches the file."""

import numpy as np
import pyarrow.parquet as pq

from explorer import io
from explorer.engine import sweep
from test_engine import small_spec


def test_front_file_has_integer_counts_and_described_columns(tmp_path):
    result = sweep(small_spec(tmp_path), progress=False)
    schema = pq.read_schema(result.path)
    for name in ("batch", "n_parallel"):
        assert str(schema.field(name).type) == "int64", name
        assert result.frame[name].dtype == np.int64
    assert schema.field("nu").type.bit_width == 32  # the spec's float32 for the rest
    assert schema.field("n_parallel").metadata[b"unit"] == b"devices"
    assert schema.field("energy_j").metadata[b"unit"] == b"J"
    assert b"PUE" in schema.field("energy_j").metadata[b"description"]
    frame, meta = io.read(result.path)
    assert meta["integers"] == ["batch", "n_parallel"] and meta["units"]["time_s"] == "s"
    assert (frame.batch.to_numpy() == result.frame.batch.to_numpy()).all()
    assert meta["answers"].startswith("Pareto-optimal for time_s, energy_j, final_loss only")  # what it can answer


def test_every_row_file_has_integer_counts_too(tmp_path):
    result = sweep(small_spec(tmp_path, mode="all"), progress=False)
    schema = pq.read_schema(result.path)
    assert str(schema.field("batch").type) == "int64" and schema.field("batch").metadata[b"unit"] == b"sequences"
    assert "answers" not in io.read(result.path)[1]  # every row: it answers any objective
