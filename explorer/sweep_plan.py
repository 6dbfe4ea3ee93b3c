"""A sweep's plan: everything about a run that is fixed before its first chunk.

``SweepSettings`` are the engine's tuning knobs (steps, capacities, the scout's size,
checkpoint interval, device count), passed in rather than read from module globals.
``SweepPlan`` is the resolved run: the problem's structure and values, the sampler,
the output mode, the chunking and the columns written. Both are frozen and hashable,
so the compiled device programs are cached on the plan (``device_programs.compiled``):
two runs with equal plans compile once.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import math

import numpy as np

from explorer.axes import Axis
from explorer.problem import Problem, Structure
from explorer.samplers import make_sampler, slab_length

# The prefilter's values come from another program than the exact stage's (an outer
# product rather than gathered points), so they may differ in the last bits; it relaxes
# every test by this relative slack (measured differences: < 1e-6 in float32).
SLACK = {"float32": 2.0**-13, "float64": 2.0**-40}
FORMAT = 2  # the engine's result format: a checkpoint or part of another format is not reused


@dataclasses.dataclass(frozen=True)
class SweepSettings:
    """How the engine runs a sweep (none of these change its result).

    Attributes:
      step: candidates per step of the exact stage's device-side loop.
      capacity: a call of the exact stage stops stepping once it holds this many survivors.
      scout: configurations the scout evaluates (frontier mode).
      block: the prefilter keeps or drops runs of up to this many points on a grid (the
        largest divisor of the chunk's row along the last axis up to it is used; 1 for other
        samplers: ``run_length``).
      checkpoint_every_s: seconds between checkpoints, at chunk boundaries (and at least ten times
        the last checkpoint's duration, so a large front's checkpoints cost ≤ ~10% of the run).
      devices: how many local JAX devices to use (None: all of them).
    """

    step: int = 1 << 15
    capacity: int = 1 << 17
    scout: int = 1 << 16
    block: int = 8
    checkpoint_every_s: float = 5.0
    devices: int | None = None


def run_length(sampler: str, chunk: int, block: int, last_count: int = 1) -> int:
    """Points per run of the prefilter: on a grid, the largest divisor up to ``block`` of the
    chunk's innermost row (gcd(chunk, ``last_count``), the last axis's count), so a run holds
    neighbours along the last axis and never crosses a row: the prefilter's (runs, run) view
    is then a split of the last axis. Runs across rows made XLA materialise every broadcast
    intermediate (measured on the bench's 100⁴ grid, rows of 99: 14.8 ns a point with runs of
    8, 9.5 with runs of 3; 5.2 on 56⁴, rows of 56). 1 for the random, Sobol and LHS samplers,
    whose consecutive points are far apart, so that a run's ideal is close to the front's and
    nearly every run would pass (measured: random, 2²⁴ points, 5.5 M/s with runs of 8, 8.7 M/s
    with single points; the front is the same)."""
    if sampler != "grid":
        return 1
    row = math.gcd(chunk, last_count)
    return max(d for d in range(1, block + 1) if row % d == 0)


@dataclasses.dataclass(frozen=True)
class SweepPlan:
    """A resolved sweep (hashable: compiled programs are cached on it).

    Attributes:
      structure: the problem's static part (model, free axes, objectives, constraints, dtype).
      fixed: (name, value) of every input that is not swept, in the model's units.
      bound_values: one value per bound of the structure.
      sampler_kind, axes, samples, seed: the sampler ("grid", "random", "sobol", "lhs").
      mode: "frontier", "feasible" or "all".
      total: configurations in the sweep.
      chunk: configurations per chunk.
      step, capacity, block, scout: the settings, resolved for this chunk length.
      columns: the columns of an output row, in order.
    """

    structure: Structure
    fixed: tuple[tuple[str, float], ...]
    bound_values: tuple[float, ...]
    sampler_kind: str
    axes: tuple[Axis, ...]
    samples: int | None
    seed: int
    mode: str
    total: int
    chunk: int
    step: int
    capacity: int
    block: int
    scout: int
    columns: tuple[str, ...]

    @classmethod
    def from_spec(cls, spec, settings: SweepSettings = SweepSettings()) -> SweepPlan:
        """The plan of a validated ``SweepSpec`` under ``settings``."""
        problem = Problem.from_spec(spec)
        if spec.sampler == "grid":  # sizes without building the sampler (an LHS one draws its permutations)
            radices = [len(a.grid_values()) for a in spec.axes]
            total = math.prod(radices)
            chunk = slab_length(radices, min(spec.chunk_size, max(total, 1)))
            last_count = radices[-1]
        else:
            total = int(spec.samples)
            chunk = min(spec.chunk_size, max(total, 1))
            last_count = 1
        model = spec.model
        param_axes = tuple(a.name for a in spec.axes if a.name in model.param_names)
        columns = (*model.design_names, *param_axes, *model.output_names) + (("feasible",) if spec.mode == "all" else ())
        return cls(structure=problem.structure, fixed=tuple(sorted(problem.fixed.items())),
                   bound_values=problem.bound_values, sampler_kind=spec.sampler, axes=tuple(spec.axes),
                   samples=spec.samples, seed=spec.seed, mode=spec.mode, total=total, chunk=chunk,
                   step=min(chunk, settings.step), capacity=settings.capacity,
                   block=run_length(spec.sampler, chunk, settings.block, last_count), scout=settings.scout,
                   columns=columns)

    @property
    def model(self):
        """The model."""
        return self.structure.model

    @property
    def frontier(self) -> bool:
        """True in frontier mode (prefilter, scout and tables are used)."""
        return self.mode == "frontier"

    @property
    def n_chunks(self) -> int:
        """Chunks in the sweep (the last may be partial)."""
        return -(-self.total // self.chunk)

    @property
    def slack(self) -> float:
        """The prefilter's relative slack for this dtype."""
        return SLACK[self.structure.dtype]

    @property
    def param_axes(self) -> tuple[str, ...]:
        """Swept inputs that are parameters (not design variables)."""
        return tuple(a.name for a in self.axes if a.name in self.model.param_names)

    @functools.cached_property
    def sampler(self):
        """A sampler for the plan's axes (its host-side state is this plan's own)."""
        return make_sampler(self.sampler_kind, list(self.axes), self.samples, self.seed)

    def visiting_order(self) -> ChunkOrder:
        """Chunk ids in the order they are visited: spread over the sweep in frontier mode,
        in order otherwise."""
        return visiting_order(self.n_chunks, spread=self.frontier)

    def summary(self) -> str:
        """One line: what the run will do (configurations, chunks, mode, estimated output)."""
        from explorer.output_checks import estimated_bytes

        size = estimated_bytes(self)
        shown = (f"{size / 1e9:,.1f} GB" if size >= 1e9 else f"{size / 1e6:,.1f} MB" if size >= 1e6
                 else f"{max(size / 1e3, 1):,.0f} kB")
        guess = ", if 1% is on the front" if self.frontier else ""
        return (f"{self.total:,} configurations ({self.sampler_kind}) in {self.n_chunks:,} chunks of {self.chunk:,}, "
                f"mode {self.mode}; estimated output {shown} uncompressed{guess}")

    def n_valid(self, chunk_id: int) -> np.int32:
        """Configurations in chunk ``chunk_id`` (the chunk length, or fewer for the last)."""
        return np.int32(min(self.chunk, self.total - int(chunk_id) * self.chunk))

    def digest_key(self) -> dict:
        """Everything that determines the result, as plain JSON values: the resolved parameters
        (presets read from disk included), axes, objectives, constraints, sampler, mode,
        chunking, model version and the engine's format. Not the output path, not the settings."""
        s = self.structure
        return {"format": FORMAT, "model": [s.model.name, s.model.version], "fixed": dict(self.fixed),
                "choices": dict(s.choices), "bounds": [list(map(list, s.bounds)), list(self.bound_values)],
                "objectives": [list(s.objectives), list(s.maximize)], "margins": list(s.margins), "dtype": s.dtype,
                "axes": [dataclasses.asdict(a) for a in self.axes],
                "sampler": [self.sampler_kind, self.samples, self.seed], "mode": self.mode, "chunk": self.chunk}

    def digest(self) -> str:
        """A hash of ``digest_key``: a checkpoint or a part made under another digest is not reused."""
        return hashlib.sha256(json.dumps(self.digest_key(), sort_keys=True, default=repr).encode()).hexdigest()[:16]


