"""One range of a sweep's visiting order on the local devices: a Ray task's work
(explorer.distributed), written atomically so a retried task never leaves half a part."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from explorer import io
from explorer.dominance import layout
from explorer.engine import Streamer
from explorer.pareto import ParetoArchive
from explorer.survivors import Survivors
from explorer.sweep_output import column_info, constants
from explorer.sweep_plan import SweepPlan, SweepSettings


def sweep_range(plan: SweepPlan, spec, settings: SweepSettings, lo: int, hi: int, part, front) -> dict:
    """Sweeps positions lo … hi − 1 of the plan's visiting order on the local devices (a Ray
    task's work) and writes the result atomically: frontier mode, the range's exact front to
    ``part``; feasible/all, every row to ``part`` (with the spec's constants) and the range's
    front to ``front``. The front file's metadata holds the range's counts. Returns the counts
    and timings."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    m = len(plan.structure.objectives)
    archive = ParetoArchive(m)
    t0 = time.perf_counter()
    streamer = Streamer(plan, settings)
    compile_s = time.perf_counter() - t0
    counts = {"lo": lo, "hi": hi, "evaluated": 0, "feasible": 0, "digest": plan.digest()}
    fixed = constants(spec)
    columns_info = column_info(plan, spec)
    with io.atomic_path(part) as tmp, \
            Survivors(archive, list(plan.structure.objectives), plan.structure.signs, tables=bool(layout(m))) as survivors:
        writer = None

        def on_chunk(k, chunk_id, done, pipeline):
            nonlocal writer
            rows = done.rows
            if not plan.frontier:
                table = io.annotated(pa.Table.from_pandas(pd.DataFrame(
                    rows | {c: np.full(len(rows[plan.columns[0]]), v) for c, v in fixed.items()}), preserve_index=False),
                    columns_info)
                writer = writer or pq.ParquetWriter(tmp, table.schema)
                writer.write_table(table.cast(writer.schema))
                if plan.mode == "all":
                    rows = {c: v[rows["feasible"]] for c, v in rows.items()}
            survivors.add(rows)
            counts["evaluated"] += done.evaluated
            counts["feasible"] += done.feasible
            if survivors.full():
                streamer.merge(survivors, done.grid)

        streamer.seed(archive, scout=plan.frontier)
        streamer.run(plan.visiting_order()[lo:hi], on_chunk)
        streamer.merge(survivors, streamer.pipelines[0].finished_grid)
        columns = survivors.columns() or {c: np.empty(0, bool if c == "feasible" else plan.structure.dtype)
                                          for c in plan.columns}
        frame = pd.DataFrame({c: columns[c] for c in plan.columns if c != "feasible"})
        if plan.frontier:
            io.write(frame, tmp, counts)
        else:
            if writer is not None:
                writer.close()
            io.write(frame, front, counts)
    return counts | {"compile_s": compile_s, "run_s": time.perf_counter() - t0 - compile_s}
