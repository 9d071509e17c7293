"""Transducer reconstruction side by side: `cmech transducer reconstruct` against transCSSR
(Darmon, github.com/ddarmon/transCSSR, Python), on the same paired input-output files.

Usage (from the repository root, after `cargo build --release -p cmech-cli`):
    python3 benches/compare_transducer.py --tcssr-python VENV/bin/python --tcssr-run RUN.py
        [--transducers identity,bsc,...] [--inputs biased-coin,golden-mean]
        [--sizes 1e5,1e6,1e7] [--lengths 2,3,4,5,6,7,8] [--alpha 0.001] [--test chi2]
        [--timeout 300] [--repeat 3] [--tcssr-cases 'N:L,L;N:L'] [--jsonl out.jsonl]

transCSSR is not part of this repository. Install it for measurement yourself (a virtual
environment with numpy, scipy, pandas, python-igraph and matplotlib, its transCSSR.py on the
path) and give, as --tcssr-run, a small wrapper that this script calls as
    RUN.py XFILE YFILE L ALPHA --test chi2 --ax 01 --ay 01
and that (1) reads the first line of each file as a string of one-character symbols, (2) times
`import transCSSR`, `estimate_predictive_distributions(X, Y, L, counting_method=1, axs, ays)`
and `run_transCSSR(..., alpha, test_type)` (no re-filtering of the data, as its
demo_transCSSR.py), and (3) prints
    states: N
    state K (...)                       one line per state, then per edge:
      y|x : p -> NEXT                   p = P(Y_t = y | X_t = x, state), NEXT a state index,
                                        NULL (no transition) or ?label (a removed state)
    time_s: counting A  cssr B  (import C)
With no --tcssr-run only cmech runs (its answers are still checked against the truth).

Data: for each named transducer and input process, `cmech transducer drive NAME --input PROCESS
-n N --seed 1 --input-out x.txt --output-out y.txt` writes the input and output streams as
one-line character files that both tools read. The input processes are the fair coin
(`biased-coin`, p = 1/2) and the golden mean (no two consecutive 0s).

What is timed: each tool as a whole process, by wall clock from start to exit, start-up and
file reading included (for transCSSR that includes importing numpy, scipy, pandas, igraph and
matplotlib, seconds on its own; its own phase times -- import, counting, CSSR -- are reported
beside it). Runs shorter than 5 s are repeated (--repeat in all) and the median is kept.
Both tools get the same L, alpha and test (chi-square: cmech --test chi2, transCSSR
test_type='chi2').

How agreement is judged: a transducer is read as {state: {(x, y): (P(y | x, state), next)}}
(cmech from its -o JSON, docs/transducer-format.md; transCSSR from the printed edges). Two
transducers agree ("same") when they have the same number of states and a relabelling of states
carries every labelled edge (x, y) of one onto an edge of the other with the same label and the
same target, probabilities within 0.01 (the largest difference is printed). A transCSSR edge to
NULL or to a removed state makes its graph differ. Each tool's answer is also compared with the
truth: the part of the named transducer that the input exercises (the (state, input) pairs met
in the closed classes of the chain of (input state, transducer state) pairs, then minimised, as
cmech_core::reconstruct::exercised_part computes it; recomputed here from `cmech transducer
show --json` and `cmech process show --json`).

Printed per case: seconds (whole process), states, truth? (isomorphic to the exercised part),
and for transCSSR its phase times, same? (isomorphic to cmech's answer) and the time ratio
transCSSR / cmech. A tool that ran over the timeout is not run again at longer L or larger N
for the same transducer and input (marked skipped).
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

# The benches folder is on the path when this script runs; the two comparisons share one test.
from compare_reconstruct import isomorphic

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CMECH = os.path.join(ROOT, "target", "release", "cmech")
TRANSDUCERS = ["identity", "bsc", "z-channel", "all-is-fair", "delay", "xor", "feedforward-nor",
               "feedback-xor", "odd-random", "identity-not", "golden-mean-output"]
INPUTS = ["biased-coin", "golden-mean"]
TOL = 0.01


def run_once(cmd, timeout):
    """(seconds, stdout, stderr) or (None, reason, stderr)."""
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=timeout, start_new_session=True)
    except subprocess.TimeoutExpired:
        return None, f"> {timeout:g} s", ""
    dt = time.perf_counter() - t0
    out, err = p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
    if p.returncode != 0:
        last = (err.strip().splitlines() or [f"exit {p.returncode}"])[-1]
        return None, "failed: " + last[:100], err
    return dt, out, err


def timed(cmd, timeout, repeat):
    """Median wall time of up to `repeat` runs; runs of 5 s or more are not repeated."""
    times, result = [], None
    for _ in range(repeat):
        dt, out, err = run_once(cmd, timeout)
        if dt is None:
            return None, out, err
        times.append(dt)
        result = (out, err)
        if dt >= 5:
            break
    return statistics.median(times), *result


# ---- transducers as {state: {(x, y): (p, next)}} ----

def from_cmech_json(doc):
    """A cmech transducer document (docs/transducer-format.md) as conditional edges."""
    def prob(p):
        if isinstance(p, str) and "/" in p:
            a, b = p.split("/")
            return float(a) / float(b)
        return float(p)
    m = {s: {} for s in doc["states"]}
    for t in doc["transitions"]:
        p = prob(t["p"])
        if p > 0:
            m[t["from"]][(t["input"], t["output"])] = (p, t["to"])
    return m


def from_tcssr(stdout):
    """transCSSR's printed answer (see the wrapper's contract above)."""
    m, state, times = {}, None, {}
    for line in stdout.splitlines():
        if line.startswith("state "):
            state = line.split()[1]
            m[state] = {}
        elif state is not None and re.match(r"^\s+\S+\|\S+ : ", line):
            lhs, rhs = line.strip().split(" : ")
            y, x = lhs.split("|")
            p, nxt = rhs.split(" -> ")
            m[state][(x, y)] = (float(p), nxt.strip())
        elif line.startswith("time_s:"):
            g = re.search(r"counting ([\d.]+)\s+cssr ([\d.]+)\s+\(import ([\d.]+)\)", line)
            if g:
                times = dict(counting=float(g[1]), cssr=float(g[2]), imp=float(g[3]))
    return m, times


def closed_classes(adj):
    """Closed strongly connected classes of a directed graph {node: set(successors)}."""
    index, low, stack, on, comps, counter = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in adj[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on.discard(w)
                comp.add(w)
                if w == v:
                    break
            comps.append(comp)

    for v in adj:
        if v not in index:
            visit(v)
    return [c for c in comps if all(w in c for v in c for w in adj[v])]


def exercised_part(tdoc, pdoc):
    """The part of transducer `tdoc` that input process `pdoc` exercises, minimised, as
    {state: {(x, y): (p, next)}} (cmech_core::reconstruct::exercised_part)."""
    T = {}
    for t in tdoc["transitions"]:
        T.setdefault(t["from"], {}).setdefault(t["input"], []).append((t["output"], t["to"], float(t["p"])))
    P = {}
    for t in pdoc["transitions"]:
        P.setdefault(t["from"], []).append((t["symbol"], t["to"]))
    adj = {(a, s): {(a2, e[1]) for x, a2 in P.get(a, []) for e in T.get(s, {}).get(x, [])}
           for a in pdoc["states"] for s in tdoc["states"]}
    read = {}
    for cls in closed_classes(adj):
        for a, s in cls:
            for x, _ in P.get(a, []):
                read.setdefault(s, set()).add(x)
    part = {s: {(x, y): (p, to) for x in sorted(read[s]) for y, to, p in T[s].get(x, []) if p > 0}
            for s in tdoc["states"] if s in read}
    # Moore refinement on (x, y, p, block of target); states defining different inputs stay apart.
    block = {s: 0 for s in part}
    while True:
        sig = {s: tuple(sorted((k, round(p, 12), block[to]) for k, (p, to) in part[s].items()))
               for s in part}
        ids = {}
        new = {s: ids.setdefault((block[s], sig[s]), len(ids)) for s in part}
        if len(set(new.values())) == len(set(block.values())):
            break
        block = new
    out = {}
    for s in part:
        b = f"B{block[s]}"
        out.setdefault(b, {k: (p, f"B{block[to]}") for k, (p, to) in part[s].items()})
    return out


def fmt_dp(dp):
    return "no" if dp is None else f"yes({dp:.3f})" if dp <= TOL else f"no(dp {dp:.3f})"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cmech", default=CMECH)
    ap.add_argument("--tcssr-python", default="python3", help="the interpreter of transCSSR's environment")
    ap.add_argument("--tcssr-run", help="transCSSR wrapper script (contract above); none: cmech only")
    ap.add_argument("--transducers", default=",".join(TRANSDUCERS))
    ap.add_argument("--inputs", default=",".join(INPUTS))
    ap.add_argument("--sizes", default="1e5,1e6,1e7")
    ap.add_argument("--lengths", default="2,3,4,5,6,7,8")
    ap.add_argument("--tcssr-cases", default=None,
                    help="restrict transCSSR to these sizes and lengths, e.g. '1e5:2,3,4,5,6,7,8;1e6:2,4,6,8'"
                         " (default: every case)")
    ap.add_argument("--alpha", type=float, default=0.001)
    ap.add_argument("--test", choices=["chi2"], default="chi2")
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--jsonl", help="also append every row as a JSON line to this file")
    args = ap.parse_args()
    cm = args.cmech
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    lengths = [int(x) for x in args.lengths.split(",")]
    tcases = None
    if args.tcssr_cases:
        tcases = {}
        for part in args.tcssr_cases.split(";"):
            n, ls = part.split(":")
            tcases[int(float(n))] = {int(x) for x in ls.split(",")}
    log = open(args.jsonl, "a") if args.jsonl else None
    timed_out = {}  # (transducer, input) -> [(n, L)]

    def show(cmd):
        return json.loads(subprocess.run(cmd, check=True, capture_output=True).stdout)

    print(f"alpha = {args.alpha}, test = {args.test}, timeout = {args.timeout:g} s, tolerance {TOL}")
    print(f"{'transducer':18} {'input':11} {'N':>8} {'L':>2} | {'cmech s':>8} {'st':>3} {'truth':>10} |"
          f" {'tCSSR s':>8} {'(imp+cnt+cssr)':>18} {'st':>3} {'truth':>10} {'same':>10} {'ratio':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        for inp in args.inputs.split(","):
            pdoc = show([cm, "process", "show", inp, "--json"])
            for name in args.transducers.split(","):
                tdoc = show([cm, "transducer", "show", name, "--json"])
                truth = exercised_part(tdoc, pdoc)
                for n in sizes:
                    x, y = os.path.join(tmp, "x.txt"), os.path.join(tmp, "y.txt")
                    subprocess.run([cm, "transducer", "drive", name, "--input", inp, "-n", str(n),
                                    "--seed", "1", "--input-out", x, "--output-out", y, "--force"],
                                   check=True, capture_output=True)
                    for L in lengths:
                        row = dict(transducer=name, input=inp, n=n, L=L, alpha=args.alpha,
                                   test=args.test, truth_states=len(truth))
                        out_json = os.path.join(tmp, "cmech.json")
                        if os.path.exists(out_json):
                            os.remove(out_json)
                        cmd = [cm, "transducer", "reconstruct", x, y, "-L", str(L), "--alpha",
                               str(args.alpha), "--test", args.test, "--input-alphabet", "01",
                               "--output-alphabet", "01", "-o", out_json, "--force"]
                        dt, out, err = timed(cmd, args.timeout, args.repeat)
                        cmech_m = None
                        if dt is None:
                            row.update(cmech_s=None, cmech_states=out)
                        else:
                            with open(out_json) as f:
                                cmech_m = from_cmech_json(json.load(f))
                            dpt = isomorphic(cmech_m, truth)
                            row.update(cmech_s=dt, cmech_states=len(cmech_m), cmech_truth=dpt is not None
                                       and dpt <= TOL, cmech_truth_dp=dpt)
                        run_t = args.tcssr_run and (tcases is None or L in tcases.get(n, ()))
                        skipped = any(n >= n0 and L >= L0 for n0, L0 in timed_out.get((name, inp), []))
                        if run_t and skipped:
                            row.update(tcssr_s=None, tcssr_states=f"> {args.timeout:g} s (skipped)")
                        elif run_t:
                            cmd = [args.tcssr_python, args.tcssr_run, x, y, str(L), str(args.alpha),
                                   "--test", args.test, "--ax", "01", "--ay", "01"]
                            dt2, out2, err2 = timed(cmd, args.timeout, args.repeat)
                            if dt2 is None:
                                row.update(tcssr_s=None, tcssr_states=out2)
                                if out2.startswith(">"):
                                    timed_out.setdefault((name, inp), []).append((n, L))
                            else:
                                tm, phases = from_tcssr(out2)
                                dpt = isomorphic(tm, truth)
                                row.update(tcssr_s=dt2, tcssr_states=len(tm), tcssr_phases=phases,
                                           tcssr_truth=dpt is not None and dpt <= TOL, tcssr_truth_dp=dpt,
                                           tcssr_machine={k: {f"{y}|{x}": v for (x, y), v in e.items()}
                                                          for k, e in tm.items()})
                                if cmech_m is not None:
                                    dps = isomorphic(cmech_m, tm)
                                    row.update(same=dps is not None and dps <= TOL, same_dp=dps)
                        if cmech_m is not None and not row.get("cmech_truth", True):
                            row["cmech_machine"] = {k: {f"{y}|{x}": v for (x, y), v in e.items()}
                                                    for k, e in cmech_m.items()}
                        c = row["cmech_s"]
                        line = (f"{name:18} {inp:11} {n:>8} {L:>2} | "
                                + (f"{c:8.3f}" if c is not None else f"{'-':>8}")
                                + f" {row['cmech_states']!s:>3} "
                                + (f"{fmt_dp(row.get('cmech_truth_dp')):>10}" if c is not None else f"{'':>10}")
                                + " |")
                        if "tcssr_s" in row:
                            t = row["tcssr_s"]
                            if t is None:
                                line += f" {'-':>8} {'':>18} {row['tcssr_states']}"
                            else:
                                ph = row["tcssr_phases"]
                                phs = f"{ph.get('imp', 0):.1f}+{ph.get('counting', 0):.2f}+{ph.get('cssr', 0):.2f}"
                                line += (f" {t:8.2f} {phs:>18} {row['tcssr_states']:>3}"
                                         f" {fmt_dp(row['tcssr_truth_dp']):>10}"
                                         f" {fmt_dp(row.get('same_dp')):>10}"
                                         + (f" {t / c:6.0f}x" if c else ""))
                        print(line, flush=True)
                        if log:
                            log.write(json.dumps(row) + "\n")
                            log.flush()


if __name__ == "__main__":
    main()
