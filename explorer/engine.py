"""The streaming sweep engine: chunks of configurations through one compiled kernel
into an exact Pareto frontier (or all feasible / all rows) in Parquet.

Per chunk, on the device: generate the configurations from (seed, start),
evaluate the model, apply the constraints, and reject every point that a
small reference set dominates — the archive's "sketch" (up to ``SKETCH``
front points) plus the chunk's own weighted-sum minima (which are on the
chunk's front). The rejection is exact (a rejected point is truly dominated)
and costs O(chunk · reference · objectives). Only the survivors are compacted
and copied to the host, where ``ParetoArchive`` merges them exactly
(moocore's O(n log n) dimension sweep). A checkpoint after each chunk (at
most every few seconds) makes a killed run resumable with an identical result.
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
from explorer.errors import ExplorerError
from explorer.models.params import split_choices
from explorer.pareto import ParetoArchive
from explorer.samplers import make_sampler
from explorer.spec import SweepSpec, load_spec

SKETCH = 32  # archive points sent back to the device for rejection
GRID = 256  # bins per axis of the grid of minima (2 and 3 objectives)
SMALL_CAP = 4096  # smallest survivor buffer per chunk (chunk/16 by default); grown when a chunk overflows it
CHECKPOINT_EVERY_S = 5.0


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


def sketch_points(points: np.ndarray, size: int = SKETCH) -> np.ndarray:
    """Up to ``size`` front points (each objective's minimum, then spread along the first
    objective), padded with +inf rows, which dominate nothing."""
    m = points.shape[1]
    sketch = np.full((size, m), np.inf)
    if len(points) <= size:
        sketch[: len(points)] = points
    else:
        extremes = [int(np.argmin(points[:, k])) for k in range(m)]
        spread = np.argsort(points[:, 0], kind="stable")[np.linspace(0, len(points) - 1, size - m).astype(int)]
        sketch[:] = points[np.concatenate([extremes, spread])]
    return sketch


def dominated_by_any(obj, reference):
    """Mask of the rows of ``obj`` (n × m, minimised) that some row of ``reference`` dominates.

    Unrolled over the (few, fixed) reference rows and the objectives: one fused
    pass of column comparisons, faster on CPUs than a scan or a 3-D broadcast.
    Rows of +inf in ``reference`` dominate nothing.
    """
    import jax.numpy as jnp

    cols = [obj[:, k] for k in range(obj.shape[1])]
    dominated = jnp.zeros(obj.shape[0], bool)
    for j in range(reference.shape[0]):
        no_worse = cols[0] >= reference[j, 0]
        better = cols[0] > reference[j, 0]
        for k in range(1, len(cols)):
            no_worse = no_worse & (cols[k] >= reference[j, k])
            better = better | (cols[k] > reference[j, k])
        dominated = dominated | (no_worse & better)
    return dominated


def grid_edges(lo, hi, bins: int, xp=np):
    """``bins`` edges from lo to hi: geometric when lo > 0 (objectives span decades), else linear."""
    t = xp.linspace(0.0, 1.0, bins)
    positive = lo > 0
    ratio = xp.where(positive, hi / xp.where(positive, lo, 1.0), 1.0)
    return xp.where(positive, lo * ratio**t, lo + (hi - lo) * t)


def lookup_bins(x, edges):
    """Index of the last edge ≤ x (−1 if none), by arithmetic on the edge spacing.

    The estimate from the spacing is checked against the edge array itself and
    moved down once if rounding put it one bin too high, so e[i] ≤ x holds
    exactly wherever i ≥ 0 (what the grids' exactness rests on). Landing one
    bin too low is harmless: it only looks at a smaller prefix of the table.
    """
    import jax.numpy as jnp

    n = edges.shape[0]
    lo, hi = edges[0], edges[-1]
    geometric = lo > 0
    span = jnp.where(hi > lo, jnp.where(geometric, jnp.log(hi / jnp.where(geometric, lo, 1.0)), hi - lo), 1.0)
    pos = jnp.where(geometric, jnp.log(jnp.where(x > 0, x, 1.0) / jnp.where(geometric, lo, 1.0)), x - lo)
    i = jnp.clip(jnp.floor(pos / span * (n - 1)), -1, n - 1).astype(jnp.int32)
    i = jnp.where(edges[jnp.maximum(i, 0)] > x, i - 1, i)
    ok = (i >= 0) & (edges[jnp.maximum(i, 0)] <= x) & ~(geometric & (x <= 0))
    return jnp.where(ok, i, -1)


def grid_of_minima(points: np.ndarray, bins: int = GRID):
    """Host side: a table that answers "does the archive dominate p?" in O(1), exactly.

    For 2 or 3 minimised objectives: edges e1 (and e2) span the archive's first
    (and second) objective; table[i, j] is the least last objective over
    archive points a with a₁ ≤ e1[i] and a₂ ≤ e2[j] (a 2-D prefix minimum). A
    point p with e1[i] ≤ p₁, e2[j] ≤ p₂ and table[i, j] < p_last is dominated
    by a real archive point. For 2 objectives the second axis is one bin at
    −inf. With 4+ objectives the table is empty: the sketch alone rejects.

    Returns:
      (e1 (bins,), e2 (bins or 1,), table (bins, bins or 1)), float32.
    """
    m = points.shape[1]
    bins2 = bins if m >= 3 else 1
    e1 = np.full(bins, np.inf, np.float32)
    e2 = np.full(bins2, np.inf if m >= 3 else -np.inf, np.float32)
    table = np.full((bins, bins2), np.inf, np.float32)
    points = points[np.all(np.isfinite(points), axis=1)].astype(np.float32)
    if len(points) == 0 or m >= 4:
        return e1, e2, table
    e1 = np.maximum.accumulate(grid_edges(points[:, 0].min(), points[:, 0].max(), bins).astype(np.float32))
    i = np.searchsorted(e1, points[:, 0], side="left")  # first edge ≥ a₁
    if m >= 3:
        e2 = np.maximum.accumulate(grid_edges(points[:, 1].min(), points[:, 1].max(), bins).astype(np.float32))
        j = np.searchsorted(e2, points[:, 1], side="left")
    else:
        j = np.zeros(len(points), int)
    inside = (i < bins) & (j < bins2)
    np.minimum.at(table, (i[inside], j[inside]), points[inside, min(m - 1, 2)])
    table = np.minimum.accumulate(np.minimum.accumulate(table, axis=0), axis=1)
    return e1, e2, table


def dominated_by_grid(obj, e1, e2, table):
    """Device side of ``grid_of_minima``: rows of ``obj`` the archive certainly dominates."""
    import jax.numpy as jnp

    if obj.shape[1] >= 4:
        return jnp.zeros(obj.shape[0], bool)
    i = lookup_bins(obj[:, 0], e1)
    j = lookup_bins(obj[:, 1], e2) if obj.shape[1] >= 3 else jnp.zeros(obj.shape[0], jnp.int32)
    best = table[jnp.maximum(i, 0), jnp.maximum(j, 0)]
    return (i >= 0) & (j >= 0) & (best < obj[:, min(obj.shape[1] - 1, 2)])


def dominated_within_chunk(obj, candidate, bins: int = GRID):
    """Rows of ``obj`` that another candidate row of the same chunk certainly dominates.

    The device-side twin of ``grid_of_minima``, built from the chunk itself:
    each candidate a is scattered into the cell of the first edges ≥ (a₁, a₂) (checked
    against the edge array, since the arithmetic bin estimate may sit one bin low)
    with a scatter-min of its last objective; a 2-D cumulative minimum makes
    table[i, j] the least last objective over candidates with a₁ ≤ e1[i],
    a₂ ≤ e2[j]. A row p with e1[i] ≤ p₁, e2[j] ≤ p₂ and table[i, j] < p_last is
    dominated (the strict < keeps p from rejecting itself). 4+ objectives: no
    rejection.
    """
    import jax
    import jax.numpy as jnp

    m = obj.shape[1]
    if m >= 4:
        return jnp.zeros(obj.shape[0], bool)
    inf = jnp.asarray(jnp.inf, obj.dtype)

    def axis(col):
        lo = jnp.min(jnp.where(candidate, col, inf))
        hi = jnp.max(jnp.where(candidate, col, -inf))
        ok = jnp.isfinite(lo) & jnp.isfinite(hi)
        edges = jax.lax.cummax(grid_edges(jnp.where(ok, lo, 0.0), jnp.where(ok, hi, 1.0), bins, jnp).astype(obj.dtype))
        look = lookup_bins(col, edges)
        # the first edge ≥ a: look itself if it equals a, else the next one; the caller
        # places a only where e[own] ≥ a is verified (look may sit one bin low)
        own = jnp.where((look >= 0) & (edges[jnp.maximum(look, 0)] == col), look, look + 1)
        verified = (own < bins) & (edges[jnp.minimum(own, bins - 1)] >= col)
        return look, own, verified

    i_look, i_own, i_ok = axis(obj[:, 0])
    if m >= 3:
        bins2 = bins
        j_look, j_own, j_ok = axis(obj[:, 1])
    else:
        bins2 = 1
        j_look = j_own = jnp.zeros(obj.shape[0], jnp.int32)
        j_ok = jnp.ones(obj.shape[0], bool)
    last = obj[:, min(m - 1, 2)]
    # a point enters the table only in a cell whose edges provably bound it from above:
    # an unplaced point weakens the rejection, never its exactness
    placed = candidate & i_ok & j_ok
    cell = jnp.where(placed, i_own * bins2 + j_own, bins * bins2)
    table = jnp.full(bins * bins2, inf).at[cell].min(jnp.where(placed, last, inf), mode="drop")
    table = jax.lax.cummin(jax.lax.cummin(table.reshape(bins, bins2), axis=0), axis=1)
    best = table[jnp.maximum(i_look, 0), jnp.maximum(j_look, 0)]
    return (i_look >= 0) & (j_look >= 0) & (best < last)


class _Engine:
    def __init__(self, spec: SweepSpec):
        import jax.numpy as jnp

        self.spec = spec
        self.model = spec.model
        self.dtype = jnp.float64 if spec.dtype == "float64" else jnp.float32
        self.sampler = make_sampler(spec.sampler, list(spec.axes), spec.samples, spec.seed)
        self.total = self.sampler.total
        self.chunk = min(spec.chunk_size, max(self.total, 1))
        self.n_chunks = -(-self.total // self.chunk)
        axis_names = {a.name for a in spec.axes}
        numeric, self.choices = split_choices(self.model, spec.params)
        self.param_axes = [a.name for a in spec.axes if a.name in self.model.param_names]
        self.fixed_params = {k: float(v) for k, v in numeric.items() if k not in axis_names}
        defaults = {v.name: (spec.params[v.default] if isinstance(v.default, str) else v.default)
                    for v in self.model.design}
        self.fixed_design = {k: float(v) for k, v in defaults.items() if k not in axis_names}
        self.columns = list(self.model.design_names) + self.param_axes + list(self.model.output_names)
        if spec.mode == "all":
            self.columns.append("feasible")
        self.objectives = [name for name, _ in spec.objectives]
        self.signs = np.array([-1.0 if mx else 1.0 for _, mx in spec.objectives])
        self._compiled = {}

    # ---------------------------------------------------------------- device side
    def _device_chunk(self, inputs, n_valid, sketch, cap: int):
        import jax.numpy as jnp

        size, dtype = self.chunk, self.dtype
        values = self.sampler.device_values(inputs, size, dtype)
        inputs_full = {**{n: values[n] if n in values else jnp.full((size,), self.fixed_design[n], dtype)
                          for n in self.model.design_names},
                       **{k: values[k] for k in self.param_axes}}
        # One evaluation serves both the decisions and the rows that travel: re-evaluating
        # the survivors in another program can round differently, and near ties a point
        # would then be judged with one value and stored with another.
        cols = self._evaluate(inputs_full, size)
        valid = jnp.arange(size, dtype=jnp.int32) < n_valid
        feasible = valid
        for name in self.spec.margins:
            feasible = feasible & (cols[name] <= 0)
        for b in self.spec.bounds:
            feasible = feasible & ((cols[b.output] <= b.value) if b.op == "<=" else (cols[b.output] >= b.value))
        obj = jnp.stack([cols[o] * s for o, s in zip(self.objectives, self.signs)], axis=1)
        candidate = feasible & jnp.all(jnp.isfinite(obj), axis=1)
        if self.spec.mode == "frontier":
            keep = candidate & ~dominated_by_grid(obj, sketch["e1"], sketch["e2"], sketch["table"])
            keep = keep & ~dominated_within_chunk(obj, keep) & ~dominated_by_any(obj, sketch["points"])
        elif self.spec.mode == "feasible":
            keep = feasible
        else:
            keep = valid
        index = jnp.nonzero(keep, size=cap, fill_value=0)[0]
        rows = {k: v[index] for k, v in cols.items()}
        if self.spec.mode == "all":
            rows["feasible"] = feasible[index]
        return rows, keep.sum(), valid.sum(), feasible.sum()

    def _evaluate(self, inputs, size: int) -> dict:
        """Model outputs plus the swept/fixed inputs, every column of shape (size,)."""
        import jax.numpy as jnp

        design = {n: inputs[n] for n in self.model.design_names}
        params = {k: jnp.asarray(v, self.dtype) for k, v in self.fixed_params.items()}
        params.update({k: inputs[k] for k in self.param_axes})
        outputs = self.model.fn(design, {**params, **self.choices})
        return {**inputs, **{k: jnp.broadcast_to(outputs[k], (size,)).astype(self.dtype)
                             for k in self.model.output_names}}

    def _function(self, cap: int, inputs, sketch):
        """The chunk kernel compiled for ``cap`` survivors (once per run per cap)."""
        import jax
        import jax.numpy as jnp

        if cap not in self._compiled:
            fn = jax.jit(lambda i, n, s: self._device_chunk(i, n, s, cap))
            self._compiled[cap] = fn.lower(inputs, jnp.int32(0), sketch).compile()
        return self._compiled[cap]

    # ---------------------------------------------------------------- host side
    def _inputs(self, start: int):
        inputs = self.sampler.host_inputs(start, self.chunk)
        return {k: (np.asarray(v, dtype=np.dtype(self.spec.dtype)) if np.asarray(v).dtype.kind == "f" else v)
                for k, v in inputs.items()}

    def _sketch(self, archive: ParetoArchive) -> dict:
        """What the device rejects against: SKETCH archive points and the grid of minima."""
        dtype = np.dtype(self.spec.dtype)
        e1, e2, table = grid_of_minima(archive.points)
        return {"points": sketch_points(archive.points).astype(dtype), "e1": e1.astype(dtype),
                "e2": e2.astype(dtype), "table": table.astype(dtype)}

    def run(self, *, resume: bool, progress: bool) -> SweepResult:
        from tqdm import tqdm

        spec = self.spec
        archive = ParetoArchive(len(self.objectives))
        state = {"next_chunk": 0, "evaluated": 0, "feasible": 0}
        checkpoint = _Checkpoint(spec.path, spec.digest(), self.chunk)
        if resume:
            loaded = checkpoint.load(archive)
            if loaded:
                state = loaded
        parts = _Parts(spec.path) if spec.mode != "frontier" else None
        if parts is not None:
            parts.keep_before(state["next_chunk"])

        t0 = time.perf_counter()
        sketch = self._sketch(archive)
        cap = min(max(SMALL_CAP, self.chunk // 16), self.chunk) if spec.mode == "frontier" else self.chunk
        inputs = self._inputs(state["next_chunk"] * self.chunk) if state["next_chunk"] < self.n_chunks else None
        if inputs is not None:
            self._function(cap, inputs, sketch)
        compile_s = time.perf_counter() - t0

        bar = tqdm(total=self.total, initial=min(state["next_chunk"] * self.chunk, self.total), unit="cfg",
                   unit_scale=True, disable=not progress, desc="sweep", smoothing=0.1)
        buffer = _Buffer(archive, self.objectives, self.signs)
        t1, last_save = time.perf_counter(), time.perf_counter()
        first = state["next_chunk"]

        def dispatch(k, inputs, cap):
            """Starts chunk k on the device; returns its results and the buffer size they hold."""
            n_valid = min(self.chunk, self.total - k * self.chunk)
            return self._function(cap, inputs, sketch)(inputs, np.int32(n_valid), sketch), cap

        try:
            in_flight = dispatch(first, inputs, cap) if first < self.n_chunks else None
            for k in range(first, self.n_chunks):
                results, held = in_flight
                if k + 1 < self.n_chunks:  # the device works on chunk k+1 while the host merges chunk k
                    in_flight = dispatch(k + 1, self._inputs((k + 1) * self.chunk), cap)
                rows, count, n_eval, n_feas = results
                count = int(count)
                if count > held:  # grow the survivor buffer (a power of two: few compiles) and redo
                    cap = max(cap, min(self.chunk, 1 << int(2 * count - 1).bit_length()))
                    tc = time.perf_counter()
                    self._function(cap, inputs, sketch)
                    compile_s += time.perf_counter() - tc
                    t1 += time.perf_counter() - tc  # compiling is not streaming
                    (rows, count, n_eval, n_feas), _ = dispatch(k, self._inputs(k * self.chunk), cap)
                    count = int(count)
                host = {c: np.asarray(v)[:count] for c, v in rows.items()}
                if parts is not None:
                    parts.write(k, pd.DataFrame(host))
                    if spec.mode == "all":
                        host = {c: v[host["feasible"]] for c, v in host.items()}
                buffer.add(host)
                state = {"next_chunk": k + 1, "evaluated": state["evaluated"] + int(n_eval),
                         "feasible": state["feasible"] + int(n_feas)}
                if buffer.full():
                    buffer.merge()
                    sketch = self._sketch(archive)
                bar.update(int(n_eval))
                if time.perf_counter() - last_save > CHECKPOINT_EVERY_S and k + 1 < self.n_chunks:
                    buffer.merge()
                    checkpoint.save(state, archive)
                    last_save = time.perf_counter()
        except KeyboardInterrupt:
            buffer.merge()
            checkpoint.save(state, archive)
            bar.close()
            raise
        buffer.merge()
        bar.close()
        run_s = time.perf_counter() - t1

        frame = self._frontier_frame(archive)
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

    def _frontier_frame(self, archive: ParetoArchive) -> pd.DataFrame:
        payload = archive.payload or {c: np.empty(0) for c in self.columns}
        frame = pd.DataFrame({c: payload[c] for c in self.columns if c in payload})
        frame = frame.drop(columns=["feasible"], errors="ignore")
        for k, v in self._constants().items():
            frame[k] = v
        keys = [frame[c].to_numpy() * sign for c, sign in zip(self.objectives, self.signs)]  # best first
        keys += [frame[c].to_numpy() for c in self.model.design_names]
        order = np.lexsort(keys[::-1])
        return frame.iloc[order].reset_index(drop=True)

    def _metadata(self, state, on_front: int) -> dict:
        spec, model = self.spec, self.model
        units = {v.name: v.unit for v in model.design} | {o.name: o.unit for o in model.outputs}
        units |= {p: model.param(p).unit for p in list(self.param_axes) + list(self._constants())}
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


class _Buffer:
    """Survivors waiting to be merged into the archive.

    Merging costs O((archive + new) log ·), so merging only when the waiting rows
    outnumber the archive keeps the total cost O(n log n) over the run.
    """

    MIN_ROWS = 1 << 16

    def __init__(self, archive: ParetoArchive, objectives: list[str], signs: np.ndarray):
        self.archive, self.objectives, self.signs = archive, objectives, signs
        self.parts: list[dict] = []
        self.rows = 0

    def add(self, host: dict):
        n = len(host[self.objectives[0]])
        if n:
            self.parts.append(host)
            self.rows += n

    def full(self) -> bool:
        return self.rows >= max(len(self.archive), self.MIN_ROWS)

    def merge(self):
        if not self.parts:
            return
        payload = {c: np.concatenate([p[c] for p in self.parts]) for c in self.parts[0]}
        points = np.stack([payload[o] * s for o, s in zip(self.objectives, self.signs)], axis=1)
        self.archive.update(points, payload=payload)
        self.parts, self.rows = [], 0


class _Checkpoint:
    """The state of a run at a chunk boundary, saved atomically beside the output."""

    def __init__(self, out: Path, digest: str, chunk: int):
        self.path = out.with_name(out.name + ".checkpoint.npz")
        self.digest, self.chunk = digest, chunk

    def save(self, state: dict, archive: ParetoArchive):
        payload = archive.payload or {}
        arrays = {f"payload__{k}": v for k, v in payload.items()}
        with io.atomic_path(self.path) as tmp:
            with open(tmp, "wb") as fh:
                np.savez(fh, points=archive.points, digest=self.digest, chunk=self.chunk,
                         state=np.array([state["next_chunk"], state["evaluated"], state["feasible"]]), **arrays)

    def load(self, archive: ParetoArchive) -> dict | None:
        if not self.path.is_file():
            return None
        with np.load(self.path) as data:
            if str(data["digest"]) != self.digest or int(data["chunk"]) != self.chunk:
                raise ExplorerError(f"checkpoint {str(self.path)!r} was made by a different spec or chunk size; "
                                    "delete it or run without --resume")
            archive.points = data["points"]
            payload = {k[len("payload__"):]: data[k] for k in data.files if k.startswith("payload__")}
            archive.payload = payload or None
            next_chunk, evaluated, feasible = (int(x) for x in data["state"])
        return {"next_chunk": next_chunk, "evaluated": evaluated, "feasible": feasible}

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
