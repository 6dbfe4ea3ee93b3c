"""The default persistent compilation cache: where it goes, how it is turned off, and that a
folder set through JAX is left alone."""

from pathlib import Path

import jax

from explorer import compile_cache


def test_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("EXPLORER_COMPILE_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert compile_cache.cache_dir() == tmp_path / "explorer" / "jax"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert compile_cache.cache_dir() == Path.home() / ".cache" / "explorer" / "jax"
    monkeypatch.setenv("EXPLORER_COMPILE_CACHE", str(tmp_path / "mine"))
    assert compile_cache.cache_dir() == tmp_path / "mine"
    monkeypatch.setenv("EXPLORER_COMPILE_CACHE", "OFF")
    assert compile_cache.cache_dir() is None


def test_enable_keeps_a_folder_set_through_jax_and_sets_one_otherwise(monkeypatch, tmp_path):
    before = jax.config.jax_compilation_cache_dir  # the test run's own (tests/conftest.py)
    assert before
    monkeypatch.setenv("EXPLORER_COMPILE_CACHE", str(tmp_path / "ours"))
    compile_cache.enable()
    assert jax.config.jax_compilation_cache_dir == before
    try:
        jax.config.update("jax_compilation_cache_dir", None)
        compile_cache.enable()
        assert jax.config.jax_compilation_cache_dir == str(tmp_path / "ours")
        jax.config.update("jax_compilation_cache_dir", None)
        monkeypatch.setenv("EXPLORER_COMPILE_CACHE", "off")
        compile_cache.enable()
        assert jax.config.jax_compilation_cache_dir is None
    finally:
        jax.config.update("jax_compilation_cache_dir", before)
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
