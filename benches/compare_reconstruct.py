"""Reconstruction side by side: `cmech reconstruct` against emic's CSSR (PyPI) and, when given,
the original CSSR program (Shalizi & Klinkner's C++), on the same sample files.

Usage (from the repository root, after `cargo build --release -p cmech-cli`):
    python3 -m venv .venv && .venv/bin/pip install emic==0.5.4
    .venv/bin/python benches/compare_reconstruct.py [--cssr /path/to/CSSR] [--sizes 1e6,1e7]
        [--lengths 6,10,16,20] [--alpha 0.001] [--test chi2|ks] [--timeout 300] [--jsonl out.jsonl]

The original CSSR is not part of this repository: build it yourself from its own sources (it
needs <fstream>/<iostream> for <fstream.h>/<iostream.h> and `using namespace std;` to compile
with a current g++) and pass its path with --cssr. This script only runs it.

Data are written by `cmech sample NAME -n N --seed 1` into a temporary folder. Every tool runs
as a whole process on the same file (emic in a fresh interpreter that reads the file), timed by
wall clock from start to exit, start-up and file reading included; runs shorter than 5 s are
repeated (3 in all) and the median is kept. Peak memory is the maximum resident set of the
tool's process, read by GNU time (/usr/bin/time) when installed.

Parameters are the same for every tool: maximum history L, significance level alpha (0.001 is
the default of both cmech and the original CSSR) and the test. Note the defaults differ: the
original CSSR uses Kolmogorov-Smirnov unless given -ch, cmech chi-square unless given
--test ks; this script passes the chosen test to all three (emic: CSSRConfig(test=...)).

Printed per case: seconds, states found, peak MiB and the ratio to `cmech --method cssr`.
For the original CSSR the number is its "Number of Inferred States", and in brackets, where
fewer, the states it gives a positive probability (P(state) in FILE_results: the others are
transients its determinisation left); for cmech the recurrent states (transients are reported
by cmech but dropped). "same" says whether the original CSSR's machine on its states of
positive probability is isomorphic to cmech's CSSR machine (same transition graph up to
relabelling, next-symbol probabilities within 0.01); in brackets the largest probability
difference under the isomorphism, or "graphs differ".

A tool that timed out at some L is not run again at longer L for the same process and size,
nor at a larger size for the same L (it is reported as over the timeout, marked "skipped");
--no-skip runs everything.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CMECH = os.path.join(ROOT, "target", "release", "cmech")
PROCESSES = ["golden-mean", "even", "rrxor", "mess3"]

EMIC = """
import sys
from emic.inference import CSSR, CSSRConfig
path, L, alpha, test = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
with open(path) as f:
    symbols = f.read().strip()
