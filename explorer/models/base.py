"""The model interface: a pure function plus the metadata every tool reads.

A model is ``fn(design, params) -> outputs`` where all three are dicts of
arrays that broadcast together. ``fn`` must be pure ``jax.numpy`` (no Python
branching on values) so that sweeps can ``jit(vmap(...))`` it and the optimiser
can differentiate it. String-valued parameters ("choices", e.g. which
statistical-efficiency law) are fixed before tracing and may be branched on.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

from explorer.errors import ExplorerError


@dataclasses.dataclass(frozen=True)
class Domain:
    """The values a numeric parameter may take: finite, within [low, high] (ends open when
    ``open_low``/``open_high``), integer if ``integer``, one of ``values`` if given."""

    low: float = 0.0
    high: float = float("inf")
    open_low: bool = True
    open_high: bool = False
    integer: bool = False
    values: tuple[float, ...] = ()

    def contains(self, x: float) -> bool:
        """True if ``x`` is in the domain."""
        if x != x or x in (float("inf"), float("-inf")):
            return False
        if self.values:
            return x in self.values
        if x < self.low or (self.open_low and x == self.low) or x > self.high or (self.open_high and x == self.high):
            return False
        return not self.integer or x == round(x)

    def describe(self) -> str:
        """The domain in words, e.g. "> 0", "in (0, 1]", "an integer ≥ 1", "one of 0, 1"."""
        if self.values:
            return "one of " + ", ".join(f"{v:g}" for v in self.values)
        if self.high == float("inf"):
            bound = f"{'>' if self.open_low else '≥'} {self.low:g}"
            return f"an integer {bound}" if self.integer else f"finite and {bound}"
        return f"in {'(' if self.open_low else '['}{self.low:g}, {self.high:g}{')' if self.open_high else ']'}"


POSITIVE = Domain()
NONNEGATIVE = Domain(open_low=False)
FRACTION = Domain(high=1.0)  # (0, 1]: an efficiency
SHARE = Domain(high=1.0, open_low=False)  # [0, 1]
PUE = Domain(low=1.0, open_low=False)  # facility power ≥ IT power
COUNT = Domain(low=1.0, open_low=False, integer=True)
SWITCH = Domain(values=(0.0, 1.0))
ANY = Domain(low=float("-inf"))  # any finite number


@dataclasses.dataclass(frozen=True)
class Variable:
    """A design variable.

    Attributes:
      name: key in the design dict.
      unit: SI unit string ("Hz", "sequences", "1", ...).
      default: a number, or the name of the parameter that supplies it.
      bounds: (low, high) default search range, in ``unit``.
      scale: "log" or "linear": how samplers and the optimiser space it.
      integer: True for counts (devices).
      doc: one line.
      domain: where a value may lie (any finite number unless declared); axes outside it are
        refused.
    """

    name: str
    unit: str
    default: float | str
    bounds: tuple[float, float]
    scale: str = "log"
    integer: bool = False
    doc: str = ""
    domain: Domain = dataclasses.field(default_factory=lambda: ANY)


@dataclasses.dataclass(frozen=True)
class Param:
    """A model parameter (hardware, workload or cost constant).

    ``default`` is a float, or a str for a choice parameter whose allowed values
    are ``choices``. ``domain`` is where a numeric value may lie (default: finite and
    positive); a preset, override or axis outside it is refused.
    """

    name: str
    unit: str
    default: float | str
    doc: str = ""
    choices: tuple[str, ...] = ()
    domain: Domain = POSITIVE


@dataclasses.dataclass(frozen=True)
class Output:
    """A model output. ``direction`` is "min", "max" or None (informational).

    Constraint margins have kind "margin" and are satisfied when <= 0. ``share``: the value is a
    fraction of 1 (MFU, goodput), which people read as a percentage (``explorer.display``).
    ``discrete``: a margin that only whole numbers meet (a whole number of replicas); the
    optimiser meets it by rounding its integer variables, not by descent, where its comb of
    isolated feasible points would pin the relaxed iterate.
    """

    name: str
    unit: str
    direction: str | None = None
    kind: str = "objective"
    doc: str = ""
    share: bool = False
    discrete: bool = False


@dataclasses.dataclass(frozen=True, eq=False)
class PhasePlan:
    """How a model's run splits into the phases of a schedule (``explorer.schedule``).

    A phase covers the share [start, end) of the run's progress (0 at the start of training,
    1 at its end; what progress measures is the model's: recipe tokens, log-loss decrement).

    Attributes:
      params: ``(params, start, end) -> params`` of the phase: evaluating the model with them
        gives the phase's own amounts (its time, energy, tokens) at constant design.
      combine: output name → how phases combine: "sum" (amounts that add up), "max" (the
        worst phase: a margin, a peak power) or "mean" (weighted by each phase's ``time_s``,
        an output every model with phases has).
        Margins not named are "max"; other outputs not named are "mean".
      finish: ``(combined, phases, designs, params) -> outputs`` that depend on the whole
        schedule (a loss gap set by the last phase's temperature and the total step count);
        ``phases`` and ``designs`` are lists, one dict per phase. Or None.
      sets: the parameters ``params`` sets per phase: they place a phase in the run, they are
        not assumptions about the world (sensitivities skip them).
    """

    params: Callable[[dict, object, object], dict]
    combine: Mapping[str, str]
    finish: Callable[[dict, list, list, dict], dict] | None = None
    sets: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True, eq=False)
class Model:
    """A registered model: the function and its metadata.

    Models compare and hash by identity (a registered model is one object), so a Model can
    key a cache of compiled programs.

    Attributes:
      name: registry key.
      version: bumped whenever outputs change for the same inputs.
      fn: ``(design, params) -> outputs``.
      design: the design variables, in order.
      params: every parameter the function reads.
      outputs: every output the function returns.
      preset_kinds: preset families this model takes (e.g. ("hardware", "workload")).
      default_presets: preset name per kind used when none is given.
      doc: a paragraph for ``explorer presets``/docs.
      phases: how a schedule splits a run into phases, or None if the model has no schedules.
      integer_steps: integer design variable → the parameters whose product is its step (a
        whole number of replicas: N in steps of tp·pp). The optimiser rounds to these steps,
        which is how it meets the discrete margins it leaves out of the descent.
    """

    name: str
    version: str
    fn: Callable[[dict, dict], dict]
    design: tuple[Variable, ...]
    params: tuple[Param, ...]
    outputs: tuple[Output, ...]
    preset_kinds: tuple[str, ...] = ()
    default_presets: Mapping[str, str] = dataclasses.field(default_factory=dict)
    doc: str = ""
    phases: PhasePlan | None = None
    integer_steps: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)

    def variable(self, name: str) -> Variable:
        """The design variable ``name`` (one clear error if there is none)."""
        return _lookup(self.design, name, f"design variable of model {self.name!r}")

    def param(self, name: str) -> Param:
        """The parameter ``name`` (one clear error if there is none)."""
        return _lookup(self.params, name, f"parameter of model {self.name!r}")

    def output(self, name: str) -> Output:
        """The output ``name`` (one clear error if there is none)."""
        return _lookup(self.outputs, name, f"output of model {self.name!r}")

    @property
    def design_names(self) -> tuple[str, ...]:
        """Design variable names, in order."""
        return tuple(v.name for v in self.design)

    @property
    def param_names(self) -> tuple[str, ...]:
        """Parameter names, in order."""
        return tuple(p.name for p in self.params)

    @property
    def output_names(self) -> tuple[str, ...]:
        """Output names, in order."""
        return tuple(o.name for o in self.outputs)

    @property
    def margins(self) -> tuple[str, ...]:
        """The outputs that are constraint margins (≤ 0 feasible)."""
        return tuple(o.name for o in self.outputs if o.kind == "margin")

    @property
    def units(self) -> dict[str, str]:
        """The unit of every design variable, parameter and output, by name."""
        return ({v.name: v.unit for v in self.design} | {p.name: p.unit for p in self.params}
                | {o.name: o.unit for o in self.outputs})

    @property
    def descriptions(self) -> dict[str, str]:
        """The one-line description of every design variable, parameter and output that has one."""
        return {item.name: item.doc for item in (*self.design, *self.params, *self.outputs) if item.doc}

    @property
    def integers(self) -> tuple[str, ...]:
        """Inputs that take whole numbers only (device counts, batch sizes, layout degrees):
        integer design variables and integer-domain parameters."""
        return (*(v.name for v in self.design if v.integer),
                *(p.name for p in self.params if not isinstance(p.default, str) and p.domain.integer))

    def column_info(self, names) -> dict:
        """What a result file says about its columns ``names`` (those that are this model's
        inputs or outputs): ``units``, ``descriptions`` (name → str), ``integers`` (the
        names stored as int64; see ``explorer.io.annotated``) and ``shares`` (outputs that are
        fractions of 1, shown as %)."""
        units, docs, integers = self.units, self.descriptions, set(self.integers)
        shares = {o.name for o in self.outputs if o.share}
        names = [n for n in names if n in units]
        return {"units": {n: units[n] for n in names}, "descriptions": {n: docs[n] for n in names if n in docs},
                "integers": [n for n in names if n in integers], "shares": [n for n in names if n in shares]}

    def design_defaults(self, params: Mapping[str, float | str]) -> dict[str, float]:
        """Each design variable's default: a number, or the value of the parameter it names."""
        return {v.name: float(params[v.default]) if isinstance(v.default, str) else float(v.default)
                for v in self.design}


def _lookup(items, name, what):
    for item in items:
        if item.name == name:
            return item
    known = ", ".join(i.name for i in items)
    raise ExplorerError(f"unknown {what}: {name!r} (known: {known})")


_REGISTRY: dict[str, Model] = {}


def register(model: Model, *, replace: bool = False) -> Model:
    """Adds a model to the registry so every tool (evaluate, sweep, optimise) can use it."""
    if not isinstance(model, Model):
        raise TypeError(f"register() takes a Model, got {type(model).__name__}")
    if model.name in _REGISTRY and not replace:
        raise ExplorerError(f"a model named {model.name!r} is already registered (pass replace=True)")
    names = [v.name for v in model.design] + [p.name for p in model.params]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ExplorerError(f"model {model.name!r} uses these names twice: {', '.join(duplicates)}")
    _REGISTRY[model.name] = model
    return model


def get_model(name: str | Model) -> Model:
    """The registered model called ``name`` (a Model passes through)."""
    if isinstance(name, Model):
        return name
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise ExplorerError(f"unknown model: {name!r} (known: {', '.join(sorted(_REGISTRY))})") from None


def available_models() -> tuple[str, ...]:
    """Names of the registered models, sorted."""
    return tuple(sorted(_REGISTRY))
