#!/usr/bin/env python3
"""Mixed states and beliefs of Mess3: cmech against the Python anchors.

Anchors (none is vendored here: point the script at your own checkouts):

* epsilon-transformers (github adamimos/epsilon-transformers, Shai et al. 2024):
  ``Process.derive_mixed_state_presentation(depth)`` (its MixedStateTree),
  ``MixedStateTree.path_to_beliefs`` for the belief table, and its belief update
  ``_compute_next_distribution`` stepped over a sequence. Needs numpy, scipy,
  jaxtyping only (the package's heavier dependencies are not imported).
  Give ``--et DIR`` (the checkout's root).
* simplexity (github Astera-org/simplexity), optional: ``MixedStateTreeGenerator``
  (JAX, float32 as shipped), its ``HiddenMarkovModel.transition_states`` under
  ``jax.lax.scan`` for trajectories and under ``jax.vmap`` for the table (those two
  compositions are ours: simplexity has no function for either). Needs jax,
  equinox, chex and Python >= 3.12 (on 3.11 the four PEP 695 class headers must be
  rewritten with typing.Generic, and the package __init__ emptied). Give
  ``--sx DIR`` (the directory holding the ``simplexity`` package) and
  ``--sx-python`` (an interpreter with jax).
* plain numpy (ours): the belief table vectorised over words, and the natural
  per-symbol loop ``b = b @ T[x]; b /= b.sum()`` for trajectories.

Process: Mess3 with x = 0.05, alpha = 0.85, in the anchors' own matrices
(T[a][i][j] = (alpha if j == a else (1-alpha)/2) * (1-2x if i == j else x)).

cmech is timed as a whole process; the Python anchors in-process (interpreter start
and imports excluded, which favours them); peak memory is the whole process's
maximum resident set from /usr/bin/time -v for all. Each case runs --reps times,
cmech and anchors in turn, and the median is printed. An anchor that runs past
--timeout is killed, reported as "> T s", and not tried again at that size.

Answers are checked: MSP node counts per depth, beliefs and word probabilities
node by node (same breadth-first, lexicographic order), the belief table and its
word probabilities, and trajectories (against the anchors where they ran; for every
step of cmech's 10^8 trajectory, a vectorised one-step recomputation from cmech's
own previous belief).

Example:
  python3 benches/compare_beliefs.py --cmech target/release/cmech --et /tmp/et \\
      --sx /tmp/sxsrc --sx-python /tmp/sxvenv/bin/python --work /tmp/cb
Run it with a Python that has numpy, scipy and jaxtyping (for epsilon-transformers).
"""

import argparse
import itertools
import json
import os
import re
import resource
import signal
import statistics
import subprocess
import sys
import time

import numpy as np

X, ALPHA = 0.05, 0.85
ORDER_TOL = 1e-12


def mess3_matrices(x=X, a=ALPHA):
    b = (1 - a) / 2
    y = 1 - 2 * x
    ay, bx, by, ax = a * y, b * x, b * y, a * x
    # exactly as epsilon-transformers and simplexity write it
    return np.array(
        [
            [[ay, bx, bx], [ax, by, bx], [ax, bx, by]],
            [[by, ax, bx], [bx, ay, bx], [bx, ax, by]],
            [[by, bx, ax], [bx, by, ax], [bx, bx, ay]],
        ]
    )


def maxrss_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def read_symbols(path):
    raw = np.fromfile(path, dtype=np.uint8)
    raw = raw[(raw >= ord("A")) & (raw <= ord("C"))]
    return (raw - ord("A")).astype(np.int64)


