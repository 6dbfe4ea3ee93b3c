"""Shared helpers for the kernel tests: exact tolerances and the jit/vmap/grad catalogue check."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest


def enable_x64():
    """Context manager: float64 inside the block."""
    return jax.enable_x64(True)


def approx(expected, rel=1e-6, abs=0.0):
    """pytest.approx without its default 1e-12 absolute tolerance (most values here are tiny)."""
    return pytest.approx(expected, rel=rel, abs=abs)


def jgrad(fn, argnums=0):
    """jax.grad under jit: one XLA compile instead of one per eager primitive (keeps the suite fast)."""
    return jax.jit(jax.grad(fn, argnums=argnums))


def f32(*args):
    return tuple(jnp.asarray(a, dtype=jnp.float32) for a in args)


def transform_all(cases, scales):
    """Every catalogue entry (fn, args, argnums) under jit, vmap (over the first argument,
    scaled by ``scales``) and grad (w.r.t. its argnums), traced into ONE jitted program:
    XLA compiles dominate these tests, so a module compiles once instead of once per kernel."""
    specs = [c.values for c in cases]

    def bundle(all_args):
        out = []
        for (fn, _, argnums), a in zip(specs, all_args):
            xs = a[0] * jnp.asarray(scales, dtype=jnp.float32)
            grads = (jax.grad(lambda *y, fn=fn: jnp.sum(fn(*y)), argnums=argnums)(*a) if argnums else ())
            yv = jax.vmap(fn, in_axes=(0,) + (None,) * (len(a) - 1))(xs, *a[1:])
            out.append((fn(*a), xs, yv, grads))
        return out

    results = jax.jit(bundle)([f32(*s[1]) for s in specs])
    return {c.id: r for c, r in zip(cases, results)}


def check_transformed(fn, args, argnums, result):
    """jit equals eager, vmap equals one call per element, values and gradients are finite.

    ``result`` is this case's entry of ``transform_all``; the middle scale must be 1.
    """
    y, xs, yv, grads = result
    a = f32(*args)
    y, yv = np.asarray(y), np.asarray(yv)
    eager = np.asarray(fn(*a))
    assert yv.shape == (3,) + y.shape
    if y.dtype == np.bool_:
        np.testing.assert_array_equal(y, eager)
        np.testing.assert_array_equal(yv[1], y)
    else:
        assert np.all(np.isfinite(y)) and np.all(np.isfinite(yv))
        np.testing.assert_allclose(y, eager, rtol=1e-6)  # jit == eager
        np.testing.assert_allclose(yv[1], y, rtol=1e-6)  # middle scale == 1
        for i in (0, 2):  # vmap == one eager call per element
            np.testing.assert_allclose(yv[i], np.asarray(fn(xs[i], *a[1:])), rtol=1e-6)
    assert len(grads) == len(argnums)
    for g in grads:
        assert g.dtype == jnp.float32
        assert bool(jnp.isfinite(g))


def catalogue_test(cases, scales):
    """The parametrised jit/vmap/grad test over a module's catalogue (compiled once, lazily)."""
    results = {}

    @pytest.mark.parametrize("fn,args,argnums", cases)
    def test_jit_vmap_grad_are_finite_and_consistent(fn, args, argnums, request):
        if not results:
            results.update(transform_all(cases, scales))
        check_transformed(fn, args, argnums, results[request.node.callspec.id])

    return test_jit_vmap_grad_are_finite_and_consistent
