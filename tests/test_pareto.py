"""Pareto filtering, the streaming archive, hypervolume, knee and operating points.

The exact filter is checked against an independent O(n²) brute force written
here in plain NumPy (no moocore), on small integer-valued point sets where ties
and duplicates are frequent, and against moocore on larger continuous sets.
"""

from itertools import combinations

import moocore
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from explorer.pareto import ParetoArchive, hypervolume, is_nondominated, knee_point, operating_points

SETTINGS = settings(max_examples=100, deadline=None)

# A small value set, so ties and exact duplicates are frequent.
LEVELS = [0.0, 1.0, 2.0, 3.0]
BAD = [np.nan, np.inf, -np.inf]


# --------------------------------------------------------------------------- reference


def _better_or_equal(a, b, maximize):
    """Elementwise 'a is no worse than b' and 'a is strictly better than b', per direction."""
    no_worse = np.where(maximize, a >= b, a <= b)
    better = np.where(maximize, a > b, a < b)
    return no_worse, better


def brute_nondominated(points, maximize=None):
    """O(n²) reference: row i is kept iff it is finite and no finite row j dominates it."""
    p = np.asarray(points, dtype=float)
    n, m = p.shape
    if maximize is None:
        maxi = np.zeros(m, dtype=bool)
    elif isinstance(maximize, bool):
        maxi = np.full(m, maximize)
    else:
        maxi = np.asarray(maximize, dtype=bool)
    finite = np.all(np.isfinite(p), axis=1)
    keep = np.zeros(n, dtype=bool)
    for i in range(n):  # O(n²): row i against every other finite row j
        if not finite[i]:
            continue
        others = finite.copy()
        others[i] = False
        no_worse, better = _better_or_equal(p[others], p[i], maxi)
        keep[i] = not np.any(no_worse.all(axis=1) & better.any(axis=1))
    return keep


def dominates(a, b):
    """a dominates b (all minimised)."""
    return bool(np.all(a <= b) and np.any(a < b))


def sorted_rows(a):
    """Rows in lexicographic order, to compare point sets as multisets."""
    a = np.asarray(a, dtype=float)
    if len(a) == 0:
        return a
    return a[np.lexsort(a.T[::-1])]


def brute_front_rows(points):
    return sorted_rows(np.asarray(points, float)[brute_nondominated(points)])


# --------------------------------------------------------------------------- strategies


