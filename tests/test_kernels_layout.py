"""Tests for kernels.layout: collectives, the pipeline bubble and point-to-point sends.

Expected values are worked by hand (arithmetic in comments).
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.kernels import layout
from kernel_checks import approx, catalogue_test


def test_ring_allreduce_hand_value():
    # 2·(4−1)/4 · 1 GB / 10 GB/s = 1.5 · 0.1 s = 0.15 s; one rank moves nothing
    assert float(layout.ring_allreduce_time(1e9, 4.0, 1e10)) == approx(0.15)
    assert float(layout.ring_allreduce_time(1e9, 1.0, 1e10)) == 0.0


def test_hierarchical_allreduce_hand_value():
    # 16 ranks, 4 per node: inside 2·3/4·1e9/1e11 = 0.015 s; across 4 nodes 2·3/4·2.5e8/1e10 = 0.0375 s
    assert float(layout.hierarchical_allreduce_time(1e9, 16.0, 4.0, 1e11, 1e10)) == approx(0.0525)


def test_hierarchical_with_one_rank_per_node_is_the_flat_ring():
    flat = float(layout.ring_allreduce_time(2e9, 64.0, 5e10))
    assert float(layout.hierarchical_allreduce_time(2e9, 64.0, 1.0, 4e11, 5e10)) == approx(flat)
    # a whole group inside one node never touches the scale-out links
    inside = float(layout.ring_allreduce_time(2e9, 8.0, 4e11))
    assert float(layout.hierarchical_allreduce_time(2e9, 8.0, 8.0, 4e11, 1.0)) == approx(inside)


@settings(max_examples=40, deadline=None)
@given(n=st.sampled_from([2.0, 4.0, 8.0, 16.0, 64.0, 512.0]), k=st.sampled_from([1.0, 2.0, 4.0, 8.0]))
def test_hierarchical_is_faster_than_a_flat_ring_over_the_slow_links(n, k):
    if k > n:
        return
    flat = float(layout.ring_allreduce_time(1e9, n, 5e10))
    assert float(layout.hierarchical_allreduce_time(1e9, n, k, 4e11, 5e10)) <= flat * (1 + 1e-6)


def test_tensor_parallel_hand_value():
    # message 2 B · 2048 tokens · 1000 = 4.096 MB; ring over 8: 2·7/8·4.096e6/1e11 = 71.68 µs;
    # 10 layers × 4 all-reduces = 40 → 2.8672 ms
    assert float(layout.tensor_parallel_time(2048.0, 1000.0, 10.0, 8.0, 4.0, 1e11)) == approx(2.8672e-3)
    assert float(layout.tensor_parallel_time(2048.0, 1000.0, 10.0, 1.0, 4.0, 1e11)) == 0.0


def test_more_tensor_parallelism_means_more_communication():
    times = [float(layout.tensor_parallel_time(4096.0, 8192.0, 10.0, tp, 4.0, 3.6e11)) for tp in (1, 2, 4, 8)]
    assert np.all(np.diff(times) > 0)


@pytest.mark.parametrize("pp,m,v,expected", [
    (8.0, 24.0, 1.0, 7.0 / 31.0),  # (p−1)/(m+p−1)
    (8.0, 24.0, 2.0, 7.0 / 55.0),  # (p−1)/(v·m+p−1)
    (1.0, 24.0, 1.0, 0.0),  # no pipeline, no bubble
    (35.0, 280.0, 3.0, 34.0 / 874.0),
])
def test_bubble_hand_values(pp, m, v, expected):
    assert float(layout.pipeline_bubble_fraction(pp, m, v)) == approx(expected)


def test_bubble_shrinks_as_microbatches_grow():
    fractions = [float(layout.pipeline_bubble_fraction(16.0, m, 1.0)) for m in (16, 32, 64, 128, 256)]
    assert np.all(np.diff(fractions) < 0)


def test_pipeline_send_hand_value():
    # 2 sends · 2 B · 2048 · 1000 / 8 links / 10 GB/s = 102.4 µs
    assert float(layout.pipeline_send_time(2048.0, 1000.0, 8.0, 1e10)) == approx(1.024e-4)


test_catalogue = catalogue_test([
    pytest.param(lambda b: layout.ring_allreduce_time(b, 8.0, 1e10), (1e9,), (0,), id="ring"),
    pytest.param(lambda b: layout.hierarchical_allreduce_time(b, 64.0, 8.0, 3e11, 5e10), (1e9,), (0,),
                 id="hierarchical"),
    pytest.param(lambda t: layout.tensor_parallel_time(t, 8192.0, 10.0, 8.0, 4.0, 3e11), (4096.0,), (0,), id="tp"),
    pytest.param(lambda m: layout.pipeline_bubble_fraction(16.0, m, 2.0), (32.0,), (0,), id="bubble"),
    pytest.param(lambda t: layout.pipeline_send_time(t, 8192.0, 8.0, 5e10), (4096.0,), (0,), id="send"),
], scales=[0.5, 1.0, 2.0])
