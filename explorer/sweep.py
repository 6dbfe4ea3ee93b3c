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

SKETCH = 48  # archive points sent back to the device for rejection
ELITES = 8  # weighted-sum minima of each chunk used for rejection
SMALL_CAP = 4096  # first survivor buffer per chunk; grown (power of two) when a chunk overflows it
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


def _dominated_by_any(obj, reference):
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


def _weights(m: int) -> np.ndarray:
    """ELITES fixed weight vectors on the simplex: the m unit vectors, then a fixed random spread."""
    rng = np.random.default_rng(0)
    return np.concatenate([np.eye(m), rng.dirichlet(np.ones(m), size=max(ELITES - m, 0))])[:ELITES]


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
        import jax
        import jax.numpy as jnp

        size, dtype = self.chunk, self.dtype
        values = self.sampler.device_values(inputs, size, dtype)
        inputs_full = {**{n: values[n] if n in values else jnp.full((size,), self.fixed_design[n], dtype)
                          for n in self.model.design_names},
                       **{k: values[k] for k in self.param_axes}}
        # Only the outputs the mask needs are kept on the whole chunk (XLA drops the rest);
        # the full model is evaluated again on the survivors alone.
        cols = self._evaluate(inputs_full, size)
        valid = jnp.arange(size) < n_valid
        feasible = valid
        for name in self.spec.margins:
            feasible = feasible & (cols[name] <= 0)
        for b in self.spec.bounds:
            feasible = feasible & ((cols[b.output] <= b.value) if b.op == "<=" else (cols[b.output] >= b.value))
        obj = jnp.stack([cols[o] * s for o, s in zip(self.objectives, self.signs)], axis=1)
        candidate = feasible & jnp.all(jnp.isfinite(obj), axis=1)
        if self.spec.mode == "frontier":
            reference = jnp.concatenate([sketch, self._elites(obj, candidate)])
            keep = candidate & ~_dominated_by_any(obj, reference)
        elif self.spec.mode == "feasible":
            keep = feasible
        else:
            keep = valid
        index = jnp.nonzero(keep, size=cap, fill_value=0)[0]
        rows = self._evaluate({k: v[index] for k, v in inputs_full.items()}, cap)
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

    def _elites(self, obj, candidate):
        """The chunk's minima of ELITES weighted sums of its min-max scaled objectives.

        Each minimiser of a positive weighted sum is on the chunk's front, so it is
        a safe reference for rejection. Column-wise arithmetic: a (chunk × m)·(m × k)
        product with an argmin over rows is several times slower on CPUs.
        """
        import jax.numpy as jnp

        inf = jnp.asarray(jnp.inf, obj.dtype)
        columns = []
        for k in range(obj.shape[1]):
            col = jnp.where(candidate, obj[:, k], inf)
            lo = jnp.min(col)
            hi = jnp.max(jnp.where(candidate, obj[:, k], -inf))
            columns.append((col - lo) / jnp.where(hi > lo, hi - lo, 1.0))
        picks = []
        for w in _weights(obj.shape[1]):
            score = sum(float(wk) * c for wk, c in zip(w, columns) if wk > 0)
            picks.append(jnp.argmin(score))
        best = jnp.stack(picks)
        return jnp.where(jnp.any(candidate), obj[best], inf)

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

    def _sketch(self, archive: ParetoArchive) -> np.ndarray:
        m = len(self.objectives)
        sketch = np.full((SKETCH, m), np.inf)
        pts = archive.points
        if len(pts) <= SKETCH:
            sketch[: len(pts)] = pts
        else:
            extremes = [int(np.argmin(pts[:, k])) for k in range(m)]
            spread = np.argsort(pts[:, 0], kind="stable")[np.linspace(0, len(pts) - 1, SKETCH - m).astype(int)]
            sketch[:] = pts[np.concatenate([extremes, spread])]
        return sketch.astype(np.dtype(self.spec.dtype))

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
        cap = min(SMALL_CAP, self.chunk) if spec.mode == "frontier" else self.chunk
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
            n_valid = min(self.chunk, self.total - k * self.chunk)
            return self._function(cap, inputs, sketch)(inputs, np.int32(n_valid), sketch)

        try:
            in_flight = dispatch(first, inputs, cap) if first < self.n_chunks else None
            for k in range(first, self.n_chunks):
                results = in_flight
                if k + 1 < self.n_chunks:  # the device works on chunk k+1 while the host merges chunk k
                    in_flight = dispatch(k + 1, self._inputs((k + 1) * self.chunk), cap)
                rows, count, n_eval, n_feas = results
                count = int(count)
                if count > cap:  # grow the survivor buffer (a power of two: few compiles) and redo
                    cap = min(self.chunk, 1 << int(2 * count - 1).bit_length())
                    tc = time.perf_counter()
                    rows, count, n_eval, n_feas = dispatch(k, self._inputs(k * self.chunk), cap)
                    count = int(count)
                    compile_s += time.perf_counter() - tc
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
        order = np.lexsort([frame[c].to_numpy() for c in reversed(self.objectives + list(self.model.design_names))])
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
