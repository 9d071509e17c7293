"""The package's annotations and its native module's stubs (_cmech.pyi) agree: mypy --strict
over the package finds nothing, so a user's type checker sees what the code does, and stubtest
finds the stubs true to the built module (every function, parameter and class)."""

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


def test_the_native_stubs_match_the_built_module():
    pytest.importorskip("mypy")
    allowlist = Path(__file__).resolve().parent / "stubtest-allowlist.txt"
    run = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "cmech._cmech", "--allowlist", str(allowlist)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