@st.composite
def point_sets(draw, min_rows=0, max_rows=60, bad_rows=False, min_m=1, max_m=5):
    """(n, m) float arrays of values in LEVELS; optionally some rows get a NaN/±inf entry."""
    m = draw(st.integers(min_m, max_m))
    n = draw(st.integers(min_rows, max_rows))
    pts = draw(arrays(np.float64, (n, m), elements=st.sampled_from(LEVELS)))
    if bad_rows and n:
        rows = draw(st.lists(st.integers(0, n - 1), max_size=max(1, n // 3)))
        for r in rows:
            c = draw(st.integers(0, m - 1))
            pts[r, c] = draw(st.sampled_from(BAD))
    return pts


any_points = st.one_of(point_sets(), point_sets(bad_rows=True))


# --------------------------------------------------------------------------- is_nondominated


def test_brute_force_reference_sanity():
    # (1,1) dominates (2,2) and (1,2); (0,3) and (3,0) are incomparable with (1,1);
    # the two copies of (1,1) do not dominate each other; the NaN and inf rows are off.
    pts = np.array([[1, 1], [2, 2], [1, 2], [0, 3], [3, 0], [1, 1], [np.nan, 0], [-np.inf, 0]], float)
    expected = np.array([True, False, False, True, True, True, False, False])
    np.testing.assert_array_equal(brute_nondominated(pts), expected)
    np.testing.assert_array_equal(is_nondominated(pts), expected)


@SETTINGS
@given(any_points)
def test_matches_brute_force(pts):
    mask = is_nondominated(pts)
    assert mask.dtype == bool and mask.shape == (len(pts),)
    np.testing.assert_array_equal(mask, brute_nondominated(pts))


@SETTINGS
@given(any_points)
def test_front_rows_are_not_dominated_by_any_row(pts):
    mask = is_nondominated(pts)
    finite = np.all(np.isfinite(pts), axis=1)
    assert not np.any(mask & ~finite), "a row with NaN/inf is on the front"
    for i in np.flatnonzero(mask):
        for j in np.flatnonzero(finite):
            assert not dominates(pts[j], pts[i]), (j, i)


@SETTINGS
@given(any_points)
def test_every_omitted_finite_row_is_dominated_by_a_front_row(pts):
    mask = is_nondominated(pts)
    finite = np.all(np.isfinite(pts), axis=1)
    front = pts[mask]
    for i in np.flatnonzero(finite & ~mask):
        assert any(dominates(f, pts[i]) for f in front), i


@SETTINGS
@given(any_points, st.data())
def test_permutation_invariance(pts, data):
    perm = np.array(data.draw(st.permutations(range(len(pts)))), dtype=int)
    mask = is_nondominated(pts)
    np.testing.assert_array_equal(is_nondominated(pts[perm]), mask[perm])


@SETTINGS
@given(any_points, st.data())
def test_maximize(pts, data):
    m = pts.shape[1]
    # maximize=True on points is minimise on -points (NaN/inf stay non-finite)
    np.testing.assert_array_equal(is_nondominated(pts, maximize=True), is_nondominated(-pts))
    np.testing.assert_array_equal(is_nondominated(pts, maximize=False), is_nondominated(pts))
    # per-column list: negate exactly the maximised columns
    flags = data.draw(st.lists(st.booleans(), min_size=m, max_size=m))
    flipped = np.where(np.array(flags), -pts, pts)
    mask = is_nondominated(pts, maximize=flags)
    np.testing.assert_array_equal(mask, is_nondominated(flipped))
    np.testing.assert_array_equal(mask, brute_nondominated(pts, maximize=flags))
    np.testing.assert_array_equal(is_nondominated(pts, maximize=tuple(flags)), mask)


@SETTINGS
@given(point_sets(min_rows=1), st.data())
def test_duplicates_of_front_points_are_all_kept(pts, data):
    idx = np.array(data.draw(st.lists(st.integers(0, len(pts) - 1), min_size=1, max_size=20)), dtype=int)
    extended = np.concatenate([pts, pts[idx]])
    mask = is_nondominated(extended)
    base = is_nondominated(pts)
    # duplicating rows changes nothing for the originals, and every copy shares its original's fate
    np.testing.assert_array_equal(mask[: len(pts)], base)
    np.testing.assert_array_equal(mask[len(pts):], base[idx])
    # identical rows always get identical answers
    for i, j in combinations(range(len(extended)), 2):
        if np.array_equal(extended[i], extended[j]):
            assert mask[i] == mask[j]


def test_all_copies_of_a_single_front_point_kept():
    pts = np.array([[1.0, 1.0]] * 4 + [[2.0, 2.0]] * 3)
    np.testing.assert_array_equal(is_nondominated(pts), [True] * 4 + [False] * 3)


def test_non_finite_rows_never_on_front_and_dominate_nothing():
    # -inf would dominate everything if it were allowed to compete
    pts = np.array([[-np.inf, -np.inf], [np.nan, 0.0], [5.0, 5.0], [np.inf, 0.0]])
    np.testing.assert_array_equal(is_nondominated(pts), [False, False, True, False])
    assert not is_nondominated(np.full((3, 2), np.nan)).any()


def test_edge_shapes_and_errors():
    assert is_nondominated(np.zeros((0, 3))).shape == (0,)
    np.testing.assert_array_equal(is_nondominated([[3.0], [1.0], [1.0], [2.0]]), [False, True, True, False])
    np.testing.assert_array_equal(is_nondominated([[1, 2], [2, 1], [2, 2]]), [True, True, False])  # ints ok
    with pytest.raises(ValueError, match="2-D"):
        is_nondominated([1.0, 2.0])
    with pytest.raises(ValueError, match="one entry per objective"):
        is_nondominated(np.zeros((3, 2)), maximize=[True, False, True])


@pytest.mark.parametrize("m", [2, 3, 4])
def test_agrees_with_moocore_on_continuous_data(rng, m):
    n = 2000
    uniform = rng.random((n // 2, m))
    # points near a concave surface, so the front is large
    sphere = np.abs(rng.normal(size=(n // 2, m)))
    sphere /= np.linalg.norm(sphere, axis=1, keepdims=True)
    sphere *= 1.0 + 0.05 * rng.random((n // 2, 1))
    pts = np.concatenate([uniform, sphere])
    rng.shuffle(pts)
    mask = is_nondominated(pts)
    expected = moocore.is_nondominated(pts, keep_weakly=True)
    np.testing.assert_array_equal(mask, expected)
    assert 1 <= mask.sum() < n
    # and with a vectorised brute force (independent of moocore)
    le = np.all(pts[:, None, :] <= pts[None, :, :], axis=2)  # le[j, i]: j no worse than i
    lt = np.any(pts[:, None, :] < pts[None, :, :], axis=2)
    np.testing.assert_array_equal(mask, ~np.any(le & lt, axis=0))
    # maximise path against moocore's own maximise
    np.testing.assert_array_equal(is_nondominated(pts, maximize=True),
                                  moocore.is_nondominated(pts, maximise=True, keep_weakly=True))


# --------------------------------------------------------------------------- ParetoArchive


def _check_archive(archive, pts, ids_expected):
    """Archive holds exactly the front rows (as a multiset), with payload aligned to them."""
    np.testing.assert_array_equal(sorted_rows(archive.points), sorted_rows(pts[ids_expected]))
    assert len(archive) == len(ids_expected)
    ids = archive.payload["id"]
    assert sorted(ids.tolist()) == sorted(ids_expected.tolist())
    # row alignment: each archived point is the original row its id names
    np.testing.assert_array_equal(archive.points, pts[ids])
    np.testing.assert_array_equal(archive.payload["tag"], np.array([f"row{i}" for i in ids]))


@SETTINGS
@given(any_points, st.data())
def test_archive_streaming_matches_one_shot(pts, data):
    n, m = pts.shape
    maximize = data.draw(st.one_of(st.none(), st.booleans(),
                                   st.lists(st.booleans(), min_size=m, max_size=m)))
    archive = ParetoArchive(m, maximize=maximize)
    ids = np.arange(n)
    tags = np.array([f"row{i}" for i in ids])
    # random chunk boundaries (repeats give empty chunks)
    cuts = sorted(data.draw(st.lists(st.integers(0, n), max_size=12)))
    for start, stop in zip([0, *cuts], [*cuts, n]):
        added = archive.update(pts[start:stop], {"id": ids[start:stop], "tag": tags[start:stop]})
        # the return value counts rows of this chunk that made the new front
        if archive.payload is not None:
            in_chunk = (archive.payload["id"] >= start) & (archive.payload["id"] < stop)
            assert added == int(in_chunk.sum())
        else:
            assert added == 0
    expected = np.flatnonzero(is_nondominated(pts, maximize))  # one shot over all rows
    np.testing.assert_array_equal(expected, np.flatnonzero(brute_nondominated(pts, maximize)))
    if archive.payload is None:  # nothing but empty chunks (n == 0)
        assert n == 0 and len(archive) == 0
        return
    _check_archive(archive, pts, expected)


@SETTINGS
@given(point_sets(min_m=1, max_m=4), point_sets(min_m=1, max_m=4))
def test_front_of_union_is_front_of_union_of_fronts(a, b):
    b = b[:, : a.shape[1]] if b.shape[1] >= a.shape[1] else np.zeros((0, a.shape[1]))
    union = np.concatenate([a, b])
    direct = union[is_nondominated(union)]
    fronts = np.concatenate([a[is_nondominated(a)], b[is_nondominated(b)]])
    via_fronts = fronts[is_nondominated(fronts)]
    np.testing.assert_array_equal(sorted_rows(direct), sorted_rows(via_fronts))
    np.testing.assert_array_equal(sorted_rows(direct), brute_front_rows(union))
    # the archive fed the two fronts gives the same multiset
    archive = ParetoArchive(a.shape[1])
    archive.update(a[is_nondominated(a)])
    archive.update(b[is_nondominated(b)])
    np.testing.assert_array_equal(sorted_rows(archive.points), sorted_rows(direct))


def test_archive_small_worked_example():
    archive = ParetoArchive(2)
    assert len(archive) == 0 and archive.points.shape == (0, 2)
    assert archive.update([[2.0, 2.0], [3.0, 3.0]], {"name": np.array(["a", "b"])}) == 1
    assert archive.update(np.zeros((0, 2))) == 0
    # (1,3) and (3,1) are incomparable with (2,2); a duplicate (2,2) is kept
    assert archive.update([[1.0, 3.0], [3.0, 1.0], [2.0, 2.0]], {"name": np.array(["c", "d", "e"])}) == 3
    assert sorted(archive.payload["name"].tolist()) == ["a", "c", "d", "e"]
    # (0,0) dominates everything so far
    assert archive.update([[0.0, 0.0]], {"name": np.array(["f"])}) == 1
    np.testing.assert_array_equal(archive.points, [[0.0, 0.0]])
    assert archive.payload["name"].tolist() == ["f"]
    # a NaN row never enters
    assert archive.update([[np.nan, -1.0]], {"name": np.array(["g"])}) == 0
    assert archive.payload["name"].tolist() == ["f"]


def test_archive_maximize_worked_example():
    archive = ParetoArchive(2, maximize=[True, False])  # maximise column 0, minimise column 1
    archive.update([[1.0, 1.0], [2.0, 1.0], [2.0, 0.0], [3.0, 5.0]], {"i": np.arange(4)})
    assert sorted(archive.payload["i"].tolist()) == [2, 3]


def test_archive_keep_drops_rows_with_their_payload():
    archive = ParetoArchive(2)
    archive.update([[1.0, 3.0], [2.0, 2.0], [3.0, 1.0]], {"i": np.array([0, 1, 2])})
    archive.keep(np.array([True, False, True]))
    np.testing.assert_array_equal(archive.points, [[1.0, 3.0], [3.0, 1.0]])
    assert archive.payload["i"].tolist() == [0, 2]
    assert archive.update([[2.0, 2.0]], {"i": np.array([1])}) == 1  # the row may come back later
    assert sorted(archive.payload["i"].tolist()) == [0, 1, 2]


def test_archive_payload_stays_aligned_or_rejects_mixed_use():
    archive = ParetoArchive(2)
    archive.update([[1.0, 3.0], [3.0, 1.0]], {"i": np.array([0, 1])})
    try:
        archive.update([[2.0, 2.0], [0.0, 5.0]])
    except (ValueError, TypeError, IndexError):
        return  # rejecting a payload-less update is acceptable
    assert all(len(v) == len(archive) for v in archive.payload.values())


# --------------------------------------------------------------------------- hypervolume


def brute_hypervolume(points, ref):
    """Volume of the union of boxes [p, ref] by inclusion-exclusion (small n only)."""
    p = np.asarray(points, float)
    ref = np.asarray(ref, float)
    p = p[np.all(p < ref, axis=1)]
    total = 0.0
    for k in range(1, len(p) + 1):
        for subset in combinations(range(len(p)), k):
            corner = p[list(subset)].max(axis=0)
            total += (-1) ** (k + 1) * float(np.prod(ref - corner))
    return total


def test_hypervolume_2d_staircase():
    # Points (1,3), (2,2), (3,1) with reference (4,4). Sweep over x:
    #   x in [1,2): only (1,3) covers, y from 3 to 4 -> 1 * 1 = 1
    #   x in [2,3): (2,2) covers y from 2 to 4      -> 1 * 2 = 2
    #   x in [3,4): (3,1) covers y from 1 to 4      -> 1 * 3 = 3
    # total 1 + 2 + 3 = 6.
    pts = np.array([[1.0, 3.0], [2.0, 2.0], [3.0, 1.0]])
    assert hypervolume(pts, [4.0, 4.0]) == pytest.approx(6.0)
    # a single point: (4-2) * (4-2) = 4
    assert hypervolume([[2.0, 2.0]], [4.0, 4.0]) == pytest.approx(4.0)
    # dominated and duplicate points add nothing
    more = np.concatenate([pts, [[3.0, 3.0], [2.0, 2.0], [2.0, 3.5]]])
    assert hypervolume(more, [4.0, 4.0]) == pytest.approx(6.0)


def test_hypervolume_3d_by_hand():
    # one box: (2-1) * (3-1) * (4-1) = 1 * 2 * 3 = 6
    assert hypervolume([[1.0, 1.0, 1.0]], [2.0, 3.0, 4.0]) == pytest.approx(6.0)
    # two overlapping boxes, reference (2,2,2):
    #   a = (0,1,1): [0,2]x[1,2]x[1,2] -> 2*1*1 = 2
    #   b = (1,0,0): [1,2]x[0,2]x[0,2] -> 1*2*2 = 4
    #   a ∩ b = [max(0,1), 2] x [max(1,0), 2] x [max(1,0), 2] = [1,2]^3 -> 1
    #   union = 2 + 4 - 1 = 5
    assert hypervolume([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]], [2.0, 2.0, 2.0]) == pytest.approx(5.0)
    # three boxes, reference (2,2,2): a=(0,1,1), b=(1,0,1), c=(1,1,0), each volume 2*1*1 = 2;
    # each pairwise intersection is [1,2]^3 = 1 and so is the triple: 3*2 - 3*1 + 1 = 4
    three = [[0.0, 1.0, 1.0], [1.0, 0.0, 1.0], [1.0, 1.0, 0.0]]
    assert hypervolume(three, [2.0, 2.0, 2.0]) == pytest.approx(4.0)
    assert brute_hypervolume(three, [2.0, 2.0, 2.0]) == pytest.approx(4.0)


def test_hypervolume_points_not_strictly_better_than_reference_add_nothing():
    ref = [4.0, 4.0]
    base = [[1.0, 3.0], [2.0, 2.0], [3.0, 1.0]]
    # on the reference boundary, beyond it, equal to it, and non-finite rows
    extra = [[4.0, 0.0], [0.0, 4.0], [5.0, -10.0], [4.0, 4.0], [np.nan, 0.0], [-np.inf, 0.0]]
    assert hypervolume(np.array(base + extra), ref) == pytest.approx(6.0)
    assert hypervolume(np.array(extra), ref) == 0.0
    assert hypervolume(np.zeros((0, 2)), ref) == 0.0


def test_hypervolume_maximize():
    pts = np.array([[1.0, 3.0], [2.0, 2.0], [3.0, 1.0]])
    # maximising -points against -reference is the same region mirrored
    assert hypervolume(-pts, [-4.0, -4.0], maximize=True) == pytest.approx(6.0)
    # maximise column 0 only: x' = 5 - x maps minimise-x to maximise-x' with reference 5 - 4 = 1
    mirrored = pts.copy()
    mirrored[:, 0] = 5.0 - pts[:, 0]
    assert hypervolume(mirrored, [1.0, 4.0], maximize=[True, False]) == pytest.approx(6.0)
    # a maximised point below the reference adds nothing
    assert hypervolume([[0.5, 1.0]], [1.0, 4.0], maximize=[True, False]) == 0.0


@pytest.mark.parametrize("m", [2, 3, 4])
def test_hypervolume_agrees_with_moocore(rng, m):
    pts = rng.random((300, m))
    ref = np.full(m, 1.1)
    assert hypervolume(pts, ref) == pytest.approx(moocore.hypervolume(pts, ref=ref), rel=1e-12)
    # also with a reference that cuts some points off
    ref2 = np.full(m, 0.8)
    inside = pts[np.all(pts < ref2, axis=1)]
    assert hypervolume(pts, ref2) == pytest.approx(moocore.hypervolume(inside, ref=ref2), rel=1e-12)
    # maximising -points against -reference: same volume, and moocore's own maximise agrees
    expected = moocore.hypervolume(pts, ref=ref)
    assert hypervolume(-pts, -ref, maximize=True) == pytest.approx(expected, rel=1e-12)
    assert moocore.hypervolume(-pts, ref=-ref, maximise=True) == pytest.approx(expected, rel=1e-12)


@SETTINGS
@given(point_sets(min_rows=0, max_rows=8, min_m=1, max_m=4))
def test_hypervolume_matches_inclusion_exclusion(pts):
    ref = np.full(pts.shape[1], 3.5)
    hv = hypervolume(pts, ref)
    assert hv == pytest.approx(brute_hypervolume(pts, ref), abs=1e-9)
    # only the front matters
    assert hv == pytest.approx(hypervolume(pts[is_nondominated(pts)], ref), abs=1e-9)


# --------------------------------------------------------------------------- knee_point


def test_knee_point_middle_of_three():
    # after scaling to [0,1] the ends are (0,1) and (1,0), the chord is x + y = 1 and
    # (0.1, 0.2) is 1 - 0.3 = 0.7 below it in the Σx sense; the ends are on it.
    pts = np.array([[0.0, 1.0], [0.1, 0.2], [1.0, 0.0]])
    assert knee_point(pts) == 1
    assert knee_point(pts[::-1]) == 1
    assert knee_point(-pts, maximize=True) == 1


def test_knee_point_non_finite():
    assert knee_point(np.full((4, 2), np.nan)) == -1
    assert knee_point(np.zeros((0, 3))) == -1
    # NaN/inf rows are skipped, the index still refers to the input rows
    pts = np.array([[np.nan, 0.0], [0.0, 1.0], [-np.inf, -np.inf], [0.1, 0.2], [1.0, 0.0]])
    assert knee_point(pts) == 3


@SETTINGS
@given(point_sets(min_rows=1, min_m=2, max_m=4))
def test_knee_point_is_on_the_front(pts):
    k = knee_point(pts)
    assert 0 <= k < len(pts)
    assert is_nondominated(pts)[k]


def test_knee_point_ignores_dominated_rows():
    front = np.array([[0.0, 1.0], [0.1, 0.2], [1.0, 0.0]])
    with_dominated = np.concatenate([front, [[0.5, 100.0]]])
    assert knee_point(with_dominated) == knee_point(front) == 1


# --------------------------------------------------------------------------- operating_points


def test_operating_points_simple():
    frame = pd.DataFrame({"time_s": [3.0, 1.0, 2.0], "energy_j": [1.0, 3.0, 2.0], "final_loss": [2.0, 3.0, 1.0]},
                         index=[10, 20, 30])
    assert operating_points(frame) == {"speed": 1, "efficiency": 0, "quality": 2}  # positions, not labels


def test_operating_points_ties_go_to_next_objective():
    frame = pd.DataFrame({
        #           0    1    2    3    4    5
        "time_s":   [1.0, 1.0, 3.0, 4.0, 5.0, 2.0],
        "energy_j": [5.0, 4.0, 2.0, 2.0, 6.0, 7.0],
        "final_loss": [3.0, 3.0, 2.5, 2.0, 1.0, 1.0],
    }, index=list("abcdef"))
    # speed: time 1 ties rows 0,1 -> less energy -> row 1
    # efficiency: energy 2 ties rows 2,3 -> less loss -> row 3
    # quality: loss 1 ties rows 4,5 -> less time -> row 5
    assert operating_points(frame) == {"speed": 1, "efficiency": 3, "quality": 5}
    picks = operating_points(frame)
    front = is_nondominated(frame[["time_s", "energy_j", "final_loss"]].to_numpy())
    assert all(front[i] for i in picks.values())


def test_operating_points_two_level_ties():
    # speed: time ties all, energy ties rows 0,1 -> loss decides -> row 1
    frame = pd.DataFrame({"time_s": [1.0, 1.0, 1.0], "energy_j": [1.0, 1.0, 2.0], "final_loss": [2.0, 1.0, 0.5]})
    assert operating_points(frame)["speed"] == 1
    # efficiency: energy ties all, loss ties rows 1,2 -> time decides -> row 2
    frame = pd.DataFrame({"time_s": [1.0, 3.0, 2.0], "energy_j": [1.0, 1.0, 1.0], "final_loss": [0.5, 0.1, 0.1]})
    assert operating_points(frame)["efficiency"] == 2
    # quality: loss ties all, time ties rows 0,2 -> energy decides -> row 2
    frame = pd.DataFrame({"time_s": [1.0, 3.0, 1.0], "energy_j": [5.0, 1.0, 4.0], "final_loss": [1.0, 1.0, 1.0]})
    assert operating_points(frame)["quality"] == 2


def test_operating_points_custom_columns_and_missing():
    frame = pd.DataFrame({"t": [2.0, 1.0], "e": [1.0, 2.0], "q": [0.0, 1.0]})
    assert operating_points(frame, time="t", energy="e", quality="q") == {"speed": 1, "efficiency": 0, "quality": 0}
    # none of the named columns present: no picks
    assert operating_points(frame) == {}


def test_operating_points_omits_picks_whose_column_is_missing():
    frame = pd.DataFrame({"energy_j": [2.0, 1.0], "final_loss": [1.0, 2.0]})
    assert operating_points(frame) == {"efficiency": 1, "quality": 0}
    only_time = pd.DataFrame({"time_s": [2.0, 1.0, 3.0]})
    assert operating_points(only_time) == {"speed": 1}
