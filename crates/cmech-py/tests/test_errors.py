"""Bad input raises the right cmech exception with a message naming the problem, never a crash."""

from __future__ import annotations

import math

import numpy as np
import pytest

import cmech

GOLDEN = {
    "0": np.array([[0.0, 0.5], [0.0, 0.0]]),
    "1": np.array([[0.5, 0.0], [1.0, 0.0]]),
}


def test_hierarchy():
    for cls in (
        cmech.InvalidPresentationError,
        cmech.InvalidJsonError,
        cmech.UnknownProcessError,
        cmech.InvalidParameterError,
        cmech.InvalidArgumentError,
    ):
        assert issubclass(cls, cmech.CmechError) and issubclass(cls, ValueError)
    assert issubclass(cmech.UnsupportedError, cmech.CmechError)
    assert issubclass(cmech.CmechIOError, OSError)
    assert issubclass(cmech.TooLargeError, cmech.CmechError) and issubclass(cmech.TooLargeError, MemoryError)
    assert issubclass(cmech.CmechError, Exception)


def test_every_class_the_native_module_raises_exists():
    """The native module picks an exception class by name (exhaustively, per kind of error); each
    name it can pick is a class of cmech._errors deriving from CmechError."""
    from cmech import _cmech, _errors

    names = _cmech.error_classes()
    assert len(names) == 9
    for name in names:
        cls = getattr(_errors, name)
        assert issubclass(cls, cmech.CmechError), name


def test_nan_matrix():
    mats = dict(GOLDEN, **{"0": np.array([[0.0, math.nan], [0.0, 0.0]])})
    with pytest.raises(cmech.InvalidPresentationError, match=r"NaN") as e:
        cmech.Process.from_matrices(mats, states=["A", "B"])
    assert str(e.value) == "invalid presentation: probability of A -0-> B is NaN"


def test_rows_summing_to_point_nine():
    mats = dict(GOLDEN, **{"0": np.array([[0.0, 0.4], [0.0, 0.0]])})
    with pytest.raises(cmech.InvalidPresentationError, match=r"state A sum to 0\.9") as e:
        cmech.Process.from_matrices(mats, states=["A", "B"])
    assert "must be 1" in str(e.value)


def test_rows_summing_to_point_nine_in_json():
    doc = """{"alphabet": ["0", "1"], "states": ["A"],
              "transitions": [{"from": "A", "symbol": "0", "to": "A", "p": 0.5},
                              {"from": "A", "symbol": "1", "to": "A", "p": 0.4}]}"""
    with pytest.raises(cmech.InvalidPresentationError, match=r"state A sum to 0\.9"):
        cmech.Process.from_json(doc)


@pytest.mark.parametrize(
    "entry,pattern",
    [(-0.1, r"outside \[0, 1\]"), (math.inf, r"outside \[0, 1\]"), (1.5, r"outside \[0, 1\]")],
)
def test_bad_entries(entry, pattern):
    mats = {"0": np.array([[entry]]), "1": np.array([[1.0 - entry if math.isfinite(entry) else 0.0]])}
    with pytest.raises(cmech.InvalidPresentationError, match=pattern):
        cmech.Process.from_matrices(mats)


def test_unknown_process_name():
    with pytest.raises(cmech.UnknownProcessError, match=r"unknown process 'golden-meen'") as e:
        cmech.Process.named("golden-meen")
    assert "golden-mean" in str(e.value)  # the message lists the known names


def test_unknown_and_bad_parameters():
    with pytest.raises(cmech.InvalidParameterError, match=r"unknown parameter 'q'"):
        cmech.Process.named("golden-mean", q=0.5)
    with pytest.raises(cmech.InvalidParameterError, match=r"p = 1\.5 is outside"):
        cmech.Process.named("golden-mean", p=1.5)
    with pytest.raises(cmech.InvalidParameterError, match=r"p = 'abc' is not a number"):
        cmech.Process.named("even", p="abc")
    with pytest.raises(cmech.InvalidParameterError, match=r"bool"):
        cmech.Process.named("even", p=True)