def describe_change(then: dict, now: dict) -> str:
    """What differs between two ``digest_key``s, in words: the parameters by name and value."""
    then, now = json.loads(json.dumps(then, default=repr)), json.loads(json.dumps(now, default=repr))
    changes = []
    for key in sorted(set(then) | set(now)):
        a, b = then.get(key), now.get(key)
        if a == b:
            continue
        if key in ("fixed", "choices") and isinstance(a, dict) and isinstance(b, dict):
            changes += [f"{name} {a.get(name)!r} then, {b.get(name)!r} now" for name in sorted(set(a) | set(b))
                        if a.get(name) != b.get(name)]
        else:
            changes.append(f"{key} {a!r} then, {b!r} now" if len(repr(a)) + len(repr(b)) < 120 else f"its {key}")
    return "; ".join(changes[:3]) + ("; …" if len(changes) > 3 else "") if changes else "nothing visible"


class ChunkOrder:
    """The order chunks are visited in, computed per position (O(1) memory whatever the
    chunk count): ``order[k] = (k · stride) mod n`` over positions start … stop − 1.

    With ``stride`` 1 the chunks go in order. Otherwise ``stride`` is the integer nearest
    n·(√5 − 1)/2 that is coprime with n, so the map is a permutation and the visits follow
    the golden-ratio (Kronecker) sequence: by the three-distance theorem the first K visits
    leave no gap in the sweep wider than about φ²/K of it, so early chunks seed the tables
    from the whole space.
    """

    def __init__(self, n: int, spread: bool, start: int = 0, stop: int | None = None):
        self.n, self.spread = n, spread
        self.start, self.stop = start, n if stop is None else stop
        self.stride = _golden_stride(n) if spread else 1

    def __len__(self) -> int:
        return max(self.stop - self.start, 0)

    def __getitem__(self, k):
        if isinstance(k, slice):
            lo, hi, step = k.indices(len(self))
            if step != 1:
                raise ValueError("ChunkOrder slices take no step")
            return ChunkOrder(self.n, self.spread, self.start + lo, self.start + max(hi, lo))
        if not -len(self) <= k < len(self):
            raise IndexError(k)
        position = self.start + (k % len(self))
        return position * self.stride % self.n

    def __iter__(self):
        return (self[k] for k in range(len(self)))


def _golden_stride(n: int) -> int:
    """The integer nearest n·(√5 − 1)/2 that is coprime with n (1 for n ≤ 2)."""
    if n <= 2:
        return 1
    target = round(n * (math.sqrt(5.0) - 1.0) / 2.0)
    for offset in range(n):
        for candidate in (target - offset, target + offset):
            if 0 < candidate < n and math.gcd(candidate, n) == 1:
                return candidate
    return 1


def visiting_order(n: int, spread: bool = True) -> ChunkOrder:
    """Chunk ids 0 … n − 1 in visiting order (see ``ChunkOrder``)."""
    return ChunkOrder(n, spread)
