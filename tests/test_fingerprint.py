"""Canonical fingerprints: equal for equal contents built apart, different when any part differs,
finite on cycles, and refused for objects of unknown kinds."""

import dataclasses
import functools

import numpy as np
import pytest

from explorer.fingerprint import Unstable, fingerprint


@dataclasses.dataclass(frozen=True)
class Plan:
    scale: float
    weights: tuple


def program(plan, x):
    return x * plan.scale + sum(plan.weights)


def closure_over(value):
    def inner(x):
        return x + value
    return inner


def test_fingerprints_are_canonical():
    fp = fingerprint
    assert fp(Plan(2.0, (1.0, 3.0))) == fp(Plan(2.0, (1.0, 3.0)))  # built twice
    assert fp({"a": 1, "b": 2}) == fp({"b": 2, "a": 1})  # insertion order does not matter
    assert fp(closure_over(1.0)) == fp(closure_over(1.0))
    different = [Plan(2.0, (1.0, 3.0)), Plan(np.nextafter(2.0, 3.0), (1.0, 3.0)), Plan(2.0, [1.0, 3.0]),
                 Plan(2, (1.0, 3.0)), np.zeros(3, np.float32), np.zeros(3, np.float64), np.zeros((3, 1), np.float32),
                 np.array([0.0, 0.0, 1e-30], np.float32), closure_over(1.0), closure_over(2.0),
                 functools.partial(program, Plan(2.0, ())), functools.partial(program, Plan(3.0, ())), "2.0", None]
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