r = CSSR(CSSRConfig(max_history=L, significance=alpha, test=test)).infer(symbols)
print(len(r.machine.states))
"""


GNU_TIME = "/usr/bin/time"


def run_once(cmd, timeout, mem_bytes, cwd=None, stdin=b"", ok=(0,)):
    """(seconds, stdout, stderr, peak MiB) or (None, reason, stderr, peak MiB).

    The peak is read by GNU time (Debian package `time`) when it is installed: a child's
    maximum resident set counted by the kernel starts at its parent's, and this script's own
    grows with the machines it parses, so the command is started from time's small process.
    """

    def limit():
        if mem_bytes:
            resource.setrlimit(resource.RLIMIT_AS, (mem_bytes, mem_bytes))

    use_time = os.access(GNU_TIME, os.X_OK)
    with tempfile.TemporaryFile() as inp, tempfile.TemporaryFile() as out, \
            tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as peakfile:
        inp.write(stdin)
        inp.seek(0)
        full = [GNU_TIME, "-f", "%M", "-o", peakfile.name, *cmd] if use_time else cmd
        t0 = time.perf_counter()
        proc = subprocess.Popen(full, stdin=inp, stdout=out, stderr=err, cwd=cwd, preexec_fn=limit,
                                start_new_session=True)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            dt = time.perf_counter() - t0
            if pid:
                break
            if dt > timeout:
                os.killpg(proc.pid, 9)
                os.wait4(proc.pid, 0)
                proc.returncode = -9
                return None, f"> {timeout:g} s", "", None
            time.sleep(0.001 if dt < 1 else 0.02)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode(errors="replace")
        stderr = err.read().decode(errors="replace")
        peak = usage.ru_maxrss / 1024
        if use_time:
            lines = peakfile.read().split()
            peak = int(lines[-1]) / 1024 if lines and lines[-1].isdigit() else None
        if proc.returncode not in ok:
            last = (stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]
            if proc.returncode < 0 or proc.returncode > 128 or "MemoryError" in stderr \
                    or "memory allocation" in stderr:
                last = f"killed/out of memory ({last[:40]})"
            return None, "failed: " + last[:80], stderr, peak
        return dt, stdout, stderr, peak


def timed(cmd, timeout, mem_bytes, repeat, cwd=None, before=None, stdin=b"", ok=(0,)):
    """Median of up to `repeat` runs; runs of 5 s or more are not repeated."""
    times, result = [], None
    for _ in range(repeat):
        if before:
            before()
        dt, out, err, peak = run_once(cmd, timeout, mem_bytes, cwd, stdin, ok)
        if dt is None:
            return None, out, err, peak
        times.append(dt)
        result = (out, err, peak)
        if dt >= 5:
            break
    return statistics.median(times), *result


def cmech_result(stdout):
    d = json.loads(stdout)
    return d["diagnostics"], d["machine"]


def cmech_machine(machine):
    """{state: {symbol: (p, next)}}"""
    m = {s: {} for s in machine["states"]}
    for t in machine["transitions"]:
        m[t["from"]][t["symbol"]] = (t["p"], t["to"])
    return m


def cssr_result(data):
    """(number of states, C_mu, h_mu, machine, states with P(state) > 0) from CSSR's FILE_info
    and FILE_results. The original counts in "Number of Inferred States" states that its
    determinisation left transient (P(state): 0 in FILE_results); cmech reports those as
    transient, so the comparison is with the states of positive probability."""
    info = {}
    with open(data + "_info") as f:
        for line in f:
            if ":" in line:
                k, v = line.split(":", 1)
                info[k.strip()] = v.strip()
    machine, state, positive = {}, None, set()
    with open(data + "_results") as f:
        for line in f:
            line = line.strip()
            if line.startswith("State number:"):
                state = line.split(":")[1].strip()
                machine[state] = {}
            elif line.startswith("distribution:"):
                probs = {}
                for part in line[len("distribution:"):].split("\t"):
                    if "=" in part:
                        k, v = part.split("=")
                        probs[k.strip()[2:-1]] = float(v)
            elif line.startswith("transitions:"):
                for part in line[len("transitions:"):].split("\t"):
                    if "=" in part:
                        k, v = part.split("=")
                        sym, nxt = k.strip()[2:-1], v.strip()
                        if nxt != "NULL" and probs.get(sym, 0) > 0:
                            machine[state][sym] = (probs[sym], nxt)
            elif line.startswith("P(state):"):
                if float(line.split(":")[1]) > 0:
                    positive.add(state)
    n = int(info["Number of Inferred States"])
    return n, float(info["Statistical Complexity"]), float(info["Entropy Rate"]), machine, positive


def isomorphic(a, b):
    """The largest probability difference under an isomorphism of the unifilar machines (or
    transducers) a and b, each {state: {label: (p, next state)}} with labels symbols (or
    input-output pairs): the same labelled graph up to relabelling the states, the best
    isomorphism when several; None when their graphs differ."""
    if len(a) != len(b) or not a:
        return None
    start, best = next(iter(a)), None
    for cand in b:
        mapping, back, queue, worst, ok = {start: cand}, {cand: start}, [start], 0.0, True
        while queue and ok:
            s = queue.pop()
            t = mapping[s]
            if set(a[s]) != set(b[t]):
                ok = False
                break
            for sym, (p, ns) in a[s].items():
                q, nt = b[t][sym]
                worst = max(worst, abs(p - q))
                if ns in mapping:
                    ok = mapping[ns] == nt
                elif nt in back or nt not in b or ns not in a:
                    ok = False
                else:
                    mapping[ns], back[nt] = nt, ns
                    queue.append(ns)
                if not ok:
                    break
        if ok and len(mapping) == len(a) and (best is None or worst < best):
            best = worst
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cssr", help="path of the original CSSR binary")
    ap.add_argument("--cmech", default=CMECH, help="the cmech binary (default: target/release/cmech)")
    ap.add_argument("--processes", default=",".join(PROCESSES))
    ap.add_argument("--sizes", default="1e6,1e7")
    ap.add_argument("--lengths", default="6,10,16,20")
    ap.add_argument("--alpha", type=float, default=0.001)
    ap.add_argument("--test", choices=["chi2", "ks"], default="chi2")
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--mem-gb", type=float, default=16, help="address-space limit of each run")
    ap.add_argument("--methods", default="cssr,forward", help="cmech methods; the first is the base")
    ap.add_argument("--no-emic", action="store_true")
    ap.add_argument("--no-skip", action="store_true")
    ap.add_argument("--jsonl", help="also append every row as a JSON line to this file")
    args = ap.parse_args()
    cmech = args.cmech
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    lengths = [int(x) for x in args.lengths.split(",")]
    mem = int(args.mem_gb * 2**30) if args.mem_gb else 0
    timed_out = {}  # (tool, process) -> [(n, L)] that ran over the timeout
    log = open(args.jsonl, "a") if args.jsonl else None

    def skip(tool, name, n, L):
        if args.no_skip:
            return False
        return any(n >= n0 and L >= L0 for n0, L0 in timed_out.get((tool, name), []))

    with tempfile.TemporaryDirectory() as tmp:
        print(f"alpha = {args.alpha}, test = {args.test}, timeout = {args.timeout:g} s")
        print("process      N         L   tool              seconds   states  peak MiB  ratio  same (dp)")
        for name in args.processes.split(","):
            for n in sizes:
                data = os.path.join(tmp, f"{name}-{n}.txt")
                subprocess.run([cmech, "sample", name, "-n", str(n), "--seed", "1", "-o", data], check=True)
                alphabet = os.path.join(tmp, f"{name}-alphabet.txt")
                with open(data) as f:
                    syms = sorted(set(f.read().strip()))
                with open(alphabet, "w") as f:
                    f.write("".join(syms))
                for L in lengths:
                    rows, base_machine = [], None
                    jobs = []
                    for method in args.methods.split(","):
                        cmd = [cmech, "reconstruct", data, "-L", str(L), "--alpha", str(args.alpha),
                               "--test", args.test, "--method", method, "--json"]
                        jobs.append((f"cmech {method}", cmd, b""))
                    if args.cssr:
                        # CSSR's -s takes no value: it asks for the significance level on stdin.
                        cmd = [args.cssr, alphabet, data, str(L), "-s"]
                        if args.test == "chi2":
                            cmd.append("-ch")
                        jobs.append(("original CSSR", cmd, f"{args.alpha!r}\n".encode()))
                    if not args.no_emic:
                        cmd = [sys.executable, "-c", EMIC, data, str(L), str(args.alpha), args.test]
                        jobs.append(("emic CSSR", cmd, b""))
                    for tool, cmd, stdin in jobs:
                        row = {"process": name, "n": n, "L": L, "tool": tool, "alpha": args.alpha,
                               "test": args.test}
                        if skip(tool, name, n, L):
                            row.update(seconds=None, states=f"> {args.timeout:g} s (skipped)", peak=None)
                            rows.append(row)
                            continue

                        def clean():
                            for ext in ("_info", "_results"):
                                if os.path.exists(data + ext):
                                    os.remove(data + ext)

                        orig = tool == "original CSSR"
                        # The original CSSR's main() returns 1 on success too: its output files tell.
                        dt, out, err, peak = timed(cmd, args.timeout, mem, args.repeat,
                                                   before=clean if orig else None, stdin=stdin,
                                                   ok=(0, 1) if orig else (0,))
                        row.update(seconds=dt, peak=peak)
                        if dt is None:
                            row["states"] = out
                            if out.startswith(">"):
                                timed_out.setdefault((tool, name), []).append((n, L))
                        elif tool.startswith("cmech"):
                            diag, machine = cmech_result(out)
                            row.update(states=diag["recurrent_states"], states_total=diag["states_total"],
                                       c_mu=diag["c_mu"], h_mu=diag["h_mu"])
                            if not rows:  # the base method
                                base_machine = cmech_machine(machine)
                        elif tool == "original CSSR":
                            try:
                                states, c_mu, h_mu, machine, positive = cssr_result(data)
                                row.update(states=states, positive_states=len(positive), c_mu=c_mu,
                                           h_mu=h_mu)
                                if base_machine is not None:
                                    dp = isomorphic(base_machine, {s: machine[s] for s in positive})
                                    row.update(same=dp is not None and dp <= 0.01, dp=dp)
                            except (OSError, KeyError, ValueError):
                                row["seconds"] = None
                                last = (err.strip().splitlines() or ["no output"])[-1]
                                row["states"] = "failed: " + last[:80]
                        else:
                            row["states"] = int(out.strip().splitlines()[-1])
                        rows.append(row)
                    base = rows[0]["seconds"]
                    for row in rows:
                        dt = row["seconds"]
                        secs = f"{dt:8.3f}" if dt is not None else "       -"
                        ratio = f"{dt / base:7.1f}x" if dt is not None and base else "       "
                        peak = f"{row['peak']:8.0f}" if row.get("peak") is not None else "       -"
                        same = ""
                        if "same" in row:
                            same = "yes" if row["same"] else "NO"
                            same += f" ({row['dp']:.4f})" if row["dp"] is not None else " (graphs differ)"
                        states = row["states"]
                        if row.get("positive_states", states) != states:
                            states = f"{states} ({row['positive_states']})"
                        print(f"{name:12} {n:<9} {L:<3} {row['tool']:16} {secs} {states!s:>8}"
                              f"  {peak}  {ratio}  {same}", flush=True)
                        if log:
                            log.write(json.dumps(row) + "\n")
                            log.flush()


if __name__ == "__main__":
    main()
