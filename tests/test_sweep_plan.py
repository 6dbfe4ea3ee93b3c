"""The sweep plan: chunking, visiting order, settings and the digest that guards resumes."""

import copy

import numpy as np
import pytest

from explorer.spec import parse_spec
from explorer.sweep_plan import SweepPlan, SweepSettings, visiting_order
from test_spec import QUICKSTART, edited, spec

SPEC = {"model": {"name": "llm_training", "hardware": "h100-sxm", "workload": "llama3.1-70b"},
        "axes": {"nu": {"low": "0.6 GHz", "high": "1.98 GHz", "count": 6},
                 "batch": {"low": 256, "high": 16384, "scale": "log", "count": 6},
                 "n_parallel": {"low": 512, "high": 65536, "scale": "log", "count": 5}},
        "objectives": {"time_s": "min", "energy_j": "min"},
        "output": {"chunk_size": 64}}


def plan_of(raw=None, **settings):
    return SweepPlan.from_spec(parse_spec(copy.deepcopy(raw or SPEC)), SweepSettings(**settings))


@pytest.mark.parametrize("n", [1, 2, 3, 4, 16, 97, 100, 256, 1000, 4099])
def test_visiting_order_is_a_spread_permutation(n):
    order = visiting_order(n)
    assert sorted(order) == list(range(n)) and len(order) == n
    assert list(visiting_order(n, spread=False)) == list(range(n))
    if n >= 64:  # three-distance theorem: the first K visits leave no gap wider than ~φ²/K of the range
        # (an integer stride only approximates n/φ, so allow a margin)
        k = n // 4
        first = sorted(order[:k])
        gaps = np.diff(first + [first[0] + n])
        assert gaps.max() <= 5 * n / k
        assert {int(c) * 4 // n for c in first} == {0, 1, 2, 3}


def test_visiting_order_takes_no_memory_for_a_billion_chunks():
    order = visiting_order(10**9)
    assert 0 <= order[123_456_789] < 10**9 and len(order[10:20]) == 10
    assert list(order[5:8]) == [order[5], order[6], order[7]]
    assert order[-1] == order[10**9 - 1]


def test_grid_chunks_are_slabs_and_cover_the_sweep():
    plan = plan_of()
    # 6·6·5 = 180 points; the longest slab ≤ 64: the last axis whole (5), the middle one whole (30),
    # then the largest divisor d of the first axis's 6 with 30·d ≤ 64: d = 2
    assert plan.total == 180 and plan.chunk == 60 and plan.n_chunks == 3
    assert [int(plan.n_valid(k)) for k in range(plan.n_chunks)] == [60] * 3
    assert plan.block == 5  # runs stay in one row of the last axis (5 points): its largest divisor up to 8
    assert plan.step == 60  # at most the chunk


def test_settings_reach_the_plan_and_plans_are_hashable_and_equal_by_value():
    a, b = plan_of(step=16, capacity=32, scout=64, block=4), plan_of(step=16, capacity=32, scout=64, block=4)
    assert (a.step, a.capacity, a.scout, a.block) == (16, 32, 64, 1)  # block: 5's largest divisor up to 4
    assert a == b and hash(a) == hash(b)
    assert a != plan_of()


def test_digest_follows_what_determines_the_result():
    base = plan_of().digest()
    assert plan_of().digest() == base and len(base) == 16
    edited = copy.deepcopy(SPEC)
    edited["model"]["params"] = {"host_power": "400 W"}  # a resolved parameter, as an edited preset file would be
    assert plan_of(edited).digest() != base
    edited = copy.deepcopy(SPEC)
    edited["axes"]["nu"]["count"] = 5
    assert plan_of(edited).digest() != base
    edited = copy.deepcopy(SPEC)
    edited["output"]["path"] = "elsewhere.parquet"  # where it goes does not change what it is
    assert plan_of(edited).digest() == base
    assert plan_of(step=16).digest() == base  # nor do the engine's settings


def digest(raw, origin="<spec>", **overrides):
    return SweepPlan.from_spec(parse_spec(raw, origin, **overrides)).digest()


def test_digest_stable():
    a = digest(copy.deepcopy(QUICKSTART))
    b = digest(copy.deepcopy(QUICKSTART), "elsewhere.toml")
    reordered = {k: QUICKSTART[k] for k in reversed(list(QUICKSTART))}
    c = digest(copy.deepcopy(reordered))
    assert a == b == c == a
    assert len(a) == 16 and int(a, 16) >= 0


@pytest.mark.parametrize("edit", [
    lambda r: r["axes"]["nu"].update(count=63),
    lambda r: r["axes"]["nu"].update(low="0.7 GHz"),
    lambda r: r["axes"]["batch"].update(scale="linear"),
    lambda r: r["axes"].pop("temperature"),
    lambda r: r["model"].update(hardware="h200"),
    lambda r: r["model"].update(params={"pue": 1.2}),
    lambda r: r.update(sampler={"kind": "random", "samples": 10}),
    lambda r: r.update(sampler={"kind": "grid", "seed": 1}),
    lambda r: r["objectives"].update(time_s="max"),
    lambda r: r["objectives"].pop("final_loss"),
    lambda r: r["constraints"].update(bounds=["time_s <= 364 days"]),
    lambda r: r["constraints"].update(margins=["memory_margin"]),
    lambda r: r["output"].update(mode="all"),
    lambda r: r["output"].update(dtype="float64"),
], ids=["count", "low", "scale", "axis", "hardware", "param", "sampler", "seed", "direction", "objective",
        "bound", "margins", "mode", "dtype"])
def test_digest_changes(edit):
    assert digest(edited(edit)) != digest(copy.deepcopy(QUICKSTART))


def test_digest_changes_with_samples():
    raw = spec(sampler={"kind": "random", "samples": 100})
    assert digest(copy.deepcopy(raw)) != digest(spec(sampler={"kind": "random",
                                                                               "samples": 200}))


def test_digest_changes_with_samples_override():
    raw = spec(sampler={"kind": "random", "samples": 100})
    assert digest(copy.deepcopy(raw), samples=100) != digest(copy.deepcopy(raw),
                                                                              samples=200)


def test_runs_of_one_point_for_samplers_whose_neighbours_are_far_apart():
    from explorer.sweep_plan import run_length

    # on a grid: the largest divisor up to the block of the chunk's innermost row, gcd(chunk, last axis's count)
    assert run_length("grid", 64, 8, 64) == 8 and run_length("grid", 60, 8, 5) == 5
    assert run_length("grid", 990_000, 8, 99) == 3  # the bench's 100⁴ slab, rows of 99: runs of 3, not 8
    assert run_length("grid", 7, 8, 14) == 7  # a chunk shorter than the last axis is one part of a row
    assert run_length("grid", 97, 8, 97) == 1  # a prime row: no longer run divides it
    for kind in ("random", "sobol", "lhs"):
        assert run_length(kind, 64, 8) == 1
