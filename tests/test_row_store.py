"""The row store: rows read back by number are the rows added, in RAM or spilled to disk."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.row_store import RowStore


def part(rng, n, start):
    """n rows of three columns of different dtypes; column "id" holds each row's number."""
    return {"id": np.arange(start, start + n, dtype=np.int64),
            "x": rng.standard_normal(n).astype(np.float32),
            "ok": rng.random(n) < 0.5}


def reference(parts):
    return {c: np.concatenate([p[c] for p in parts]) for c in parts[0]}


@pytest.mark.parametrize("budget", [1 << 30, 1, 2_000])  # all in RAM; every part to disk; now and then
def test_gather_returns_the_rows_added_in_any_order(rng, budget):
    store = RowStore(memory_bytes=budget)
    parts, start = [], 0
    for n in (5, 0, 120, 1, 300, 64):
        parts.append(part(rng, n, start))
        store.append(parts[-1])
        start += n
    assert store.rows == start == 490
    if budget == 1:
        assert store.ram_bytes == 0 and store.folder is not None and any(store.folder.iterdir())
    if budget == 1 << 30:
        assert store.folder is None
    number = rng.permutation(start)[:200]
    got, want = store.gather(number), reference(parts)
    assert list(got) == ["id", "x", "ok"]
    for c in want:
        assert got[c].dtype == want[c].dtype
        np.testing.assert_array_equal(got[c], want[c][number])
    np.testing.assert_array_equal(got["id"], number)
    folder = store.folder
    store.close()
    assert store.rows == 0 and (folder is None or not folder.exists())


@pytest.mark.parametrize("budget", [1 << 30, 1])
def test_keep_renumbers_the_kept_rows_in_the_order_given(rng, budget):
    store = RowStore(memory_bytes=budget)
    for k in range(4):
        store.append(part(rng, 50, 50 * k))
    kept = np.array([199, 3, 77, 150, 4])
    store.keep(kept)
    assert store.rows == 5
    np.testing.assert_array_equal(store.gather(np.arange(5))["id"], kept)
    store.append(part(rng, 3, 1000))  # appended after the kept rows
    np.testing.assert_array_equal(store.gather(np.array([5, 0, 7]))["id"], [1000, 199, 1002])
    if budget == 1:  # the old segments' files are gone: only the kept rows' and the new part's remain
        assert len(list(store.folder.iterdir())) == 2
    store.keep(np.empty(0, np.int64))
    assert store.rows == 0 and store.gather(np.empty(0, np.int64))["id"].dtype == np.int64
    store.close()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 40).map(lambda n: ("add", n)),
                          st.integers(0, 2**31).map(lambda seed: ("keep", seed))), max_size=12),
       st.sampled_from([1, 300, 1 << 30]))
def test_any_sequence_of_appends_and_keeps_matches_a_plain_list(ops, budget):
    rng = np.random.default_rng(0)
    store, model, next_id = RowStore(memory_bytes=budget), np.empty(0, np.int64), 0
    try:
        for op, arg in ops:
            if op == "add":
                store.append(part(rng, arg, next_id))
                model = np.concatenate([model, np.arange(next_id, next_id + arg)])
                next_id += arg
            else:
                pick = np.random.default_rng(arg).permutation(len(model))[: len(model) // 2]
                store.keep(pick)
                model = model[pick]
            assert store.rows == len(model)
            if len(model):
                np.testing.assert_array_equal(store.gather(np.arange(len(model)))["id"], model)
    finally:
        store.close()


def test_a_spilled_store_holds_at_most_its_budget_in_ram(rng):
    store = RowStore(memory_bytes=10_000)  # a part of 1,000 rows is 13,000 bytes
    for k in range(5):
        store.append(part(rng, 1_000, 1_000 * k))
        assert store.ram_bytes <= 10_000
    np.testing.assert_array_equal(store.gather(np.array([4_999, 0]))["id"], [4_999, 0])
    store.close()


def test_any_column_name_survives_the_disk():
    # files are named by the column's position, so a name that is no file name still works
    store = RowStore(memory_bytes=1)
    store.append({"a/b": np.arange(3.0), "shadow[time_s <= 90 days]": np.arange(3) * 2})
    got = store.gather(np.array([2, 0]))
    np.testing.assert_array_equal(got["a/b"], [2.0, 0.0])
    np.testing.assert_array_equal(got["shadow[time_s <= 90 days]"], [4, 0])
    store.close()
