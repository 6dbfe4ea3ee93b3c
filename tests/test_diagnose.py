"""Why a sweep found nothing: the constraint shares match a count over every configuration."""

import numpy as np

from explorer import io
from explorer.engine import sweep
from test_engine import small_spec


def test_an_empty_front_names_the_constraints_that_reject_most(tmp_path):
    result = sweep(small_spec(tmp_path, name="empty", bounds=["time_s <= 1 days"]), progress=False)
    assert result.on_front == 0 and result.frame.empty
    reason = result.empty_reason
    assert reason.startswith("no feasible configuration in a sample of 1,296: time_s <= 86400 rejects 100%")
    # the sample is the whole 6⁴ grid here: its shares are counts over the all-mode file
    sweep(small_spec(tmp_path, mode="all", name="all"), progress=False)
    everything, _ = io.read(tmp_path / "all.parquet")
    share = float(np.mean(everything.replica_margin > 0))
    assert f"replica_margin rejects {100 * share:.0f}%" in reason


def test_a_front_that_is_not_empty_needs_no_reason(tmp_path):
    assert sweep(small_spec(tmp_path, name="fine"), progress=False).empty_reason == ""
