"""cmech.reconstruct and cmech.count: recovered machines and values, every input form giving the same
answer, counts that add up and round-trip through shards, agreement with the CLI, and bad input."""

from __future__ import annotations

import json
import math
import os
import subprocess
import threading
import warnings
from pathlib import Path

import numpy as np
import pytest

import cmech

GM_H = 2.0 / 3.0
GM_C = 0.918296
RRXOR_C = 2.2516


def text(process: cmech.Process, x: np.ndarray) -> str:
    """A sample as the text `cmech sample` writes: one character per symbol, a final newline."""
    names = np.array(process.alphabet)
    return "".join(names[x].tolist()) + "\n"


@pytest.fixture(scope="module")
def golden():
    return cmech.Process.named("golden-mean")


@pytest.fixture(scope="module")
def gm_sample(golden):
    return golden.sample(10**6, seed=1)


@pytest.fixture(scope="module")
def rrxor():
    return cmech.Process.named("rrxor")


@pytest.fixture(scope="module")
def rrxor_sample(rrxor):
    return rrxor.sample(10**6, seed=1)


@pytest.fixture
def gm_file(tmp_path, golden, gm_sample):
    path = tmp_path / "gm.txt"
    path.write_text(text(golden, gm_sample))
    return path


# ----- recovered machines --------------------------------------------------------------------------


def test_golden_mean_is_recovered(golden, gm_sample):
    r = cmech.reconstruct(gm_sample)
    d = r.diagnostics
    assert isinstance(r, cmech.Reconstruction) and isinstance(r.process, cmech.Process)
    assert r.process.is_isomorphic(golden, tol=0.01)
    assert d.recurrent_states == 2
    assert abs(d.h_mu - GM_H) < 0.005, d.h_mu
    assert abs(d.c_mu - GM_C) < 0.02, d.c_mu
    # With no options the machine is selected, and the diagnostics say how.
    sel = d.selection
    assert isinstance(sel, cmech.Selection) and sel.criterion == "bic"
    assert sel.chosen.states == 2 and sel.chosen.method == d.method and sel.chosen.max_history == d.max_history
    assert sel.candidates[0].method is None and sel.candidates[0].states == 1
    assert all(sel.chosen.score <= c.score + 2.0 for c in sel.candidates)
    # The fits are already the machine: no refinement lowers the BIC, so none is a candidate.
    assert all(c.refined is None for c in sel.candidates)
    assert d.symbols == 10**6 and d.sequences == 1
    assert all(s == 2 for _, s in d.states_by_history)
    assert not d.still_growing and d.warnings == []
    assert abs(d.entropy_rate_estimate - GM_H) < 0.005
    assert d.supported_history == math.floor(math.log2(10**6) / d.entropy_rate_estimate)
    assert d.impossible == 0 and abs(d.log_loss - GM_H) < 0.005
    # The log-likelihood per symbol is about -h_mu.
    assert abs(d.log_likelihood / 10**6 + d.h_mu) < 0.01
    assert d.recurrent_mass == pytest.approx(1.0)
    assert d.states_total == d.recurrent_states + d.transient_states


def test_the_machine_is_a_process_like_any_other(golden, gm_sample):
    p = cmech.reconstruct(gm_sample, max_history=4).process
    m = p.measures()
    assert m.h_mu == pytest.approx(GM_H, abs=0.005)
    assert m.C_mu == pytest.approx(GM_C, abs=0.02)
    assert m.epsilon_machine_states == 2
    assert "digraph" in p.to_dot()
    y = p.sample(10_000, seed=3)
    assert "00" not in text(p, y)  # the golden mean forbids 00
    assert p.alphabet == ["0", "1"] and len(p.states) == 2
    assert cmech.Process.from_json(p.to_json()).is_isomorphic(p)


def test_rrxor_by_the_forward_method(rrxor, rrxor_sample):
    r = cmech.reconstruct(rrxor_sample, max_history=8, method="forward")
    d = r.diagnostics
    assert d.method == "forward"
    assert d.recurrent_states == 5
    assert abs(d.c_mu - RRXOR_C) < 0.02, d.c_mu
    assert r.process.is_isomorphic(rrxor, tol=0.01)
    # The counts were made for the forward method: L + 1 + F, F = 3 for binary data.
    assert r.counts.window == 12 and r.counts.max_history == 8


def test_cssr_on_rrxor_splits_and_says_so(rrxor_sample):
    with pytest.warns(cmech.CmechWarning, match=r"keeps growing with the history length \(L=1: "):
        d = cmech.reconstruct(rrxor_sample, max_history=8, method="cssr").diagnostics
    assert d.still_growing and d.recurrent_states > 5
    assert [l for l, _ in d.states_by_history] == list(range(1, 9))
    # The growth is measured: a law fitted to the states by L, and the statement.
    assert d.growth is not None and d.growth["law"] in ("exponential", "polynomial")
    assert d.growth["rate"] > 0 and 0 <= d.growth["r_squared"] <= 1
    assert d.growth["statement"].startswith("no finite machine was found")


