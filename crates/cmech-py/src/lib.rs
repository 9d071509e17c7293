//! The native half of the Python package `cmech`: a thin layer over `cmech_core` and `cmech_io`.
//!
//! Everything a user touches is in the pure-Python package (`python/cmech`), which checks
//! arguments and documents the functions; the native classes here are the core's objects and
//! results. Each module wraps the core module of the same name (`presentation`, `named`,
//! `measures`, `mixed_state`, `belief`, `counts`, `reconstruct`, `estimate`, `transducer`,
//! `infoflow`, `ca`); `io` holds what `cmech_io` reads from Python, `threads` the worker pools
//! and `document` what the result classes share (their documents, pickles and reprs). Errors of the core are raised
//! as the classes of `cmech._errors`, chosen by variant, with the core's own message (the text
//! the CLI prints). This file only registers the module.

mod belief;
mod ca;
mod counts;
mod document;
mod errors;
mod estimate;
mod infoflow;
mod interrupt;
mod io;
mod measures;
mod mixed_state;
mod named;
mod presentation;
mod reconstruct;
mod threads;
mod transducer;

use pyo3::prelude::*;

#[pymodule]
fn _cmech(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<presentation::Presentation>()?;
    m.add_function(wrap_pyfunction!(named::processes, m)?)?;
    m.add_function(wrap_pyfunction!(measures::measures, m)?)?;
    m.add_class::<measures::Measures>()?;
    m.add_function(wrap_pyfunction!(errors::error_classes, m)?)?;
    m.add_function(wrap_pyfunction!(errors::panic_for_tests, m)?)?;
    m.add_function(wrap_pyfunction!(io::input_formats, m)?)?;

    m.add_class::<counts::NativeCounts>()?;
    m.add_function(wrap_pyfunction!(counts::count_files, m)?)?;
    m.add_function(wrap_pyfunction!(counts::count_memory, m)?)?;
    m.add_function(wrap_pyfunction!(counts::paths_are_shards, m)?)?;

    m.add_function(wrap_pyfunction!(reconstruct::check_options, m)?)?;
    m.add_function(wrap_pyfunction!(reconstruct::reconstruct, m)?)?;
    m.add_function(wrap_pyfunction!(reconstruct::reconstruction_methods, m)?)?;
    m.add_function(wrap_pyfunction!(reconstruct::reconstruct_defaults, m)?)?;
    m.add_class::<reconstruct::diagnostics::Diagnostics>()?;
    m.add_class::<reconstruct::diagnostics::Selection>()?;
    m.add_class::<reconstruct::diagnostics::Candidate>()?;
    m.add_function(wrap_pyfunction!(reconstruct::holdout::hold_out, m)?)?;
    m.add_function(wrap_pyfunction!(reconstruct::holdout::holdout_window, m)?)?;
    m.add_class::<reconstruct::holdout::HeldOut>()?;
    m.add_class::<reconstruct::holdout::HeldOutScore>()?;
    m.add_function(wrap_pyfunction!(
        reconstruct::transducer::reconstruct_transducer,
        m
    )?)?;

    m.add_function(wrap_pyfunction!(estimate::estimate_data, m)?)?;
    m.add_function(wrap_pyfunction!(estimate::estimate_counts, m)?)?;
    m.add_function(wrap_pyfunction!(estimate::estimate_defaults, m)?)?;
    m.add_class::<estimate::Estimates>()?;
    m.add_class::<estimate::AtLength>()?;
    m.add_class::<estimate::Interval>()?;
    m.add_class::<estimate::ctw::CtwRate>()?;
    m.add_class::<estimate::machine::MachineEstimates>()?;

    m.add_function(wrap_pyfunction!(mixed_state::mixed_states, m)?)?;
    m.add_function(wrap_pyfunction!(belief::trajectories, m)?)?;
    m.add_function(wrap_pyfunction!(belief::symbol_indices, m)?)?;
    m.add_function(wrap_pyfunction!(belief::table, m)?)?;
    m.add_function(wrap_pyfunction!(belief::project_beliefs, m)?)?;
    m.add_function(wrap_pyfunction!(belief::describe_projection, m)?)?;

    m.add_function(wrap_pyfunction!(infoflow::check_bias, m)?)?;
    m.add_function(wrap_pyfunction!(infoflow::estimate, m)?)?;
    m.add_function(wrap_pyfunction!(infoflow::test, m)?)?;
    m.add_class::<infoflow::significance::SurrogateTest>()?;
    m.add_class::<infoflow::significance::ChiSquareTest>()?;
    m.add_function(wrap_pyfunction!(infoflow::boundary::boundary, m)?)?;
    m.add_class::<infoflow::boundary::BoundaryScores>()?;

    m.add_function(wrap_pyfunction!(ca::ca_elementary, m)?)?;
    m.add_function(wrap_pyfunction!(ca::ca_default_history, m)?)?;
    m.add_function(wrap_pyfunction!(ca::ca_life, m)?)?;
    m.add_function(wrap_pyfunction!(ca::life_patterns, m)?)?;
    m.add_function(wrap_pyfunction!(ca::ca_measure, m)?)?;
    m.add_function(wrap_pyfunction!(ca::ca_local_blocks, m)?)?;
    m.add_class::<ca::NativeLocalBlocks>()?;

    m.add_class::<transducer::NativeTransducer>()?;
    m.add_class::<transducer::TransducerMeasures>()?;
    m.add_function(wrap_pyfunction!(transducer::transducers, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
