"""The bench's references: NumPy on the same configurations, host-decoded points, the streaming front."""

import numpy as np
import pytest

from explorer.bench import bench_spec
from explorer.bench_references import grid_numpy, numpy_sweep, streaming_front
from explorer.pareto import is_nondominated
from explorer.spec import parse_spec


def test_streaming_front_matches_one_shot(rng):
    points = rng.random((20000, 3)).astype(np.float32)
    points[:, 2] = 1.5 - points[:, 0] - points[:, 1] + 0.05 * points[:, 2]  # a large front
    _, size = streaming_front(points, 4096)
    assert size == int(is_nondominated(points).sum())


def test_numpy_grid_decode_matches_the_device_sampler():
    import jax.numpy as jnp

    spec = parse_spec(bench_spec(5, 64), "bench")
    from explorer.samplers import make_sampler

    sampler = make_sampler("grid", list(spec.axes), None, 0)
    device = sampler.device_values(sampler.host_inputs(100, 64), 64, jnp.float32)
    host = grid_numpy(spec, 100, 64)
    for name in device:
        np.testing.assert_allclose(np.asarray(device[name]), host[name].astype(np.float32))


def test_numpy_broadcast_reference_evaluates_the_same_configurations():
    spec = parse_spec(bench_spec(6, 216), "bench")  # slabs of 216 = 6³: one step of the first axis
    _, n_flat, flat = numpy_sweep(spec, 6**4)
    _, n_slab, slab = numpy_sweep(spec, 6**4, broadcast=True)
    assert n_flat == n_slab == 6**4 and 0 < len(flat) < 6**4
    np.testing.assert_allclose(slab, flat, rtol=1e-6)  # the same feasible rows, in the same order


@pytest.mark.parametrize("kind", ["random", "sobol"])
def test_numpy_reference_evaluates_the_samplers_points(kind):
    import explorer

    spec = parse_spec(bench_spec(4, 256, kind), "bench")  # 4⁴ = 256 points of the sampler
    _, n, objectives = numpy_sweep(spec, 256)
    sweep = explorer.sweep(bench_spec(4, 256, kind) | {"output": {"mode": "all", "chunk_size": 256,
                                                                  "path": "unused.parquet"}},
                           progress=False, write=False)
    rows = sweep.rows[sweep.rows.feasible]
    # the same configurations (the engine's own sampler): the same feasible objectives, in order, up to
    # float32 rounding (a few points near a kink of the model differ by ~1e-4; other points would by O(1))
    np.testing.assert_allclose(objectives, rows[["time_s", "energy_j", "final_loss"]].to_numpy(), rtol=5e-4)
    assert n == 256
