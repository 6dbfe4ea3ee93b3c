"""The streaming sweep engine: chunks of configurations through one compiled kernel
into an exact Pareto frontier (or all feasible / all rows) in Parquet.

Two compiled programs per run (docs/engine.md has the whole story):

- the *prefilter* evaluates the model on a whole chunk, a grid chunk as an outer
  product of axis ranges (every intermediate on the axes it depends on only), and
  lists the points the archive's grid of minima does not dominate (with a small
  slack that absorbs rounding differences between the two programs);
- the *exact stage* re-evaluates those candidates point by point, in a device-side
  loop of steps, folds them into the tables (they are real points), decides with the
  tables (or a sketch of front points) on the very values it returns, and compacts the
  survivors.

The tables stay on the device, passed from call to call. Only survivors travel to the
host, where ``ParetoArchive`` merges them exactly (moocore's O(n log n) dimension
sweep). In frontier mode a scout first evaluates runs spread over the whole sweep, whose
front seeds the tables, and chunks are visited in a spread order. A checkpoint at chunk
boundaries (at most every few seconds) makes a killed run resumable with an identical
result.
"""

from __future__ import annotations

import dataclasses
import datetime
import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd

from explorer import io
from explorer.dominance import dominated_by_any, dominated_by_table, grid_of_minima, layout, sketch_points, survivors
from explorer.errors import ExplorerError
from explorer.pareto import ParetoArchive
from explorer.problem import Problem
from explorer.samplers import make_sampler
from explorer.spec import SweepSpec, load_spec

STEP = 1 << 15  # candidates per step of the exact stage's device-side loop
CAPACITY = 1 << 17  # a call of the exact stage stops stepping once it holds this many survivors
SCOUT = 1 << 16  # configurations the scout evaluates
BLOCK = 8  # the prefilter keeps or drops runs of up to this many points (a divisor of the chunk)
CHECKPOINT_EVERY_S = 5.0
# The prefilter's values come from another program than the exact stage's (an outer
# product rather than gathered points), so they may differ in the last bits; it relaxes
# every test by this relative slack (measured differences: < 1e-6 in float32).
SLACK = {"float32": 2.0**-13, "float64": 2.0**-40}


@dataclasses.dataclass
class SweepResult:
    """What a sweep produced.

    Attributes:
      frame: the Pareto frontier (feasible, non-dominated rows), sorted.
      path: the Parquet file written (the frontier, or all feasible / all rows).
      evaluated, feasible, on_front: counts of configurations.
      compile_s, run_s: seconds spent compiling and streaming.
    """

    frame: pd.DataFrame
    path: Path
    evaluated: int
    feasible: int
    on_front: int
    compile_s: float
    run_s: float

    @property
    def configs_per_s(self) -> float:
        """Configurations evaluated per second of streaming (compilation excluded)."""
        return self.evaluated / self.run_s if self.run_s > 0 else float("nan")


def sweep(spec, *, out: str | None = None, samples: int | None = None, resume: bool = False,
          progress: bool = True) -> SweepResult:
    """Runs a sweep spec (TOML path, dict or SweepSpec) and writes its Parquet result.

    Args:
      spec: the sweep to run.
      out: output path (overrides the spec's).
      samples: sample count (overrides the spec's; not for grids).
      resume: continue from the checkpoint a killed run left.
      progress: show a progress bar on stderr.
    """
    import jax

    spec = load_spec(spec, path=out, samples=samples)
    with jax.enable_x64(spec.dtype == "float64"):
        return _Engine(spec).run(resume=resume, progress=progress)


def true_positions(mask):
    """Device side: the positions of ``mask``'s true entries in order, then zeros (int32, as
    long as the mask). One running sum and one scatter: ``jnp.nonzero`` takes two running
    sums and a scatter-add."""
    import jax.numpy as jnp

    n = mask.shape[0]
    rank = jnp.cumsum(mask, dtype=jnp.int32) - 1
    return jnp.zeros(n, jnp.int32).at[jnp.where(mask, rank, n)].set(jnp.arange(n, dtype=jnp.int32), mode="drop")


