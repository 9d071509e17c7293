"""Mixed states, belief trajectories, belief tables and pictures, against theory, the reference
values of reference/processes.json and the CLI."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

import cmech

UNIFILAR = ["golden_mean", "even", "rrxor", "z1r"]


def _process(key: str) -> cmech.Process:
    return cmech.Process.named(key.replace("_", "-"))


@pytest.mark.parametrize("key", UNIFILAR)
def test_msp_closes_with_the_reference_count_and_its_recurrent_part_is_the_machine(reference, key):
    p = _process(key)
    msp = p.mixed_states(tol=0.0, depth=None)
    assert msp.is_closed and msp.stop == "closed"
    assert len(msp) == reference[key]["msp_states"]
    assert np.allclose(msp.beliefs.sum(axis=1), 1.0, atol=1e-12)
    assert np.allclose(msp.beliefs[0], p.stationary_distribution(), atol=1e-14)
    # Edge probabilities of each node sum to one; node probabilities at each depth add to the
    # newly reached mass.
    sums = np.bincount(msp.edges[:, 0], weights=msp.edge_probabilities, minlength=len(msp))
    assert np.allclose(sums, 1.0, atol=1e-12)
    for d, mass in enumerate(msp.new_mass):
        assert msp.probabilities[msp.depths == d].sum() == pytest.approx(mass, abs=1e-12)
    # Synchronised beliefs (one state certain) are the recurrent states: as many as the machine has.
    synced = (msp.beliefs.max(axis=1) > 1 - 1e-9).sum()
    assert synced == reference[key]["states"]


@pytest.mark.parametrize("key", UNIFILAR)
def test_state_uncertainty_and_synchronisation_match_the_reference(reference, key):
    m = _process(key).measures()
    want = reference[key]
    assert m.S == pytest.approx(want["S"], abs=1e-9)
    assert m.state_uncertainty[0] == pytest.approx(want["C_mu"], abs=1e-12)
    if "state_uncertainty_L1_4" in want:
        assert m.state_uncertainty[1:5] == pytest.approx(want["state_uncertainty_L1_4"], abs=1e-6)


def test_mess3_fractal_beliefs(reference):
    mess3 = cmech.Process.named("mess3")
    assert np.allclose(mess3.stationary_distribution(), 1 / 3, atol=1e-14)
    msp = mess3.mixed_states(depth=8)
    assert msp.stop == "depth"
    assert [int((msp.depths == d).sum()) for d in range(9)] == [3**d for d in range(9)]
    # Strictly inside the simplex: a hidden state leaking into the observation would not be.
    assert msp.beliefs.min() > 1e-3
    m = mess3.measures()
    h = np.diff(m.block_entropies)
    want = reference["mess3"]["h_L_bits"]
    n = min(len(h), len(want))
    assert h[:n] == pytest.approx(want[:n], abs=1e-9)
    assert m.h_mu == pytest.approx(1.1447173, abs=5e-8)


def test_belief_table_trajectories_and_msp_agree():
    mess3 = cmech.Process.named("mess3")
    table = mess3.belief_table(6)
    assert table.words.shape == (729, 6) and table.beliefs.shape == (729, 6, 3)
    assert table.probabilities.sum() == pytest.approx(1.0, abs=1e-12)
    # Lexicographic order of words.
    codes = (table.words * 3 ** np.arange(5, -1, -1)).sum(axis=1)
    assert (np.diff(codes) > 0).all()
    # A batch of trajectories is the table itself, and the log-probabilities are the words'.
    traj, logp = mess3.beliefs(table.words, log_prob=True)
    assert np.array_equal(traj, table.beliefs)
    assert np.allclose(2.0**logp, table.probabilities, rtol=1e-12)
    # Every belief at the last position is a node of the MSP at depth 6.
    msp = mess3.mixed_states(depth=6)
    deepest = msp.beliefs[msp.depths == 6]
    order = np.lexsort(deepest.T)
    a = deepest[order]
    b = table.beliefs[:, -1, :][np.lexsort(table.beliefs[:, -1, :].T)]
    assert np.allclose(a, b, atol=1e-12)
    # A string of symbols is the same sequence as its indices.
    x = mess3.sample(2000, seed=3)
    s = "".join(mess3.alphabet[i] for i in x)
    assert np.array_equal(mess3.beliefs(s), mess3.beliefs(x))
    # Long sequences stay normalised, and the surprise per symbol approaches h_mu.
    long = mess3.sample(200_000, seed=5)
    b, lp = mess3.beliefs(long, log_prob=True)
    assert np.allclose(b.sum(axis=1), 1.0, atol=1e-12)
    assert -lp / len(long) == pytest.approx(1.1447, abs=0.01)


def test_golden_mean_beliefs_are_exact():
    gm = cmech.Process.named("golden-mean")
    b = gm.beliefs("011")
    a, bb = gm.states.index("A"), gm.states.index("B")
    assert b[0, bb] == 1.0 and b[1, a] == 1.0 and b[2, a] == 1.0
    assert gm.beliefs([]).shape == (0, 2)


def test_same_numbers_as_the_cli(tmp_path, cmech_cli):
    out = tmp_path / "b.npy"
    subprocess.run(
        [cmech_cli, "beliefs", "mess3", "--depth", "5", "--npy", str(out)], check=True, capture_output=True
    )
    assert np.array_equal(np.load(out), cmech.Process.named("mess3").mixed_states(depth=5).beliefs)
    t = tmp_path / "t.npy"
    subprocess.run(
        [cmech_cli, "beliefs", "rrxor", "--table", "5", "--npy", str(t)], check=True, capture_output=True
    )
    assert np.array_equal(np.load(t), cmech.Process.named("rrxor").belief_table(5).beliefs)


def test_projections():
    h = np.sqrt(3) / 2
    pts = cmech.plot.project(np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1 / 3, 1 / 3, 1 / 3]]))
    assert np.allclose(pts, [[0, 0], [1, 0], [0.5, h], [0.5, h / 3]], atol=1e-12)
    rrxor = cmech.Process.named("rrxor").mixed_states(tol=0.0, depth=None)
    assert cmech.plot.project(rrxor.beliefs).shape == (36, 2)
    assert cmech.plot.project(rrxor.beliefs, projection=[0, 1, 2]).shape == (36, 2)


def test_simplex_picture(tmp_path):
    mpl = pytest.importorskip("matplotlib")
    mpl.use("Agg")
    import matplotlib.pyplot as plt

    msp = cmech.Process.named("mess3").mixed_states(depth=9)
    ax = cmech.plot.simplex(msp.beliefs, states=msp.states)
    assert "simplex" in ax.get_xlabel()
    path = tmp_path / "mess3.png"
    ax.figure.savefig(path, dpi=80)
    plt.close(ax.figure)
    img = plt.imread(path)
    drawn = (img[..., :3] < 0.95).any(axis=-1).mean()
    assert 0.01 < drawn < 0.6


def test_bad_input():
    gm = cmech.Process.named("golden-mean")
    with pytest.raises(cmech.InvalidArgumentError, match="position 3"):
        gm.beliefs([0, 1, 0, 0])
    with pytest.raises(cmech.InvalidArgumentError, match="row 1"):
        gm.beliefs(np.array([[1, 1, 1], [0, 0, 1]]))
    with pytest.raises(cmech.InvalidArgumentError, match="not an index"):
        gm.beliefs([0, 5])
    with pytest.raises(cmech.InvalidArgumentError, match="'x' at index 2"):
        gm.beliefs("01x")
    with pytest.raises(cmech.InvalidArgumentError, match="integer"):
        gm.beliefs(np.array([0.5, 1.0]))
    with pytest.raises(cmech.InvalidArgumentError, match="sum to"):
        gm.beliefs([1], start=[0.5, 0.6])
    with pytest.raises(cmech.InvalidArgumentError, match="at least 1"):
        gm.belief_table(0)
    with pytest.raises(cmech.InvalidArgumentError, match=r"\[0, 1\)"):
        gm.mixed_states(tol=2.0)
    with pytest.raises(cmech.InvalidArgumentError, match="three states"):
        cmech.plot.project(np.eye(5), projection="simplex")


def test_a_machine_fitted_on_a_str_runs_on_that_str():
    """One whitespace rule: spaces are symbols of text and line endings are not, for
    reconstruct and beliefs alike (beliefs once skipped the spaces reconstruct had counted)."""
    text = "ab ab ab ba ab ab ba\n" * 200
    m = cmech.reconstruct(text, max_history=3, method="cssr").process
    assert " " in m.alphabet
    b = m.beliefs(text)
    assert b.shape == (20 * 200, len(m.states))
    gm = cmech.Process.named("golden-mean")
    with pytest.raises(cmech.InvalidArgumentError, match=r"\(space\) at index 1.*as a list"):
        gm.beliefs("0 1 0")
    assert np.array_equal(gm.beliefs("0 1 0".split()), gm.beliefs("010"))


def test_bools_are_symbols_0_and_1_for_beliefs_too():
    gm = cmech.Process.named("golden-mean")
    assert np.array_equal(gm.beliefs(np.array([True, True, False, True])), gm.beliefs([1, 1, 0, 1]))


@pytest.mark.parametrize("resolution", [1e-30, 10.0, 0.0])
def test_a_resolution_that_would_merge_distinct_beliefs_is_refused(resolution: float) -> None:
    # Finer than 1e-15 the keys saturate (1e-30 closed Mess3 at one node; it has 1,093 to depth 6).
    with pytest.raises(cmech.InvalidArgumentError, match=r"resolution must be from 1e-15 to 0\.5"):
        cmech.Process.named("mess3").mixed_states(depth=6, resolution=resolution)
    assert cmech.Process.named("mess3").mixed_states(depth=6, resolution=1e-15).beliefs.shape[0] == 1093
