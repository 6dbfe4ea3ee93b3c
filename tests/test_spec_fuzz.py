"""A spec fuzzer: random mutations of the shipped specs are accepted, or refused with one
ExplorerError line; never another exception (hypothesis)."""

import copy
import math
import tomllib
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer.errors import ExplorerError
from explorer.spec import parse_spec
from explorer.sweep_plan import SweepPlan

SWEEPS = Path(__file__).resolve().parent.parent / "sweeps"
SHIPPED = {p.name: tomllib.loads(p.read_text()) for p in sorted(SWEEPS.glob("*.toml"))}

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12), st.sampled_from(["1.5 GHz", "90 days", "-3 W", "1e400", "nan", "inf", "min", "max",
                                           "log", "linear", "grid", "sobol", "all", "x.parquet", "1,024", ""]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=6)


def paths(tree, prefix=()):
    """Every (path, value) of a nested dict/list spec."""
    yield prefix, tree
    if isinstance(tree, dict):
        for k, v in tree.items():
            yield from paths(v, prefix + (k,))
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            yield from paths(v, prefix + (i,))


@st.composite
def mutated(draw):
    name = draw(st.sampled_from(sorted(SHIPPED)))
    spec = copy.deepcopy(SHIPPED[name])
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from([p for p, _ in paths(spec) if p]))
        parent = spec
        for step in where[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "delete", "rename", "add"]))
        if action == "replace":
            parent[where[-1]] = draw(values)
        elif action == "delete":
            del parent[where[-1]]
        elif action == "rename" and isinstance(parent, dict):
            parent[draw(st.text(max_size=8))] = parent.pop(where[-1])
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=8))] = draw(values)
    return name, spec


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=mutated())
def test_a_mutated_spec_is_accepted_or_one_line(case):
    name, raw = case
    try:
        spec = parse_spec(raw, name, path="fuzz/out.parquet")
        plan = SweepPlan.from_spec(spec)
    except ExplorerError as err:
        message = str(err)
        assert message and "\n" not in message, message
        return
    assert 1 <= plan.total <= 2**62 and plan.chunk >= 1
    assert all(math.isfinite(v) for _, v in plan.fixed)


def test_a_toml_nested_5000_deep_is_one_line(tmp_path):
    import pytest

    from explorer.spec import load_spec

    deep = tmp_path / "deep.toml"
    deep.write_text((SWEEPS / "quickstart.toml").read_text() + "\n[extra]\nx = " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(ExplorerError) as err:
        load_spec(deep)
    assert str(err.value) == f"{deep}: nested too deeply to be a spec"
