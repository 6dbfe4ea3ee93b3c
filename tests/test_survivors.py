"""The survivors store: exact fronts gathered across parts and compactions."""

import numpy as np
import pandas as pd

from explorer.pareto import ParetoArchive
from explorer.survivors import Survivors
from references import brute_force_front


def test_survivors_gather_the_front_rows_across_parts_and_compactions():
    store = Survivors(ParetoArchive(2), ["a", "b"], np.array([1.0, -1.0]), tables=False, min_rows=4)
    rng = np.random.default_rng(1)
    added = []
    for k in range(8):
        rows = {"a": rng.random(7), "b": rng.random(7), "id": np.arange(7) + 10 * k}
        store.add(rows)
        added.append(rows)
        if store.full():
            store.merge()
    store.merge()
    everything = pd.DataFrame({c: np.concatenate([r[c] for r in added]) for c in ("a", "b", "id")})
    columns = store.columns()
    assert sorted(columns["id"]) == sorted(brute_force_front(everything, {"a": "min", "b": "max"})["id"])
    np.testing.assert_array_equal(np.stack([columns["a"], -columns["b"]], axis=1), store.archive.points)
    assert store.rows < len(everything["id"])  # a merge let the rows off the front go


