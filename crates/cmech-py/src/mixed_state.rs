//! The mixed-state presentation (`cmech_core::mixed_state`): the native half of
//! `Process.mixed_states`, numpy arrays out, with the interpreter lock released while exploring.

use cmech_core::mixed_state::{ExploreLimits, Identify, MixedStatePresentation, Stop};
use numpy::{PyArray1, PyArray2, PyArrayMethods};
use pyo3::prelude::*;

use crate::errors::IntoPyResult;
use crate::presentation::Presentation;

type F64s<'py> = Bound<'py, PyArray1<f64>>;
type I64s<'py> = Bound<'py, PyArray1<i64>>;

/// The arrays of an explored mixed-state presentation.
type MspArrays<'py> = (
    Bound<'py, PyArray2<f64>>,
    F64s<'py>,
    I64s<'py>,
    I64s<'py>,
    Bound<'py, PyArray2<i64>>,
    F64s<'py>,
    F64s<'py>,
    &'static str,
);

fn stop_name(s: Stop) -> &'static str {
    match s {
        Stop::Closed => "closed",
        Stop::Depth => "depth",
        Stop::Tolerance => "tolerance",
        Stop::NodeLimit => "node_limit",
    }
}

/// (beliefs, probabilities, depths, arrivals, edges [from, symbol, to], edge probabilities,
/// newly reached mass by depth, stop reason), explored from the stationary distribution.
#[pyfunction]
#[pyo3(signature = (p, max_depth, min_new_mass, max_nodes, resolution))]
pub fn mixed_states<'py>(
    py: Python<'py>,
    p: &Presentation,
    max_depth: Option<usize>,
    min_new_mass: f64,
    max_nodes: usize,
    resolution: f64,
) -> PyResult<MspArrays<'py>> {
    let hmm = &p.hmm;
    let limits = ExploreLimits {
        max_depth,
        min_new_mass,
        max_nodes,
        resolution,
    };
    let msp = py
        .detach(|| {
            let pi = hmm.stationary_distribution()?;
            MixedStatePresentation::explore(hmm, &pi, &limits, Identify::Distribution)
        })
        .py(py)?;
    let (len, n) = (msp.len(), msp.num_states());
    let mut edges = Vec::new();
    let mut edge_p = Vec::new();
    for k in 0..msp.expanded() {
        for e in msp.edges(k) {
            edges.extend([k as i64, e.symbol as i64, e.to as i64]);
            edge_p.push(e.p);
        }
    }
    let arrivals = msp
        .arrivals()
        .iter()
        .map(|&a| if a == u32::MAX { -1 } else { a as i64 })
        .collect();
    let edge_count = edge_p.len();
    Ok((
        PyArray1::from_vec(py, msp.beliefs().to_vec()).reshape([len, n])?,
        PyArray1::from_slice(py, msp.probabilities()),
        PyArray1::from_vec(py, msp.depths().iter().map(|&d| d as i64).collect()),
        PyArray1::from_vec(py, arrivals),
        PyArray1::from_vec(py, edges).reshape([edge_count, 3])?,
        PyArray1::from_vec(py, edge_p),
        PyArray1::from_slice(py, msp.new_mass()),
        stop_name(msp.stop()),
    ))
}