def test_truncated_json():
    text = cmech.Process.named("golden-mean").to_json()
    with pytest.raises(cmech.InvalidJsonError, match=r"^invalid presentation JSON: .*EOF"):
        cmech.Process.from_json(text[: len(text) // 2])
    with pytest.raises(cmech.InvalidJsonError):
        cmech.Process.from_json("")
    with pytest.raises(cmech.InvalidJsonError, match=r"not UTF-8"):
        cmech.Process.from_json(b"\xff\xfe{}")


def test_json_unknown_symbol_and_field():
    doc = """{"alphabet": ["0"], "states": ["A"],
              "transitions": [{"from": "A", "symbol": "7", "to": "A", "p": 1}]}"""
    with pytest.raises(cmech.InvalidPresentationError, match=r"unknown symbol '7'"):
        cmech.Process.from_json(doc)
    with pytest.raises(cmech.InvalidJsonError, match=r"unknown field"):
        cmech.Process.from_json('{"alphabet": ["0"], "states": ["A"], "colour": 1}')


def test_load_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"missing\.json"):
        cmech.Process.load(tmp_path / "missing.json")
    bad = tmp_path / "truncated.json"
    bad.write_text('{"alphabet": ["0", "1"], "states": [')
    with pytest.raises(cmech.InvalidJsonError):
        cmech.Process.load(bad)
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(cmech.InvalidJsonError, match=r"binary\.json is not UTF-8"):
        cmech.Process.load(binary)
    assert binary.read_bytes() == b"\x89PNG\r\n\x1a\n\x00\x00"  # nothing a user gave is touched


@pytest.mark.parametrize(
    "mats,pattern",
    [
        ({"0": np.ones((2, 3)) / 3}, r"2 x 3, not square"),
        ({"0": np.ones(3) / 3}, r"shape \(3,\)"),
        ({"0": np.ones((1, 2, 2))}, r"shape \(1, 2, 2\)"),
        ({"0": np.eye(2), "1": np.zeros((3, 3))}, r"symbol 1 is 3 x 3 but the matrix of symbol 0 is 2 x 2"),
        ({"0": [["a", "b"], ["c", "d"]]}, r"expected real numbers"),
        ({"0": [[1.0, None], [None, 1.0]]}, r"expected real numbers"),
        ({"0": np.eye(2, dtype=complex)}, r"expected real numbers"),
        ({"0": [[1.0], [0.5, 0.5]]}, r"not an array of numbers|expected real numbers"),
        ({}, r"alphabet is empty"),
        ({"0": np.zeros((0, 0))}, r"states is empty"),
        ({"0": np.array([[0.5, 0.5], [0.0, 0.0]])}, r"state S1 has no outgoing transitions"),
    ],
)
def test_from_matrices_shape_errors(mats, pattern):
    with pytest.raises(cmech.InvalidPresentationError, match=pattern):
        cmech.Process.from_matrices(mats)


def test_from_matrices_wrong_state_count_and_duplicate_names():
    with pytest.raises(cmech.InvalidPresentationError, match=r"3 state names given for 2 x 2"):
        cmech.Process.from_matrices(GOLDEN, states=["A", "B", "C"])
    with pytest.raises(cmech.InvalidPresentationError, match=r"state 'A' appears twice"):
        cmech.Process.from_matrices(GOLDEN, states=["A", "A"])
    with pytest.raises(TypeError):
        cmech.Process.from_matrices([np.eye(1)])


def test_from_matrices_accepts_non_contiguous_and_integer_arrays():
    big = np.zeros((4, 4))
    big[0, 0] = 1.0
    p = cmech.Process.from_matrices({"a": big[::2, ::2], "b": np.array([[0, 0], [1, 0]])})
    assert p.states == ["S0", "S1"]
    assert p.matrices()["b"][1, 0] == 1.0


def test_sample_argument_errors():
    p = cmech.Process.named("golden-mean")
    with pytest.raises(cmech.InvalidArgumentError, match=r"n must be at least 0, got -5"):
        p.sample(-5)
    with pytest.raises(cmech.InvalidArgumentError, match=r"n must be an integer"):
        p.sample(2.5)
    with pytest.raises(cmech.InvalidArgumentError, match=r"seed must be in"):
        p.sample(3, seed=-1)
    with pytest.raises(cmech.InvalidArgumentError, match=r"start state 7 out of range"):
        p.sample(3, start=7)
    with pytest.raises(cmech.InvalidArgumentError, match=r"unknown start state 'Z'"):
        p.sample(3, start="Z")


def test_measures_argument_errors():
    p = cmech.Process.named("golden-mean")
    with pytest.raises(cmech.InvalidArgumentError, match=r"max_depth"):
        p.measures(max_depth=0)
    with pytest.raises(cmech.InvalidArgumentError, match=r"block_length"):
        p.measures(block_length=-1)


def test_stationary_distribution_of_two_recurrent_classes():
    two = cmech.Process.from_matrices({"0": np.eye(2)}, states=["A", "B"])
    with pytest.raises(cmech.CmechError):
        two.stationary_distribution()
    with pytest.raises(cmech.CmechError):
        two.sample(3)


def test_a_rust_panic_is_a_cmech_error_never_a_panic_exception():
    """pyo3's PanicException derives from BaseException, past ``except Exception``: every function
    and method of the native module raises a CmechError instead (issue 23)."""
    from cmech import _cmech

    with pytest.raises(cmech.CmechError, match=r"^internal error: boom; this is a bug in cmech") as e:
        _cmech._panic("boom")
    assert type(e.value.__cause__).__name__ == "PanicException"
    for method in (_cmech.Presentation.sample, _cmech.Presentation.from_json, _cmech.measures):
        assert hasattr(method, "__wrapped__"), method
