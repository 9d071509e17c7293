"""cmech.Transducer, cmech.transducers and cmech.reconstruct_transducer: exact measures, seeded
driving, reconstruction from paired streams, and bad input."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import cmech


def h2(p: float) -> float:
    return 0.0 if p in (0.0, 1.0) else -(p * math.log2(p) + (1 - p) * math.log2(1 - p))


FAIR = cmech.Process.named("biased-coin")
GOLDEN = cmech.Process.named("golden-mean")


def test_named_transducers_and_formats():
    names = [t.name for t in cmech.transducers()]
    assert names[:3] == ["identity", "bsc", "z-channel"]
    assert {"delay", "xor", "feedback-xor", "golden-mean-output", "odd-random"} <= set(names)
    bsc = cmech.Transducer.named("bsc", q=0.25)
    assert bsc.inputs == ["0", "1"] and bsc.states == ["A"]
    assert bsc.is_unifilar and bsc.is_complete
    assert ("A", "0", "1", "A", 0.25) in bsc.transitions
    assert '[label="1|0:0.25"]' in bsc.to_dot()
    back = cmech.Transducer.from_json(bsc.to_json())
    assert back == bsc and back.is_isomorphic(bsc)
    assert not bsc.is_isomorphic(cmech.Transducer.named("bsc", q=0.3), tol=0.01)
    assert cmech.Transducer.named("bsc", q="1/4") == bsc


def test_load_and_minimize(tmp_path: Path):
    doc = json.loads(cmech.Transducer.named("delay").to_json())
    # A copy of L1 that behaves as L1: minimisation merges it back.
    doc["states"].append("L1b")
    doc["transitions"] = [
        dict(t, to="L1b") if t["from"] == "L0" and t["input"] == "1" else t for t in doc["transitions"]
    ] + [dict(t, **{"from": "L1b"}) for t in doc["transitions"] if t["from"] == "L1"]
    path = tmp_path / "t.json"
    path.write_text(json.dumps(doc))
    t = cmech.Transducer.load(path)
    assert len(t.states) == 3
    m = t.minimize()
    assert len(m.states) == 2 and m.is_isomorphic(cmech.Transducer.named("delay"))


@pytest.mark.parametrize(
    "name, params, c_mu, h_cond, mi",
    [
        ("identity", {}, 0.0, 0.0, 1.0),
        ("bsc", {"q": 0.2}, 0.0, h2(0.2), 1 - h2(0.2)),
        ("delay", {}, 1.0, 0.0, 1.0),
        ("xor", {}, 1.0, 0.0, 1.0),
        ("feedback-xor", {"e": 0.3}, 1.0, h2(0.3), 1 - h2(0.3)),
        ("all-is-fair", {}, 0.0, 1.0, 0.0),
        ("golden-mean-output", {}, h2(1 / 3), 2 / 3, 0.0),
    ],
)
def test_measures_under_a_fair_coin(name, params, c_mu, h_cond, mi):
    m = cmech.Transducer.named(name, **params).measures(FAIR)
    assert m.C_mu == pytest.approx(c_mu, abs=1e-9)
    assert m.h_Y_given_X == pytest.approx(h_cond, abs=1e-9)
    assert m.I == pytest.approx(mi, abs=1e-9)
    assert m.h_X == pytest.approx(1.0)
    assert all(m.status[k] == "exact" for k in ("C_mu", "h_Y_given_X", "I"))
    assert m.methods["I"].startswith("h(X) + h(Y) - h(X,Y)")


def test_measures_under_the_golden_mean():
    delay = cmech.Transducer.named("delay").measures(GOLDEN)
    assert delay.C_mu == pytest.approx(h2(1 / 3))
    assert delay.state_distribution == pytest.approx({"L0": 1 / 3, "L1": 2 / 3})
    assert delay.I == pytest.approx(2 / 3) and delay.h_Y == pytest.approx(2 / 3)
    xor = cmech.Transducer.named("xor").measures(GOLDEN)
    assert xor.h_Y_given_X == pytest.approx(0.0, abs=1e-12) and xor.I == pytest.approx(2 / 3)
    bsc = cmech.Transducer.named("bsc", q=0.1).measures(GOLDEN, max_depth=16)
    assert bsc.h_Y_given_X == pytest.approx(h2(0.1))
    assert bsc.status["I"] == "approached"
    lo, hi = bsc.details["I"]["bounds"]
    assert 0 < lo <= bsc.I <= hi <= 2 / 3
    assert bsc.to_dict()["h_Y"]["status"] == "approached"
    assert "TransducerMeasures(transducer='bsc'" in repr(bsc)


def test_drive_is_seeded_and_does_what_it_says():
    delay = cmech.Transducer.named("delay")
    x, y = delay.drive(GOLDEN, 10_000, seed=4)
    assert x.dtype == np.int64 and y.dtype == np.int64 and len(x) == len(y) == 10_000
    assert np.array_equal(y[1:], x[:-1])
    x2, y2 = delay.drive(GOLDEN, 10_000, seed=4)
    assert np.array_equal(x, x2) and np.array_equal(y, y2)
    assert not np.array_equal(delay.drive(GOLDEN, 10_000, seed=5)[0], x)
    xs, ys = cmech.Transducer.named("xor").drive(np.array([0, 1, 1, 0, 1]), seed=0)
    assert xs.tolist() == [0, 1, 1, 0, 1] and ys.tolist() == [0, 1, 0, 1, 1]
    _, ys = cmech.Transducer.named("identity").drive([1, 0, 1])
    assert ys.tolist() == [1, 0, 1]
    bx, by = cmech.Transducer.named("bsc", q=0.2).drive(FAIR, 100_000, seed=1)
    assert np.mean(bx != by) == pytest.approx(0.2, abs=0.005)


def test_reconstruction_recovers_named_transducers():
    for name, params in [("delay", {}), ("bsc", {"q": 0.2}), ("feedback-xor", {"e": 0.1})]:
        t = cmech.Transducer.named(name, **params)
        x, y = t.drive(FAIR, 200_000, seed=2)
        r = cmech.reconstruct_transducer(x, y, max_history=2)
        assert r.transducer.is_isomorphic(t, tol=0.01), (name, r.transducer.transitions)
        assert r.diagnostics.recurrent_states == len(t.states)
        assert "TransducerReconstruction(states=" in repr(r)
        assert set(r.to_dict()) == {"transducer", "diagnostics"}


def test_reconstruction_reads_strings_lists_and_files(tmp_path: Path):
    delay = cmech.Transducer.named("delay")
    x, y = delay.drive(FAIR, 20_000, seed=3)
    sx, sy = "".join(map(str, x)), "".join(map(str, y))
    from_arrays = cmech.reconstruct_transducer(x, y, max_history=2).transducer
    from_text = cmech.reconstruct_transducer(sx, sy, max_history=2).transducer
    from_lists = cmech.reconstruct_transducer(x.tolist(), y.tolist(), max_history=2).transducer
    (tmp_path / "x.txt").write_text(sx + "\n")
    (tmp_path / "y.txt").write_text(sy + "\n")
    from_files = cmech.reconstruct_transducer(tmp_path / "x.txt", tmp_path / "y.txt", max_history=2).transducer
    for t in (from_text, from_lists, from_files):
        assert t.is_isomorphic(from_arrays, tol=1e-12)
    named = cmech.reconstruct_transducer("ab" * 500, "uv" * 500, max_history=1).transducer
    assert named.inputs == ["a", "b"] and named.outputs == ["u", "v"]


def test_bad_input_raises_clear_errors():
    with pytest.raises(cmech.InvalidDataError, match=r"have 4 symbols but the outputs \(outputs\) have 3"):
        cmech.reconstruct_transducer([0, 1, 0, 1], [0, 1, 1], max_history=1)
    with pytest.raises(cmech.InvalidDataError, match="hold 2 sequences but the outputs"):
        cmech.reconstruct_transducer([[0, 1], [1, 0]], [[0, 1]], max_history=1)
    with pytest.raises(cmech.InvalidDataError, match="is not in the alphabet"):
        cmech.reconstruct_transducer([0, 1, 0], [0, 2, 0], output_alphabet=[0, 1], max_history=1)
    with pytest.raises(cmech.InvalidArgumentError, match="unknown transducer 'nope'"):
        cmech.Transducer.named("nope")
    with pytest.raises(cmech.InvalidParameterError, match="q = 3 is outside"):
        cmech.Transducer.named("bsc", q=3)
    with pytest.raises(cmech.InvalidPresentationError, match="not a transducer JSON document"):
        cmech.Transducer.from_json('{"inputs": []}')
    with pytest.raises(cmech.InvalidArgumentError, match="give the number of steps n"):
        cmech.Transducer.named("delay").drive(FAIR)
    with pytest.raises(cmech.InvalidArgumentError, match="not an input of transducer 'delay'"):
        cmech.Transducer.named("delay").drive(cmech.Process.named("mess3"), 5)
    with pytest.raises(cmech.InvalidArgumentError, match="input 2 at position 1 is out of range"):
        cmech.Transducer.named("delay").drive([0, 2])
    with pytest.raises(cmech.InvalidArgumentError, match="input -1 at position 0 is negative"):
        cmech.Transducer.named("delay").drive([-1])
    with pytest.raises(TypeError, match="1-D integer array"):
        cmech.Transducer.named("delay").drive(np.zeros((2, 2), dtype=np.int64))
    with pytest.raises(cmech.UnsupportedError, match="not ergodic"):
        cmech.Transducer.named("identity-not").measures(cmech.Process.named("period", word="01"))
    with pytest.raises(TypeError):
        cmech.Transducer.named("delay").measures("golden-mean")  # type: ignore[arg-type]
