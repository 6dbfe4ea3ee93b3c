"""The device programs: compaction, and one compilation per plan and device."""

import copy

import jax
import numpy as np
from hypothesis import given, settings
from hypothesis.extra import numpy as hnp

from explorer.device_programs import compiled, true_positions
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
