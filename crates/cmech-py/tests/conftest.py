"""Shared fixtures: the reference values of ../shared/reference/processes.json (read, never copied)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict

import pytest

REPO = Path(__file__).resolve().parents[3]
REFERENCE = Path(
    os.environ.get("CMECH_REFERENCE", REPO.parent / "shared" / "reference" / "processes.json")
)

#: Reference entry -> named process of the library.
REFERENCE_NAMES = {
    "golden_mean": "golden-mean",
    "even": "even",
    "rrxor": "rrxor",
    "z1r": "z1r",
    "mess3": "mess3",
}


def load_reference() -> Dict[str, Any]:
    if not REFERENCE.is_file():
        return {}
    with open(REFERENCE, encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture(scope="session")
def reference() -> Dict[str, Any]:
    data = load_reference()
    if not data:
        pytest.skip(f"reference values not found at {REFERENCE}")
    return data
