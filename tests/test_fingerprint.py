"""Canonical fingerprints: equal for equal contents built apart, different when any part differs,
finite on cycles, and refused for objects of unknown kinds."""

import dataclasses
import functools

import numpy as np
import pytest

from explorer.fingerprint import Unstable, fingerprint


@dataclasses.dataclass(frozen=True)
class Point:
    x: float
    tags: tuple


def closure_over(value):
    def inner(x):
        return x + value
    return inner


def test_fingerprints_are_canonical():
    fp = fingerprint
    assert fp(Point(2.0, (1.0, 3.0))) == fp(Point(2.0, (1.0, 3.0)))  # built twice
    assert fp({"a": 1, "b": 2}) == fp({"b": 2, "a": 1})  # insertion order does not matter
    assert fp(closure_over(1.0)) == fp(closure_over(1.0))
    different = [Point(2.0, (1.0, 3.0)), Point(np.nextafter(2.0, 3.0), (1.0, 3.0)), Point(2.0, [1.0, 3.0]),
                 Point(2, (1.0, 3.0)), np.zeros(3, np.float32), np.zeros(3, np.float64), np.zeros((3, 1), np.float32),
                 np.array([0.0, 0.0, 1e-30], np.float32), closure_over(1.0), closure_over(2.0),
                 functools.partial(closure_over, Point(2.0, ())), functools.partial(closure_over, Point(3.0, ())), "2.0", None]
    assert len({fp(x) for x in different}) == len(different)


def test_a_function_that_refers_to_itself_has_a_fingerprint():
    def outer():
        def recurse(n):
            return 0 if n == 0 else recurse(n - 1)
        return recurse
    assert fingerprint(outer()) == fingerprint(outer())


def test_an_unknown_object_has_no_fingerprint():
    with pytest.raises(Unstable, match="object"):
        fingerprint((1, {"x": object()}))
