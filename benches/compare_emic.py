"""Side-by-side timing and accuracy of cmech against emic (PyPI), the Python epsilon-machine toolkit.

Usage (from the repository root, after ./scripts/test.sh has built the wheel into .venv):
    .venv/bin/pip install emic==0.5.4
    .venv/bin/python benches/compare_emic.py

Both tools run in the same process on the same machines. Printed: median seconds over repeats, the
ratio emic/cmech, and the excess entropy each reports against the exact value.
"""

import itertools
import signal
import statistics
import time

import numpy as np

import cmech
from emic.analysis import entropy_rate, excess_entropy, statistical_complexity
from emic.sources.synthetic.golden_mean import GoldenMeanSource
from emic.types import EpsilonMachineBuilder


def to_emic(proc):
    b = EpsilonMachineBuilder()
    mats = proc.matrices()
    for x, m in mats.items():
        for i, j in zip(*np.nonzero(m)):
            b.add_transition(proc.states[i], int(x) if x.isdigit() else x, proc.states[j], float(m[i, j]))
    return b.with_start_state(proc.states[0]).build()


def random_unifilar(n, k, seed):
    rng = np.random.default_rng(seed)
    mats = {str(x): np.zeros((n, n)) for x in range(k)}
    for i in range(n):
        w = rng.random(k) + 0.1
        w /= w.sum()
        for x in range(k):
            j = (i + 1) % n if x == 0 else int(rng.integers(n))
            mats[str(x)][i, j] += w[x]
    return cmech.Process.from_matrices(mats, name=f"random-{n}")


EMIC_LIMIT_S = 60


def median_time(fn, repeats, limit=None):
    """Median seconds of `fn` and its last result; (None, None) if one run passes `limit` seconds."""

    def give_up(*_):
        raise TimeoutError

    times, out = [], None
    for _ in range(repeats):
        if limit:
            signal.signal(signal.SIGALRM, give_up)
            signal.alarm(limit)
        t = time.perf_counter()
        try:
            out = fn()
        except TimeoutError:
            return None, None
        finally:
            signal.alarm(0)
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main():
    cases = [cmech.Process.named(n) for n in ["golden-mean", "even", "rrxor", "z1r", "nemo", "noisy-period"]]
    cases += [random_unifilar(16, 2, 1), random_unifilar(64, 3, 2)]
    print(f"{'process':<14} {'cmech s':>10} {'emic s':>10} {'ratio':>8}  {'E cmech':>12} {'E emic':>12}")
    for p in cases:
        em = to_emic(p)
        tc, m = median_time(lambda: p.measures(), 5)
        te, e_emic = median_time(
            lambda: (entropy_rate(em), statistical_complexity(em), excess_entropy(em))[2],
            3,
            EMIC_LIMIT_S,
        )
        if te is None:
            print(f"{p.name:<14} {tc:>10.5f} {'>' + str(EMIC_LIMIT_S):>10} {'-':>8}  {m.E:>12.9f} {'-':>12}")
        else:
            print(f"{p.name:<14} {tc:>10.5f} {te:>10.5f} {te / tc:>8.1f}  {m.E:>12.9f} {e_emic:>12.9f}")

    n = 10**6
    gm = cmech.Process.named("golden-mean")
    tc, _ = median_time(lambda: gm.sample(n, seed=1), 5)
    te, _ = median_time(lambda: list(itertools.islice(iter(GoldenMeanSource(p=0.5, _seed=1)), n)), 3)
    print(f"sample golden-mean 1e6: cmech {tc:.4f} s, emic {te:.4f} s, ratio {te / tc:.0f}")


if __name__ == "__main__":
    main()
