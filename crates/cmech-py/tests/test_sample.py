"""Seeded sampling: reproducibility, starts, and symbol statistics against stationary predictions."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import cmech


def test_same_seed_same_array():
    p = cmech.Process.named("rrxor")
    a = p.sample(10_000, seed=42)
    b = p.sample(10_000, seed=42)
    assert a.dtype == np.int64 and a.shape == (10_000,)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, p.sample(10_000, seed=43))
    # A prefix of a longer sample is the shorter sample.
    np.testing.assert_array_equal(p.sample(100_000, seed=42)[:10_000], a)


def test_default_seed_and_empty():
    p = cmech.Process.named("golden-mean")
    np.testing.assert_array_equal(p.sample(50), p.sample(50, seed=0))
    assert p.sample(0).shape == (0,)
    assert p.sample(5, seed=2**64 - 1).shape == (5,)


def test_symbols_index_the_alphabet():
    p = cmech.Process.named("mess3")
    x = p.sample(5_000, seed=1)
    assert x.min() >= 0 and x.max() < len(p.alphabet)


def test_start_state_by_index_and_name():
    p = cmech.Process.named("period", word="0011")
    i = p.states.index("P2")
    by_index = p.sample(8, seed=5, start=i)
    by_name = p.sample(8, seed=5, start="P2")
    np.testing.assert_array_equal(by_index, by_name)
    word = "".join(p.alphabet[s] for s in by_index)
    assert word == "11001100"


def test_golden_mean_has_no_00():
    p = cmech.Process.named("golden-mean", p=0.3)
    x = p.sample(100_000, seed=9)
    zero = p.alphabet.index("0")
    assert not np.any((x[:-1] == zero) & (x[1:] == zero))


def _word_probability(proc, word):
    pi = proc.stationary_distribution()
    mats = proc.matrices()
    v = pi.copy()
    for s in word:
        v = v @ mats[proc.alphabet[s]]
    return v.sum()


@pytest.mark.parametrize(
    "name,params",
    [("golden-mean", {"p": 0.3}), ("even", {}), ("rrxor", {}), ("z1r", {}), ("nemo", {}), ("sns", {}),
     ("mess3", {})],
)
def test_frequencies_match_stationary_predictions(name, params):
    proc = cmech.Process.named(name, **params)
    n = 200_000
    x = proc.sample(n, seed=2024)
    k = len(proc.alphabet)
    # Single symbols and pairs: compare counts with n * Pr(word), allowing 5 standard deviations
    # (the chain is correlated, so use a generous factor on the binomial standard deviation).
    counts1 = np.bincount(x, minlength=k)
    counts2 = np.bincount(x[:-1] * k + x[1:], minlength=k * k)
    for word, count, m in [((a,), counts1[a], n) for a in range(k)] + [
        ((a, b), counts2[a * k + b], n - 1) for a in range(k) for b in range(k)
    ]:
        p = _word_probability(proc, word)
        sd = np.sqrt(m * p * (1 - p)) * 3 + 1
        assert abs(count - m * p) <= 5 * sd, (name, word, count, m * p)


def test_sampling_releases_the_gil():
    p = cmech.Process.named("golden-mean")
    ticks = []
    done = threading.Event()

    def ticker():
        while not done.is_set():
            ticks.append(1)
            done.wait(0.001)

    t = threading.Thread(target=ticker)
    t.start()
    try:
        x = p.sample(20_000_000, seed=1)
    finally:
        done.set()
        t.join()
    assert x.shape == (20_000_000,)
    assert len(ticks) > 10, "another thread should run while sampling"
