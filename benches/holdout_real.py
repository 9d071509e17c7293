#!/usr/bin/env python3
"""Held-out prediction on real data (issue 13): the default machine of `cmech reconstruct` fitted on
the first 80% of a series, against the best smoothed fixed-order Markov chain, both scored on the last
20% (`cmech reconstruct train --holdout test --json`). Prints one Markdown row per data set.

    python3 benches/holdout_real.py [--cmech target/release/cmech] [--text FILE ...]

Data: the yearly sunspot numbers of reference/data/sunspots.csv, symbolised above/below the median of
the training years and by the sign of each year's change; and any text files given (lowercased, every
run of non-letters one '_'), e.g. /usr/share/common-licenses/GPL-3.
"""
import argparse
import json
import re
import statistics
import subprocess
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def sunspots():
    rows = (REPO / "reference" / "data" / "sunspots.csv").read_text().splitlines()[1:]
    return [float(r.split(",")[1]) for r in rows]


def series(args):
    v = sunspots()
    cut = len(v) * 4 // 5
    med = statistics.median(v[:cut])
    yield "sunspots, above/below the median", "".join("1" if x > med else "0" for x in v)
    yield "sunspots, up/down", "".join("1" if b > a else "0" for a, b in zip(v, v[1:]))
    for t in args.text:
        letters = re.sub(r"[^a-z]+", "_", Path(t).read_text(errors="replace").lower())
        yield f"text {Path(t).name}, 27 symbols", letters


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cmech", default=str(REPO / "target" / "release" / "cmech"))
    ap.add_argument("--text", nargs="*", default=[])
    args = ap.parse_args()
    print("| data | train / test | machine (states, smoothing) | log-loss | best chain | log-loss | machine - chain (std err) |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as d:
        for name, s in series(args):
            cut = len(s) * 4 // 5
            train, test = Path(d, "train.txt"), Path(d, "test.txt")
            train.write_text(s[:cut])
            test.write_text(s[cut:])
            out = subprocess.run(
                [args.cmech, "reconstruct", str(train), "--holdout", str(test), "--json"],
                capture_output=True, text=True, check=True,
            )
            h = json.loads(out.stdout)["holdout"]
            m, b = h["machine"], h["markov"][h["best_markov"]]
            print(
                f"| {name} | {h['train_symbols']} / {h['test_symbols']} | {m['states']}, "
                f"{m['predictor'].split()[1]} | {m['log_loss']:.4f} | {b['predictor']} | {b['log_loss']:.4f} "
                f"| {h['advantage']:+.4f} ({h['advantage_standard_error']:.4f}) |"
            )


if __name__ == "__main__":
    main()
