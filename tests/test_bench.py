"""explorer bench: runs and prints its table (speed itself is measured, never asserted)."""

import numpy as np

from explorer.bench import _grid_numpy, bench_spec, numpy_sweep, streaming_front
from explorer.cli.main import main
from explorer.pareto import is_nondominated
from explorer.spec import parse_spec


def test_quick_bench_prints_the_table(capsys):
    assert main(["bench", "--quick"]) == 0
    out = capsys.readouterr().out
    for label in ("device", "configurations/s", "plain NumPy", "JAX engine / NumPy", "NumPy broadcasting",
                  "moocore one-shot", "streaming archive", "streaming / one-shot speed"):
        assert label in out


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
    host = _grid_numpy(spec, 100, 64)
    for name in device:
        np.testing.assert_allclose(np.asarray(device[name]), host[name].astype(np.float32))


def test_numpy_broadcast_reference_evaluates_the_same_configurations():
    spec = parse_spec(bench_spec(6, 216), "bench")  # slabs of 216 = 6³: one step of the first axis
    _, n_flat, flat = numpy_sweep(spec, 6**4)
    _, n_slab, slab = numpy_sweep(spec, 6**4, broadcast=True)
    assert n_flat == n_slab == 6**4 and 0 < len(flat) < 6**4
    np.testing.assert_allclose(slab, flat, rtol=1e-6)  # the same feasible rows, in the same order
