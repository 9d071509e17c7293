"""The package's annotations and its native module's stubs (_cmech.pyi) agree: mypy --strict
over the package finds nothing, so a user's type checker sees what the code does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "python" / "cmech"


def test_the_package_type_checks_strictly():
    pytest.importorskip("mypy")
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(PACKAGE)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
