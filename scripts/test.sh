#!/usr/bin/env bash
# Runs every test of cmech: the Rust tests of the workspace, then builds the Python wheel into a local
# virtual environment (.venv at the repository root, created on first use) and runs pytest on it.
#
# Checks formatting, lints and docs first. Needs only a Rust toolchain (with rustfmt and clippy, as
# rust-toolchain.toml asks) and python3 (3.9 or newer); packages come from crates.io and PyPI.
# Usage: scripts/test.sh            (from any directory)
# Environment: PYTHON=python3.12 to pick the interpreter; CMECH_SKIP_RUST=1 / CMECH_SKIP_PYTHON=1 to
# run only one half; extra arguments are passed to pytest (e.g. scripts/test.sh -k sample).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PYTHON="${PYTHON:-python3}"
VENV="$ROOT/.venv"

step() { printf '\n==> %s\n' "$*" >&2; }

if [[ "${CMECH_SKIP_RUST:-0}" != 1 ]]; then
    # The guard-rails first: they take seconds, and a failure here needs no test run to be seen.
    step "Formatting (cargo fmt --check)"
    cargo fmt --all --check
    step "Lints (cargo clippy --all-targets -D warnings)"
    cargo clippy --locked --workspace --all-targets -- -D warnings
    step "Documentation (cargo doc, warnings denied)"
    RUSTDOCFLAGS="-D warnings" cargo doc --locked --workspace --no-deps --quiet

    step "Rust tests (cargo test --workspace --exclude cmech-py)"
    # cmech-py is a Python extension module: it is built and tested by maturin and pytest below.
    cargo test --locked --workspace --exclude cmech-py
fi

if [[ "${CMECH_SKIP_PYTHON:-0}" != 1 ]]; then
    step "Python environment ($VENV)"
    if [[ ! -x "$VENV/bin/python" ]]; then
        "$PYTHON" -m venv "$VENV"
    fi
    VPY="$VENV/bin/python"
    "$VPY" -m pip install --quiet --disable-pip-version-check \
        "pip>=21.3" "maturin>=1.5,<2" "numpy>=1.22" "pytest>=7" "matplotlib>=3.5" "mypy>=1.5"

    step "Building the cmech wheel (maturin build --release)"
    WHEELS="$ROOT/target/wheels"
    rm -f "$WHEELS"/cmech-*.whl
    "$VENV/bin/maturin" build --release --locked --quiet \
        --manifest-path "$ROOT/crates/cmech-py/Cargo.toml" \
        --interpreter "$VPY" --out "$WHEELS"
    "$VPY" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$WHEELS"/cmech-*.whl

    step "Python tests (pytest crates/cmech-py/tests)"
    # Run from the tests folder so that the installed wheel, not the source tree, is imported.
    cd "$ROOT/crates/cmech-py/tests"
    "$VPY" -m pytest -q -p no:cacheprovider "$@" .
fi

step "All tests passed"
