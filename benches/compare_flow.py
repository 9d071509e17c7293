"""Information flow against PyInform and JIDT, on the same data, in one session.

Needs, besides the cmech wheel: ``pip install pyinform numpy jpype1`` and JIDT's
``infodynamics.jar`` (JIDT is not on any package registry; the PyPI package ``idtxl-uv`` ships the
jar as ``idtxl/infodynamics.jar``: ``pip download --no-deps idtxl-uv==1.6.1`` and unzip it). The jar
path is given with ``--jar`` or ``JIDT_JAR``; without it JIDT is left out.

Modes (see BENCHMARKS.md for the commands and the figures):

- ``series``: TE(x -> y) of the noisy XOR copy (X a fair coin, Y_t = X_{t-1} XOR N_t, N ~
  Bernoulli(0.1), numpy ``default_rng``) for each size and k, every tool in the same process,
  interleaved over repeats (the order rotates), checked to agree to 1e-9; prints the median
  seconds of each tool and the median of the per-repeat ratios anchor / cmech. JIDT's timing
  starts from Java int arrays (the conversion from numpy is not counted), PyInform's and cmech's
  from numpy int64 arrays.
- ``field-make PATH``: writes the 10^4 x 10^4 rule 54 field (uint8 .npy, seed 1).
- ``field TOOL PATH``: one process that loads the field and computes the local TE (k = 16,
  channel j = 1: the source is the left neighbour) as a float64 array (Java double[][] for JIDT),
  printing its mean and the in-process seconds; run it under ``/usr/bin/time -v`` for the peak
  memory.
- ``surrogates TOOL N K``: one process: TE on 10^6 samples of the same series with N surrogates
  (cmech: ``significance(..., surrogates=N, seed=1)``, JIDT: ``computeSignificance(N)``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

import numpy as np

Q = 0.1
FIELD_K = 16


def coupled(n: int, seed: int = 1) -> Tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 2, n)
    noise = rng.random(n) < Q
    y = np.empty(n, dtype=np.int64)
    y[0] = rng.integers(0, 2)
    y[1:] = x[:-1] ^ noise[1:]
    return x, y


def jar_path(given: Optional[str]) -> Optional[str]:
    path = given or os.environ.get("JIDT_JAR")
    return path if path and os.path.exists(path) else None


def start_jvm(jar: str, heap: str = "8g") -> Any:
    import jpype

    if not jpype.isJVMStarted():
        jpype.startJVM(f"-Xmx{heap}", classpath=[jar])
    return jpype


def jidt_te_class(jpype: Any) -> Any:
    return jpype.JClass("infodynamics.measures.discrete.TransferEntropyCalculatorDiscrete")


def timed(f: Callable[[], Any]) -> Tuple[float, Any]:
    t0 = time.perf_counter()
    v = f()
    return time.perf_counter() - t0, v


def series(args: argparse.Namespace) -> None:
    import cmech
    import pyinform

    tools: Dict[str, Callable[[int], Callable[[], float]]] = {}
    jar = jar_path(args.jar)
    print(f"# cmech {getattr(cmech, '__version__', '?')}, threads: "
          f"{os.environ.get('RAYON_NUM_THREADS', 'all cores')}; JIDT: {jar or 'not found, left out'}")
    header = "| samples | k | cmech s | PyInform s | PyInform / cmech |"
    if jar:
        header += " JIDT s | JIDT / cmech |"
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for size in args.sizes:
        n = int(float(size))
        x, y = coupled(n)
        jx = jy = None
        if jar:
            jpype = start_jvm(jar)
            te_class = jidt_te_class(jpype)
            jx = jpype.JArray(jpype.JInt)(x.astype(np.int32))
            jy = jpype.JArray(jpype.JInt)(y.astype(np.int32))

        for k in args.ks:
            tools = {
                "cmech": lambda: float(cmech.transfer_entropy(x, y, k=k)),
                "pyinform": lambda: float(pyinform.transfer_entropy(x, y, k)),
            }
            if jar:
                def jidt(k: int = k) -> float:
                    calc = te_class(2, k)
                    calc.initialise()
                    calc.addObservations(jx, jy)
                    return float(calc.computeAverageLocalOfObservations())

                tools["jidt"] = jidt
            names = list(tools)
            times: Dict[str, List[float]] = {t: [] for t in names}
            values: Dict[str, float] = {}
            for t in names:  # warm-up, and the values to compare
                values[t] = tools[t]()
            for t in names[1:]:
                if abs(values[t] - values["cmech"]) > 1e-9:
                    sys.exit(f"n = {n}, k = {k}: {t} gives {values[t]!r}, cmech {values['cmech']!r}")
            for r in range(args.repeats):
                order = names[r % len(names):] + names[: r % len(names)]
                for t in order:
                    times[t].append(timed(tools[t])[0])
            med = {t: statistics.median(v) for t, v in times.items()}
            ratio = {
                t: statistics.median(a / c for a, c in zip(times[t], times["cmech"])) for t in names[1:]
            }
            row = f"| {size} | {k} | {med['cmech']:.4f} | {med['pyinform']:.4f} | {ratio['pyinform']:.1f} |"
            if jar:
                row += f" {med['jidt']:.4f} | {ratio['jidt']:.1f} |"
            print(row, flush=True)


def field_make(args: argparse.Namespace) -> None:
    import cmech

    f = cmech.ca.elementary(54, width=10_000, steps=10_000, seed=1)
    np.save(args.path, f)
    print(f"{args.path}: {f.shape} {f.dtype}, {f.nbytes / 2**20:.1f} MiB")


def jidt_field(args: argparse.Namespace, f: np.ndarray) -> Tuple[Any, Any]:
    """A JIDT TE calculator (k = FIELD_K) and the field as Java int[][] (converted untimed)."""
    jar = jar_path(args.jar)
    if not jar:
        sys.exit("JIDT's jar not found (--jar or JIDT_JAR)")
    jpype = start_jvm(jar)
    return jidt_te_class(jpype)(2, FIELD_K), jpype.JArray(jpype.JInt, 2)(f.astype(np.int32))


def field(args: argparse.Namespace) -> None:
    f = np.load(args.path)
    if args.average:
        field_average(args, f)
        return
    if args.tool == "cmech":
        import cmech

        sec, te = timed(lambda: cmech.ca.local_transfer_entropy(f, k=FIELD_K, j=1))
        mean = float(te.mean())
    elif args.tool == "pyinform":
        import pyinform

        # Cells are PyInform's trials (rows), pooled as Lizier does; the source of cell i is
        # cell i - 1.
        def run() -> np.ndarray:
            return pyinform.transfer_entropy(np.roll(f, 1, axis=1).T, f.T, FIELD_K, local=True)

        sec, te = timed(run)
        mean = float(te.mean())
    elif args.tool == "jidt":
        calc, states = jidt_field(args, f)

        def run() -> Any:
            calc.initialise()
            calc.addObservations(states, 1)
            return calc, calc.computeLocal(states, 1)

        sec, (calc, _) = timed(run)
        # JIDT's local array has zeros in the first k rows; its average over the rest is this.
        mean = float(calc.computeAverageLocalOfObservations())
    else:
        sys.exit(f"unknown tool {args.tool}")
    print(f"{args.tool}: local TE k = {FIELD_K} on {f.shape}: mean {mean:.12f} bits, {sec:.3f} s")


def field_average(args: argparse.Namespace, f: np.ndarray) -> None:
    """The average of the local TE only (Lizier's averages), without the local array."""
    if args.tool == "cmech":
        import cmech

        sec, mean = timed(lambda: cmech.ca.transfer_entropy(f, k=FIELD_K, j=1))
    elif args.tool == "pyinform":
        import pyinform

        sec, mean = timed(lambda: pyinform.transfer_entropy(np.roll(f, 1, axis=1).T, f.T, FIELD_K))
    else:
        calc, states = jidt_field(args, f)

        def run() -> float:
            calc.initialise()
            calc.addObservations(states, 1)
            return float(calc.computeAverageLocalOfObservations())

        sec, mean = timed(run)
    print(f"{args.tool}: average TE k = {FIELD_K} on {f.shape}: {mean:.12f} bits, {sec:.3f} s")


def surrogates(args: argparse.Namespace) -> None:
    x, y = coupled(1_000_000)
    if args.tool == "cmech":
        import cmech

        sec, t = timed(lambda: cmech.significance("te", x, y, k=args.k, surrogates=args.n, seed=1))
        print(f"cmech: TE {t.observed:.6f}, p = {t.p_value:.4g}, surrogate mean {t.mean:.3g}, {sec:.2f} s")
    elif args.tool == "jidt":
        jar = jar_path(args.jar)
        if not jar:
            sys.exit("JIDT's jar not found (--jar or JIDT_JAR)")
        jpype = start_jvm(jar)
        jx = jpype.JArray(jpype.JInt)(x.astype(np.int32))
        jy = jpype.JArray(jpype.JInt)(y.astype(np.int32))

        def run() -> Tuple[float, Any]:
            calc = jidt_te_class(jpype)(2, args.k)
            calc.initialise()
            calc.addObservations(jx, jy)
            te = float(calc.computeAverageLocalOfObservations())
            return te, calc.computeSignificance(args.n)

        sec, (te, d) = timed(run)
        print(f"jidt: TE {te:.6f}, p = {d.pValue:.4g}, {sec:.2f} s")
    else:
        sys.exit(f"unknown tool {args.tool}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--jar", help="JIDT's infodynamics.jar (default: $JIDT_JAR)")
    sub = p.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("series")
    s.add_argument("--sizes", nargs="+", default=["1e5", "1e6", "1e7"])
    s.add_argument("--ks", nargs="+", type=int, default=[1, 4, 8, 16])
    s.add_argument("--repeats", type=int, default=5)
    s.set_defaults(run=series)
    m = sub.add_parser("field-make")
    m.add_argument("path")
    m.set_defaults(run=field_make)
    f = sub.add_parser("field")
    f.add_argument("tool", choices=["cmech", "pyinform", "jidt"])
    f.add_argument("path")
    f.add_argument("--average", action="store_true", help="the average only, no local array")
    f.set_defaults(run=field)
    g = sub.add_parser("surrogates")
    g.add_argument("tool", choices=["cmech", "jidt"])
    g.add_argument("n", type=int)
    g.add_argument("k", type=int)
    g.set_defaults(run=surrogates)
    args = p.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
