#!/usr/bin/env python3
"""Coverage of cmech's H(8) and h(8) intervals beside ndd's NSB interval, on the same samples.

For each process and sample size, seeded samples are drawn with cmech (the same samples the
Rust coverage study draws: seeds 1000, 1001, ...); cmech's interval is ``cmech.estimate`` (word
bootstrap, Grassberger), ndd's is its NSB estimate +- 1.96 posterior standard deviations of the
counts of overlapping 8-words (and 7-words: h(8) = H(8) - H(7), its standard deviation
sqrt(s8^2 + s7^2), as a user would combine them). The truth is cmech's exact H(8) and H(7).

ndd (1.10) builds only with a Fortran compiler, numpy < 2 and ``pip install
--no-build-isolation ndd`` with setuptools < 65; the cmech wheel goes into the same environment.

    python benches/coverage_nsb.py --samples 200

Prints one row per process and size: coverage and mean width of each interval.
"""

import argparse
import math
import warnings

import numpy as np

import cmech
import ndd

PROCESSES = ["golden-mean", "even", "rrxor", "mess3"]


def word_counts(x, k, length):
    """Counts of the overlapping words of `length` symbols of `x` over `k` letters."""
    codes = np.zeros(x.size - length + 1, dtype=np.int64)
    for j in range(length):
        codes = codes * k + x[j : j + codes.size]
    _, counts = np.unique(codes, return_counts=True)
    return counts


def nsb_bits(counts, possible):
    h, s = ndd.entropy(counts, k=possible, return_std=True)
    return h / math.log(2), s / math.log(2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--replicates", type=int, default=200)
    a = ap.parse_args()
    # The thin-data and long-memory warnings are the point of some rows; the table says it.
    warnings.simplefilter("ignore", cmech.CmechWarning)
    z = 1.959963984540054
    print("| process | n | H(8): cmech (width) | H(8): ndd NSB (width) | h(8): cmech (width) | h(8): ndd NSB (width) |")
    print("|---|---|---|---|---|---|")
    for name in PROCESSES:
        p = cmech.Process.named(name)
        k = len(p.alphabet)
        exact = p.measures(block_length=8).block_entropies
        h8, r8 = exact[8], exact[8] - exact[7]
        for n in [int(s) for s in a.sizes.split(",")]:
            hits = np.zeros(4)
            widths = np.zeros(4)
            used = 0
            for s in range(a.samples):
                x = np.asarray(p.sample(n, seed=1000 + s), dtype=np.int64)
                e = cmech.estimate(x, max_length=8, replicates=a.replicates, machine_replicates=0, seed=s)
                if len(e.blocks.lengths) < 8:
                    continue
                used += 1
                at = e.blocks.lengths[7]
                b8, s8 = nsb_bits(word_counts(x, k, 8), k**8)
                b7, s7 = nsb_bits(word_counts(x, k, 7), k**7)
                sr = math.hypot(s8, s7)
                intervals = [
                    (at.block_entropy.lower, at.block_entropy.upper, h8),
                    (b8 - z * s8, b8 + z * s8, h8),
                    (at.entropy_rate.lower, at.entropy_rate.upper, r8),
                    (b8 - b7 - z * sr, b8 - b7 + z * sr, r8),
                ]
                for i, (lo, hi, truth) in enumerate(intervals):
                    hits[i] += lo <= truth <= hi
                    widths[i] += hi - lo
            if used == 0:
                print(f"| {name} | {n} | too few data for 8-words | | | |")
                continue
            cells = [f"{hits[i] / used:.2f} ({widths[i] / used:.3f})" for i in range(4)]
            print(f"| {name} | {n} ({used} samples) | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
