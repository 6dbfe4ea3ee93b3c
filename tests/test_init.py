"""The public API: every exported name resolves, the commands are functions (no module shadows
them), type checkers see the same names, and importing explorer does not load JAX."""

import ast
import inspect
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import explorer

COMMANDS = ("sweep", "optimize", "evaluate", "frontier", "report", "calibrate", "read")


def test_every_exported_name_resolves():
    for name in explorer.__all__:
        assert getattr(explorer, name) is not None, name
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        explorer.nope  # noqa: B018


def test_the_commands_are_functions_even_after_their_modules_are_imported():
    import explorer.calibration  # noqa: F401  every module the commands live in
    import explorer.engine  # noqa: F401
    import explorer.file_front  # noqa: F401
    import explorer.io  # noqa: F401
    import explorer.optimizer  # noqa: F401
    import explorer.report_files  # noqa: F401

    for name in COMMANDS:
        assert name in explorer.__all__ and inspect.isfunction(getattr(explorer, name)), name


def test_type_checkers_see_every_exported_name():
    tree = ast.parse(Path(explorer.__file__).read_text())
    block = next(node for node in tree.body if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING")
    seen = {alias.asname or alias.name for node in block.body for alias in node.names}
    assert seen == set(explorer.__all__)


def test_importing_explorer_does_not_load_jax():
    code = "import sys, explorer; explorer.__all__; print('jax' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


def test_optimize_takes_a_dict(tmp_path):
    from test_optimizer import LINEAR_AXES, QUADRATIC, spec

    frame = explorer.optimize(spec(QUADRATIC, LINEAR_AXES, {"f": "min"}, path=tmp_path / "runs.parquet"))
    best = frame[frame.best].iloc[0]
    assert best.x == pytest.approx(1.0, abs=1e-6) and best.y == pytest.approx(-2.0, abs=1e-6)  # argmin of f
    written, meta = explorer.read(tmp_path / "runs.parquet")
    assert meta["kind"] == "optimize" and isinstance(written, pd.DataFrame) and written.best.sum() == 1
