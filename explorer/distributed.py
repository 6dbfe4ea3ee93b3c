"""A sweep split over Ray tasks: ``explorer sweep SPEC --ray [ADDRESS]``, or
``[distributed] backend = "ray"`` in the spec (docs/scale.md).

The driver resolves the plan, splits the positions of its visiting order into ranges
(one task each) and records them, with the plan's digest, in ``OUT.tasks/_manifest.json``.
Each task runs in a Ray worker with explicit ``num_cpus``/``num_gpus`` and XLA thread
settings, rebuilds the plan from the spec (a worker whose presets resolve differently
refuses), sweeps its range with the single-process engine on every device it was given,
and writes its result atomically as one file of a Parquet dataset named by its range:
its exact partial front (frontier mode) or all its rows (feasible/all), with its counts
in the file's metadata. The driver merges the partial fronts exactly (front(A ∪ B) =
front(front(A) ∪ front(B)); the scout's points only reject what a real point dominates)
into the usual output; in feasible/all mode the dataset folder is the output. A part
exists only once its task finished, so a retried task duplicates nothing and
``--resume`` runs only the ranges without one.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import socket
import time
from pathlib import Path

import numpy as np

from explorer import io
from explorer.errors import ExplorerError, warn
from explorer.output_checks import check_output, remove_orphans
from explorer.pareto import ParetoArchive
from explorer.survivors import objective_points
from explorer.sweep_files import RunLock
from explorer.sweep_output import SweepResult, front_frame, metadata
from explorer.sweep_plan import SweepPlan, SweepSettings

FAULT_ENV = "EXPLORER_FAULT_INJECTION"  # "die:DIR" or "raise:DIR": each task fails once (tests of the retries)
MANIFEST = "_manifest.json"


def require_ray():
    """The ``ray`` module, or one clear error saying how to install it."""
    try:
        import ray
    except ImportError:
        raise ExplorerError('Ray is not installed: pip install "trade-explorer[ray]" (or pip install ".[ray]" '
                            "in a clone) to run sweeps with --ray") from None
    return ray


def connect(ray, address: str | None):
    """Connects to the Ray cluster at ``address`` (None: this process's, or a new local one)."""
    if ray.is_initialized():
        return
    if address and address != "auto":  # ray.init retries an unreachable address for many minutes
        host, _, port = address.removeprefix("ray://").rpartition(":")
        try:
            socket.create_connection((host or "127.0.0.1", int(port)), timeout=10).close()
        except (OSError, ValueError) as err:
            raise ExplorerError(f"cannot reach a Ray cluster at {address!r}: "
                                f"{err.strerror or err if isinstance(err, OSError) else 'not HOST:PORT'}") from None
    try:
        ray.init(address=address, include_dashboard=False, logging_level="WARNING", log_to_driver=False)
    except (ConnectionError, RuntimeError, ValueError) as err:
        where = f"at {address!r}" if address else "locally"
        raise ExplorerError(f"cannot reach a Ray cluster {where}: {str(err).splitlines()[0]}") from None


def task_ranges(n_chunks: int, tasks: int) -> list[tuple[int, int]]:
    """``tasks`` contiguous ranges of visiting-order positions covering 0 … n_chunks − 1."""
    tasks = max(1, min(tasks, n_chunks))
    bounds = [round(k * n_chunks / tasks) for k in range(tasks + 1)]
    return [(lo, hi) for lo, hi in zip(bounds, bounds[1:]) if hi > lo]


def part_name(lo: int, hi: int) -> str:
    """The dataset file of the task for positions lo … hi − 1."""
    return f"part-{lo:09d}-{hi:09d}.parquet"


def front_path(part: Path) -> Path:
    """Where a feasible/all task writes its partial front (a folder the dataset readers skip)."""
    return part.parent / "_fronts" / part.name


def worker_env(num_cpus: int) -> dict:
    """Environment of a task's worker: XLA and the BLAS libraries on ``num_cpus`` threads, the
    JAX compilation cache shared with the driver's (when it has one), and fault injection."""
    threads = str(num_cpus)
    env = {"XLA_FLAGS": f"--xla_cpu_multi_thread_eigen={'true' if num_cpus > 1 else 'false'} "
                        f"intra_op_parallelism_threads={threads}",
           "OMP_NUM_THREADS": threads, "OPENBLAS_NUM_THREADS": threads, "MKL_NUM_THREADS": threads}
    for key in ("JAX_PLATFORMS", "JAX_COMPILATION_CACHE_DIR", FAULT_ENV):
        if os.environ.get(key):
            env[key] = os.environ[key]
    return env


def _inject_fault(lo: int):
    """Fails this task's first try when the fault-injection variable asks (tests only)."""
    how, _, where = os.environ.get(FAULT_ENV, "").partition(":")
    if not how:
        return
    marker = Path(where) / f"failed-{lo}"
    if marker.exists():
        return
    marker.touch()
    if how == "die":
        os._exit(1)  # as if the worker were killed
    raise RuntimeError(f"injected failure of the task at position {lo}")


def run_task(raw: dict, samples: int | None, out: str, settings: SweepSettings, lo: int, hi: int,
             digest: str, part: str) -> dict:
    """A Ray task: sweeps positions lo … hi − 1 of the plan's visiting order and writes ``part``."""
    import jax

    from explorer.sweep_range import sweep_range
    from explorer.spec import parse_spec

    _inject_fault(lo)
    spec = parse_spec(raw, path=out, samples=samples)
    with jax.enable_x64(spec.dtype == "float64"):
        plan = SweepPlan.from_spec(spec, settings)
        if plan.digest() != digest:
            raise ExplorerError(f"the worker on {os.uname().nodename} resolves another problem than the driver "
                                "(its presets or explorer version differ)")
        return sweep_range(plan, spec, settings, lo, hi, Path(part), front_path(Path(part)))


class TaskManifest:
    """The tasks folder of a Ray run: its ranges and digest (``_manifest.json``), and a part per
    finished range."""

    def __init__(self, out: Path, digest: str):
        self.dir = out.with_name(out.name + ".tasks")
        self.digest = digest

    def ranges(self, resume: bool, n_chunks: int, tasks: int) -> list[tuple[int, int]]:
        """The run's ranges: the manifest's when resuming, else new ones (and an empty folder)."""
        path = self.dir / MANIFEST
        if resume and path.is_file():
            saved = json.loads(path.read_text())
            if saved.get("digest") != self.digest:
                raise ExplorerError(f"{str(self.dir)!r} was made by a different spec, preset or chunk size; "
                                    "delete it or run without --resume")
            return [tuple(r) for r in saved["ranges"]]
        if resume:
            warn(f"--resume: no parts of an earlier run in {str(self.dir)!r}; running from the start")
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True)
        ranges = task_ranges(n_chunks, tasks)
        with io.atomic_path(path) as tmp:
            tmp.write_text(json.dumps({"digest": self.digest, "ranges": ranges}))
        return ranges

    def part(self, lo: int, hi: int) -> Path:
        """The part file of a range."""
        return self.dir / part_name(lo, hi)


