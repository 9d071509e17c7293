"""Recovery of seeded random epsilon-machines: `cmech reconstruct data.txt` (no options, the
default model selection) against the original CSSR program at its best history length L,
chosen knowing the truth.

Usage (from the repository root):
    cargo build --release -p cmech-cli
    cargo build --release -p cmech-core --example random_machines
    python3 benches/random_machines.py --cssr /path/to/CSSR [--seeds 1-2] [--states 2-10]
        [--symbols 2-4] [--test ks|chi2] [--timeout 120] [--jsonl out.jsonl]

The machines are those of crates/cmech-core/tests/random_machines.rs: `random::epsilon_machine(
states, symbols, 0.06, seed)` for states 2 to 10, alphabets 2 to 4, written as cmech JSON by
`examples/random_machines write DIR` with the sample size (10^6, 10^7 from 8 states on) and the
data seed the test uses. Each is sampled by `cmech sample machine.json -n N --seed S -o data.txt`,
which draws the same symbols as the test's `Hmm::sample(N, S)`.

cmech: `cmech reconstruct data.txt --json`, nothing else.

Original CSSR (Shalizi & Klinkner's C++, not part of this repository; see BENCHMARKS.md for how
it was built): `CSSR alphabet data.txt L -s [-ch]` with alpha = 0.001 on stdin (its default level;
its default test is Kolmogorov-Smirnov, --test chi2 passes -ch), run at L = 1, 2, ... up to the
longest L whose k^(L+1) words the data can fill ten times over (k^(L+1) <= N / 10). Its best L is
the first at which its machine (the states of positive probability) is isomorphic to the truth
with probabilities within 0.02; if none is, the L whose number of states of positive probability
is nearest the truth's (the shorter on a tie). The scan stops early at an isomorphic machine, at
a run over --timeout or failing (a segmentation fault, say), or after three lengths in a row with
more than 20 times the true number of states (more than 10^4 states are not read back).

"exact" is isomorphism with every probability within 0.02 (the test's criterion); dC is the
C_mu found less the truth's (for CSSR its own "Statistical Complexity").
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare_reconstruct import cssr_result, isomorphic, run_once  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CMECH = os.path.join(ROOT, "target", "release", "cmech")
EXAMPLE = os.path.join(ROOT, "target", "release", "examples", "random_machines")
TOL = 0.02


def machine_of(doc):
    """{state: {symbol: (p, next)}} of a cmech presentation document."""
    m = {s: {} for s in doc["states"]}
    for t in doc["transitions"]:
        p = t["p"]
        if isinstance(p, str):
            a, _, b = p.partition("/")
            p = float(a) / float(b or 1)
        m[t["from"]][t["symbol"]] = (p, t["to"])
    return m


def exact(found, truth):
    dp = isomorphic(found, truth)
    return dp is not None and dp <= TOL


def run_cmech(cmech, data, timeout):
    dt, out, err, peak = run_once([cmech, "reconstruct", data, "--json"], timeout, 0)
    if dt is None:
        return {"states": None, "failure": out}
    d = json.loads(out)
    diag = d["diagnostics"]
    sel = diag.get("selection") or {}
    chosen = (sel.get("candidates") or [{}])[sel.get("chosen", 0)] if sel else {}
    return {"seconds": dt, "states": diag["recurrent_states"], "c_mu": diag["c_mu"],
            "h_mu": diag["h_mu"], "machine": machine_of(d["machine"]),
            "chosen": f"{chosen.get('method') or 'iid'} L={chosen.get('max_history')}" if chosen else "-"}


def run_cssr(cssr, alphabet, data, n, k, truth, args):
    """Every L tried: (L, positive states, exact, C_mu, seconds) and the best of them."""
    longest = max(L for L in range(1, 40) if k ** (L + 1) <= n / 10 or L == 1)
    tried, big = [], 0
    for L in range(1, longest + 1):
        for ext in ("_info", "_results"):
            if os.path.exists(data + ext):
                os.remove(data + ext)
        cmd = [cssr, alphabet, data, str(L), "-s"] + (["-ch"] if args.test == "chi2" else [])
        dt, out, err, peak = run_once(cmd, args.timeout, int(args.mem_gb * 2**30), stdin=b"0.001\n",
                                      ok=(0, 1))
        if dt is None:
            tried.append({"L": L, "states": None, "failure": out})
            break
        try:
            states, c_mu, h_mu, machine, positive = cssr_result(data)
        except (OSError, KeyError, ValueError):
            tried.append({"L": L, "states": None, "failure": "no output"})
            break
        pos = {s: machine[s] for s in positive}
        ok = len(pos) <= 10_000 and exact(pos, truth)
        tried.append({"L": L, "states": len(pos), "exact": ok, "c_mu": c_mu, "h_mu": h_mu,
                      "seconds": dt})
        if ok:
            break
        big = big + 1 if len(pos) > 20 * len(truth) else 0
        if big >= 3:
            break
    runs = [t for t in tried if t["states"] is not None]
    best = next((t for t in runs if t["exact"]), None)
    if best is None and runs:
        best = min(runs, key=lambda t: (abs(t["states"] - len(truth)), t["L"]))
    return best, tried


def ranges(s):
    out = []
    for part in s.split(","):
        a, _, b = part.partition("-")
        out.extend(range(int(a), int(b or a) + 1))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cssr", help="path of the original CSSR binary (omit: cmech only)")
    ap.add_argument("--cmech", default=CMECH)
    ap.add_argument("--example", default=EXAMPLE, help="the random_machines example binary")
    ap.add_argument("--states", default="2-10")
    ap.add_argument("--symbols", default="2-4")
    ap.add_argument("--seeds", default="1")
    ap.add_argument("--test", choices=["ks", "chi2"], default="ks", help="the original CSSR's test")
    ap.add_argument("--timeout", type=float, default=120, help="seconds per run")
    ap.add_argument("--mem-gb", type=float, default=8)
    ap.add_argument("--jsonl", help="also append every row as a JSON line to this file")
    args = ap.parse_args()
    log = open(args.jsonl, "a") if args.jsonl else None
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([args.example, "write", tmp, "--states", args.states, "--symbols", args.symbols,
                        "--seeds", args.seeds], check=True)
        with open(os.path.join(tmp, "manifest.json")) as f:
            manifest = json.load(f)
        print(f"original CSSR: alpha 0.001, test {args.test}; exact = isomorphic, probabilities "
              f"within {TOL}")
        print(f"{'machine':16} {'N':>5} {'true':>4} | {'cmech':>5} {'exact':>5} {'dC':>7} {'chosen':>13} "
              f"{'s':>6} | {'CSSR L':>6} {'states':>6} {'exact':>5} {'dC':>7} {'s':>6}  states by L")
        for m in manifest:
            path = os.path.join(tmp, m["file"])
            with open(path) as f:
                doc = json.load(f)
            truth = machine_of(doc)
            data = os.path.join(tmp, "data.txt")
            if os.path.exists(data):
                os.remove(data)
            subprocess.run([args.cmech, "sample", path, "-n", str(m["n"]), "--seed", str(m["data_seed"]),
                            "-o", data], check=True)
            alphabet = os.path.join(tmp, "alphabet.txt")
            with open(alphabet, "w") as f:
                f.write("".join(doc["alphabet"]))
            label = f"{m['states']}x{m['symbols']} #{m['seed']}"
            c = run_cmech(args.cmech, data, args.timeout * 10)
            c_exact = c["states"] is not None and exact(c["machine"], truth)
            row = {"machine": label, "n": m["n"], "true_states": m["states"], "symbols": m["symbols"],
                   "seed": m["seed"], "c_mu": m["c_mu"], "h_mu": m["h_mu"], "gap": m["gap"],
                   "cmech": {k: v for k, v in c.items() if k != "machine"} | {"exact": c_exact}}
            cs = ""
            if args.cssr:
                best, tried = run_cssr(args.cssr, alphabet, data, m["n"], m["symbols"], truth, args)
                row["cssr_best"], row["cssr_tried"] = best, tried
                trail = " ".join(str(t["states"]) if t["states"] is not None else t["failure"][:12]
                                 for t in tried)
                if best:
                    cs = (f"{best['L']:>6} {best['states']:>6} {'yes' if best['exact'] else 'NO':>5} "
                          f"{best['c_mu'] - m['c_mu']:>7.3f} {sum(t.get('seconds') or 0 for t in tried):>6.1f}"
                          f"  {trail}")
                else:
                    cs = f"{'-':>6} {'-':>6} {'NO':>5} {'-':>7} {'-':>6}  {trail}"
            dc = f"{c['c_mu'] - m['c_mu']:>7.3f}" if c["states"] is not None else f"{'-':>7}"
            secs = f"{c['seconds']:>6.1f}" if c["states"] is not None else f"{'-':>6}"
            print(f"{label:16} {m['n']:>5.0e} {m['states']:>4} | {c['states'] if c['states'] is not None else '-':>5} "
                  f"{'yes' if c_exact else 'NO':>5} {dc} {c.get('chosen', c.get('failure', '-'))[:13]:>13} {secs} | {cs}",
                  flush=True)
            rows.append(row)
            if log:
                log.write(json.dumps(row) + "\n")
                log.flush()
    total = len(rows)
    ce = sum(r["cmech"]["exact"] for r in rows)
    print(f"\ncmech default: {ce} of {total} recovered exactly ({100 * ce / max(total, 1):.0f}%)")
    if args.cssr:
        oe = sum(bool(r["cssr_best"] and r["cssr_best"]["exact"]) for r in rows)
        same = sum(bool(r["cssr_best"] and r["cssr_best"]["states"] == r["true_states"]) for r in rows)
        print(f"original CSSR at its best L: {oe} of {total} recovered exactly "
              f"({100 * oe / max(total, 1):.0f}%), {same} with the right number of states")


if __name__ == "__main__":
    main()