def test_ks_test_and_alpha_are_passed_on(golden, gm_sample):
    r = cmech.reconstruct(gm_sample[:200_000], max_history=3, test="ks", alpha=0.01)
    assert r.diagnostics.test == "ks" and r.diagnostics.alpha == 0.01
    assert r.diagnostics.to_dict()["test"] == "ks"
    assert r.process.is_isomorphic(golden, tol=0.02)


def test_defaults_are_the_rust_librarys():
    import inspect

    sig = inspect.signature(cmech.reconstruct)
    # Nothing given: the library selects; what it fills in for a fixed method is its own.
    assert all(sig.parameters[p].default is None for p in ("max_history", "alpha", "test", "method"))
    assert cmech._cmech.reconstruct_defaults() == (5, 0.001, "chi2", "cssr")
    assert set(cmech.reconstruction_methods()) == {"cssr", "forward"}


def test_threads_do_not_change_the_result(gm_sample):
    a = cmech.reconstruct(gm_sample, threads=1)
    b = cmech.reconstruct(gm_sample, threads=3)
    assert a.to_dict() == b.to_dict()
    assert a.counts == b.counts


# ----- every input form --------------------------------------------------------------------------


def test_numpy_list_str_and_path_give_the_same_machine(tmp_path, golden, gm_sample):
    x = gm_sample[:200_000]
    s = text(golden, x)
    path = tmp_path / "x.txt"
    path.write_text(s)
    np.save(tmp_path / "x.npy", x.astype(np.uint8))
    forms = {
        "int64 array": x,
        "int8 array": x.astype(np.int8),
        "uint16 array, not contiguous": np.repeat(x.astype(np.uint16), 2)[::2],
        "big-endian array": x.astype(">i4"),
        "list": x.tolist(),
        "tuple": tuple(x.tolist()),
        "str": s,
        "str without newline": s.strip(),
        "list of tokens": list(s.strip()),
        "array of strings": np.array(list(s.strip())),
        "path": path,
        "list of one path": [path],
        ".npy path": tmp_path / "x.npy",
        "one-row 2-D array": x.reshape(1, -1),
        "list of one sequence": [x.tolist()],
        "bytes": x.astype(np.uint8).tobytes(),
        "counts": cmech.count(x, 4),
        "alphabet of names": None,
    }
    results = {}
    for name, data in forms.items():
        if data is None:
            r = cmech.reconstruct(x, max_history=4, alphabet=golden.alphabet)
        else:
            r = cmech.reconstruct(data, max_history=4)
        results[name] = r
    want = results["int64 array"]
    assert want.process.is_isomorphic(golden, tol=0.02)
    for name, r in results.items():
        assert r.to_dict() == want.to_dict(), name
        assert r.counts == want.counts, name


def test_sequences_are_never_joined(golden):
    x = golden.sample(100_000, seed=2)
    rows = x.reshape(100, 1000)
    by_rows = cmech.count(rows, 3)
    assert by_rows.sequences == 100 and by_rows.symbols == 100_000
    forms = [
        [r for r in rows],
        [r.tolist() for r in rows],
        "\n".join(text(golden, r).strip() for r in rows),
        [list(text(golden, r).strip()) for r in rows],
    ]
    for i, data in enumerate(forms):
        c = cmech.count(data, 3, lines=isinstance(data, str))
        assert c == by_rows, i
    # Summing the counts of each row is the same.
    assert sum(cmech.count(r, 3) for r in rows) == by_rows
    # Joined into one sequence, the windows across the joins are counted too.
    whole = cmech.count(x, 3)
    assert whole.sequences == 1 and whole != by_rows
    joins = 99 * 3  # each join adds the 3 windows of length 4 that straddle it, minus nothing
    assert sum(whole.words(4).values()) - sum(by_rows.words(4).values()) == joins


def test_text_lines_tokens_and_alphabets():
    c = cmech.count("abba\r\nab\n", 1)
    assert c.alphabet == ["a", "b"] and c.sequences == 1 and c.symbols == 6
    c = cmech.count("abba\r\nab\n", 1, lines=True)
    assert c.sequences == 2 and c.symbols == 6
    assert c.words(2) == {("a", "b"): 2, ("b", "b"): 1, ("b", "a"): 1}
    # A fixed alphabet orders the symbols, even one absent from the data.
    c = cmech.count("abba", 1, alphabet="bca")
    assert c.alphabet == ["b", "c", "a"]
    # Tokens: numeric order when all are integers, else by code point.
    assert cmech.count(["10", "9", "10", "9"], 1).alphabet == ["9", "10"]
    assert cmech.count(["up", "down", "up"], 1).alphabet == ["down", "up"]
    assert cmech.count([["up", "down"], ["up", "up"]], 1).sequences == 2
    # Integers: the values present, named by value; or given values; or names indexed.
    assert cmech.count([5, 7, 5, 5], 1).alphabet == ["5", "7"]
    assert cmech.count([5, 7, 5, 5], 1, alphabet=[7, 5, 6]).alphabet == ["7", "5", "6"]
    named = cmech.count([0, 1, 1, 0], 1, alphabet=["up", "down"])
    assert named.alphabet == ["up", "down"]
    assert named.words(2) == {("up", "down"): 1, ("down", "down"): 1, ("down", "up"): 1}
    assert cmech.count(b"\x00\xff\x00", 1).alphabet == ["0", "255"]


