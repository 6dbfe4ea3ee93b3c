"""The streaming sweep engine: chunks of configurations through the compiled device programs
into an exact Pareto frontier (or all feasible / all rows) in Parquet.

The parts (docs/engine.md has the whole story):

- ``sweep_plan``: the frozen plan of a run and the engine's settings;
- ``device_programs``: the prefilter and the exact stage, pure functions compiled once
  per plan and device;
- ``pipeline``: one device's tables and chunks in flight;
- ``survivors``: the rows on the host and their exact front;
- ``sweep_files``: the checkpoint and the parts of a feasible/all run;
- ``sweep_output``: the result frame and its metadata;
- ``distributed``, ``sweep_range``: the same sweep split over Ray tasks, each one range of the visiting order.

This module runs a plan on every local device (``Streamer``): chunk k of the visiting
order goes to device k mod D, each device keeps its own tables and its next chunk in
flight, and the host finishes chunks in order, so one exact archive merges them all and
a checkpoint at a chunk boundary means the same as with one device.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import sys
import time
from typing import NamedTuple

import numpy as np
import pandas as pd

from explorer import io
from explorer.diagnose import why_empty
from explorer.dominance import layout
from explorer.errors import ExplorerError, SweepInterrupted, warn
from explorer.pareto import ParetoArchive
from explorer.output_checks import check_output, remove_orphans
from explorer.pipeline import DevicePipeline
from explorer.spec import load_spec
from explorer.survivors import Survivors
from explorer.sweep_files import Checkpoint, ChunkParts, RunLock
from explorer.sweep_output import KeptRows, SweepResult, constants, front_frame, metadata
from explorer.sweep_plan import SweepPlan, SweepSettings

__all__ = ["RunState", "Streamer", "SweepResult", "local_devices", "sweep"]


class RunState(NamedTuple):
    """Where a run stands at a chunk boundary: the next position in the visiting order and
    the configurations evaluated and found feasible so far."""

    next_chunk: int = 0
    evaluated: int = 0
    feasible: int = 0


def sweep(spec, *, out: str | None = None, samples: int | None = None, resume: bool = False,
          progress: bool = True, devices: int | None = None, ray: str | bool | None = None,
          settings: SweepSettings | None = None, stop=None, announce=None, write: bool = True) -> SweepResult:
    """Runs a sweep spec (TOML path, dict or SweepSpec) and writes its Parquet result.

    Args:
      spec: the sweep to run.
      out: output path (overrides the spec's).
      samples: sample count (overrides the spec's; not for grids).
      resume: continue from the checkpoint (or, with Ray, the parts) a killed run left.
      progress: show a progress bar on stderr.
      devices: use at most this many local JAX devices (default: all).
      ray: run as Ray tasks: True (or "auto") for the spec's or a local cluster, or a
        cluster address; None uses the spec's ``[distributed]`` table.
      settings: the engine's tuning knobs (defaults: ``SweepSettings()``).
      stop: a ``threading.Event``; once set, the run stops at the next chunk boundary as if
        interrupted (the CLI sets it on SIGINT: a KeyboardInterrupt that lands in a garbage
        collector callback is swallowed by Python, the event is not).
      announce: called with the ``SweepPlan`` once the input and the output path are checked,
        before any compilation (the CLI prints ``plan.summary()``).
      write: False returns the result without touching the disk (no file, lock or checkpoint;
        a feasible/all run's rows come back in ``SweepResult.rows``, held in memory). Not with
        ``resume`` or Ray, which need files.
    """
    import jax

    spec = load_spec(spec, path=out, samples=samples)
    settings = settings or SweepSettings()
    if devices is not None:
        settings = dataclasses.replace(settings, devices=devices)
    use_ray = ray if ray is not None else (spec.distributed.get("backend") == "ray" or None)
    if not write and (resume or use_ray):
        raise ExplorerError("sweep(write=False) runs in this process from the start: "
                            + ("--resume needs the checkpoint a written run leaves" if resume else
                               "Ray tasks write their parts to disk"))
    if use_ray:
        from explorer.distributed import ray_sweep

        address = ray if isinstance(ray, str) else spec.distributed.get("address")
        return ray_sweep(spec, settings, address=address, resume=resume, progress=progress, announce=announce)
    with jax.enable_x64(spec.dtype == "float64"):
        plan = SweepPlan.from_spec(spec, settings)
        if not write:
            if announce is not None:
                announce(plan)
            return run_local(spec, plan, settings, resume=False, progress=progress, stop=stop, write=False)
        check_output(spec.path, plan)
        with RunLock(spec.path):
            remove_orphans(spec.path)
            if announce is not None:
                announce(plan)
            return run_local(spec, plan, settings, resume=resume, progress=progress, stop=stop)


def local_devices(cap: int | None):
    """The local JAX devices a run uses: all of them, or the first ``cap``."""
    import jax

    devices = jax.local_devices()
    if cap is not None:
        if cap < 1:
            raise ExplorerError(f"--devices must be at least 1, got {cap}")
        devices = devices[:cap]
    return devices


class Streamer:
    """A plan's pipelines on every local device (at most ``settings.devices``), compiled on
    construction (one thread per device: XLA compiles without the GIL)."""

    def __init__(self, plan: SweepPlan, settings: SweepSettings):
        self.plan = plan
        devices = local_devices(settings.devices)
        with concurrent.futures.ThreadPoolExecutor(len(devices)) as pool:
            self.pipelines = list(pool.map(lambda d: DevicePipeline(plan, d), devices))
        self.scouted = np.empty((0, len(plan.structure.objectives)))  # the scout's front (minimised, relaxed)

    def seed(self, archive: ParetoArchive, scout: bool):
        """Uploads every device's tables from the archive (and first runs the scout)."""
        for pipeline in self.pipelines:
            pipeline.set_tables(np.concatenate([archive.points, self.scouted]))
        if scout:
            self.scouted = self.pipelines[0].scout()
            self.seed(archive, scout=False)

    def merge(self, survivors: Survivors, grid):
        """Merges the waiting survivors into the archive, first dropping the rows that ``grid``
        (tables a device has finished with) dominates; the sketch follows the archive."""
        survivors.merge(grid)
        if not layout(len(self.plan.structure.objectives)):
            points = np.concatenate([survivors.archive.points, self.scouted])
            for pipeline in self.pipelines:
                pipeline.set_sketch(points)

    def run(self, chunk_ids, on_chunk):
        """Streams ``chunk_ids`` in order: chunk k on device k mod D, with chunks up to k + D
        launched before chunk k is finished. ``on_chunk(k, chunk_id, finished, pipeline)``
        is called on the host for each chunk in order."""
        n, devices = len(chunk_ids), len(self.pipelines)
        in_flight, launched = {}, 0
        for k in range(n):
            while launched < n and launched <= k + devices:
                pipeline = self.pipelines[launched % devices]
                in_flight[launched] = pipeline.launch(int(chunk_ids[launched]))
                launched += 1
            pipeline = self.pipelines[k % devices]
            on_chunk(k, int(chunk_ids[k]), pipeline.finish(in_flight.pop(k)), pipeline)


def run_local(spec, plan: SweepPlan, settings: SweepSettings, *, resume: bool, progress: bool,
              stop=None, write: bool = True) -> SweepResult:
    """Runs the whole plan in this process on the local devices and writes the result (or,
    ``write=False``, only returns it)."""
    from tqdm import tqdm

    m = len(plan.structure.objectives)
    archive = ParetoArchive(m)
    checkpoint = Checkpoint(spec.path, plan.digest_key())
    loaded = checkpoint.load(archive) if resume else None
    if resume and not loaded:
        warn(f"--resume: no checkpoint of this spec beside {str(spec.path)!r}; running from the start")
    state = RunState(**loaded[0]) if loaded else RunState()
    survivors = Survivors(archive, list(plan.structure.objectives), plan.structure.signs,
                          tables=bool(layout(m)), columns=loaded[1] if loaded else None)
    parts = None if plan.frontier else (ChunkParts(spec.path) if write else KeptRows())
    if parts is not None:
        parts.keep_before(state.next_chunk)

    order = plan.visiting_order()
    first = state.next_chunk
    bar = None
    finished = [None]  # tables the host can read without waiting
    last_save = time.perf_counter()
    save_s = 0.0  # how long the last checkpoint took, s

    def stopped():
        if stop is not None and stop.is_set():
            raise KeyboardInterrupt

    def on_chunk(k, chunk_id, done, pipeline):
        nonlocal state, last_save, save_s
        rows = done.rows
        if parts is not None:
            parts.write(chunk_id, pd.DataFrame(rows))
            if plan.mode == "all":
                rows = {c: v[rows["feasible"]] for c, v in rows.items()}
        survivors.add(rows)
        state = RunState(first + k + 1, state.evaluated + done.evaluated, state.feasible + done.feasible)
        finished[0] = done.grid
        if survivors.full():
            streamer.merge(survivors, done.grid)
        bar.update(done.evaluated)
        # a checkpoint every checkpoint_every_s, but at least ten of its own durations apart, so
        # that saving a large front (GBs at 10⁹ configurations) costs at most ~10% of the run
        if write and time.perf_counter() - last_save > max(settings.checkpoint_every_s, 10 * save_s) \
                and state.next_chunk < plan.n_chunks:
            t_save = time.perf_counter()
            streamer.merge(survivors, done.grid)
            checkpoint.save(state._asdict(), survivors)
            last_save = time.perf_counter()
            save_s = last_save - t_save
        stopped()

    streamer = None
    try:
        t0 = time.perf_counter()
        phase(progress, "compiling the sweep's programs (or loading them from the cache) ...")
        streamer = Streamer(plan, settings)
        compile_s = time.perf_counter() - t0
        phase(progress, f"compiled in {compile_s:.1f} s")
        bar = tqdm(total=plan.total, initial=min(first * plan.chunk, plan.total), unit="cfg",
                   unit_scale=True, disable=not progress, desc="sweep", smoothing=0.1)
        t1 = last_save = time.perf_counter()
        stopped()
        if first < plan.n_chunks:
            streamer.seed(archive, scout=plan.frontier)
            finished[0] = streamer.pipelines[0].finished_grid
            streamer.run(order[first:], on_chunk)
    except KeyboardInterrupt:
        if write and state.next_chunk > first:  # a checkpoint only at a chunk boundary past the start
            streamer.merge(survivors, finished[0])
            checkpoint.save(state._asdict(), survivors)
        if bar is not None:
            bar.close()
        if parts is not None and not checkpoint.exists():
            parts.remove()
        survivors.close()
        raise SweepInterrupted(checkpoint.path if checkpoint.exists() else None) from None
    except BaseException:
        if bar is not None:
            bar.close()
        if parts is not None and not checkpoint.exists():  # nothing to resume: the parts are of no use
            parts.remove()
        survivors.close()
        raise
    streamer.merge(survivors, finished[0])
    bar.close()
    run_s = time.perf_counter() - t1

    frame = front_frame(plan, spec, survivors.take_columns())  # the front's rows are all that is needed now
    meta = metadata(plan, spec, evaluated=state.evaluated, feasible=state.feasible, on_front=len(frame))
    empty_reason = why_empty(plan) if frame.empty else ""
    rows = parts.frame(plan, spec) if isinstance(parts, KeptRows) else None
    if write:
        t2 = time.perf_counter()
        rows_out = {"frontier": len(frame), "feasible": state.feasible}.get(plan.mode, state.evaluated)
        phase(progress, f"writing {spec.path} ({rows_out:,} rows) ...")
        if parts is None:
            io.write(frame, spec.path, meta)
        else:
            parts.combine(spec.path, meta, constants(spec))
        checkpoint.remove()
        phase(progress, f"written in {time.perf_counter() - t2:.1f} s")
    return SweepResult(frame=frame, path=spec.path if write else None, evaluated=state.evaluated,
                       feasible=state.feasible, on_front=len(frame), compile_s=compile_s, run_s=run_s,
                       devices=len(streamer.pipelines), evaluated_before=loaded[0]["evaluated"] if loaded else 0,
                       empty_reason=empty_reason, rows=rows)


def phase(show: bool, text: str) -> None:
    """One line on stderr for a step with no progress bar (compiling, writing), when showing progress."""
    if show:
        print(f"explorer sweep: {text}", file=sys.stderr, flush=True)
