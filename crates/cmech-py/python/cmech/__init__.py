"""cmech: computational mechanics of stochastic processes, in Python.

The Python face of the cmech toolkit (a Rust library, the ``cmech`` command-line tool and this
package give the same numbers). Numpy arrays go in and come out; logarithms are base 2 (bits).

Quick start::

    import numpy as np
    import cmech

    gm = cmech.Process.named("golden-mean", p=0.5)
    m = gm.measures()
    m.h_mu, m.C_mu, m.E          # 0.6667, 0.9183, 0.2516 bits
    m.status["E"], m.methods["E"]  # how each value was obtained
    x = gm.sample(1_000_000, seed=1)   # int64 indices into gm.alphabet
    print(gm.to_dot())

    [p.name for p in cmech.processes()]   # the library of named processes

    mess3 = cmech.Process.named("mess3")
    msp = mess3.mixed_states(depth=10)     # beliefs, probabilities, depths, edges (numpy)
    table = mess3.belief_table(10)         # 59049 words x 10 positions x 3 states
    traj = mess3.beliefs(mess3.sample(1000, seed=1))
    cmech.plot.simplex(msp.beliefs)        # the fractal, with matplotlib

    r = cmech.reconstruct(x, max_history=4)   # epsilon-machine from data (arrays, str, Path, Counts)
    r.process.is_isomorphic(gm, tol=0.01), r.diagnostics.c_mu
    c = cmech.count(x[:500_000], 4) + cmech.count(x[500_000:], 4)  # counts add up; c.save("gm.cnt")
    e = cmech.estimate(x[:100_000], seed=1)   # H(L), h_mu, E with intervals; the machine's too
    e.blocks.h_mu, e.machine.C_mu             # Interval(value=..., lower=..., upper=...)
    e.blocks.ctw.h_mu, e.machine.block_entropies.h_mu   # by context-tree weighting; the machine's samples

    y = np.roll(x, 1) ^ (np.random.default_rng(1).random(len(x)) < 0.1)  # x a step late, noisy
    cmech.transfer_entropy(x, y, k=1)                 # TE(x -> y) in bits (local=True: per step)
    cmech.significance("te", x, y, surrogates=1000, seed=1).p_value
    f = cmech.ca.elementary(54, width=1000, steps=600, seed=1)   # uint8 (600, 1000)
    cmech.ca.local_transfer_entropy(f, k=16, j=1)     # gliders light up

    delay = cmech.Transducer.named("delay")          # input-output processes
    delay.measures(gm).C_mu                          # 0.9183 bits under a golden-mean input
    xs, ys = delay.drive(cmech.Process.named("biased-coin"), 100_000, seed=1)
    cmech.reconstruct_transducer(xs, ys, max_history=2).transducer.is_isomorphic(delay, tol=0.01)

Errors are raised as subclasses of :class:`CmechError` (data errors are also :class:`ValueError`)
with the same messages as the command-line tool.
"""

from __future__ import annotations

from . import _native  # noqa: F401  (first: it guards the native module's functions)
from . import _cmech
from ._errors import (
    CmechError,
    CmechIOError,
    CmechWarning,
    InvalidArgumentError,
    InvalidDataError,
    InvalidJsonError,
    InvalidParameterError,
    InvalidPresentationError,
    TooLargeError,
    UnknownProcessError,
    UnsupportedError,
)
from ._data import (
    Candidate,
    Counts,
    Diagnostics,
    HeldOut,
    HeldOutScore,
    Reconstruction,
    Selection,
    count,
    reconstruct,
    reconstruction_methods,
)
from ._process import Measures, NamedProcessInfo, ParamInfo, Process, processes
from ._estimate import AtLength, CtwRate, Estimates, Estimation, Interval, MachineEstimates, estimate
from ._beliefs import BeliefTable, MixedStates
from . import plot
from ._flow import (
    BoundaryScores,
    ChiSquareTest,
    SurrogateTest,
    active_information,
    block_entropy,
    boundary_scores,
    conditional_mutual_information,
    entropy,
    entropy_rate,
    mutual_information,
    significance,
    transfer_entropy,
)
from . import ca
from ._transducer import (
    Transducer,
    TransducerMeasures,
    TransducerReconstruction,
    reconstruct_transducer,
    transducers,
)

__version__: str = _cmech.__version__

__all__ = [
    "Process",
    "Measures",
    "NamedProcessInfo",
    "ParamInfo",
    "processes",
    "MixedStates",
    "BeliefTable",
    "plot",
    "reconstruct",
    "count",
    "Counts",
    "HeldOut",
    "HeldOutScore",
    "Reconstruction",
    "Diagnostics",
    "Selection",
    "Candidate",
    "reconstruction_methods",
    "estimate",
    "Estimation",
    "Estimates",
    "AtLength",
    "Interval",
    "CtwRate",
    "MachineEstimates",
    "transfer_entropy",
    "active_information",
    "mutual_information",
    "conditional_mutual_information",
    "entropy",
    "block_entropy",
    "entropy_rate",
    "significance",
    "SurrogateTest",
    "ChiSquareTest",
    "boundary_scores",
    "BoundaryScores",
    "ca",
    "Transducer",
    "TransducerMeasures",
    "TransducerReconstruction",
    "reconstruct_transducer",
    "transducers",
    "CmechError",
    "CmechIOError",
    "CmechWarning",
    "InvalidArgumentError",
    "InvalidDataError",
    "InvalidJsonError",
    "InvalidParameterError",
    "InvalidPresentationError",
    "TooLargeError",
    "UnknownProcessError",
    "UnsupportedError",
    "__version__",
]
