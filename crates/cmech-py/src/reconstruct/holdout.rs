//! The held-out comparison of `cmech_core::reconstruct::holdout`: a machine and smoothed Markov
//! chains on data it was not fitted on (`Reconstruction.hold_out`).

use cmech_core::reconstruct::holdout;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

use crate::counts::NativeCounts;
use crate::errors::{invalid_argument, to_py};
use crate::presentation::Presentation;

/// The window held-out data of `k` symbols are counted at, for training counts of `window`.
#[pyfunction]
pub fn holdout_window(k: usize, window: usize) -> usize {
    holdout::test_window(k, window)
}

/// The machine fitted on `train` and the smoothed Markov chains on the held-out `test`, as the
/// JSON of `cmech reconstruct --holdout`.
#[pyfunction]
pub fn hold_out(
    py: Python<'_>,
    machine: &Presentation,
    train: &NativeCounts,
    test: &NativeCounts,
) -> PyResult<String> {
    if train.shard.info.alphabet != test.shard.info.alphabet {
        return Err(invalid_argument(
            py,
            format!(
                "the held-out data's alphabet {{{}}} is not the training data's {{{}}}",
                test.shard.info.alphabet.join(", "),
                train.shard.info.alphabet.join(", ")
            ),
        ));
    }
    let h = py
        .detach(|| holdout::hold_out(&machine.hmm, &train.shard.table, &test.shard.table))
        .map_err(|e| to_py(py, e))?;
    serde_json::to_string(&h).map_err(|e| PyRuntimeError::new_err(e.to_string()))
}
