#!/usr/bin/env python3
"""The word bootstrap of `cmech estimate` against a vectorised numpy stationary bootstrap.

Both resample the series of overlapping word indices of the longest length by blocks of
geometric length (the same mean) and recompute the Grassberger block entropies H(1..L) of every
replicate. numpy does it the fastest way it can: word codes by one rolling pass, every replicate's
indices by cumsum over block starts, np.bincount for the counts, prefixes by integer division.

    python3 benches/compare_estimate.py data.txt --length 16 --replicates 20 --cmech target/release/cmech

Prints seconds per replicate for each and their ratio (cmech's time includes reading the file,
the point estimates and choosing the block length).
"""

import argparse
import subprocess
import time

import numpy as np
from scipy.special import digamma


def grassberger_bits(counts):
    c = counts[counts > 0].astype(np.float64)
    if c.size <= 1:
        return 0.0
    n = c.sum()
    even = (c % 2 == 0)
    g = digamma(c) + 0.5 * np.where(even, 1.0, -1.0) * (digamma((c + 1) / 2) - digamma(c / 2))
    return (np.log(n) - (c * g).sum() / n) / np.log(2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("--length", type=int, default=16)
    ap.add_argument("--replicates", type=int, default=20)
    ap.add_argument("--block", type=float, default=600.0)
    ap.add_argument("--cmech", default="target/release/cmech")
    a = ap.parse_args()

    x = np.frombuffer(open(a.data, "rb").read().strip(), dtype=np.uint8) - ord("0")
    L = a.length
    t0 = time.perf_counter()
    # Word codes of length L (binary), one rolling pass.
    n = x.size - L + 1
    codes = np.zeros(n, dtype=np.int64)
    for j in range(L):
        codes = (codes << 1) | x[j : j + n]
    rng = np.random.default_rng(0)
    p = 1.0 / a.block
    for _ in range(a.replicates):
        # Block starts: position t starts a new block with probability p (and t = 0 does).
        new = rng.random(n) < p
        new[0] = True
        starts = rng.integers(0, n, size=n)
        block_start = np.maximum.accumulate(np.where(new, np.arange(n), 0))
        idx = (starts[block_start] + (np.arange(n) - block_start)) % n
        counts = np.bincount(codes[idx], minlength=1 << L)
        for l in range(1, L + 1):
            grassberger_bits(counts.reshape(1 << l, -1).sum(axis=1))
    numpy_rep = (time.perf_counter() - t0) / a.replicates

    t0 = time.perf_counter()
    subprocess.run(
        [a.cmech, "estimate", a.data, "-L", str(L), "--replicates", str(a.replicates * 10),
         "--machine-replicates", "0", "--block", str(a.block)],
        check=True, capture_output=True)
    cmech_rep = (time.perf_counter() - t0) / (a.replicates * 10)
    print(f"{x.size} symbols, L = {L}, mean block {a.block}")
    print(f"numpy: {numpy_rep * 1e3:.1f} ms per replicate ({a.replicates} replicates)")
    print(f"cmech: {cmech_rep * 1e3:.2f} ms per replicate ({a.replicates * 10} replicates)")
    print(f"ratio: {numpy_rep / cmech_rep:.0f}x")


if __name__ == "__main__":
    main()
