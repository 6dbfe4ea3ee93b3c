"""Packaging: the physics installs as ``explorer.kernels``, so nothing claims the top-level name
``kernels`` (Hugging Face's kernels package, often installed next to transformers)."""

import importlib.metadata
import importlib.util
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_physics_is_explorer_kernels():
    import explorer.kernels
    import explorer.kernels.dvfs

    assert Path(explorer.kernels.dvfs.__file__).parent.name == "kernels"
    assert "dvfs" in explorer.kernels.__all__
    spec = importlib.util.find_spec("kernels")  # another package's, or none
    assert spec is None or Path(spec.origin).parent != Path(explorer.kernels.__file__).parent


def test_a_source_checkout_finds_explorer_kernels_too():
    # Python started in the repository root imports the checkout's explorer/ (a notebook opened
    # there, python -c): explorer.kernels must still resolve, to the checkout's kernels/ folder
    result = subprocess.run([sys.executable, "-c", "import explorer.kernels.dvfs as d; print(d.__file__)"],
                            capture_output=True, text=True, cwd=ROOT, env={**os.environ, "JAX_PLATFORMS": "cpu"})
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()) == ROOT / "kernels" / "dvfs.py"


def test_the_distribution_claims_no_top_level_kernels():
    files = importlib.metadata.files("trade-explorer") or []
    assert not [f for f in files if str(f).split("/")[0] == "kernels"]


def test_wheel_installs_beside_huggingface_kernels(tmp_path):
    """Builds our wheel, installs it and Hugging Face's ``kernels`` into one fresh venv, imports both.
    It needs the package index; ``.ci/run`` sets EXPLORER_PACKAGING_TEST=1 to run it."""
    if os.environ.get("EXPLORER_PACKAGING_TEST") != "1":
        pytest.skip("set EXPLORER_PACKAGING_TEST=1 to build the wheel and install it beside Hugging Face's "
                    "kernels (needs the package index; .ci/run does)")
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(wheels), str(ROOT)],
                   check=True)
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    # Our dependencies (JAX and the rest, ~600 MB) come from this test run's environment through a
    # .pth file, which puts it after the venv's own site-packages: the wheel and Hugging Face's
    # kernels (with its own dependencies) install into the venv, and shadow anything behind them.
    venv_site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip()
    Path(venv_site, "test-run-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    wheel = next(wheels.glob("trade_explorer-*.whl"))
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall", str(wheel)],
                   check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "kernels"], check=True)
    check = ("import kernels, explorer.kernels, explorer, sys; "
             "assert hasattr(kernels, 'get_kernel'), kernels.__file__; "  # Hugging Face's, not ours
             "assert explorer.kernels.__file__ != kernels.__file__; "
             f"assert explorer.__file__.startswith({venv_site!r}), explorer.__file__; "  # the wheel's copy
             f"assert kernels.__file__.startswith({venv_site!r}), kernels.__file__; "
             "print(float(explorer.evaluate({}).time_s[0]) > 0)")
    result = subprocess.run([str(python), "-c", check], capture_output=True, text=True, cwd=tmp_path,
                            env={**os.environ, "JAX_PLATFORMS": "cpu"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"
