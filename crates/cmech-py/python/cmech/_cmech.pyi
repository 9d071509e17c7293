"""Type stubs of the native module ``cmech._cmech`` (use the wrappers in ``cmech`` instead)."""

from typing import Any, Dict, List, Optional, Sequence, Tuple, TypedDict, Union, final

import numpy as np
import numpy.typing as npt

__version__: str

class _ParamDict(TypedDict):
    name: str
    default: str
    help: str

class _ProcessDict(TypedDict):
    name: str
    summary: str
    reference: str
    params: List[_ParamDict]

@final
class Presentation:
    @staticmethod
    def named(name: str, params: Sequence[Tuple[str, str]]) -> Presentation: ...
    @staticmethod
    def from_json(text: str) -> Presentation: ...
    @staticmethod
    def from_matrices(
        name: str,
        alphabet: Sequence[str],
        states: Sequence[str],
        matrices: Sequence[npt.NDArray[np.float64]],
    ) -> Presentation: ...
    @property
    def name(self) -> str: ...
    @property
    def alphabet(self) -> List[str]: ...
    @property
    def states(self) -> List[str]: ...
    @property
    def is_unifilar(self) -> bool: ...
    @property
    def is_strongly_connected(self) -> bool: ...
    def with_name(self, name: str) -> Presentation: ...
    def matrices(self) -> List[npt.NDArray[np.float64]]: ...
    def stationary_distribution(self) -> npt.NDArray[np.float64]: ...
    def minimize(self) -> Presentation: ...
    def is_isomorphic(self, other: Presentation, tol: float) -> bool: ...
    def to_json(self) -> str: ...
    def to_dot(self) -> str: ...
    def sample(self, n: int, seed: int, start: Optional[int] = None) -> npt.NDArray[np.int64]: ...
    def measures_json(self, block_length: int, max_depth: int) -> str: ...

def processes() -> List[_ProcessDict]: ...

@final
class NativeCounts:
    @property
    def alphabet(self) -> List[str]: ...
    @property
    def window(self) -> int: ...
    @property
    def max_history(self) -> Optional[int]: ...
    @property
    def symbols(self) -> int: ...
    @property
    def sequences(self) -> int: ...
    @property
    def warnings(self) -> List[str]: ...
    def sidecar_json(self) -> str: ...
    def words(self, length: int) -> List[Tuple[int, int]]: ...
    def merge(self, other: NativeCounts, name: str, other_name: str) -> NativeCounts: ...
    def save(self, path: str, overwrite: bool) -> None: ...
    @staticmethod
    def load(paths: Sequence[str]) -> NativeCounts: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...

def count_files(
    paths: Sequence[str],
    format: Optional[str],
    lines: bool,
    alphabet: Optional[str],
    byte_range: Optional[Tuple[int, int]],
    method: Optional[str],
    max_history: Optional[int],
    future: Optional[int],
    window: Optional[int],
    threads: Optional[int],
) -> NativeCounts: ...
def count_memory(
    parts: Sequence[Tuple[str, Any]],
    alphabet: Optional[Sequence[Union[str, int]]],
    lines: bool,
    name: str,
    source: str,
    method: Optional[str],
    max_history: Optional[int],
    future: Optional[int],
    window: Optional[int],
    threads: Optional[int],
) -> NativeCounts: ...
def are_shards(paths: Sequence[str]) -> bool: ...
def check_options(
    method: Optional[str],
    max_history: Optional[int],
    alpha: Optional[float],
    test: Optional[str],
    future: Optional[int],
) -> None: ...
def reconstruct(
    counts: NativeCounts,
    method: Optional[str],
    max_history: Optional[int],
    alpha: Optional[float],
    test: Optional[str],
    future: Optional[int],
    threads: Optional[int],
    name: str,
) -> Tuple[Presentation, str]: ...
def hold_out(machine: Presentation, train: NativeCounts, test: NativeCounts) -> str: ...
def holdout_window(k: int, window: int) -> int: ...
def input_formats() -> List[str]: ...
def ca_default_history() -> int: ...
def error_classes() -> List[str]: ...
def reconstruction_methods() -> List[Tuple[str, str]]: ...
def reconstruct_defaults() -> Tuple[int, float, str, str]: ...

def mixed_states(
    p: Presentation,
    max_depth: Optional[int],
    min_new_mass: float,
    max_nodes: int,
    resolution: float,
) -> Tuple[
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    str,
]: ...
def trajectories(
    p: Presentation,
    symbols: npt.NDArray[np.int64],
    start: Optional[npt.NDArray[np.float64]] = None,
) -> Tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]: ...
def symbol_indices(
    p: Presentation, text: Optional[str] = None, tokens: Optional[Sequence[str]] = None
) -> npt.NDArray[np.int64]: ...
def table(
    p: Presentation, length: int
) -> Tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float64]]: ...
def project_beliefs(
    beliefs: npt.NDArray[np.float64], kind: str, states: Optional[Sequence[int]] = None
) -> npt.NDArray[np.float64]: ...
def describe_projection(
    kind: str, state_names: Sequence[str], states: Optional[Sequence[int]] = None
) -> str: ...

