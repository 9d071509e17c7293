"""Exact information measures, checked against the issue's values and reference/processes.json."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

import cmech
from conftest import REFERENCE_NAMES

LOG2_3 = math.log2(3)
INF = math.inf

# Values stated in the issue (bits, 6 decimals unless exact).
ISSUE_VALUES = {
    "golden-mean": dict(
        h_mu=2 / 3, C_mu=0.918296, E=0.251629, chi=2 / 3, T=0.251629, S=0.918296,
        markov_order=1, cryptic_order=1,
    ),
    "even": dict(
        h_mu=2 / 3, C_mu=0.918296, E=0.918296, chi=0.0, T=3.169925, S=3.169925,
        markov_order=INF, cryptic_order=0,
    ),
    "rrxor": dict(h_mu=2 / 3, C_mu=2.251629, E=2.251629, chi=0.0, T=12.743093, markov_order=INF),
    "z1r": dict(h_mu=1 / 3, C_mu=LOG2_3, E=LOG2_3, chi=0.0, T=2.836592, markov_order=3),
}
PARAMS = {"golden-mean": {"p": 0.5}, "even": {"p": 0.5}, "rrxor": {}, "z1r": {}}


def _check(name, key, got, want, tol):
    if want == INF:
        assert got == INF, f"{name}: {key} = {got}, expected infinite"
    elif isinstance(want, int) and key.endswith("order"):
        assert got == want and isinstance(got, int), f"{name}: {key} = {got!r}, expected {want}"
    else:
        assert got is not None, f"{name}: {key} unknown"
        assert abs(got - want) <= tol, f"{name}: {key} = {got}, expected {want}"


@pytest.fixture(scope="module")
def issue_measures():
    return {name: cmech.Process.named(name, **PARAMS[name]).measures() for name in ISSUE_VALUES}


@pytest.mark.parametrize("name", sorted(ISSUE_VALUES))
def test_issue_values(issue_measures, name):
    m = issue_measures[name]
    for key, want in ISSUE_VALUES[name].items():
        _check(name, key, getattr(m, key), want, 5e-7)
        expected_status = "infinite" if want == INF else "exact"
        assert m.status[key] == expected_status, (name, key, m.status[key])
        assert isinstance(m.methods[key], str) and m.methods[key]


def test_infinite_and_unknown_are_python_values(issue_measures):
    even = issue_measures["even"]
    assert even.markov_order == math.inf and even.status["markov_order"] == "infinite"
    d = even.to_dict()
    assert d["markov_order"]["value"] is None and d["markov_order"]["status"] == "infinite"
    sns = cmech.Process.named("sns").measures()
    # Infinitely many causal states, but C_mu is an exactly summed series (issue 13).
    assert sns.status["C_mu"] == "exact" and sns.C_mu == pytest.approx(2.7114687, abs=5e-8)
    assert sns.markov_order == math.inf and sns.status["markov_order"] == "infinite"
    for key in ("h_mu", "E", "C_mu", "chi", "T", "S", "markov_order", "cryptic_order"):
        v = getattr(sns, key)
        status = sns.status[key]
        if status == "unknown":
            assert v is None
        elif status == "infinite":
            assert v == math.inf
        else:
            assert isinstance(v, (float, int)) and math.isfinite(v)


# ---------- reference/processes.json -----------------------------------------------------------------

_UNIFILAR_REFS = [k for k in REFERENCE_NAMES if k != "mess3"]


def _named(entry_key, entry):
    return cmech.Process.named(REFERENCE_NAMES[entry_key], **entry.get("params", {}))


@pytest.mark.parametrize("key", _UNIFILAR_REFS)
def test_reference_exact_measures(reference, key):
    entry = reference[key]
    proc = _named(key, entry)
    m = proc.measures()
    assert len(proc.states) == entry["states"]
    for q in ("h_mu", "C_mu", "E", "chi", "T", "S"):
        assert m.status[q] == "exact", (key, q, m.status[q], m.methods[q])
        assert getattr(m, q) == pytest.approx(entry[q], abs=1e-7), (key, q)
    for q in ("markov_order", "cryptic_order"):
        want = math.inf if entry[q] == "infinite" else entry[q]
        _check(key, q, getattr(m, q), want, 0)
    # H1 and the entropy-rate estimates h(L) = H(L) - H(L-1), given to 6 decimals.
    assert m.block_entropies[0] == 0.0
    assert m.block_entropies[1] == pytest.approx(entry["H1"], abs=1e-9)
    h_L = m.entropy_rate_estimates[: len(entry["h_L"])]
    np.testing.assert_allclose(h_L, entry["h_L"], atol=1e-6)


@pytest.mark.parametrize("key", _UNIFILAR_REFS + ["mess3"])
def test_reference_stationary_distribution(reference, key):
    entry = reference[key]
    pi = _named(key, entry).stationary_distribution()
    want = [float(Fraction(s)) for s in entry["pi"]]
    np.testing.assert_allclose(pi, want, atol=1e-12)


def test_reference_mess3_approached(reference):
    entry = reference["mess3"]
    proc = _named("mess3", entry)
    assert not proc.is_unifilar
    m = proc.measures()
    assert m.status["h_mu"] == "approached"
    assert m.h_mu == pytest.approx(entry["h_mu_bits_approx"], abs=1e-6)
    bounds = m.details["h_mu"].get("bounds")
    if bounds is not None:
        assert bounds[0] - 1e-12 <= m.h_mu <= bounds[1] + 1e-12
    assert m.status["E"] in ("approached", "exact")
    assert m.E == pytest.approx(entry["E_bits"], abs=1e-5)
    assert m.T == pytest.approx(entry["T_bits"], abs=1e-4)
    # No finite epsilon-machine: C_mu is not a number we can give.
    assert m.C_mu is None or m.C_mu == math.inf
    # Block entropies by exact enumeration (h_L_bits[L] = H(L+1) - H(L)).
    ref_h = entry["h_L_bits"]
    if isinstance(ref_h, list):
        n = min(len(ref_h), len(m.block_entropies) - 1)
        np.testing.assert_allclose(m.entropy_rate_estimates[:n], ref_h[:n], atol=1e-9)


# ---------- properties ------------------------------------------------------------------------------

ALL_UNIFILAR = ["biased-coin", "golden-mean", "even", "period", "noisy-period", "rrxor", "z1r", "nemo"]


@pytest.mark.parametrize("name", ALL_UNIFILAR + ["sns"])
def test_block_entropy_shape_and_signs(name):
    m = cmech.Process.named(name).measures(block_length=10)
    H = m.block_entropies
    assert H.dtype == np.float64 and H.shape == (11,)
    assert H[0] == 0.0
    dH = np.diff(H)
    assert np.all(dH >= -1e-12), "H(L) must be non-decreasing"
    assert np.all(np.diff(dH) <= 1e-12), "H(L) must be concave"
    if m.h_mu is not None:
        assert np.all(dH >= m.h_mu - 1e-9), "h(L) decreases to h_mu from above"
    if m.E is not None and m.E != math.inf:
        assert m.E >= -1e-12
    if m.chi is not None and m.chi != math.inf:
        assert m.chi >= -1e-12
        assert m.chi == pytest.approx(m.C_mu - m.E, abs=1e-9)


def _relabelled(proc, perm):
    mats = {x: a[np.ix_(perm, perm)] for x, a in proc.matrices().items()}
    states = [f"q{proc.states[i]}" for i in perm]
    return cmech.Process.from_matrices(mats, states=states, name=proc.name)


@pytest.mark.parametrize("name", ["golden-mean", "even", "rrxor", "z1r", "nemo"])
def test_relabelling_states_changes_no_measure(name):
    proc = cmech.Process.named(name)
    perm = list(reversed(range(len(proc.states))))
    other = _relabelled(proc, perm)
    assert proc.is_isomorphic(other)
    a, b = proc.measures(), other.measures()
    for key in ("h_mu", "E", "C_mu", "chi", "T", "S", "markov_order", "cryptic_order"):
        va, vb = getattr(a, key), getattr(b, key)
        if isinstance(va, float) and math.isfinite(va):
            assert vb == pytest.approx(va, abs=1e-10), key
        else:
            assert va == vb, key
    np.testing.assert_allclose(a.block_entropies, b.block_entropies, atol=1e-10)


def test_measures_options_and_result_api():
    m = cmech.Process.named("golden-mean").measures(block_length=5, max_depth=10)
    assert len(m.block_entropies) == 6
    assert set(m.status) == set(m.methods) == {
        "h_mu", "E", "C_mu", "chi", "T", "S", "markov_order", "cryptic_order",
    }
    d = m.to_dict()
    assert d["h_mu"]["value"] == pytest.approx(2 / 3)
    assert d["block_entropies"] == pytest.approx(list(m.block_entropies))
    assert m["C_mu"] == m.C_mu
    r = repr(m)
    assert "golden-mean" in r and "h_mu=0.666667" in r
    assert m.process == "golden-mean" and m.unifilar and m.epsilon_machine_states == 2
