"""Presentations: construction, named processes, JSON/DOT, minimisation, isomorphism."""

from __future__ import annotations

import pickle
from fractions import Fraction

import numpy as np
import pytest

import cmech

ALL_NAMES = [
    "biased-coin", "golden-mean", "even", "period", "noisy-period", "rrxor", "z1r", "nemo", "sns", "mess3",
]


def test_processes_lists_names_params_and_defaults():
    infos = cmech.processes()
    names = [p.name for p in infos]
    assert set(ALL_NAMES) <= set(names)
    mess3 = next(p for p in infos if p.name == "mess3")
    assert mess3.defaults == {"x": "0.05", "alpha": "0.85"}
    for p in infos:
        assert p.summary and p.reference
        for q in p.params:
            assert q.name and q.default and q.help


@pytest.mark.parametrize("name", ALL_NAMES)
def test_every_named_process_builds_with_defaults(name):
    p = cmech.Process.named(name)
    assert p.name == name
    assert p.is_strongly_connected
    pi = p.stationary_distribution()
    assert pi.shape == (len(p.states),) and pi.sum() == pytest.approx(1.0, abs=1e-12)
    total = sum(p.matrices().values())
    np.testing.assert_allclose(total.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(pi @ total, pi, atol=1e-12)


def test_unifilarity_of_named_processes():
    for name in ["biased-coin", "golden-mean", "even", "period", "noisy-period", "rrxor", "z1r", "nemo"]:
        assert cmech.Process.named(name).is_unifilar, name
    for name in ["sns", "mess3"]:
        assert not cmech.Process.named(name).is_unifilar, name


def test_parameters_as_numbers_strings_and_fractions():
    a = cmech.Process.named("golden-mean", p=Fraction(1, 3))
    b = cmech.Process.named("golden_mean", p="1/3")
    c = cmech.Process.named("golden-mean", p=1 / 3)
    assert a.is_isomorphic(b, tol=1e-12) and a.is_isomorphic(c, tol=1e-15)
    assert a.matrices()["1"][0, 0] == pytest.approx(1 / 3, abs=1e-16)
    w = cmech.Process.named("period", word=["a", "b", "b"])
    assert w.alphabet == ["a", "b"] and len(w.states) == 3
    assert cmech.Process.named("mess3", x=np.float64(0.1), alpha=1).matrices()["A"].shape == (3, 3)


def test_golden_mean_presentation():
    p = cmech.Process.named("golden-mean", p=0.5)
    assert p.alphabet == ["0", "1"] and p.states == ["A", "B"]
    m = p.matrices()
    np.testing.assert_array_equal(m["0"], [[0.0, 0.5], [0.0, 0.0]])
    np.testing.assert_array_equal(m["1"], [[0.5, 0.0], [1.0, 0.0]])
    np.testing.assert_allclose(p.stationary_distribution(), [2 / 3, 1 / 3], atol=1e-15)
    assert "golden-mean" in repr(p)


def test_nemo_uses_the_symbols_of_cmpy():
    # A -1|p-> A, A -0|1-p-> B, B -0|1-> C, C -1|q-> A, C -0|1-q-> A: after a 1 the machine is in A,
    # whose 0 leads to B, which must emit 0, so 101 never occurs (010, its mirror image, does).
    p = cmech.Process.named("nemo", p=0.3, q=0.6)
    m = p.matrices()
    a, b, c = (p.states.index(s) for s in "ABC")
    assert m["1"][a, a] == pytest.approx(0.3) and m["0"][a, b] == pytest.approx(0.7)
    assert m["0"][b, c] == 1.0
    assert m["1"][c, a] == pytest.approx(0.6) and m["0"][c, a] == pytest.approx(0.4)
    x = p.sample(20_000, seed=3)
    words = {tuple(x[i : i + 3]) for i in range(len(x) - 2)}
    assert (1, 0, 1) not in words and (0, 1, 0) in words


def test_json_round_trip_and_load(tmp_path):
    for name in ALL_NAMES:
        p = cmech.Process.named(name)
        q = cmech.Process.from_json(p.to_json())
        assert q.name == p.name and q.states == p.states and q.alphabet == p.alphabet
        assert p.is_isomorphic(q, tol=1e-12)
    path = tmp_path / "rrxor.json"
    path.write_text(cmech.Process.named("rrxor").to_json())
    assert cmech.Process.load(path).is_isomorphic(cmech.Process.named("rrxor"))
    assert cmech.Process.load(str(path)).name == "rrxor"


def test_json_with_matrices_and_fractions():
    doc = """{"name": "gm", "alphabet": ["0", "1"], "states": ["A", "B"],
              "matrices": {"0": [[0, "1/3"], [0, 0]], "1": [["2/3", 0], [1, 0]]}}"""
    p = cmech.Process.from_json(doc)
    assert p.name == "gm"
    assert p.is_isomorphic(cmech.Process.named("golden-mean", p="2/3"), tol=1e-15)


def test_from_matrices_round_trip():
    p = cmech.Process.named("z1r")
    q = cmech.Process.from_matrices(p.matrices(), states=p.states, name="copy")
    assert q.name == "copy" and q.alphabet == p.alphabet and q.states == p.states
    assert p.is_isomorphic(q, tol=1e-12)
    # Z1R has two symbols on the same pair of states (R -> Z on 0 and 1).
    m = q.matrices()
    r, z = q.states.index("R"), q.states.index("Z")
    assert m["0"][r, z] == 0.5 and m["1"][r, z] == 0.5
    assert cmech.Process.from_matrices(p.matrices()).name == "unnamed"


def test_to_dot_labels():
    dot = cmech.Process.named("golden-mean", p=0.5).to_dot()
    assert dot.startswith("digraph")
    assert '"A" -> "A" [label="1|0.5"]' in dot
    assert '"A" -> "B" [label="0|0.5"]' in dot
    assert '"B" -> "A" [label="1|1"]' in dot


def test_minimize_merges_equivalent_states():
    # Golden mean with state A split into two copies A1, A2 that have identical futures.
    mats = {
        "1": np.array([[0.0, 0.5, 0.0], [0.5, 0.0, 0.0], [1.0, 0.0, 0.0]]),
        "0": np.array([[0.0, 0.0, 0.5], [0.0, 0.0, 0.5], [0.0, 0.0, 0.0]]),
    }
    big = cmech.Process.from_matrices(mats, states=["A1", "A2", "B"], name="split")
    assert big.is_unifilar
    eps = big.minimize()
    assert len(eps.states) == 2
    assert eps.is_isomorphic(cmech.Process.named("golden-mean", p=0.5), tol=1e-12)
    again = eps.minimize()
    assert again.is_isomorphic(eps, tol=1e-12)
    assert big.measures().C_mu == pytest.approx(0.9182958340544896, abs=1e-12)


def test_isomorphism():
    a = cmech.Process.named("golden-mean", p=0.5)
    assert not a.is_isomorphic(cmech.Process.named("even", p=0.5))
    assert not a.is_isomorphic(cmech.Process.named("golden-mean", p=0.4))
    assert a.is_isomorphic(cmech.Process.named("golden-mean", p=0.5 + 1e-12), tol=1e-9)
    with pytest.raises(TypeError):
        a.is_isomorphic("golden-mean")


def test_pickle():
    p = cmech.Process.named("nemo")
    q = pickle.loads(pickle.dumps(p))
    assert q.is_isomorphic(p, tol=1e-12) and q.name == p.name


def test_package_metadata():
    assert isinstance(cmech.__version__, str)
    import importlib.resources as res

    assert res.files("cmech").joinpath("py.typed").is_file()
    assert res.files("cmech").joinpath("_cmech.pyi").is_file()