def msp_offsets(depth):
    return [(3**d - 1) // 2 for d in range(depth + 2)]


# ---------------------------------------------------------------- workers
# Each worker prints one line "RESULT {json}" and, with --dump, writes its answer.


def worker_et_msp(a):
    sys.path.insert(0, a.et)
    from epsilon_transformers.process.processes import Mess3

    proc = Mess3(x=X, a=ALPHA)
    t0 = time.perf_counter()
    tree = proc.derive_mixed_state_presentation(depth=a.depth)
    secs = time.perf_counter() - t0
    rss = maxrss_kb()
    counts = [0] * (a.depth + 1)
    for n in tree.nodes:
        counts[len(n.path)] += 1
    res = {"seconds": secs, "maxrss_kb_build": rss, "counts": counts}
    if a.dump:
        # beliefs and word probabilities in breadth-first, lexicographic order
        off = msp_offsets(a.depth)
        total = off[a.depth + 1]
        beliefs = np.full((total, 3), np.nan)
        probs = np.full(total, np.nan)
        level = [(tree.root_node, 1.0, 0)]  # node, word probability, word index
        for d in range(a.depth + 1):
            nxt = []
            for node, p, idx in level:
                beliefs[off[d] + idx] = node.state_prob_vector
                probs[off[d] + idx] = p
                for c in node.children:
                    nxt.append((c, p * c.emission_prob, idx * 3 + c.path[-1]))
            level = nxt
        np.save(a.dump + ".beliefs.npy", beliefs)
        np.save(a.dump + ".probs.npy", probs)
    print("RESULT " + json.dumps(res), flush=True)


def _sx_hmm():
    from simplexity.generative_processes.hidden_markov_model import HiddenMarkovModel
    from simplexity.generative_processes.transition_matrices import mess3

    return HiddenMarkovModel(mess3(X, ALPHA))


def worker_sx_msp(a):
    sys.path.insert(0, a.sx)
    from simplexity.generative_processes.mixed_state_presentation import (
        MixedStateTreeGenerator,
        SearchAlgorithm,
    )

    hmm = _sx_hmm()
    gen = MixedStateTreeGenerator(hmm, max_sequence_length=a.depth)
    t0 = time.perf_counter()
    tree = gen.generate(SearchAlgorithm.BREADTH_FIRST)  # the public API: dict word -> (p, belief)
    secs = time.perf_counter() - t0
    rss = maxrss_kb()
    counts = [0] * (a.depth + 1)
    for w in tree.nodes:
        counts[len(w)] += 1
    res = {"seconds": secs, "maxrss_kb_build": rss, "counts": counts, "dtype": "float32"}
    if a.dump:
        off = msp_offsets(a.depth)
        total = off[a.depth + 1]
        beliefs = np.full((total, 3), np.nan)
        probs = np.full(total, np.nan)
        for w, (p, b) in tree.nodes.items():
            idx = 0
            for s in w:
                idx = idx * 3 + s
            beliefs[off[len(w)] + idx] = b
            probs[off[len(w)] + idx] = p
        np.save(a.dump + ".beliefs.npy", beliefs)
        np.save(a.dump + ".probs.npy", probs)
    print("RESULT " + json.dumps(res), flush=True)


def worker_et_table(a):
    sys.path.insert(0, a.et)
    from epsilon_transformers.process.processes import Mess3

    proc = Mess3(x=X, a=ALPHA)
    L = a.length
    t0 = time.perf_counter()
    tree = proc.derive_mixed_state_presentation(depth=L)
    table = np.stack(
        [tree.path_to_beliefs(list(w)) for w in itertools.product(range(3), repeat=L)]
    )
    secs = time.perf_counter() - t0
    res = {"seconds": secs, "maxrss_kb_build": maxrss_kb(), "shape": list(table.shape)}
    if a.dump:
        np.save(a.dump + ".table.npy", table)
    print("RESULT " + json.dumps(res), flush=True)


def worker_np_table(a):
    T = mess3_matrices()
    L = a.length
    t0 = time.perf_counter()
    n = 3**L
    words = np.stack(np.unravel_index(np.arange(n), (3,) * L), axis=1)
    b = np.full((n, 3), 1.0 / 3.0)
    p = np.ones(n)
    table = np.empty((n, L, 3))
    for t in range(L):
        b = np.einsum("ni,nij->nj", b, T[words[:, t]])
        s = b.sum(axis=1)
        p *= s
        b /= s[:, None]
        table[:, t] = b
    secs = time.perf_counter() - t0
    res = {"seconds": secs, "maxrss_kb_build": maxrss_kb(), "shape": list(table.shape)}
    if a.dump:
        np.save(a.dump + ".table.npy", table)
        np.save(a.dump + ".probs.npy", p)
        np.save(a.dump + ".words.npy", words)
    print("RESULT " + json.dumps(res), flush=True)


def worker_sx_table(a):
    sys.path.insert(0, a.sx)
    import jax
    import jax.numpy as jnp

    hmm = _sx_hmm()
    L = a.length
    n = 3**L

    @jax.jit
    def table_fn(words):
        def one(word):
            def step(b, x):
                b = hmm.transition_states(b, x)
                return b, b

            _, bs = jax.lax.scan(step, hmm.initial_state, word)
            return bs

        return jax.vmap(one)(words)

    words = jnp.asarray(np.stack(np.unravel_index(np.arange(n), (3,) * L), axis=1), dtype=jnp.int32)
    t0 = time.perf_counter()
    table = np.asarray(table_fn(words).block_until_ready())
    secs = time.perf_counter() - t0
    t1 = time.perf_counter()
    np.asarray(table_fn(words).block_until_ready())
    warm = time.perf_counter() - t1
    res = {"seconds": secs, "seconds_warm": warm, "maxrss_kb_build": maxrss_kb(), "dtype": str(table.dtype)}
    if a.dump:
        np.save(a.dump + ".table.npy", table.astype(np.float64))
    print("RESULT " + json.dumps(res), flush=True)


def worker_et_traj(a):
    sys.path.insert(0, a.et)
    from epsilon_transformers.process.processes import Mess3
    from epsilon_transformers.process.Process import _compute_next_distribution

    proc = Mess3(x=X, a=ALPHA)
    T = proc.transition_matrix
    xs = read_symbols(a.seq).tolist()
    t0 = time.perf_counter()
    out = np.empty((len(xs), 3))
    b = proc.steady_state_vector
    for i, x in enumerate(xs):
        b = _compute_next_distribution(T, b, x)
        out[i] = b
    secs = time.perf_counter() - t0
    res = {"seconds": secs, "maxrss_kb_build": maxrss_kb(), "n": len(xs)}
    if a.dump:
        np.save(a.dump + ".traj.npy", out)
    print("RESULT " + json.dumps(res), flush=True)


def worker_np_traj(a):
    T = mess3_matrices()
    xs = read_symbols(a.seq).tolist()
    t0 = time.perf_counter()
    out = np.empty((len(xs), 3))
    b = np.full(3, 1.0 / 3.0)
    for i, x in enumerate(xs):
        b = b @ T[x]
        b /= b.sum()
        out[i] = b
    secs = time.perf_counter() - t0
    res = {"seconds": secs, "maxrss_kb_build": maxrss_kb(), "n": len(xs)}
    if a.dump:
        np.save(a.dump + ".traj.npy", out)
    print("RESULT " + json.dumps(res), flush=True)


def worker_sx_traj(a):
    sys.path.insert(0, a.sx)
    import jax
    import jax.numpy as jnp

    hmm = _sx_hmm()
    xs = jnp.asarray(read_symbols(a.seq), dtype=jnp.int32)

    @jax.jit
    def traj(xs):
        def step(b, x):
            b = hmm.transition_states(b, x)
            return b, b

        return jax.lax.scan(step, hmm.initial_state, xs)[1]

    t0 = time.perf_counter()
    out = np.asarray(traj(xs).block_until_ready())
    secs = time.perf_counter() - t0
    res = {"seconds": secs, "maxrss_kb_build": maxrss_kb(), "n": int(xs.shape[0]), "dtype": str(out.dtype)}
    if a.dump:
        np.save(a.dump + ".traj.npy", out.astype(np.float64))
    print("RESULT " + json.dumps(res), flush=True)


WORKERS = {
    "et-msp": worker_et_msp,
    "sx-msp": worker_sx_msp,
    "et-table": worker_et_table,
    "np-table": worker_np_table,
    "sx-table": worker_sx_table,
    "et-traj": worker_et_traj,
    "np-traj": worker_np_traj,
    "sx-traj": worker_sx_traj,
}

# ---------------------------------------------------------------- driver


def run_timed(cmd, timeout, env=None):
    """Run cmd under /usr/bin/time -v; wall seconds, peak RSS (KiB), stdout; None wall on timeout."""
    tfile = "/tmp/_cb_time_%d.txt" % os.getpid()
    full = ["/usr/bin/time", "-v", "-o", tfile] + cmd
    t0 = time.perf_counter()
    p = subprocess.Popen(full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         start_new_session=True, env=env)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        return {"wall": None, "peak_kb": None, "rc": None, "stdout": "", "stderr": ""}
    wall = time.perf_counter() - t0
    peak = None
    try:
        with open(tfile) as f:
            m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", f.read())
            peak = int(m.group(1)) if m else None
        os.remove(tfile)
    except OSError:
        pass
    if p.returncode != 0:
        sys.stderr.write("command failed (%d): %s\n%s\n" % (p.returncode, " ".join(cmd), err[-3000:]))
    return {"wall": wall, "peak_kb": peak, "rc": p.returncode, "stdout": out, "stderr": err}


def fmt_ratio(r):
    return "%.1f" % r if r >= 1 else "%.2g" % r


def worker_result(r):
    for line in r["stdout"].splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    return None


class Bench:
    def __init__(self, args):
        self.a = args
        self.rows = []  # (case, side, seconds list or None, peak_kb list, note)
        os.makedirs(args.work, exist_ok=True)

    def cmech(self, *argv):
        return [self.a.cmech] + list(argv)

    def worker_cmd(self, name, dump=None, **kw):
        sx = name.startswith("sx-")
        py = self.a.sx_python if sx else sys.executable
        cmd = [py, os.path.abspath(__file__), "--worker", name, "--et", self.a.et or "", "--sx", self.a.sx or ""]
        for k, v in kw.items():
            cmd += ["--" + k, str(v)]
        if dump:
            cmd += ["--dump", dump]
        return cmd

    def measure(self, case, sides, reps):
        """sides: list of (label, kind, cmd_fn(rep) -> cmd). kind 'proc' (whole process) or 'worker'."""
        res = {label: {"secs": [], "peak": [], "timed_out": False, "extra": []} for label, _, _ in sides}
        for rep in range(reps):
            for label, kind, cmd_fn in sides:
                st = res[label]
                if st["timed_out"]:
                    continue
                cmd = cmd_fn(rep)
                if cmd is None:
                    continue
                env = None
                if label.startswith("simplexity"):
                    env = dict(os.environ, PYTHONPATH=self.a.sx)
                r = run_timed(cmd, self.a.timeout, env=env)
                if r["wall"] is None:
                    st["timed_out"] = True
                    print("  %-34s rep %d: > %d s (killed)" % (label, rep + 1, self.a.timeout), flush=True)
                    continue
                if r["rc"] != 0:
                    st["failed"] = True
                    print("  %-34s rep %d: FAILED" % (label, rep + 1), flush=True)
                    continue
                if kind == "worker":
                    wr = worker_result(r)
                    secs = wr["seconds"]
                    st["extra"].append(wr)
                else:
                    secs = r["wall"]
                    st["extra"].append(r["stdout"])
                st["secs"].append(secs)
                st["peak"].append(r["peak_kb"])
                print("  %-34s rep %d: %9.3f s  peak %8.1f MiB  (process %.3f s)"
                      % (label, rep + 1, secs, (r["peak_kb"] or 0) / 1024, r["wall"]), flush=True)
        return res

    def report(self, case, res, base_label):
        base = res.get(base_label)
        bmed = statistics.median(base["secs"]) if base and base["secs"] else None
        print("\n| %s | seconds (median of %d) | ratio to cmech | peak MiB |" % (case, self.a.reps))
        print("|---|---:|---:|---:|")
        for label, st in res.items():
            if st["secs"]:
                med = statistics.median(st["secs"])
                pk = statistics.median([p for p in st["peak"] if p is not None] or [0]) / 1024
                ratio = fmt_ratio(med / bmed) if bmed and label != base_label else ("1" if label == base_label else "-")
                s = "%.3f" % med
            elif st["timed_out"]:
                s, ratio, pk = "> %d" % self.a.timeout, "> %.0f" % (self.a.timeout / bmed) if bmed else "-", float("nan")
            else:
                s, ratio, pk = "failed", "-", float("nan")
            print("| %s | %s | %s | %s |" % (label, s, ratio, "%.0f" % pk if pk == pk else "-"))
            self.rows.append((case, label, s, ratio, pk))
        print(flush=True)

    # ------------------------------------------------------------ cases

    def case_msp(self, depth):
        w = self.a.work
        print("== MSP of Mess3, depth %d" % depth, flush=True)
        sides = [
            ("cmech (no output)", "proc", lambda rep: self.cmech("beliefs", "mess3", "--depth", str(depth))),
            ("cmech --npy --probs", "proc", lambda rep: self.cmech(
                "beliefs", "mess3", "--depth", str(depth), "--npy", "%s/cm_msp%d.npy" % (w, depth),
                "--probs", "%s/cm_msp%d_p.npy" % (w, depth), "--force")),
        ]
        last = self.a.reps - 1
        if self.a.et:
            sides.append(("epsilon-transformers", "worker", lambda rep: self.worker_cmd(
                "et-msp", dump="%s/et_msp%d" % (w, depth) if rep == 0 else None, depth=depth)))
        if self.a.sx and depth <= self.a.sx_max_depth:
            sides.append(("simplexity (JAX, float32)", "worker", lambda rep: self.worker_cmd(
                "sx-msp", dump="%s/sx_msp%d" % (w, depth) if rep == 0 else None, depth=depth)))
        res = self.measure("msp%d" % depth, sides, self.a.reps)
        self.report("MSP depth %d" % depth, res, "cmech (no output)")
        # checks
        cm_out = res["cmech (no output)"]["extra"]
        counts = None
        if cm_out:
            counts = [int(m.group(2)) for m in re.finditer(r"^\s*(\d+)\s+(\d+)\s+\S+\s*$", cm_out[0], re.M)]
        print("  cmech new nodes per depth: %s" % counts)
        expect = [3**d for d in range(depth + 1)]
        print("  3^d: %s  -> %s" % (expect, "equal" if counts == expect else "DIFFERENT"))
        cb = np.load("%s/cm_msp%d.npy" % (w, depth))
        cp = np.load("%s/cm_msp%d_p.npy" % (w, depth))
        inside = bool((cb > 0).all() and (cb < 1).all())
        print("  cmech beliefs strictly inside the simplex: %s; rows %d" % (inside, cb.shape[0]))
        for label, prefix in (("epsilon-transformers", "et"), ("simplexity (JAX, float32)", "sx")):
            st = res.get(label)
            if not st or not st["extra"]:
                continue
            print("  %s nodes per depth: %s -> %s" % (label, st["extra"][0]["counts"],
                                                       "equal" if st["extra"][0]["counts"] == counts else "DIFFERENT"))
            ab = np.load("%s/%s_msp%d.beliefs.npy" % (w, prefix, depth))
            ap = np.load("%s/%s_msp%d.probs.npy" % (w, prefix, depth))
            if ab.shape != cb.shape:
                print("  %s: shape %s vs cmech %s" % (label, ab.shape, cb.shape))
                continue
            db = np.abs(ab - cb)
            dp = np.abs(ap - cp) / cp
            i = int(np.nanargmax(db.max(axis=1)))
            print("  %s vs cmech: max |belief diff| %.3e (node %d), max rel word-prob diff %.3e"
                  % (label, np.nanmax(db), i, np.nanmax(dp)))
            self.checks.append(("MSP depth %d" % depth, label, float(np.nanmax(db)), float(np.nanmax(dp))))
            os.remove("%s/%s_msp%d.beliefs.npy" % (w, prefix, depth))
            os.remove("%s/%s_msp%d.probs.npy" % (w, prefix, depth))
        print(flush=True)

    def case_table(self, L):
        w = self.a.work
        print("== belief table, L = %d" % L, flush=True)
        sides = [
            ("cmech --table --npy --probs --words", "proc", lambda rep: self.cmech(
                "beliefs", "mess3", "--table", str(L), "--npy", "%s/cm_t%d.npy" % (w, L),
                "--probs", "%s/cm_t%d_p.npy" % (w, L), "--words", "%s/cm_t%d_w.npy" % (w, L), "--force")),
            ("numpy, vectorised over words (ours)", "worker", lambda rep: self.worker_cmd(
                "np-table", dump="%s/np_t%d" % (w, L) if rep == 0 else None, length=L)),
        ]
        if self.a.et:
            sides.append(("epsilon-transformers", "worker", lambda rep: self.worker_cmd(
                "et-table", dump="%s/et_t%d" % (w, L) if rep == 0 else None, length=L)))
        if self.a.sx:
            sides.append(("simplexity transition_states, vmap+scan", "worker", lambda rep: self.worker_cmd(
                "sx-table", dump="%s/sx_t%d" % (w, L) if rep == 0 else None, length=L)))
        res = self.measure("table%d" % L, sides, self.a.reps)
        self.report("belief table L = %d" % L, res, "cmech --table --npy --probs --words")
        sx = res.get("simplexity transition_states, vmap+scan")
        if sx and sx["extra"]:
            print("  simplexity warm (second call, compiled): median %.3f s"
                  % statistics.median([e["seconds_warm"] for e in sx["extra"]]))
        ct = np.load("%s/cm_t%d.npy" % (w, L))
        cp = np.load("%s/cm_t%d_p.npy" % (w, L))
        cw = np.load("%s/cm_t%d_w.npy" % (w, L))
        nt = np.load("%s/np_t%d.table.npy" % (w, L))
        np_p = np.load("%s/np_t%d.probs.npy" % (w, L))
        nw = np.load("%s/np_t%d.words.npy" % (w, L))
        print("  cmech table %s, words equal to lexicographic order: %s, probabilities sum to %.15f"
              % (ct.shape, bool((cw == nw).all()), cp.sum()))
        print("  numpy (ours) vs cmech: max |belief diff| %.3e, max rel prob diff %.3e"
              % (np.abs(nt - ct).max(), (np.abs(np_p - cp) / cp).max()))
        self.checks.append(("table L=%d" % L, "numpy (ours)", float(np.abs(nt - ct).max()),
                            float((np.abs(np_p - cp) / cp).max())))
        for label, prefix in (("epsilon-transformers", "et"), ("simplexity transition_states, vmap+scan", "sx")):
            f = "%s/%s_t%d.table.npy" % (w, prefix, L)
            if os.path.exists(f) and res.get(label) and res[label]["extra"]:
                at = np.load(f)
                d = np.abs(at - ct).max()
                print("  %s vs cmech: max |belief diff| %.3e" % (label, d))
                self.checks.append(("table L=%d" % L, label, float(d), None))
                os.remove(f)
        print(flush=True)

    def case_traj(self, n):
        w = self.a.work
        seq = "%s/x%d.txt" % (w, n)
        if not os.path.exists(seq):
            subprocess.run(self.cmech("sample", "mess3", "-n", str(n), "--seed", "1", "-o", seq, "--force"),
                           check=True, stdout=subprocess.DEVNULL)
        print("== belief trajectory, %d symbols" % n, flush=True)
        out = "%s/cm_traj%d.npy" % (w, n)
        sides = [("cmech --sequence --npy", "proc", lambda rep: self.cmech(
            "beliefs", "mess3", "--sequence", seq, "--npy", out, "--force"))]
        big = n > self.a.loop_max
        sides.append(("numpy loop b @ T[x] (ours)", "worker", lambda rep: self.worker_cmd(
            "np-traj", dump="%s/np_traj%d" % (w, n) if rep == 0 and not big else None, seq=seq)))
        if self.a.et and not big:
            sides.append(("epsilon-transformers update, looped", "worker", lambda rep: self.worker_cmd(
                "et-traj", dump="%s/et_traj%d" % (w, n) if rep == 0 else None, seq=seq)))
        if self.a.sx:
            sides.append(("simplexity transition_states, lax.scan", "worker", lambda rep: self.worker_cmd(
                "sx-traj", dump="%s/sx_traj%d" % (w, n) if rep == 0 and not big else None, seq=seq)))
        reps = self.a.reps
        res = self.measure("traj%d" % n, sides, reps)
        self.report("trajectory %d symbols" % n, res, "cmech --sequence --npy")
        ctr = np.load(out, mmap_mode="r")
        xs = read_symbols(seq)
        print("  cmech trajectory %s" % (ctr.shape,))
        # one-step recomputation of every belief from cmech's previous one
        T = mess3_matrices()
        worst = 0.0
        first = np.full(3, 1.0 / 3.0) @ T[xs[0]]
        first /= first.sum()
        worst = float(np.abs(first - ctr[0]).max())
        chunk = 5_000_000
        for s in range(1, n, chunk):
            e = min(n, s + chunk)
            prev = np.asarray(ctr[s - 1:e - 1])
            nxt = np.einsum("ni,nij->nj", prev, T[xs[s:e]])
            nxt /= nxt.sum(axis=1)[:, None]
            worst = max(worst, float(np.abs(nxt - ctr[s:e]).max()))
        print("  one-step recomputation of all %d cmech beliefs: max |diff| %.3e" % (n, worst))
        self.checks.append(("trajectory %d" % n, "one-step recomputation", worst, None))
        for label, prefix in (("numpy loop b @ T[x] (ours)", "np"), ("epsilon-transformers update, looped", "et"),
                              ("simplexity transition_states, lax.scan", "sx")):
            f = "%s/%s_traj%d.traj.npy" % (w, prefix, n)
            if os.path.exists(f) and res.get(label) and res[label]["extra"]:
                at = np.load(f)
                d = float(np.abs(at - ctr).max())
                print("  %s vs cmech: max |belief diff| %.3e" % (label, d))
                self.checks.append(("trajectory %d" % n, label, d, None))
                os.remove(f)
        del ctr
        print(flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cmech", default="target/release/cmech")
    ap.add_argument("--et", default=None, help="epsilon-transformers checkout root")
    ap.add_argument("--sx", default=None, help="directory holding the simplexity package")
    ap.add_argument("--sx-python", default=sys.executable)
    ap.add_argument("--sx-max-depth", type=int, default=10, help="deepest MSP tried with simplexity")
    ap.add_argument("--work", default="/tmp/compare_beliefs")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("--depths", default="8,10,12,14")
    ap.add_argument("--table", type=int, default=10)
    ap.add_argument("--traj", default="1000000,100000000")
    ap.add_argument("--loop-max", type=int, default=1_000_000,
                    help="longest sequence the epsilon-transformers loop is tried on and anchors' answers kept")
    ap.add_argument("--cases", default="msp,table,traj")
    # worker arguments
    ap.add_argument("--worker", choices=sorted(WORKERS))
    ap.add_argument("--depth", type=int)
    ap.add_argument("--length", type=int)
    ap.add_argument("--seq")
    ap.add_argument("--dump")
    a = ap.parse_args()
    if a.worker:
        WORKERS[a.worker](a)
        return
    a.cmech = os.path.abspath(a.cmech)
    b = Bench(a)
    b.checks = []
    print("cmech: %s\npython: %s (numpy %s)\n" % (a.cmech, sys.version.split()[0], np.__version__), flush=True)
    cases = a.cases.split(",")
    if "msp" in cases:
        for d in [int(s) for s in a.depths.split(",") if s]:
            b.case_msp(d)
    if "table" in cases:
        b.case_table(a.table)
    if "traj" in cases:
        for n in [int(float(s)) for s in a.traj.split(",") if s]:
            b.case_traj(n)
    print("== agreement (max abs belief difference, max relative probability difference)")
    for case, label, db, dp in b.checks:
        print("  %-22s %-42s %.3e  %s" % (case, label, db, "-" if dp is None else "%.3e" % dp))


if __name__ == "__main__":
    main()
