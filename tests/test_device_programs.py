"""The device programs: compaction, and one compilation per plan and device."""

import copy

import jax
import numpy as np
from hypothesis import given, settings
from hypothesis.extra import numpy as hnp

from explorer.device_programs import compiled, survivor_rows, transfer_rows, true_positions
from explorer.spec import parse_spec
from explorer.sweep_plan import SweepPlan

_TRUE_POSITIONS = jax.jit(true_positions)


@settings(max_examples=60, deadline=None)
@given(mask=hnp.arrays(bool, 64))
def test_true_positions_lists_the_true_entries_in_order_then_zeros(mask):
    got = np.asarray(_TRUE_POSITIONS(mask))
    want = np.flatnonzero(mask)
    assert got.dtype == np.int32
    assert got[: len(want)].tolist() == want.tolist() and not got[len(want):].any()


def test_equal_plans_share_one_compilation_and_other_devices_get_their_own():
    raw = {"model": {"name": "seed000"},
           "axes": {"nu": {"low": 1e8, "high": 2e9, "count": 4}, "batch": {"low": 16, "high": 256, "count": 4}},
           "objectives": {"t_train": "min", "E_total": "min"}, "output": {"chunk_size": 16}}
    a, b = (SweepPlan.from_spec(parse_spec(copy.deepcopy(raw))) for _ in range(2))
    assert a is not b
    device = jax.devices()[0]
    assert compiled(a, device) is compiled(b, device)
    raw["output"]["chunk_size"] = 8  # another shape: another program
    assert compiled(SweepPlan.from_spec(parse_spec(raw)), device) is not compiled(a, device)


def test_transfer_rows_is_the_power_of_two_at_or_above_the_survivors():
    assert [transfer_rows(k, 1 << 17) for k in (0, 1, 2, 3, 1000, 1024, 1025)] == [1, 1, 2, 4, 1024, 1024, 2048]
    assert transfer_rows(150_000, 163_840) == 163_840  # never past the buffer


def test_survivor_rows_unpacks_the_first_rows_of_every_column():
    raw = {"model": {"name": "seed000"},
           "axes": {"nu": {"low": 1e8, "high": 2e9, "count": 4}, "batch": {"low": 16, "high": 256, "count": 4}},
           "objectives": {"t_train": "min", "E_total": "min"}, "output": {"chunk_size": 16, "mode": "all"}}
    plan = SweepPlan.from_spec(parse_spec(raw))
    columns = [c for c in plan.columns if c != "feasible"] + ["feasible"]
    packed = np.arange(len(columns) * 40, dtype=np.float32).reshape(len(columns), 40)
    packed[-1] = np.arange(40) % 3 == 0  # the 0/1 feasible row

    class Result:
        rows = jax.numpy.asarray(packed)

    rows = survivor_rows(plan, Result, 5)
    assert list(rows) == columns
    for k, c in enumerate(columns[:-1]):
        assert rows[c].tolist() == packed[k, :5].tolist()
    assert rows["feasible"].dtype == bool and rows["feasible"].tolist() == [True, False, False, True, False]