def ray_sweep(spec, settings: SweepSettings, *, address: str | None, resume: bool, progress: bool,
              announce=None) -> SweepResult:
    """Runs ``spec`` as Ray tasks and writes the usual output (see the module docstring)."""
    import jax
    from tqdm import tqdm

    ray = require_ray()
    with jax.enable_x64(spec.dtype == "float64"):
        plan = SweepPlan.from_spec(spec, settings)
    check_output(spec.path, plan, dataset_ok=not plan.frontier)
    options = spec.distributed
    num_cpus, num_gpus = int(options.get("num_cpus", 1)), float(options.get("num_gpus", 0))
    connect(ray, address)
    resources = ray.cluster_resources()
    workers = int(resources.get("GPU", 0) // num_gpus) if num_gpus else int(resources.get("CPU", 1) // num_cpus)
    workers = max(workers, 1)
    t0 = time.perf_counter()
    with RunLock(spec.path):
        remove_orphans(spec.path)
        if announce is not None:
            announce(plan)
        manifest = TaskManifest(spec.path, plan.digest())
        ranges = manifest.ranges(resume, plan.n_chunks, int(options.get("tasks", 4 * workers)))
        task = ray.remote(run_task).options(
            num_cpus=num_cpus, num_gpus=num_gpus, max_retries=int(options.get("max_retries", 3)),
            retry_exceptions=[RuntimeError, OSError], runtime_env={"env_vars": worker_env(num_cpus)})
        todo = [(lo, hi) for lo, hi in ranges if not manifest.part(lo, hi).is_file()]
        raw_settings = dataclasses.replace(settings, devices=None)  # each worker uses the devices Ray gave it
        pending = {task.remote(spec.raw, spec.samples, str(spec.path), raw_settings, lo, hi, plan.digest(),
                               str(manifest.part(lo, hi))): (lo, hi) for lo, hi in todo}
        order = plan.visiting_order()
        done_before = sum(int(plan.n_valid(c)) for lo, hi in ranges if (lo, hi) not in todo for c in order[lo:hi])
        bar = tqdm(total=plan.total, initial=done_before, unit="cfg", unit_scale=True, disable=not progress,
                   desc=f"sweep ({len(todo)} ray tasks)", smoothing=0.1)
        compile_s, finished = 0.0, []
        merger = FrontMerger(plan)

        def front_of(lo, hi):
            part = manifest.part(lo, hi)
            return part if plan.frontier else front_path(part)

        for lo, hi in ranges:
            if (lo, hi) not in todo:
                merger.add(front_of(lo, hi))
        try:
            while pending:
                ready, _ = ray.wait(list(pending), num_returns=1)
                for ref in ready:
                    lo, hi = pending.pop(ref)
                    stats = ray.get(ref)
                    finished.append(stats)
                    merger.add(front_of(lo, hi))
                    compile_s = max(compile_s, stats["compile_s"])
                    bar.update(stats["evaluated"])
        except ray.exceptions.RayTaskError as err:
            raise ExplorerError(f"a Ray task failed after its retries: {str(err.cause or err).splitlines()[0]}") \
                from None
        finally:
            bar.close()
        run_s = time.perf_counter() - t0
        result = _merge(plan, spec, manifest, ranges, merger)
    before = result.evaluated - sum(stats["evaluated"] for stats in finished)
    return dataclasses.replace(result, compile_s=compile_s, run_s=run_s, workers=workers, evaluated_before=before)


def _part_counts(path: Path) -> dict:
    import pyarrow.parquet as pq

    return json.loads(pq.read_schema(path).metadata[io.METADATA_KEY])


class FrontMerger:
    """The exact front of the partial fronts, merged as their tasks finish (the driver is idle
    meanwhile): only their objective columns are read then; the front's other columns are
    read at the end, for its rows only."""

    def __init__(self, plan):
        self.plan = plan
        self.files: list[Path] = []
        self.archive = ParetoArchive(len(plan.structure.objectives))

    def add(self, front_file: Path):
        """Merges one partial front (a Parquet file with the plan's columns)."""
        import pyarrow.parquet as pq

        s = self.plan.structure
        table = pq.read_table(front_file, columns=list(s.objectives))
        rows = {c: table.column(c).to_numpy() for c in s.objectives}
        n = len(table)
        self.archive.update(objective_points(rows, s.objectives, s.signs) if n else np.empty((0, len(s.objectives))),
                            payload={"file": np.full(n, len(self.files)), "row": np.arange(n)})
        self.files.append(front_file)

    def columns(self) -> dict:
        """Every column of the front's rows (feasible excepted)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        payload = self.archive.payload or {"file": np.empty(0, np.int64), "row": np.empty(0, np.int64)}
        tables = [pq.read_table(f).take(np.sort(payload["row"][payload["file"] == k]))
                  for k, f in enumerate(self.files)]
        table = pa.concat_tables(tables)
        return {c: table.column(c).to_numpy() for c in self.plan.columns if c != "feasible"}


def _merge(plan, spec, manifest: TaskManifest, ranges, merger: FrontMerger) -> SweepResult:
    """The output from the finished parts: their front (``merger``), written as the usual file
    (frontier mode), or the dataset folder of their rows (feasible/all) with the run's metadata
    in ``_common_metadata``."""
    import pyarrow.parquet as pq

    parts = [manifest.part(lo, hi) for lo, hi in ranges]
    counts = [_part_counts(p if plan.frontier else front_path(p)) for p in parts]
    evaluated, feasible = sum(c["evaluated"] for c in counts), sum(c["feasible"] for c in counts)
    frame = front_frame(plan, spec, merger.columns())
    meta = metadata(plan, spec, evaluated=evaluated, feasible=feasible, on_front=len(frame))
    if plan.frontier:
        io.write(frame, spec.path, meta)
        shutil.rmtree(manifest.dir, ignore_errors=True)
    else:
        schema = pq.read_schema(parts[0]).remove_metadata()
        pq.write_metadata(io.schema_with_metadata(schema, meta), manifest.dir / "_common_metadata")
        shutil.rmtree(manifest.dir / "_fronts", ignore_errors=True)
        (manifest.dir / MANIFEST).unlink()
        io.replace_path(manifest.dir, spec.path)
    return SweepResult(frame=frame, path=spec.path, evaluated=evaluated, feasible=feasible, on_front=len(frame),
                       compile_s=0.0, run_s=0.0)