def visiting_order(n: int) -> np.ndarray:
    """A permutation of range(n) that spreads early visits over the whole range: the
    bit-reversed (van der Corput) order of 0 … 2^k − 1, keeping the values below n."""
    bits = max(n - 1, 0).bit_length()
    index = np.arange(1 << bits, dtype=np.int64)
    reversed_bits = np.zeros_like(index)
    for b in range(bits):
        reversed_bits |= ((index >> b) & 1) << (bits - 1 - b)
    return reversed_bits[reversed_bits < n]


class _Engine:
    def __init__(self, spec: SweepSpec):
        import jax
        import jax.numpy as jnp

        self.spec = spec
        self.model = spec.model
        self.dtype = jnp.float64 if spec.dtype == "float64" else jnp.float32
        self.slack = SLACK[spec.dtype]
        self.frontier = spec.mode == "frontier"
        self.sampler = make_sampler(spec.sampler, list(spec.axes), spec.samples, spec.seed)
        self.total = self.sampler.total
        self.chunk = self.sampler.chunk_length(min(spec.chunk_size, max(self.total, 1)))
        self.n_chunks = -(-self.total // self.chunk)
        self.order = visiting_order(self.n_chunks) if self.frontier else np.arange(self.n_chunks)
        self.step = min(self.chunk, STEP)
        self.block = max(d for d in range(1, BLOCK + 1) if self.chunk % d == 0)
        self.problem = Problem.from_spec(spec)
        self.structure = self.problem.structure
        self.param_axes = [a.name for a in spec.axes if a.name in self.model.param_names]
        self.columns = list(self.model.design_names) + self.param_axes + list(self.model.output_names)
        if spec.mode == "all":
            self.columns.append("feasible")
        self.objectives = list(self.structure.objectives)
        self.signs = self.structure.signs
        self._prefilter = self._exact = None
        self.scouted = np.empty((0, len(self.objectives)))  # the scout's front (minimised, relaxed)
        self.grid = self.sketch = None  # what the device rejects against (``_tables``)
        # every run of the chunk: the candidates of a feasible/all run, on the device once
        self._all_runs = jax.device_put(np.arange(self.chunk // self.block, dtype=np.int32) * self.block)

    # ---------------------------------------------------------------- device side
    def _columns(self, values) -> dict:
        """Swept and fixed inputs plus every model output, in whatever shapes broadcast."""
        import jax.numpy as jnp

        design, params = self.structure.inputs(values, self.problem.fixed_arrays(self.dtype))
        outputs = self.model.fn(design, params)
        return {**design, **{k: values[k] for k in self.param_axes},
                **{k: jnp.asarray(outputs[k]).astype(self.dtype) for k in self.model.output_names}}

    def _constraints(self, cols, slack: float = 0.0):
        """Feasibility: margins ≤ 0 and bounds, each relaxed by ``slack`` (relative; absolute near 0)."""
        return self.structure.feasible(cols, self.problem.bound_values, slack)

    def _objectives(self, cols) -> list:
        return [cols[o] * s for o, s in zip(self.objectives, self.signs)]

    def _dominated(self, obj, grid, sketch):
        """The archive's rejection: its grid of minima (2–3 objectives) or its sketch (others)."""
        if layout(len(obj)):
            return dominated_by_table(obj, grid)
        return dominated_by_any(obj, sketch)

    def _prefilter_chunk(self, inputs, n_valid, grid, sketch):
        """Candidates of one chunk, as the start positions of runs of ``block`` consecutive
        points (and their number of points, and the chunk's feasible count): every run whose ideal
        point (each objective's least value over the run's feasible points) the archive
        does not dominate; if it dominates the ideal, it dominates every point of the run.
        Feasibility and the ideal are relaxed by the slack.

        Every reduction is first taken over runs (rows of a (chunk/block, block) view): XLA
        on a CPU parallelises a row reduction, not one to a scalar.
        """
        import jax.numpy as jnp

        size, block = self.chunk, self.block
        values = self.sampler.block_values(inputs, size, self.dtype)
        cols = self._columns(values)
        shape = jnp.broadcast_shapes(*(jnp.shape(v) for v in values.values()))
        position = jnp.arange(size, dtype=jnp.int32).reshape(shape)
        valid = position < n_valid
        feasible = valid & self._constraints(cols)
        maybe = valid & self._constraints(cols, self.slack)

        def runs(x):
            return jnp.broadcast_to(x, shape).reshape(size // block, block)

        obj = self._objectives(cols)
        for o in obj:
            maybe = maybe & jnp.isfinite(o)
        ideal = []  # least (relaxed) value of each objective over the run's possibly feasible points
        for o in obj:
            least = jnp.min(jnp.where(runs(maybe), runs(o), jnp.inf), axis=1)
            ideal.append(least - self.slack * jnp.abs(least))
        alive = jnp.any(runs(maybe), axis=1) & ~self._dominated(ideal, grid, sketch)
        starts = true_positions(alive) * block
        count = jnp.sum(alive, dtype=jnp.int32) * block
        return starts, count, jnp.sum(runs(feasible), axis=1, dtype=jnp.int32).sum()

    def _exact_stage(self, inputs, n_valid, starts, count, offset, grid, sketch):
        """Candidates ``offset`` … ``count`` of the runs that start at ``starts``, evaluated point
        by point in steps of ``step`` until they are done or the call holds ``CAPACITY``
        survivors. Returns (rows, kept, next offset, valid, feasible, grid): the survivors are
        the first ``kept`` rows of the columns; valid and feasible count the points evaluated;
        in frontier mode the grid's tables have every feasible candidate folded in.
        """
        import jax
        import jax.numpy as jnp

        size = self.step
        columns = [c for c in self.columns if c != "feasible"]

        def step(state):
            offset, kept, n_valid_pts, n_feasible, out, grid = state
            position = offset + jnp.arange(size, dtype=jnp.int32)
            j = starts[jnp.minimum(position // self.block, starts.shape[0] - 1)] + position % self.block
            cols = {k: jnp.broadcast_to(v, (size,))
                    for k, v in self._columns(self.sampler.values_at(inputs, j, self.dtype)).items()}
            valid = (position < count) & (j < n_valid)
            feasible = valid & self._constraints(cols)
            if self.frontier:
                obj = jnp.stack(self._objectives(cols), axis=1)
                keep, grid = survivors(obj, feasible & jnp.all(jnp.isfinite(obj), axis=1), grid, sketch)
            else:
                keep = feasible if self.spec.mode == "feasible" else valid
            index = true_positions(keep)
            picked = {k: cols[k][index] for k in columns}
            if self.spec.mode == "all":
                picked["feasible"] = feasible[index]
            out = {k: jax.lax.dynamic_update_slice(out[k], picked[k], (kept,)) for k in out}
            return (offset + size, kept + keep.sum(dtype=jnp.int32), n_valid_pts + valid.sum(dtype=jnp.int32),
                    n_feasible + feasible.sum(dtype=jnp.int32), out, grid)

        def more(state):
            offset, kept = state[0], state[1]
            return (offset < count) & (kept <= CAPACITY)

        rows = CAPACITY + size  # a step that starts at most CAPACITY rows in always fits
        out = {k: jnp.zeros(rows, self.dtype) for k in columns}
        if self.spec.mode == "all":
            out["feasible"] = jnp.zeros(rows, bool)
        zero = jnp.zeros((), jnp.int32)
        offset, kept, n_valid_pts, n_feasible, out, grid = jax.lax.while_loop(
            more, step, (offset, zero, zero, zero, out, grid))
        return out, kept, offset, n_valid_pts, n_feasible, grid

    def _compile(self, inputs):
        """Both programs, compiled once per run before the first chunk."""
        import jax

        i32 = np.int32(0)
        starts = np.zeros(self.chunk // self.block, np.int32)
        self._exact = jax.jit(self._exact_stage).lower(inputs, i32, starts, i32, i32, self.grid,
                                                       self.sketch).compile()
        if self.frontier:
            self._prefilter = jax.jit(self._prefilter_chunk).lower(inputs, i32, self.grid, self.sketch).compile()

    # ---------------------------------------------------------------- host side
    def _inputs(self, chunk_id: int):
        import jax

        inputs = self.sampler.host_inputs(int(chunk_id) * self.chunk, self.chunk)
        return jax.device_put({k: (np.asarray(v, dtype=np.dtype(self.spec.dtype))
                                   if np.asarray(v).dtype.kind == "f" else v) for k, v in inputs.items()})

    def _tables(self, archive: ParetoArchive):
        """Sets what the device rejects against: the grid of minima and the sketch of the
        archive's points and the scout's."""
        import jax

        points = np.concatenate([archive.points, self.scouted])
        self.grid = jax.device_put(grid_of_minima(points, np.dtype(self.spec.dtype)))
        self._sketch(points)

    def _sketch(self, points: np.ndarray):
        """Sets the sketch (1 or 4+ objectives) from reference points (minimised)."""
        import jax

        self.sketch = jax.device_put(sketch_points(points).astype(np.dtype(self.spec.dtype)))

    def _n_valid(self, chunk_id: int) -> np.int32:
        return np.int32(min(self.chunk, self.total - int(chunk_id) * self.chunk))

    def _call_exact(self, launched: dict, offset: int) -> tuple:
        """Dispatches one call of the exact stage on a launched chunk (asynchronously),
        passing the device's tables on from the last call to this one."""
        result = self._exact(launched["inputs"], launched["n_valid"], launched["starts"], launched["count"],
                             np.int32(offset), self.grid, self.sketch)
        self.grid = result[-1]
        return result

    def _launch(self, chunk_id: int) -> dict:
        """Starts a chunk on the device (asynchronously): its prefilter and first exact call."""
        inputs, n_valid = self._inputs(chunk_id), self._n_valid(chunk_id)
        if self.frontier:
            starts, count, n_feas = self._prefilter(inputs, n_valid, self.grid, self.sketch)
        else:
            starts, count, n_feas = self._all_runs, n_valid, None
        launched = {"inputs": inputs, "n_valid": n_valid, "starts": starts, "count": count, "n_feas": n_feas}
        launched["result"] = self._call_exact(launched, 0)
        return launched

    def _finish(self, launched: dict) -> tuple[dict, int, int, dict]:
        """Waits for a launched chunk and fetches every survivor: (rows, evaluated, feasible,
        the tables after its last exact call)."""
        count = int(launched["count"])
        result = launched["result"]
        parts, n_eval, n_feas = [], 0, 0
        while True:
            out, kept, offset, valid, feasible, grid = result
            kept = int(kept)
            n_eval, n_feas = n_eval + int(valid), n_feas + int(feasible)
            parts.append({c: np.asarray(v)[:kept].copy() for c, v in out.items()})
            if int(offset) >= count:
                break
            result = self._call_exact(launched, int(offset))
        if launched["n_feas"] is not None:  # frontier mode: the prefilter judged the whole chunk
            n_eval, n_feas = int(launched["n_valid"]), int(launched["n_feas"])
        rows = parts[0] if len(parts) == 1 else {c: np.concatenate([p[c] for p in parts]) for c in parts[0]}
        return rows, n_eval, n_feas, grid

    def _scout(self) -> np.ndarray:
        """The front of ``SCOUT`` configurations in runs spread over the whole sweep (a
        Kronecker sequence of run starts; positions below 2³¹, or the first chunk's for a
        sampler without random access), minimised and relaxed by the slack: real points,
        so they may reject from the start. They only seed the tables: each is merged when
        its own chunk comes, and the slack keeps one from rejecting that twin whatever
        the last bits."""
        span = min(self.total, 2**31 - 1) if self.sampler.random_access else int(self._n_valid(0))
        runs = min(SCOUT, span, self.chunk) // self.block
        golden = (np.sqrt(5.0) - 1.0) / 2.0
        starts = np.zeros(self.chunk // self.block, np.int32)
        starts[:runs] = (np.mod((np.arange(runs) + 0.5) * golden, 1.0) * (span // self.block)).astype(np.int64) * self.block
        launched = {"inputs": self._inputs(0), "n_valid": np.int32(span), "n_feas": None,
                    "starts": starts, "count": np.int32(runs * self.block)}
        launched["result"] = self._call_exact(launched, 0)
        rows = self._finish(launched)[0]
        scout = ParetoArchive(len(self.objectives))
        scout.update(objective_points(rows, self.objectives, self.signs))
        return scout.points + self.slack * np.abs(scout.points)

    def _merge(self, survivors: "Survivors", grid):
        """Merges the waiting survivors into the archive, first dropping the rows that ``grid``
        (tables the device has finished with) dominates."""
        survivors.merge(grid)
        if not layout(len(self.objectives)):  # the sketch follows the archive
            self._sketch(np.concatenate([survivors.archive.points, self.scouted]))

    def run(self, *, resume: bool, progress: bool) -> SweepResult:
        from tqdm import tqdm

        spec = self.spec
        archive = ParetoArchive(len(self.objectives))
        state = {"next_chunk": 0, "evaluated": 0, "feasible": 0}
        checkpoint = _Checkpoint(spec.path, spec.digest(), self.chunk)
        loaded = checkpoint.load(archive) if resume else None
        if loaded:
            state = loaded[0]
        survivors = Survivors(archive, self.objectives, self.signs, tables=bool(layout(len(self.objectives))),
                               columns=loaded[1] if loaded else None)
        parts = _Parts(spec.path) if not self.frontier else None
        if parts is not None:
            parts.keep_before(state["next_chunk"])

        t0 = time.perf_counter()
        self._tables(archive)
        first = state["next_chunk"]
        if first < self.n_chunks:
            self._compile(self._inputs(self.order[first]))
        compile_s = time.perf_counter() - t0

        bar = tqdm(total=self.total, initial=min(first * self.chunk, self.total), unit="cfg",
                   unit_scale=True, disable=not progress, desc="sweep", smoothing=0.1)
        t1 = last_save = time.perf_counter()
        finished = self.grid  # tables the host can read without waiting for chunks in flight
        try:
            if first < self.n_chunks:
                if self.frontier:
                    self.scouted = self._scout()
                    self._tables(archive)
                    finished = self.grid
                in_flight = self._launch(self.order[first])
            for q in range(first, self.n_chunks):
                launched = in_flight
                if q + 1 < self.n_chunks:  # the device starts chunk q+1 while the host takes chunk q
                    in_flight = self._launch(self.order[q + 1])
                rows, n_eval, n_feas, finished = self._finish(launched)
                chunk_id = int(self.order[q])
                if parts is not None:
                    parts.write(chunk_id, pd.DataFrame(rows))
                    if spec.mode == "all":
                        rows = {c: v[rows["feasible"]] for c, v in rows.items()}
                survivors.add(rows)
                state = {"next_chunk": q + 1, "evaluated": state["evaluated"] + n_eval,
                         "feasible": state["feasible"] + n_feas}
                if survivors.full():
                    self._merge(survivors, finished)
                bar.update(n_eval)
                if time.perf_counter() - last_save > CHECKPOINT_EVERY_S and q + 1 < self.n_chunks:
                    self._merge(survivors, finished)
                    checkpoint.save(state, survivors)
                    last_save = time.perf_counter()
        except KeyboardInterrupt:
            if state["next_chunk"] > first:  # a checkpoint only at a chunk boundary past the start
                self._merge(survivors, finished)
                checkpoint.save(state, survivors)
            bar.close()
            raise
        self._merge(survivors, finished)
        bar.close()
        run_s = time.perf_counter() - t1

        frame = self._frontier_frame(survivors.columns())
        metadata = self._metadata(state, len(frame))
        if parts is None:
            io.write(frame, spec.path, metadata)
        else:
            parts.combine(spec.path, metadata, self._constants())
        checkpoint.remove()
        return SweepResult(frame=frame, path=spec.path, evaluated=state["evaluated"], feasible=state["feasible"],
                           on_front=len(frame), compile_s=compile_s, run_s=run_s)

    def _constants(self) -> dict:
        """Fixed inputs that differ from the presets: written as constant columns."""
        return {k: v for k, v in self.spec.overrides.items()
                if k not in {a.name for a in self.spec.axes} and not isinstance(v, str)}

    def _frontier_frame(self, columns: dict) -> pd.DataFrame:
        columns = columns or {c: np.empty(0) for c in self.columns}
        frame = pd.DataFrame({c: columns[c] for c in self.columns if c in columns})
        frame = frame.drop(columns=["feasible"], errors="ignore")
        for k, v in self._constants().items():
            frame[k] = v
        keys = [frame[c].to_numpy() * sign for c, sign in zip(self.objectives, self.signs)]  # best first
        keys += [frame[c].to_numpy() for c in self.model.design_names]
        order = np.lexsort(keys[::-1])
        return frame.iloc[order].reset_index(drop=True)

    def _metadata(self, state, on_front: int) -> dict:
        spec, model = self.spec, self.model
        units = self.problem.units | {p: model.units[p] for p in self._constants()}
        return {
            "model": model.name, "model_version": model.version, "units": units,
            "kind": "sweep", "mode": spec.mode, "spec": spec.raw, "presets": spec.presets,
            "params": spec.params, "seed": spec.seed, "sampler": spec.sampler, "samples_total": self.total,
            "evaluated": state["evaluated"], "feasible": state["feasible"], "on_front": on_front,
            "objectives": [{"name": n, "maximize": mx} for n, mx in spec.objectives],
            "margins": list(spec.margins), "bounds": [dataclasses.asdict(b) for b in spec.bounds],
            "dtype": spec.dtype, "chunk_size": self.chunk,
            "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        }


def objective_points(rows: dict, objectives: list[str], signs: np.ndarray) -> np.ndarray:
    """The rows' objectives as an (n, m) array, every column minimised."""
    return np.stack([np.asarray(rows[o]) * s for o, s in zip(objectives, signs)], axis=1)


class Survivors:
    """The survivors on the host: their columns, kept in the parts they came in, and the
    archive of their objectives, whose payload is each row's number in those parts.

    Only row numbers go through the merges; the columns are gathered once, for the rows
    of the front (``columns``). Merging costs O((archive + new) log ·), so waiting rows are
    merged only when they outnumber twice the archive (total cost O(n log n)). With the
    device's tables (2–3 objectives) merges only bound memory, so they wait for at least
    ``MIN_ROWS_TABLES`` rows; with the sketch, which follows the archive, for ``MIN_ROWS``.
    Once the parts hold many more rows than the front, a merge gathers the front's rows
    into one part and lets the rest go.
    """

    MIN_ROWS = 1 << 18
    MIN_ROWS_TABLES = 1 << 21

    def __init__(self, archive: ParetoArchive, objectives: list[str], signs: np.ndarray, tables: bool,
                 columns: dict | None = None):
        self.archive, self.objectives, self.signs = archive, objectives, signs
        self.min_rows = self.MIN_ROWS_TABLES if tables else self.MIN_ROWS
        self.parts: list[dict] = []
        self.ends: list[int] = []  # the row count after each part
        self.waiting: list[np.ndarray] = []  # objectives of the rows not merged yet
        if columns is not None:  # a resumed run: the archive's rows, in order
            self._restart(columns)

    @property
    def rows(self) -> int:
        return self.ends[-1] if self.ends else 0

    def add(self, rows: dict):
        n = len(rows[self.objectives[0]])
        if n:
            self.parts.append(rows)
            self.ends.append(self.rows + n)
            self.waiting.append(objective_points(rows, self.objectives, self.signs))

    def full(self) -> bool:
        return sum(map(len, self.waiting)) >= max(2 * len(self.archive), self.min_rows)

    def merge(self, grid: dict | None = None):
        """Merges the waiting rows. Rows (waiting or archived) that ``grid``'s tables dominate,
        if given, are dropped first: the tables hold only configurations of the sweep."""
        if not self.waiting:
            return
        points = np.concatenate(self.waiting)
        number = np.arange(self.rows - len(points), self.rows)
        if grid is not None and layout(points.shape[1]):
            host = {k: np.asarray(v) for k, v in grid.items()}
            dtype = host["tables"].dtype
            keep = ~dominated_by_table(points.astype(dtype), host, xp=np)
            points, number = points[keep], number[keep]
            self.archive.keep(~dominated_by_table(self.archive.points.astype(dtype), host, xp=np))
        self.archive.update(points, payload={"row": number})
        self.waiting = []
        if self.rows >= max(4 * len(self.archive), self.min_rows):
            self._restart(self.columns())

    def columns(self) -> dict:
        """The columns of the archive's rows, in the archive's order."""
        if not self.parts:
            return {}
        number = self.archive.payload["row"] if self.archive.payload else np.empty(0, np.int64)
        part = np.searchsorted(self.ends, number, side="right")
        out = {c: np.empty(len(number), v.dtype) for c, v in self.parts[0].items()}
        for k in np.unique(part):
            pick = part == k
            local = number[pick] - (self.ends[k - 1] if k else 0)
            for c, v in self.parts[k].items():
                out[c][pick] = v[local]
        return out

    def _restart(self, columns: dict):
        """One part: ``columns``, the archive's rows in order."""
        n = len(self.archive)
        self.parts, self.ends = ([columns], [n]) if columns else ([], [])
        self.archive.payload = {"row": np.arange(n)}


class _Checkpoint:
    """The state of a run at a chunk boundary, saved atomically beside the output."""

    def __init__(self, out: Path, digest: str, chunk: int):
        self.path = out.with_name(out.name + ".checkpoint.npz")
        self.digest, self.chunk = digest, chunk

    def save(self, state: dict, survivors: Survivors):
        """Saves the state and the front so far (``survivors`` just merged)."""
        arrays = {f"payload__{k}": v for k, v in survivors.columns().items()}
        with io.atomic_path(self.path) as tmp:
            with open(tmp, "wb") as fh:
                np.savez(fh, points=survivors.archive.points, digest=self.digest, chunk=self.chunk,
                         state=np.array([state["next_chunk"], state["evaluated"], state["feasible"]]), **arrays)

    def load(self, archive: ParetoArchive) -> tuple[dict, dict] | None:
        """Puts the saved front in ``archive``; returns the state and the front's columns."""
        if not self.path.is_file():
            return None
        with np.load(self.path) as data:
            if str(data["digest"]) != self.digest or int(data["chunk"]) != self.chunk:
                raise ExplorerError(f"checkpoint {str(self.path)!r} was made by a different spec or chunk size; "
                                    "delete it or run without --resume")
            archive.points = data["points"]
            columns = {k[len("payload__"):]: data[k] for k in data.files if k.startswith("payload__")}
            next_chunk, evaluated, feasible = (int(x) for x in data["state"])
        return {"next_chunk": next_chunk, "evaluated": evaluated, "feasible": feasible}, columns

    def remove(self):
        self.path.unlink(missing_ok=True)


class _Parts:
    """Per-chunk Parquet parts of a feasible/all run, combined into one file at the end."""

    def __init__(self, out: Path):
        self.dir = out.with_name(out.name + ".parts")

    def keep_before(self, next_chunk: int):
        if self.dir.is_dir():
            for part in self.dir.glob("part-*.parquet"):
                if int(part.stem.split("-")[1]) >= next_chunk:
                    part.unlink()
        self.dir.mkdir(parents=True, exist_ok=True)

    def write(self, chunk: int, frame: pd.DataFrame):
        import pyarrow as pa
        import pyarrow.parquet as pq

        with io.atomic_path(self.dir / f"part-{chunk:09d}.parquet") as tmp:
            pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp)

    def combine(self, out: Path, metadata: dict, constants: dict):
        import pyarrow as pa
        import pyarrow.parquet as pq

        parts = sorted(self.dir.glob("part-*.parquet"))
        with io.atomic_path(out) as tmp:
            writer = None
            for part in parts:
                table = pq.read_table(part)
                for k, v in constants.items():
                    table = table.append_column(k, pa.array(np.full(len(table), v)))
                if writer is None:
                    writer = pq.ParquetWriter(tmp, io.schema_with_metadata(table.schema, metadata))
                writer.write_table(table.cast(writer.schema))
            if writer is not None:
                writer.close()
        shutil.rmtree(self.dir, ignore_errors=True)
