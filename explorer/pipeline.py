"""One device's share of a sweep: its compiled programs, its tables and its chunks in flight.

A ``DevicePipeline`` owns the tables its device rejects against (``tables``), in plain
sight: every call of the exact stage takes the latest tables and its result replaces
them, so the device never waits for the host to fold anything. Chunks are launched
asynchronously (``launch``: the prefilter and the first exact call are dispatched) and
finished in launch order (``finish``: the survivors are copied to the host, more exact
calls are made while the chunk has candidates left). ``scout`` evaluates a spread of
points over the whole sweep, whose front seeds the tables.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from explorer.device_programs import (Candidates, ExactResult, Tables, compiled, host_inputs, host_tables,
                                      survivor_rows)
from explorer.pareto import ParetoArchive
from explorer.survivors import objective_points


class Launched(NamedTuple):
    """A chunk on the device: its inputs, valid count, candidates and first exact call."""

    inputs: dict
    n_valid: np.int32
    candidates: Candidates
    first: ExactResult


class Finished(NamedTuple):
    """A chunk done: its survivors' columns (host arrays), the configurations evaluated and
    found feasible, and the device's tables after its last exact call."""

    rows: dict
    evaluated: int
    feasible: int
    grid: dict


class DevicePipeline:
    """The sweep's programs and tables on one JAX device."""

    def __init__(self, plan, device):
        import jax

        self.plan, self.device = plan, device
        self.programs = compiled(plan, device)
        self.tables: Tables | None = None
        self.finished_grid: dict | None = None  # tables the host may read without waiting
        # every run of the chunk: the candidates of a feasible/all run, on the device once
        self.all_runs = jax.device_put(np.arange(plan.chunk // plan.block, dtype=np.int32) * plan.block, device)

    def set_tables(self, points: np.ndarray):
        """Uploads tables (grid and sketch) of reference points (n × m, minimised)."""
        import jax

        self.tables = jax.device_put(host_tables(self.plan, points), self.device)
        self.finished_grid = self.tables.grid

    def set_sketch(self, points: np.ndarray):
        """Uploads a new sketch of reference points, keeping the device's grid."""
        import jax

        sketch = host_tables(self.plan, points).sketch
        self.tables = self.tables._replace(sketch=jax.device_put(sketch, self.device))

    def inputs(self, chunk_id: int) -> dict:
        """The sampler's host inputs of a chunk, on this device."""
        import jax

        return jax.device_put(host_inputs(self.plan, chunk_id), self.device)

    def _exact(self, inputs, n_valid, candidates: Candidates, offset: int) -> ExactResult:
        """Dispatches one exact call (asynchronously); its tables become the pipeline's."""
        result = self.programs.exact(inputs, n_valid, candidates.starts, candidates.count, np.int32(offset),
                                     self.tables)
        self.tables = self.tables._replace(grid=result.grid)
        return result

    def launch(self, chunk_id: int) -> Launched:
        """Starts a chunk (asynchronously): its prefilter and its first exact call."""
        inputs, n_valid = self.inputs(chunk_id), self.plan.n_valid(chunk_id)
        if self.plan.frontier:
            candidates = Candidates(*self.programs.prefilter(inputs, n_valid, self.tables))
        else:
            candidates = Candidates(self.all_runs, n_valid, None)
        return Launched(inputs, n_valid, candidates, self._exact(inputs, n_valid, candidates, 0))

    def finish(self, launched: Launched) -> Finished:
        """Waits for a launched chunk and fetches every survivor."""
        count = int(launched.candidates.count)
        result = launched.first
        parts, n_eval, n_feas = [], 0, 0
        while True:
            kept = int(result.kept)
            n_eval, n_feas = n_eval + int(result.valid), n_feas + int(result.feasible)
            parts.append(survivor_rows(self.plan, result, kept))
            if int(result.offset) >= count:
                break
            result = self._exact(launched.inputs, launched.n_valid, launched.candidates, int(result.offset))
        if launched.candidates.feasible is not None:  # frontier mode: the prefilter judged the whole chunk
            n_eval, n_feas = int(launched.n_valid), int(launched.candidates.feasible)
        rows = parts[0] if len(parts) == 1 else {c: np.concatenate([p[c] for p in parts]) for c in parts[0]}
        self.finished_grid = result.grid
        return Finished(rows, n_eval, n_feas, result.grid)

    def scout(self) -> np.ndarray:
        """The front of ``plan.scout`` configurations in runs spread over the whole sweep (a
        Kronecker sequence of run starts; positions below 2³¹, or the first chunk's for a
        sampler without random access), minimised and relaxed by the slack: real points,
        so they may reject from the start. They only seed the tables: each is merged when
        its own chunk comes, and the slack keeps one from rejecting that twin whatever
        the last bits."""
        import jax

        plan = self.plan
        span = min(plan.total, 2**31 - 1) if plan.sampler.random_access else int(plan.n_valid(0))
        runs = min(plan.scout, span, plan.chunk) // plan.block
        golden = (np.sqrt(5.0) - 1.0) / 2.0
        starts = np.zeros(plan.chunk // plan.block, np.int32)
        starts[:runs] = (np.mod((np.arange(runs) + 0.5) * golden, 1.0) * (span // plan.block)).astype(np.int64) \
            * plan.block
        candidates = Candidates(jax.device_put(starts, self.device), np.int32(runs * plan.block), None)
        inputs, n_valid = self.inputs(0), np.int32(span)
        launched = Launched(inputs, n_valid, candidates, self._exact(inputs, n_valid, candidates, 0))
        rows = self.finish(launched).rows
        scout = ParetoArchive(len(plan.structure.objectives))
        scout.update(objective_points(rows, plan.structure.objectives, plan.structure.signs))
        return scout.points + plan.slack * np.abs(scout.points)