# Information flow (cmech._flow, cmech.ca): series are int64 arrays with one trial per row.
def estimate(
    measure: str,
    series: Sequence[Sequence[Tuple[str, Any]]],
    names: Sequence[str],
    alphabet: Optional[Sequence[Union[str, int]]] = None,
    k: int = 1,
    l: int = 1,
    delay: int = 1,
    lag: int = 0,
    local: bool = False,
    bias: str = "plug-in",
) -> Tuple[float, Optional[npt.NDArray[np.float64]], int, Optional[str]]: ...
def significance(
    measure: str,
    series: Sequence[Sequence[Tuple[str, Any]]],
    names: Sequence[str],
    test: str,
    alphabet: Optional[Sequence[Union[str, int]]] = None,
    k: int = 1,
    l: int = 1,
    delay: int = 1,
    lag: int = 0,
    surrogates: int = 1000,
    seed: int = 0,
) -> Dict[str, Any]: ...
def boundary(
    data: npt.NDArray[Any],
    variables: int,
    inside: Sequence[int],
    active: Sequence[int],
    passive: Sequence[int],
    environment: Sequence[int],
    alphabet: Optional[Sequence[Union[str, int]]] = None,
    surrogates: int = 0,
    seed: int = 0,
) -> Tuple[float, float, int, Optional[Dict[str, Any]], Optional[Dict[str, Any]]]: ...
def ca_elementary(
    rule: int,
    steps: int,
    width: Optional[int] = None,
    initial: Optional[npt.NDArray[np.int64]] = None,
    seed: int = 0,
    density: float = 0.5,
) -> npt.NDArray[np.uint8]: ...
def ca_life(
    height: int,
    width: int,
    steps: int,
    seed: int = 0,
    density: float = 0.5,
    initial: Optional[npt.NDArray[np.int64]] = None,
    pattern: Optional[str] = None,
    at: Tuple[int, int] = (1, 1),
) -> npt.NDArray[np.uint8]: ...
def life_patterns() -> List[str]: ...
def ca_measure(
    field: npt.NDArray[np.uint8],
    measure: str,
    k: int,
    channel: Tuple[int, int] = (0, 1),
    alphabet: Optional[int] = None,
    local: bool = False,
) -> Tuple[float, Optional[npt.NDArray[np.float64]], int]: ...

@final
class NativeLocalBlocks:
    @property
    def average(self) -> float: ...
    @property
    def offset(self) -> int: ...
    @property
    def rows(self) -> int: ...
    @property
    def block_rows(self) -> int: ...
    def __iter__(self) -> NativeLocalBlocks: ...
    def __next__(self) -> Tuple[int, npt.NDArray[np.float64]]: ...

def ca_local_blocks(
    field: npt.NDArray[np.uint8],
    measure: str,
    k: int,
    channel: Tuple[int, int] = (0, 1),
    alphabet: Optional[int] = None,
    block_rows: int = 1,
) -> NativeLocalBlocks: ...

@final
class NativeTransducer:
    @staticmethod
    def named(name: str, params: Sequence[Tuple[str, str]]) -> NativeTransducer: ...
    @staticmethod
    def from_json(text: str) -> NativeTransducer: ...
    @property
    def name(self) -> str: ...
    @property
    def inputs(self) -> List[str]: ...
    @property
    def outputs(self) -> List[str]: ...
    @property
    def states(self) -> List[str]: ...
    @property
    def is_unifilar(self) -> bool: ...
    @property
    def is_complete(self) -> bool: ...
    def transitions(self) -> List[Tuple[str, str, str, str, float]]: ...
    def minimize(self) -> NativeTransducer: ...
    def is_isomorphic(self, other: NativeTransducer, tol: float) -> bool: ...
    def with_name(self, name: str) -> NativeTransducer: ...
    def to_json(self) -> str: ...
    def to_dot(self) -> str: ...
    def drive(
        self, input: Presentation, n: int, seed: int
    ) -> Tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]: ...
    def drive_sequence(self, inputs: npt.NDArray[np.int64], seed: int) -> npt.NDArray[np.int64]: ...
    def measures_json(self, input: Presentation, block_length: int, max_depth: int) -> str: ...

def transducers() -> List[_ProcessDict]: ...

_Stream = Tuple[
    Optional[List[str]],
    Optional[List[Tuple[str, Any]]],
    Union[None, str, List[Union[str, int]]],
    str,
    str,
]

def reconstruct_transducer(
    inputs: _Stream,
    outputs: _Stream,
    format: Optional[str],
    lines: bool,
    max_history: int,
    alpha: float,
    test: str,
    threads: Optional[int],
) -> Tuple[NativeTransducer, str, List[str]]: ...
