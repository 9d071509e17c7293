"""Information flow from Python: TE, AIS, MI, entropies, local values, significance, boundaries and
cellular automata, against analytic values, the identities that tie them together and the CLI.

Cross-checked once against PyInform 0.2 in a scratch venv (not a dependency of this suite): on the
data of ``xcheck_data()`` below, TE(x -> y, k=1) = 0.28491114777144927, TE(y -> x, k=3) =
0.0022765330785632586, TE(x -> y | z, k=2) = 0.2884204192639945 (cmech ...46), AIS(z, k=2) =
0.001509299927506117, MI(x, y) = 0.00020391442565448337 (cmech ...52421), entropy rate (z, k=2) =
1.583423875539904, TE over 4 trials (k=2) = 0.006216257166648456, block entropy (z, k=2) =
3.169369512982296; local TE (k=2) starts 0.672275865674916, 0.723959633464979, 0.723959633464979
and over 4 trials of 300 has shape (4, 298). cmech agreed to 1e-16 on each (to 5e-17 absolute on MI).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

import cmech
from conftest import load_reference

N = 100_000
Q = 0.1


def h2(q: float) -> float:
    return float(-(q * np.log2(q) + (1 - q) * np.log2(1 - q)))


@pytest.fixture(scope="module")
def xor_pair():
    """Y_t = X_{t-1} XOR N_t with X a fair coin and N Bernoulli(Q)."""
    rng = np.random.default_rng(20240605)
    x = rng.integers(0, 2, N)
    noise = (rng.random(N) < Q).astype(np.int64)
    y = np.zeros(N, dtype=np.int64)
    y[1:] = x[:-1] ^ noise[1:]
    return x, y


def xcheck_data():
    """The data of the PyInform cross-check of the module docstring."""
    rng = np.random.default_rng(7)
    x = rng.integers(0, 2, 5000)
    noise = (rng.random(5000) < 0.2).astype(int)
    y = np.zeros(5000, dtype=int)
    y[1:] = x[:-1] ^ noise[1:]
    z = rng.integers(0, 3, 5000)
    rows = rng.integers(0, 2, (4, 300))
    rows2 = rng.integers(0, 2, (4, 300))
    return x, y, z, rows, rows2


# --- Analytic values ----------------------------------------------------------------------------


def test_te_of_a_noisy_copy_is_one_minus_h_of_the_noise(xor_pair):
    x, y = xor_pair
    assert abs(cmech.transfer_entropy(x, y) - (1 - h2(Q))) < 0.01
    assert cmech.transfer_entropy(y, x) < 1e-3
    # Longer histories change nothing for an i.i.d. source.
    assert abs(cmech.transfer_entropy(x, y, k=3) - (1 - h2(Q))) < 0.01
    # With delay 2 the source value is the wrong one.
    assert cmech.transfer_entropy(x, y, delay=2) < 1e-3


def test_surrogate_test_rejects_the_coupling_and_keeps_its_absence(xor_pair):
    x, y = xor_pair
    forward = cmech.significance("te", x, y, surrogates=200, seed=3)
    assert isinstance(forward, cmech.SurrogateTest)
    assert forward.p_value == pytest.approx(1 / 201)
    assert forward.observed == pytest.approx(cmech.transfer_entropy(x, y), abs=1e-12)
    assert forward.effective == pytest.approx(forward.observed - forward.mean)
    assert forward.surrogates == 200 and forward.seed == 3
    backward = cmech.transfer_entropy(y, x, test="surrogate", surrogates=200, seed=3)
    assert backward.p_value > 0.05
    # Seeded: the same seed, the same test.
    again = cmech.transfer_entropy(y, x, test="surrogate", surrogates=200, seed=3)
    assert (again.p_value, again.mean, again.std) == (backward.p_value, backward.mean, backward.std)


def test_chi_square_test(xor_pair):
    x, y = xor_pair
    t = cmech.significance("te", x, y, test="chi-square")
    assert isinstance(t, cmech.ChiSquareTest)
    assert t.p_value < 1e-12
    assert t.df == 2.0  # (2 - 1)(2 - 1) 2^1
    assert t.observations == N - 1
    assert t.statistic == pytest.approx(2 * (N - 1) * np.log(2) * t.observed)
    assert cmech.significance("te", y, x, test="chi-square").p_value > 0.01


def test_independent_series_have_mi_near_zero():
    rng = np.random.default_rng(5)
    a, b = rng.integers(0, 4, N), rng.integers(0, 4, N)
    assert cmech.mutual_information(a, b) < 1e-3
    t = cmech.mutual_information(a, b, test="surrogate", surrogates=100, seed=1)
    assert t.p_value > 0.01
    assert cmech.mutual_information(a, a) == pytest.approx(cmech.entropy(a), abs=1e-12)
    assert cmech.entropy(a) == pytest.approx(2.0, abs=1e-3)


def test_mi_with_a_lag_sees_the_copy(xor_pair):
    x, y = xor_pair
    assert cmech.mutual_information(x, y) < 1e-3
    assert cmech.mutual_information(x, y, lag=1) == pytest.approx(1 - h2(Q), abs=0.01)


def test_ais_and_conditional_measures(xor_pair):
    x, y = xor_pair
    assert cmech.active_information(x, k=2) < 1e-3
    # Conditioning the target on its own source leaves nothing to transfer.
    assert cmech.conditional_mutual_information(y, x, y) == pytest.approx(0.0, abs=1e-12)
    # TE(x -> y | x) with x at t - 1: the source is the condition.
    assert cmech.transfer_entropy(x, y, condition=x) == pytest.approx(0.0, abs=1e-12)
    assert cmech.transfer_entropy(x, y, condition=[x, y]) == pytest.approx(0.0, abs=1e-12)
    # Entropy rate bounds TE.
    assert cmech.transfer_entropy(x, y, k=2) <= cmech.entropy_rate(y, k=2) + 1e-12
    assert cmech.block_entropy(x, 3) == pytest.approx(3.0, abs=1e-3)


# --- Local values -------------------------------------------------------------------------------


def test_local_values_average_to_the_global_value(xor_pair):
    x, y = xor_pair
    cases = [
        (lambda **o: cmech.transfer_entropy(x, y, k=2, l=2, delay=1, **o), N - 2),
        (lambda **o: cmech.transfer_entropy(y, x, k=3, **o), N - 3),
        (lambda **o: cmech.transfer_entropy(x, y, k=1, delay=3, **o), N - 3),
        (lambda **o: cmech.transfer_entropy(x, y, condition=x[::-1].copy(), **o), N - 1),
        (lambda **o: cmech.active_information(y, k=4, **o), N - 4),
        (lambda **o: cmech.mutual_information(x, y, **o), N),
        (lambda **o: cmech.mutual_information(x, y, lag=2, **o), N - 2),
        (lambda **o: cmech.conditional_mutual_information(x, y, np.roll(x, 1), **o), N),
        (lambda **o: cmech.entropy(y, **o), N),
        (lambda **o: cmech.block_entropy(y, 3, **o), N - 2),
    ]
    for f, length in cases:
        loc = f(local=True)
        assert loc.shape == (length,) and loc.dtype == np.float64
        assert abs(loc.mean() - f()) < 1e-12


def test_trials_as_rows_pool_counts_and_shape_local_values(xor_pair):
    x, y = xor_pair
    xs, ys = x.reshape(10, -1), y.reshape(10, -1)
    loc = cmech.transfer_entropy(xs, ys, k=2, local=True)
    assert loc.shape == (10, N // 10 - 2)
    assert abs(loc.mean() - cmech.transfer_entropy(xs, ys, k=2)) < 1e-12
    # Windows do not cross rows: row 0 alone is the first row of the local values' data.
    row0 = cmech.transfer_entropy(xs[:1], ys[:1], k=2, local=True)
    assert row0.shape == (1, N // 10 - 2)
    # The rows are pooled: the 2-D value is not the 1-D one over the joined rows.
    assert cmech.transfer_entropy(xs, ys, k=2) == pytest.approx(cmech.transfer_entropy(x, y, k=2), abs=1e-3)
    # Lists work as arrays do.
    small = cmech.active_information([[0, 1, 0, 1, 1], [1, 1, 0, 0, 1]], k=1, local=True)
    assert small.shape == (2, 4)


def test_the_pyinform_cross_check_values():
    x, y, z, rows, rows2 = xcheck_data()
    assert cmech.transfer_entropy(x, y, k=1) == pytest.approx(0.28491114777144927, abs=1e-12)
    assert cmech.transfer_entropy(y, x, k=3) == pytest.approx(0.0022765330785632586, abs=1e-12)
    assert cmech.transfer_entropy(x, y, k=2, condition=z) == pytest.approx(0.2884204192639945, abs=1e-12)
    assert cmech.active_information(z, k=2) == pytest.approx(0.001509299927506117, abs=1e-12)
    assert cmech.mutual_information(x, y) == pytest.approx(0.00020391442565448337, abs=1e-12)
    assert cmech.entropy_rate(z, k=2) == pytest.approx(1.583423875539904, abs=1e-12)
    assert cmech.transfer_entropy(rows, rows2, k=2) == pytest.approx(0.006216257166648456, abs=1e-12)
    assert cmech.block_entropy(z, k=2) == pytest.approx(3.169369512982296, abs=1e-12)
    loc = cmech.transfer_entropy(x, y, k=2, local=True)
    np.testing.assert_allclose(loc[:3], [0.672275865674916, 0.723959633464979, 0.723959633464979], atol=1e-12)


# --- Cellular automata --------------------------------------------------------------------------


def test_elementary_field_shape_and_rule():
    f = cmech.ca.elementary(110, width=64, steps=50, seed=2)
    assert f.shape == (50, 64) and f.dtype == np.uint8
    assert set(np.unique(f)) <= {0, 1}
    # Row 0 is the initial row; each later row follows rule 110 on a ring.
    left, mid, right = np.roll(f[:-1], 1, axis=1), f[:-1], np.roll(f[:-1], -1, axis=1)
    idx = (left << 2) | (mid << 1) | right
    assert np.array_equal(f[1:], (110 >> idx) & 1)
    # Seeded, and an explicit initial row is used as given.
    assert np.array_equal(f, cmech.ca.elementary(110, width=64, steps=50, seed=2))
    g = cmech.ca.elementary(110, steps=50, initial=f[0])
    assert np.array_equal(f, g)
    single = np.zeros(9, dtype=np.uint8)
    single[4] = 1
    pascal = cmech.ca.elementary(90, steps=3, initial=single)
    assert pascal[2].tolist() == [0, 0, 1, 0, 0, 0, 1, 0, 0]


def test_rule_54_local_fields_average_to_the_global_values():
    f = cmech.ca.elementary(54, width=400, steps=300, seed=1)
    for j in (1, -1):
        loc = cmech.ca.local_transfer_entropy(f, k=16, j=j)
        assert loc.shape == (300 - 16, 400)
        assert abs(loc.mean() - cmech.ca.transfer_entropy(f, k=16, j=j)) < 1e-12
    ais = cmech.ca.local_active_information(f, k=16)
    assert ais.shape == (284, 400)
    assert abs(ais.mean() - cmech.ca.active_information(f, k=16)) < 1e-12
    # The field TE is the TE of the cell series pooled over cells (trials as rows): target cell i,
    # source cell i - 1.
    cells = np.ascontiguousarray(f.T).astype(np.int64)
    pooled = cmech.transfer_entropy(np.roll(cells, 1, axis=0), cells, k=16)
    assert abs(pooled - cmech.ca.transfer_entropy(f, k=16, j=1)) < 1e-12


def test_life_glider_moves_and_fields_work():
    g = cmech.ca.life(12, 12, 9, pattern="glider")
    assert g.shape == (9, 12, 12) and g.dtype == np.uint8
    assert g[0].sum() == 5
    assert np.array_equal(g[4], np.roll(g[0], (1, 1), axis=(0, 1)))
    r = cmech.ca.life(16, 16, 20, seed=4)
    assert np.array_equal(r, cmech.ca.life(16, 16, 20, seed=4, initial=r[0]))
    loc = cmech.ca.local_transfer_entropy(r, k=3, j=(1, 1))
    assert loc.shape == (17, 16, 16)
    assert abs(loc.mean() - cmech.ca.transfer_entropy(r, k=3, j=(1, 1))) < 1e-12
    assert "gosper-gun" in cmech.ca.PATTERNS


def test_local_blocks_are_the_local_field_a_block_at_a_time():
    f = cmech.ca.elementary(54, width=300, steps=200, seed=3)
    life = cmech.ca.life(16, 16, 30, seed=4)
    cases = [
        (f, "te", 16, 1, cmech.ca.local_transfer_entropy(f, k=16, j=1)),
        (f, "te", 16, -1, cmech.ca.local_transfer_entropy(f, k=16, j=-1)),
        (f, "ais", 16, 1, cmech.ca.local_active_information(f, k=16)),
        (life, "te", 3, (1, 1), cmech.ca.local_transfer_entropy(life, k=3, j=(1, 1))),
    ]
    for field, measure, k, j, whole in cases:
        # 7 and 13 do not divide the rows; None is the default of ~16 MiB (one block here).
        for rows in (1, 7, 13, None):
            blocks = cmech.ca.local_blocks(field, measure, k=k, j=j, rows=rows)
            assert blocks.offset == k and blocks.rows == whole.shape[0]
            got = list(blocks)
            assert [s for s, _ in got] == list(range(k, k + whole.shape[0], blocks.block_rows))
            joined = np.concatenate([v for _, v in got])
            assert joined.shape == whole.shape and joined.dtype == np.float64
            assert np.array_equal(joined, whole)
            assert blocks.average == pytest.approx(whole.mean(), abs=1e-12)
    with pytest.raises(cmech.InvalidArgumentError, match="unknown field measure"):
        cmech.ca.local_blocks(f, "mi")
    with pytest.raises(cmech.InvalidArgumentError, match="rows"):
        cmech.ca.local_blocks(f, rows=0)
    with pytest.raises(cmech.InvalidArgumentError, match="no complete window"):
        cmech.ca.local_blocks(f, k=200)


def test_local_blocks_keep_the_field_as_it_was_when_made():
    # A 2-D field is passed on as a view of it; resizing it with refcheck=False frees the memory
    # under that view, which the blocks once went on reading.
    f = np.array(cmech.ca.elementary(54, width=300, steps=200, seed=3))  # owns its memory
    whole = cmech.ca.local_transfer_entropy(f, k=16, j=1)
    blocks = cmech.ca.local_blocks(f, "te", k=16, j=1, rows=7)
    f.resize((1, 10), refcheck=False)
    f[:] = 1
    np.zeros((200, 300), dtype=np.uint8)  # reuses the freed memory, if anything does
    assert np.array_equal(np.concatenate([v for _, v in blocks]), whole)


# --- Boundaries ---------------------------------------------------------------------------------


def test_boundary_of_a_chain_leaks_nothing_across_a_blanket():
    """E -> P -> V -> A -> E: the environment reaches the inside only through P, and the inside
    the environment only through A, so both scores are near 0; cut the chain (E -> V) and the
    infiltration is large."""
    rng = np.random.default_rng(11)
    t = 50_000
    e, p, v, a = (np.zeros(t, dtype=np.int64) for _ in range(4))
    flips = rng.random((4, t)) < 0.1
    for s in range(1, t):
        p[s] = e[s - 1] ^ flips[0, s]
        v[s] = p[s - 1] ^ flips[1, s]
        a[s] = v[s - 1] ^ flips[2, s]
        e[s] = (a[s - 1] ^ flips[3, s]) if rng.random() < 0.5 else rng.integers(0, 2)
    data = np.stack([v, a, p, e], axis=1)
    s = cmech.boundary_scores(data, inside=0, active=1, passive=2, environment=3, surrogates=50, seed=1)
    assert isinstance(s, cmech.BoundaryScores)
    assert s.observations == t - 1
    assert s.infiltration < 1e-3 and s.exfiltration < 1e-3
    assert s.infiltration_test is not None and s.infiltration_test.p_value > 0.01
    # Without the passive boundary the environment flows straight in.
    leaky = cmech.boundary_scores(data, inside=[0, 2], active=[1], environment=[3])
    assert leaky.infiltration > 0.3 and leaky.infiltration_test is None
    # The environment defaults to every other variable; trials as a leading axis.
    both = cmech.boundary_scores(np.stack([data, data]), inside=0, active=1, passive=2)
    assert both.observations == 2 * (t - 1)
    assert both.infiltration == pytest.approx(s.infiltration, abs=1e-12)


# --- The CLI gives the same numbers -------------------------------------------------------------


def test_same_numbers_as_the_cli(cmech_cli: Path, tmp_path: Path, xor_pair):
    if subprocess.run([str(cmech_cli), "te", "--help"], capture_output=True).returncode != 0:
        pytest.skip("this cmech binary has no te command")
    x, y = xor_pair
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", y)

    def run(*args: str) -> dict:
        out = subprocess.run([str(cmech_cli), *args, "--json"], capture_output=True, text=True, check=True)
        return json.loads(out.stdout)

    xs, ys = str(tmp_path / "x.npy"), str(tmp_path / "y.npy")
    assert run("te", xs, ys, "-k", "2", "-l", "2")["value"] == cmech.transfer_entropy(x, y, k=2, l=2)
    assert run("te", ys, xs, "-k", "3")["value"] == cmech.transfer_entropy(y, x, k=3)
    assert run("ais", ys, "-k", "3")["value"] == cmech.active_information(y, k=3)
    assert run("mi", xs, ys)["value"] == cmech.mutual_information(x, y)
    doc = run("ca", "54", "--width", "200", "--steps", "120", "--seed", "3", "--npy", str(tmp_path / "f.npy"))
    f = cmech.ca.elementary(54, width=200, steps=120, seed=3)
    assert np.array_equal(np.load(tmp_path / "f.npy"), f)
    assert doc["ais"] == cmech.ca.active_information(f, k=16)
    assert doc["te"]["1"] == cmech.ca.transfer_entropy(f, k=16, j=1)
    assert doc["te"]["-1"] == cmech.ca.transfer_entropy(f, k=16, j=-1)


# --- Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda x, y: cmech.transfer_entropy(x, y[:-1]), "unequal lengths"),
        (lambda x, y: cmech.mutual_information(x.reshape(4, -1), y.reshape(5, -1)), "numbers of trials"),
        (lambda x, y: cmech.transfer_entropy(x + 1, y, alphabet=2), "source: value 2 at index 1 is not in the alphabet"),
        (lambda x, y: cmech.active_information(np.arange(300), k=1), "300 distinct symbols; information-flow measures take at most 256"),
        (lambda x, y: cmech.transfer_entropy(x[:5], y[:5], k=10), "needs 10 symbols"),
        (lambda x, y: cmech.active_information(x[:3], k=3), "complete window"),
        (lambda x, y: cmech.mutual_information(x[:3], y[:3], lag=3), "lag = 3"),
        (lambda x, y: cmech.transfer_entropy(x * 1.0, y), "float64"),
        (lambda x, y: cmech.transfer_entropy(x, y, k=0), "k must be at least 1"),
        (lambda x, y: cmech.transfer_entropy(x, y, alphabet=300), "alphabet"),
        (lambda x, y: cmech.transfer_entropy(x.reshape(2, 2, -1), y), "3 dimensions"),
        (lambda x, y: cmech.transfer_entropy(x, y, test="bootstrap"), "surrogate"),
        (lambda x, y: cmech.significance("entropy", x), "te, ais, mi and cmi"),
        (lambda x, y: cmech.entropy([]), "no symbols"),
        (lambda x, y: cmech.ca.elementary(256, width=10, steps=5), "unknown elementary CA rule 256"),
        (lambda x, y: cmech.ca.elementary("life", width=10, steps=5), "unknown elementary CA rule"),
        (lambda x, y: cmech.ca.elementary(30, steps=5, initial=[0, 2, 1]), "not 0 or 1"),
        (lambda x, y: cmech.ca.elementary(30, width=2, steps=5), "at least 3 cells"),
        (lambda x, y: cmech.ca.life(10, 10, 5, pattern="spaceship"), "unknown Life pattern"),
        # The rule of the CLI, from the core: a dead cell around the pattern (3 x 3 needs 5 x 5).
        (lambda x, y: cmech.ca.life(4, 6, 5, pattern="glider"), "does not fit a 4 x 6 torus with a dead cell"),
        (lambda x, y: cmech.ca.local_transfer_entropy(cmech.ca.elementary(30, width=10, steps=5), k=5), "no complete window"),
        (lambda x, y: cmech.ca.transfer_entropy(np.zeros((5, 4)), k=1), "float64"),
        (lambda x, y: cmech.boundary_scores(np.zeros((10, 3), dtype=int), inside=0, environment=[0, 1]), "both"),
        (lambda x, y: cmech.boundary_scores(np.zeros((10, 3), dtype=int), inside=5), "beyond the 3 variables"),
    ],
)
def test_bad_input_names_the_problem(call, words):
    x = np.tile([0, 1, 1, 0, 1], 20)
    y = np.roll(x, 1)
    with pytest.raises(cmech.InvalidArgumentError, match=words):
        call(x, y)


# --- The reference file reference/infoflow.json -------------------------------------------------


def reference_coupled(n: int):
    """The data its "coupled_binary" entry describes, draw for draw."""
    rng = np.random.default_rng(1)
    x = rng.integers(0, 2, n)
    noise = rng.random(n) < 0.1
    y0 = rng.integers(0, 2)
    y = np.empty(n, dtype=np.int64)
    y[0] = y0
    y[1:] = x[:-1] ^ noise[1:]
    return x, y


@pytest.mark.parametrize("size", ["1e5", "1e6", "1e7"])
def test_te_matches_the_reference_on_its_own_data(size):
    ref = load_reference("infoflow.json")["coupled_binary"]
    x, y = reference_coupled(int(float(size)))
    for k in range(1, 5):
        want = ref["te_x_to_y"][size][f"k{k}"]
        assert abs(cmech.transfer_entropy(x, y, k=k) - want) < 1e-9, (size, k)
    limit = ref["analytic_limit"]
    assert abs(limit - (1 - h2(0.1))) < 1e-10
    # Miller-Madow moves these long-sample estimates by far less than their sampling error.
    mm = cmech.transfer_entropy(x, y, k=4, bias="miller-madow")
    assert abs(mm - ref["te_x_to_y"][size]["k4"]) < 1e-3


# --- Miller-Madow -------------------------------------------------------------------------------

LN2 = float(np.log(2))


def test_miller_madow_adds_the_nonzero_cells_over_2_n_ln2():
    x = np.array([0, 0, 1, 1, 0, 1, 0, 0])
    assert cmech.entropy(x, bias="miller-madow") == pytest.approx(h2(3 / 8) + 1 / (16 * LN2), abs=1e-15)
    # Every pair once: plug-in MI 0, cells (2 - 1) + (2 - 1) - (4 - 1) = -1.
    a, b = np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])
    assert cmech.mutual_information(a, b) == pytest.approx(0.0, abs=1e-15)
    assert cmech.mutual_information(a, b, bias="miller-madow") == pytest.approx(-1 / (8 * LN2), abs=1e-15)
    # TE(x -> y), y_t = x_{t-1}: cells (next, past) 4 + (source, past) 4 - (all) 4 - (past) 2.
    src = np.array([0, 1, 1, 0, 1, 0, 0, 1])
    tgt = np.array([0, 0, 1, 1, 0, 1, 0, 0])
    plug = (2 + 3 * np.log2(3)) / 7
    assert cmech.transfer_entropy(src, tgt, bias="miller-madow") == pytest.approx(plug + 2 / (14 * LN2), abs=1e-15)
    assert cmech.entropy_rate(tgt, 1, bias="miller-madow") == pytest.approx(plug + 2 / (14 * LN2), abs=1e-15)
    assert cmech.block_entropy(tgt, 1, bias="plug-in") == cmech.block_entropy(tgt, 1)


def test_miller_madow_reduces_the_bias_of_short_samples():
    # Averages over fixed seeds of cases with analytic values, sized so that the plug-in bias
    # (~ cells / (2 N ln 2)) is several times the seeds' sampling error of the mean.
    def means(draw, estimate, seeds):
        pairs = [estimate(*draw(np.random.default_rng(seed))) for seed in seeds]
        return np.mean(pairs, axis=0)

    # 16 equally likely letters (H = 4 bits) from 64 draws.
    plug, mm = means(
        lambda g: (g.integers(0, 16, 64),),
        lambda x: (cmech.entropy(x), cmech.entropy(x, bias="miller-madow")),
        range(100),
    )
    assert abs(mm - 4) < 0.25 * abs(plug - 4)
    # An independent source (TE = 0), k = 2, 200 samples: plug-in bias ~ 4 / (2 N ln 2).
    plug, mm = means(
        lambda g: (g.integers(0, 2, 200), g.integers(0, 2, 200)),
        lambda x, y: (cmech.transfer_entropy(x, y, k=2), cmech.transfer_entropy(x, y, k=2, bias="miller-madow")),
        range(100, 200),
    )
    assert abs(mm) < 0.25 * abs(plug)

    # The noisy XOR copy (1 - H(0.1)), k = 4, 1000 samples.
    def copy(g):
        x = g.integers(0, 2, 1000)
        y = np.zeros(1000, dtype=np.int64)
        y[1:] = x[:-1] ^ (g.random(999) < Q)
        return x, y

    plug, mm = means(
        copy,
        lambda x, y: (cmech.transfer_entropy(x, y, k=4), cmech.transfer_entropy(x, y, k=4, bias="miller-madow")),
        range(1000, 1200),
    )
    limit = 1 - h2(Q)
    assert abs(mm - limit) < 0.5 * abs(plug - limit), (plug, mm, limit)


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda x: cmech.transfer_entropy(x, x, bias="jackknife"), "plug-in or miller-madow"),
        (lambda x: cmech.transfer_entropy(x, x, bias="miller-madow", local=True), "local values are plug-in"),
        (lambda x: cmech.active_information(x, bias="miller-madow", test="surrogate"), "tests are plug-in"),
    ],
)
def test_bias_refuses_what_it_cannot_correct(call, words):
    with pytest.raises(cmech.InvalidArgumentError, match=words):
        call(np.tile([0, 1, 1], 10))


def test_the_same_series_in_any_spelling_gives_the_same_answer():
    """A series is read as reconstruct reads data: its symbols are those present, so 0/1, 0/2,
    bools, letters and a str spell one binary series (the chi-square df once changed with the
    spelling), and a list of trials is read like the rows of a 2-D array."""
    rng = np.random.default_rng(3)
    x = rng.integers(0, 2, 5000)
    y = np.roll(x, 1) ^ (rng.random(5000) < 0.1)
    want = cmech.transfer_entropy(x, y, k=2, test="chi-square")
    assert want.df == 4
    for s, t in [
        (x * 2, y),
        (x.astype(bool), y.astype(bool)),
        ("".join("ab"[v] for v in x), list(y + 5)),
    ]:
        got = cmech.transfer_entropy(s, t, k=2, test="chi-square")
        assert (got.df, got.statistic) == (want.df, want.statistic)
    rows = cmech.transfer_entropy(x.reshape(5, -1), y.reshape(5, -1), k=2)
    assert cmech.transfer_entropy(list(x.reshape(5, -1)), list(y.reshape(5, -1)), k=2) == rows
    # Trials of different lengths: local values one row each, NaN-padded to the longest.
    local = cmech.active_information([x[:30], x[30:50]], k=2, local=True)
    assert local.shape == (2, 28) and np.isnan(local[1, 18:]).all() and not np.isnan(local[1, :18]).any()


def test_an_undersampled_estimate_warns():
    rng = np.random.default_rng(5)
    x = rng.integers(0, 2, 10_000)
    y = np.roll(x, 1)
    with pytest.warns(cmech.CmechWarning, match="undersampled"):
        cmech.transfer_entropy(x, y, k=40)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cmech.transfer_entropy(x, y, k=2)