def test_integers_of_every_width():
    big = np.array([2**64 - 1, 0, 2**64 - 1, 0], dtype=np.uint64)
    assert cmech.count(big, 1).alphabet == ["0", str(2**64 - 1)]
    neg = np.array([-(2**63), 5, -(2**63)], dtype=np.int64)
    assert cmech.count(neg, 1).alphabet == [str(-(2**63)), "5"]
    # Values spread wider than a dense table are found through a hash set.
    wide = np.array([0, 10**12, 0, 10**12, 7], dtype=np.int64)
    assert cmech.count(wide, 1).alphabet == ["0", "7", str(10**12)]
    assert cmech.count([2**63, 1, 2**63], 1).alphabet == ["1", str(2**63)]


def test_counts_attributes_and_sidecar(gm_sample):
    c = cmech.count(gm_sample, 4, method="cssr")
    assert (c.alphabet, c.window, c.max_history, c.symbols, c.sequences) == (["0", "1"], 5, 4, 10**6, 1)
    # With no method, the counts reach what the selection needs: the forward method's window.
    assert cmech.count(gm_sample, 4).window == 4 + 1 + 3
    assert c.sources == [{"path": "<ndarray>", "range": None, "format": "npy", "lines": False}]
    doc = c.sidecar()
    assert doc["format"] == "cmech-counts" and doc["version"] == 1 and doc["window"] == 5
    w = cmech.count(gm_sample, window=7)
    assert w.window == 7 and w.max_history is None
    f = cmech.count(gm_sample, 4, method="forward")
    assert f.window == 4 + 1 + 3
    assert cmech.count(gm_sample, 4, method="forward", future=1).window == 6
    assert sum(c.words(1).values()) == 10**6
    assert c.words(2).get(("0", "0"), 0) == 0  # the golden mean forbids 00
    assert "Counts(alphabet=['0', '1'], window=5" in repr(c)


# ----- counts that add up --------------------------------------------------------------------------


def test_counted_halves_merged_equal_the_whole_file(gm_file):
    size = gm_file.stat().st_size
    mid = size // 2 + 7
    a = cmech.count(gm_file, 5, alphabet="01", byte_range=(0, mid))
    b = cmech.count(gm_file, 5, alphabet="01", byte_range=(mid, size))
    whole = cmech.count(gm_file, 5)
    merged = a.merge(b)
    assert merged == whole and a + b == whole and sum([a, b]) == whole
    assert merged.symbols == whole.symbols == 10**6
    assert [s["range"] for s in merged.sources] == [[0, mid], [mid, size]]
    r = cmech.reconstruct(merged)
    assert r.to_dict() == cmech.reconstruct(gm_file, 5).to_dict()
    assert r.diagnostics.symbols == 10**6


