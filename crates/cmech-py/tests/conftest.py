"""Shared fixtures: the reference values of reference/processes.json in the repository (their sources
are in reference/README.md). A missing or unreadable reference file fails the tests that use it."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any, Dict, Optional

import pytest

REPO = Path(__file__).resolve().parents[3]
REFERENCE_DIR = REPO / "reference"
REFERENCE = REFERENCE_DIR / "processes.json"

#: Reference entry -> named process of the library.
REFERENCE_NAMES = {
    "golden_mean": "golden-mean",
    "even": "even",
    "rrxor": "rrxor",
    "z1r": "z1r",
    "mess3": "mess3",
}


def load_reference(name: str = "processes.json") -> Dict[str, Any]:
    """The reference file ``reference/<name>``; raises if it is missing, so no test passes without it."""
    path = REFERENCE_DIR / name
    if not path.is_file():
        raise FileNotFoundError(f"the reference values {path} are missing (they live in the repository)")
    with open(path, encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture(scope="session")
def reference() -> Dict[str, Any]:
    return load_reference()


def find_cli() -> Optional[Path]:
    """The `cmech` binary: $CMECH_BIN, else the newest of target/{release,debug}/cmech (built by
    `cargo build -p cmech-cli`, or by the Rust half of scripts/test.sh), else one on PATH."""
    given = os.environ.get("CMECH_BIN")
    if given:
        return Path(given) if Path(given).is_file() else None
    built = [p for p in (REPO / "target" / "release" / "cmech", REPO / "target" / "debug" / "cmech") if p.is_file()]
    if built:
        return max(built, key=lambda p: p.stat().st_mtime)
    on_path = shutil.which("cmech")
    return Path(on_path) if on_path else None


@pytest.fixture(scope="session")
def cmech_cli() -> Path:
    cli = find_cli()
    if cli is None:
        pytest.skip("the cmech binary is not built (cargo build -p cmech-cli), nor on PATH, nor in $CMECH_BIN")
    return cli