def test_counts_of_the_same_bytes_are_not_added_twice(gm_file, gm_sample):
    # A file's counts added to themselves, or overlapping ranges of it, would count windows
    # twice; data counted from memory carry no identity, so their sums stay allowed.
    size = gm_file.stat().st_size
    whole = cmech.count(gm_file, 5)
    with pytest.raises(cmech.InvalidDataError, match=r"both count .*\(the whole file and the whole file\)"):
        whole + whole
    a = cmech.count(gm_file, 5, alphabet="01", byte_range=(0, size // 2 + 100))
    b = cmech.count(gm_file, 5, alphabet="01", byte_range=(size // 2, size))
    with pytest.raises(cmech.InvalidDataError, match=r"merging would count those windows twice"):
        a.merge(b)
    x = cmech.count(gm_sample[:1000], 5)
    assert (x + x).symbols == 2000


def test_bytes_between_merged_ranges_are_a_warning(gm_file, tmp_path):
    # Ranges of a file that leave a hole merge (the hole may be meant), and the hole is named.
    a = cmech.count(gm_file, 5, alphabet="01", byte_range=(0, 1000))
    b = cmech.count(gm_file, 5, alphabet="01", byte_range=(3000, 5000))
    gap = r"bytes 1000\.\.3000 are in none of the ranges counted \(0\.\.1000, 3000\.\.5000\)"
    with pytest.warns(cmech.CmechWarning, match=gap):
        ab = b + a
    assert any("1000..3000" in w for w in ab.warnings)
    a.save(tmp_path / "a.cnt")
    b.save(tmp_path / "b.cnt")
    with pytest.warns(cmech.CmechWarning, match=gap):
        loaded = cmech.Counts.load([tmp_path / "a.cnt", tmp_path / "b.cnt"])
    assert loaded == ab


def test_counted_halves_of_an_array_give_the_same_machine(golden, gm_sample):
    half = len(gm_sample) // 2
    a, b = cmech.count(gm_sample[:half], 5), cmech.count(gm_sample[half:], 5)
    merged = a + b
    whole = cmech.count(gm_sample, 5)
    assert merged.sequences == 2 and merged.symbols == whole.symbols
    # Two sequences lose only the 5 windows of 6 symbols that straddle the cut.
    assert sum(whole.words(6).values()) - sum(merged.words(6).values()) == 5
    rm, rw = cmech.reconstruct(merged), cmech.reconstruct(whole)
    assert rm.process.is_isomorphic(rw.process, tol=1e-4)
    assert rm.process.is_isomorphic(golden, tol=0.01)
    assert rm.diagnostics.c_mu == pytest.approx(rw.diagnostics.c_mu, abs=1e-4)


def test_shards_round_trip_and_are_never_overwritten(tmp_path, gm_sample):
    c = cmech.count(gm_sample, 4)
    path = tmp_path / "gm.cnt"
    c.save(path)
    assert path.is_file() and (tmp_path / "gm.cnt.json").is_file()
    sidecar = json.loads((tmp_path / "gm.cnt.json").read_text())
    assert sidecar["alphabet"] == ["0", "1"] and sidecar["max_history"] == 4
    back = cmech.Counts.load(path)
    assert back == c and back.sources == c.sources and back.max_history == 4
    assert cmech.Counts.load(str(path)) == c
    before = path.read_bytes()
    other = cmech.count(gm_sample[:1000], 4)
    with pytest.raises(cmech.CmechIOError, match=r"gm\.cnt exists; pass overwrite=True"):
        other.save(path)
    assert path.read_bytes() == before
    (tmp_path / "lonely.cnt.json").write_text("{}")
    with pytest.raises(cmech.CmechIOError, match=r"lonely\.cnt\.json exists"):
        other.save(tmp_path / "lonely.cnt")
    assert not (tmp_path / "lonely.cnt").exists()
    other.save(path, overwrite=True)
    assert cmech.Counts.load(path) == other
    # Several shards load as their sum, and a shard path reconstructs like its counts.
    c.save(tmp_path / "again.cnt")
    assert cmech.Counts.load([path, tmp_path / "again.cnt"]) == other + c
    assert cmech.reconstruct(tmp_path / "again.cnt", 4).to_dict() == cmech.reconstruct(c, 4).to_dict()
    assert cmech.reconstruct([path, tmp_path / "again.cnt"], 4).counts == other + c


def test_counts_made_for_longer_histories_serve_shorter_ones(gm_sample):
    c = cmech.count(gm_sample, 6)
    assert cmech.reconstruct(c, 4).to_dict() == cmech.reconstruct(gm_sample, 4).to_dict()


# ----- the CLI ------------------------------------------------------------------------------------


def run_cli(cli, *args, cwd):
    out = subprocess.run([str(cli), *map(str, args)], cwd=cwd, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_same_numbers_as_the_cli(cmech_cli, tmp_path, gm_file, rrxor, rrxor_sample):
    for args, kwargs in [
        ([], dict()),
        (["-L", "5"], dict(max_history=5)),
        (["-L", "5", "--method", "cssr"], dict(max_history=5, method="cssr")),
        (["-L", "3", "--test", "ks", "--alpha", "0.01"], dict(max_history=3, test="ks", alpha=0.01)),
    ]:
        cli = json.loads(run_cli(cmech_cli, "reconstruct", gm_file.name, "--json", *args, cwd=tmp_path))
        py = cmech.reconstruct(gm_file, **kwargs).to_dict()
        assert py == cli, args
    path = tmp_path / "rrxor.txt"
    path.write_text(text(rrxor, rrxor_sample))
    cli = json.loads(
        run_cli(cmech_cli, "reconstruct", path.name, "-L", "8", "--method", "forward", "--json", cwd=tmp_path)
    )
    py = cmech.reconstruct(rrxor_sample, max_history=8, method="forward")
    assert py.to_dict() == cli
    assert cli["diagnostics"]["recurrent_states"] == 5


def test_shards_are_shared_with_the_cli(cmech_cli, tmp_path, gm_file, gm_sample):
    size = gm_file.stat().st_size
    run_cli(cmech_cli, "count", gm_file.name, "-L", "4", "--alphabet", "01", "--range", f"0..{size // 3}", "-o", "a.cnt", cwd=tmp_path)
    cmech.count(gm_file, 4, alphabet="01", byte_range=(size // 3, size)).save(tmp_path / "b.cnt")
    run_cli(cmech_cli, "merge", "a.cnt", "b.cnt", "-o", "ab.cnt", cwd=tmp_path)
    merged = cmech.Counts.load(tmp_path / "ab.cnt")
    assert merged == cmech.Counts.load(tmp_path / "a.cnt") + cmech.Counts.load(tmp_path / "b.cnt")
    assert merged == cmech.count(gm_sample, 4)
    cli = json.loads(run_cli(cmech_cli, "reconstruct", "ab.cnt", "-L", "4", "--json", cwd=tmp_path))
    assert cmech.reconstruct(merged, 4).to_dict() == cli


# ----- warnings -----------------------------------------------------------------------------------


def test_warnings_are_issued_and_kept(golden):
    x = golden.sample(2000, seed=4)
    with pytest.warns(cmech.CmechWarning, match=r"max history 17 exceeds what 2000 symbols support"):
        r = cmech.reconstruct(x, max_history=17, method="forward")
    assert any("Marton-Shields" in w for w in r.diagnostics.warnings)
    with pytest.warns(cmech.CmechWarning, match=r"only one symbol \('a'\)"):
        r = cmech.reconstruct("a" * 100, max_history=2)
    assert r.diagnostics.recurrent_states == 1 and r.diagnostics.h_mu == 0.0
    assert r.counts.warnings and "only one symbol" in r.counts.warnings[0]
    with pytest.warns(cmech.CmechWarning, match=r"spaces or tabs are symbols.*pass the tokens as a list, e\.g\. text\.split\(\)$"):
        cmech.count("a b a b", 1)
    # NUL and other control characters read as text are said, as in a binary file.
    with pytest.warns(cmech.CmechWarning, match=r"control characters are symbols of this text \(U\+0000\), as in a binary file"):
        cmech.count("01\x0001\x0010", 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cmech.reconstruct(golden.sample(10_000, seed=5), max_history=3)


def test_counting_and_reconstruction_release_the_gil(golden):
    x = golden.sample(10**7, seed=6)
    ticks = []
    done = threading.Event()

    def ticker():
        while not done.is_set():
            ticks.append(1)
            done.wait(0.001)

    t = threading.Thread(target=ticker)
    t.start()
    try:
        r = cmech.reconstruct(x, max_history=10, threads=1)
    finally:
        done.set()
        t.join()
    assert r.diagnostics.symbols == 10**7
    assert len(ticks) > 10, "another thread should run while counting and reconstructing"


# ----- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data,pattern",
    [
        ([], r"^no symbols in data \(empty\)$"),
        ("", r"^no symbols in data \(empty\)$"),
        ("\n\r\n", r"^no symbols in data$"),
        (np.zeros(0, dtype=np.int32), r"^no symbols in data \(empty\)$"),
        ([[], []], r"^no symbols in data \(empty\)$"),
    ],
)
def test_empty_data(data, pattern):
    with pytest.raises(cmech.InvalidDataError, match=pattern):
        cmech.reconstruct(data)
    with pytest.raises(cmech.InvalidDataError, match=pattern):
        cmech.count(data)


def test_empty_and_missing_files(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    with pytest.raises(cmech.InvalidDataError, match=r"no symbols in .*empty\.txt \(empty\)"):
        cmech.reconstruct(tmp_path / "empty.txt")
    with pytest.raises(cmech.CmechIOError, match=r"cannot open .*missing\.txt") as e:
        cmech.reconstruct(tmp_path / "missing.txt")
    assert isinstance(e.value, OSError)
    with pytest.raises(cmech.CmechIOError, match=r"missing\.cnt"):
        cmech.Counts.load(tmp_path / "missing.cnt")


def test_symbols_outside_the_alphabet(tmp_path):
    (tmp_path / "bad.txt").write_text("0101\n0121\n")
    with pytest.raises(
        cmech.InvalidDataError,
        match=r"bad\.txt: '2' at byte 7 \(line 2, column 3\) is not in the alphabet \{0, 1\}$",
    ):
        cmech.reconstruct(tmp_path / "bad.txt", alphabet="01")
    with pytest.raises(
        cmech.InvalidDataError,
        match=r"^data: '2' at index 7 \(line 2, column 3\) is not in the alphabet \{0, 1\}$",
    ):
        cmech.reconstruct("0101\n0121\n", alphabet="01")
    with pytest.raises(cmech.InvalidDataError, match=r"^data: value 2 at index 3 is not in the alphabet \{0, 1\}$"):
        cmech.reconstruct(np.array([0, 1, 1, 2, 0]), alphabet=[0, 1])
    with pytest.raises(cmech.InvalidDataError, match=r"^data: value 9 at row 1, column 2 is not in the alphabet \{0, 1\}$"):
        cmech.count(np.array([[0, 1, 0], [1, 0, 9]]), alphabet=[0, 1])
    with pytest.raises(cmech.InvalidDataError, match=r"^data\[1\]: value -1 at index 0 is not in the alphabet \{a, b\} \(integer data index"):
        cmech.count([[0, 1], [-1]], alphabet=["a", "b"])
    with pytest.raises(cmech.InvalidDataError, match=r"^data: token 'sleet' at index 2 is not in the alphabet \{rain, sun\}$"):
        cmech.count(["sun", "rain", "sleet"], alphabet=["rain", "sun"])
    with pytest.raises(cmech.InvalidDataError, match=r"the alphabet lists '0' twice"):
        cmech.count("0101", alphabet="010")
    with pytest.raises(cmech.InvalidDataError, match=r"the alphabet is empty"):
        cmech.count("0101", alphabet=[])
    with pytest.raises(cmech.InvalidDataError, match=r"alphabet symbol 'ab' is not one character"):
        cmech.count("0101", alphabet=["ab", "0"])


def test_floats_are_refused_and_booleans_are_0_and_1(tmp_path):
    for data, dtype in [
        (np.array([0.0, 1.0, 1.0]), "float64"),
        (np.array([0, 1], dtype=np.float32), "float32"),
        ([0.0, 1.0], "float64"),
        ([[0, 1], [0.5]], "float64"),
    ]:
        with pytest.raises(cmech.InvalidDataError, match=rf"dtype {dtype} is not a symbol sequence: only integer and bool arrays"):
            cmech.reconstruct(data)
    # Bools are the symbols 0 and 1, in memory as in a bool .npy file.
    bits = np.array([1, 0, 1, 1, 0, 1, 0, 1] * 50)
    want = cmech.count(bits, 3).words(3)
    assert cmech.count(bits.astype(bool), 3).words(3) == want
    assert cmech.count([bool(b) for b in bits], 3).words(3) == want
    np.save(tmp_path / "b.npy", bits.astype(bool))
    assert cmech.count(tmp_path / "b.npy", 3).words(3) == want
    np.save(tmp_path / "f.npy", np.array([0.0, 1.0]))
    with pytest.raises(cmech.InvalidDataError, match=r"f\.npy: \.npy of dtype float64 .* is not a symbol sequence"):
        cmech.reconstruct(tmp_path / "f.npy")


def test_bad_lengths_and_parameters(gm_sample):
    x = gm_sample[:10_000]
    # The core's rule, named by the keyword, quoting the value given.
    with pytest.raises(cmech.InvalidArgumentError, match=r"max_history must be at least 1, not 0"):
        cmech.reconstruct(x, max_history=0)
    with pytest.raises(cmech.InvalidArgumentError, match=r"max_history must be at least 1, not 0"):
        cmech.count(x, 0)
    with pytest.raises(cmech.InvalidArgumentError, match=r"max_history must be at least 1, not -3"):
        cmech.count(x, -3)
    with pytest.raises(cmech.InvalidArgumentError, match=r"max_history must be an integer"):
        cmech.reconstruct(x, max_history=2.5)
    with pytest.raises(cmech.InvalidArgumentError, match=r"window must be at least 2"):
        cmech.count(x, window=1)
    with pytest.raises(cmech.InvalidArgumentError, match=r"give max_history or window, not both"):
        cmech.count(x, 3, window=5)
    with pytest.raises(cmech.InvalidArgumentError, match=r"alpha must be in \(0, 1\), not 1\.5"):
        cmech.reconstruct(x, alpha=1.5)
    with pytest.raises(cmech.InvalidArgumentError, match=r"unknown method 'cssr2' \(known: cssr, forward\)"):
        cmech.reconstruct(x, method="cssr2")
    with pytest.raises(cmech.InvalidArgumentError, match=r"unknown test 'z' \(known: chi2, ks\)"):
        cmech.reconstruct(x, test="z")
    with pytest.raises(cmech.InvalidArgumentError, match=r"future must be at least 1, not 0"):
        cmech.reconstruct(x, method="forward", future=0)
    # One rule in the core for both faces: 1 to 1024 worker threads.
    for threads in (0, 10**6, -2):
        with pytest.raises(cmech.InvalidArgumentError, match=rf"threads must be from 1 to 1024, not {threads}"):
            cmech.reconstruct(x, threads=threads)
    with pytest.raises(cmech.InvalidArgumentError, match=r"no sequence is longer than the maximum history 6"):
        cmech.reconstruct("0110", max_history=6, method="cssr")
    with pytest.raises(cmech.InvalidArgumentError, match=r"max_history must be at most 63 \(counts reach words of 64 symbols\), not 70"):
        cmech.count(x, 70)
    with pytest.raises(cmech.InvalidArgumentError, match=r"do not fit in 64-bit codes"):
        cmech.count(x, 63, method="cssr")
    short = cmech.count(x, 3, method="cssr")
    with pytest.raises(
        cmech.InvalidArgumentError,
        match=r"the counts of <ndarray> go up to words of 4 symbols, but maximum history 5 with method cssr needs 6; count again with max_history=5 \(or window=6\)$",
    ):
        cmech.reconstruct(short, method="cssr")
    with pytest.raises(cmech.InvalidArgumentError, match=r"needs 8"):
        cmech.reconstruct(short, 4, method="forward")
    with pytest.raises(cmech.InvalidArgumentError, match=r"apply to data, not to Counts"):
        cmech.reconstruct(short, 3, alphabet="01")


def test_a_history_too_long_for_the_data_says_so(golden):
    x = golden.sample(2000, seed=1)
    # Past the Marton-Shields bound: a warning, and the machine rests on shorter histories.
    r = cmech.reconstruct(x, max_history=17, method="cssr")
    assert len(r.process.states) == r.diagnostics.recurrent_states == 2
    assert any("exceeds what 2000 symbols support" in w for w in r.diagnostics.warnings)
    with pytest.raises(
        cmech.InvalidArgumentError,
        match=r"2000 symbols do not support histories of length 40: Marton-Shields gives L <= log2 N / h = 1[56] ",
    ):
        cmech.reconstruct(x, max_history=40, method="cssr")


def test_merging_counts_of_different_alphabets_or_windows():
    a = cmech.count("0110101101", 3, method="cssr")
    b = cmech.count("0120101101", 3, method="cssr")
    with pytest.raises(
        cmech.InvalidDataError,
        match=r"cannot merge <str> \(alphabet \{0, 1, 2\}, window 4\) with <str> \(alphabet \{0, 1\}, window 4\): the alphabets differ; count every part with the same alphabet$",
    ):
        a.merge(b)
    with pytest.raises(cmech.InvalidDataError, match=r"the alphabets differ"):
        a + cmech.count("0110101101", 3, alphabet="10")
    with pytest.raises(cmech.InvalidDataError, match=r"the windows differ; count every part with the same max_history or window$"):
        a + cmech.count("0110101101", 2, method="cssr")
    with pytest.raises(TypeError):
        a.merge("0110")


def test_merging_shards_of_different_alphabets(tmp_path):
    cmech.count("0110101101", 3, method="cssr").save(tmp_path / "a.cnt")
    cmech.count("0120101101", 3, method="cssr").save(tmp_path / "b.cnt")
    with pytest.raises(cmech.InvalidDataError, match=r"cannot merge .*b\.cnt \(alphabet \{0, 1, 2\}, window 4\) with .*a\.cnt .*the alphabets differ"):
        cmech.Counts.load([tmp_path / "a.cnt", tmp_path / "b.cnt"])
    with pytest.raises(cmech.InvalidDataError, match=r"the alphabets differ"):
        cmech.reconstruct([tmp_path / "a.cnt", tmp_path / "b.cnt"], 3)


def test_corrupt_shards_and_mixed_inputs(tmp_path):
    cmech.count("0110101101", 3).save(tmp_path / "a.cnt")
    raw = (tmp_path / "a.cnt").read_bytes()
    (tmp_path / "cut.cnt").write_bytes(raw[:-12])
    (tmp_path / "cut.cnt.json").write_text((tmp_path / "a.cnt.json").read_text())
    with pytest.raises(cmech.InvalidDataError, match=r"cut\.cnt: the shard is truncated"):
        cmech.Counts.load(tmp_path / "cut.cnt")
    (tmp_path / "x.txt").write_text("0110\n")
    with pytest.raises(cmech.InvalidArgumentError, match=r"either count shards or data files, not both"):
        cmech.reconstruct([tmp_path / "a.cnt", tmp_path / "x.txt"])
    with pytest.raises(cmech.InvalidArgumentError, match=r"a\.cnt is a count shard: read it with cmech\.Counts\.load"):
        cmech.count(tmp_path / "a.cnt")
    with pytest.raises(cmech.InvalidArgumentError, match=r"apply to data files, not to count shards"):
        cmech.reconstruct(tmp_path / "a.cnt", 3, alphabet="01")


def test_wrong_shapes_and_types():
    with pytest.raises(cmech.InvalidDataError, match=r"an array of 3 dimensions"):
        cmech.count(np.zeros((2, 2, 2), dtype=int))
    with pytest.raises(TypeError, match=r"cannot count data of type dict"):
        cmech.count({"a": 1})
    with pytest.raises(TypeError, match=r"cannot count data of type set"):
        cmech.count({0, 1})
    with pytest.raises(TypeError, match=r"mixes symbols and sequences"):
        cmech.count([0, [1, 0]])
    with pytest.raises(cmech.InvalidDataError, match=r"data mixes strings and integers"):
        cmech.count(["a", 1, "b"])
    with pytest.raises(cmech.InvalidDataError, match=r"mix integer symbols \(data\[0\]\) and text symbols \(data\[1\]\)"):
        cmech.count([[0, 1], ["a", "b"]])
    with pytest.raises(cmech.InvalidDataError, match=r"integers beyond 64 bits"):
        cmech.count([0, 2**70])
    with pytest.raises(TypeError, match=r"data are already Counts"):
        cmech.count(cmech.count("0101", 1))
    with pytest.raises(cmech.InvalidArgumentError, match=r"format applies to files"):
        cmech.count("0101", format="tokens")
    with pytest.raises(cmech.InvalidArgumentError, match=r"unknown format 'csv'"):
        cmech.count("0101", format="csv")
    with pytest.raises(cmech.InvalidArgumentError, match=r"applies to text, not to integer or token sequences; leave out lines=True$"):
        cmech.count([0, 1, 0], lines=True)
    with pytest.raises(cmech.InvalidArgumentError, match=r"byte_range applies to one file"):
        cmech.count("0101", byte_range=(0, 2))


def test_file_formats_and_ranges(tmp_path):
    (tmp_path / "t.txt").write_text("up down up\nup up down\n")
    c = cmech.count(tmp_path / "t.txt", 1, format="tokens", lines=True)
    assert c.alphabet == ["down", "up"] and c.sequences == 2 and c.symbols == 6
    assert cmech.count(tmp_path / "t.txt", 1, format="tokens", alphabet=["up", "down"]).alphabet == ["up", "down"]
    (tmp_path / "x.txt").write_text("0110" * 500 + "\n")
    with pytest.raises(cmech.InvalidDataError, match=r"range 0\.\.9999 goes past the end of .*x\.txt \(2001 bytes\)"):
        cmech.count(tmp_path / "x.txt", 2, byte_range=(0, 9999))
    with pytest.raises(cmech.InvalidDataError, match=r"ends before it starts"):
        cmech.count(tmp_path / "x.txt", 2, byte_range=(9, 3))
    rows = np.array([[0, 1, 1], [1, 0, 3]], dtype=np.int16)
    np.save(tmp_path / "rows.npy", rows)
    assert cmech.count(tmp_path / "rows.npy", 1) == cmech.count(rows, 1)


# ----- held-out prediction ------------------------------------------------------------------------


def test_hold_out_scores_the_machine_beside_the_markov_chains() -> None:
    even = cmech.Process.named("even")
    r = cmech.reconstruct(even.sample(200_000, seed=5))
    h = r.hold_out(even.sample(50_000, seed=6))
    assert isinstance(h, cmech.HeldOut)
    assert h.test_symbols == 50_000 and h.train_symbols == 200_000
    assert h.machine.states == 2 and h.machine_impossible == 0
    # h_mu = 2/3; no chain of the orders counted knows the parity of every run of 1s.
    assert h.machine.log_loss == pytest.approx(2.0 / 3.0, abs=0.01)
    assert h.advantage < 0 and h.best_markov.log_loss > h.machine.log_loss
    # One state costs 1 bit a symbol, the other nothing, 2/3 and 1/3 of the time: variance 2/9.
    assert h.machine.standard_error == pytest.approx((2 / 9 / 50_000) ** 0.5, rel=0.1)
    assert 0 < h.advantage_standard_error < abs(h.advantage)
    assert [m.order for m in h.markov[:4]] == [0, 0, 1, 1]
    assert h.to_dict()["verdict"] == h.verdict


def test_hold_out_gives_the_cli_numbers(tmp_path: Path, cmech_cli: Path) -> None:
    gm = cmech.Process.named("golden-mean")
    train, test = gm.sample(20_000, seed=1), gm.sample(5_000, seed=2)
    (tmp_path / "train.txt").write_text(text(gm, train))
    (tmp_path / "test.txt").write_text(text(gm, test))
    want = json.loads(run_cli(cmech_cli, "reconstruct", "train.txt", "--holdout", "test.txt", "--json", cwd=tmp_path))[
        "holdout"
    ]
    # Integer arrays and the text files name the symbols alike ("0", "1").
    got = cmech.reconstruct(train).hold_out(test).to_dict()
    assert got["machine"]["predictor"] == want["machine"]["predictor"]
    assert got["machine"]["log_loss"] == pytest.approx(want["machine"]["log_loss"], rel=1e-12)
    assert [m["log_loss"] for m in got["markov"]] == pytest.approx([m["log_loss"] for m in want["markov"]], rel=1e-12)
    assert got["best_markov"] == want["best_markov"]
    assert got["test_symbols"] == want["test_symbols"] == 5_000


def test_hold_out_refuses_a_symbol_the_training_data_never_had() -> None:
    gm = cmech.Process.named("golden-mean")
    r = cmech.reconstruct(text(gm, gm.sample(10_000, seed=3)))
    with pytest.raises(cmech.InvalidDataError, match="2"):
        r.hold_out("01012")


@pytest.mark.parametrize("kwargs", [dict(max_history=10**6), dict(max_history=10**6, method="cssr"), dict(future=100)])
def test_lengths_past_a_window_are_refused(gm_sample, kwargs):
    # A window holds 64 symbols at most (the CLI wrapped usize::MAX + 1 to a window of 0 or 3).
    with pytest.raises(cmech.InvalidArgumentError, match=r"must be at most 63 \(counts reach words of 64 symbols\)"):
        cmech.reconstruct(gm_sample[:1000], **kwargs)


def test_a_refined_candidate_says_what_was_done_to_which_fit():
    # Mess3 has no finite machine: the chosen fit is refined, and the candidate made says from
    # which candidate and by which moves (collapse's clustering among them).
    x = cmech.Process.named("mess3").sample(300_000, seed=1)
    sel = cmech.reconstruct(x).diagnostics.selection
    made = [(i, c) for i, c in enumerate(sel.candidates) if c.refined is not None]
    assert made, [c.states for c in sel.candidates]
    for i, c in made:
        r = c.refined
        assert set(r) == {"from", "clustered", "merges", "splits", "redirects", "pruned"}, r
        assert 0 <= r["from"] < i
        src = sel.candidates[r["from"]]
        assert (c.method, c.max_history) == (src.method, src.max_history)
        assert sum(v for k, v in r.items() if k != "from") > 0, r
    assert "refined by likelihood" in sel.reason
