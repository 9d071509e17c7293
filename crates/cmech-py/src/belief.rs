//! Beliefs along data (`cmech_core::belief`): the native half of `Process.beliefs`,
//! `Process.belief_table` and `cmech.plot`'s projections, numpy arrays in and out, with the
//! interpreter lock released while computing.

use cmech_core::belief::{belief_table, project, BeliefTracker, Projection};
use cmech_core::CmechError;
use numpy::{PyArray1, PyArray2, PyArray3, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use rayon::prelude::*;

use cmech_io::{Input, Memory, NoProgress, Part, Symbol};

use crate::errors::{io_to_py, to_py, IntoPyResult};
use crate::presentation::Presentation;

type F64s<'py> = Bound<'py, PyArray1<f64>>;
type I64s<'py> = Bound<'py, PyArray1<i64>>;
/// Words (one per row), their probabilities, and the belief after each.
type WordTable<'py> = (
    Bound<'py, PyArray2<i64>>,
    F64s<'py>,
    Bound<'py, PyArray3<f64>>,
);

fn shaped<'py>(
    py: Python<'py>,
    values: Vec<f64>,
    rows: usize,
    cols: usize,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    PyArray1::from_vec(py, values).reshape([rows, cols])
}

/// The symbols of `text` (a str) or `tokens` (a list of str, each a symbol) as indices into
/// `p`'s alphabet, read through `cmech_io` as any text is: one character per symbol (line endings
/// are not symbols, spaces are) when every symbol's name is one character, whitespace-separated
/// tokens otherwise; a symbol outside the alphabet is an error naming its place.
#[pyfunction]
#[pyo3(signature = (p, text=None, tokens=None))]
pub fn symbol_indices<'py>(
    py: Python<'py>,
    p: &Presentation,
    text: Option<&str>,
    tokens: Option<Vec<String>>,
) -> PyResult<I64s<'py>> {
    let names = p.hmm.alphabet();
    let text = text.unwrap_or("");
    let part = match &tokens {
        Some(t) => Part::Tokens(t.iter().map(String::as_str).collect()),
        None if names.iter().all(|n| n.chars().count() == 1) => Part::Text(text),
        None => Part::Tokens(text.split_whitespace().collect()),
    };
    let memory = Memory {
        parts: vec![("sequence".to_string(), part)],
        alphabet: Some(names.iter().cloned().map(Symbol::Name).collect()),
        lines: false,
        name: "sequence".into(),
        source: "<str>".into(),
    };
    let codes = Input::from_memory(memory, &NoProgress)
        .and_then(|input| input.sequences())
        .map_err(|e| io_to_py(py, e))?;
    Ok(PyArray1::from_vec(
        py,
        codes.concat().into_iter().map(i64::from).collect(),
    ))
}

/// Beliefs after every symbol of each row of `symbols` (rows x T x states), and each row's
/// log2-probability; rows run in parallel.
#[pyfunction]
#[pyo3(signature = (p, symbols, start=None))]
pub fn trajectories<'py>(
    py: Python<'py>,
    p: &Presentation,
    symbols: PyReadonlyArray2<'py, i64>,
    start: Option<PyReadonlyArray1<'py, f64>>,
) -> PyResult<(Bound<'py, PyArray3<f64>>, F64s<'py>)> {
    let hmm = &p.hmm;
    let n = hmm.num_states();
    let view = symbols.as_array();
    let (rows, t) = (view.nrows(), view.ncols());
    let start: Option<Vec<f64>> = start.map(|s| s.as_array().to_vec());
    let k = hmm.num_symbols();
    let mut data: Vec<Vec<u32>> = Vec::with_capacity(rows);
    for (r, row) in view.outer_iter().enumerate() {
        let mut v = Vec::with_capacity(t);
        for (i, &x) in row.iter().enumerate() {
            if x < 0 || x as usize >= k {
                let place = if rows > 1 {
                    format!("row {r}, position {i}")
                } else {
                    format!("position {i}")
                };
                return Err(to_py(
                    py,
                    CmechError::InvalidArgument(format!(
                        "symbol {x} at {place} is not an index into the alphabet of {k} symbols"
                    )),
                ));
            }
            v.push(x as u32);
        }
        data.push(v);
    }
    let result: Result<(Vec<f64>, Vec<f64>), CmechError> = py.detach(|| {
        let mut out = vec![0.0; rows * t * n];
        let logs: Vec<Result<f64, CmechError>> = out
            .par_chunks_mut((t * n).max(1))
            .zip(&data)
            .enumerate()
            .map(|(r, (chunk, seq))| {
                let mut tracker = BeliefTracker::new(hmm, start.as_deref())?;
                tracker.run(seq, chunk).map_err(|e| match e {
                    CmechError::InvalidArgument(m) if rows > 1 => {
                        CmechError::InvalidArgument(format!("row {r}: {m}"))
                    }
                    other => other,
                })?;
                Ok(tracker.log2_probability())
            })
            .collect();
        let logs: Vec<f64> = logs.into_iter().collect::<Result<_, _>>()?;
        // Sequences of length zero have no chunks: nothing seen, probability one.
        let logs = if t == 0 { vec![0.0; rows] } else { logs };
        Ok((out, logs))
    });
    let (out, logs) = result.py(py)?;
    Ok((
        PyArray1::from_vec(py, out).reshape([rows, t, n])?,
        PyArray1::from_vec(py, logs),
    ))
}

/// (words, probabilities, beliefs) of every word of length `length` with positive probability.
#[pyfunction]
pub fn table<'py>(py: Python<'py>, p: &Presentation, length: usize) -> PyResult<WordTable<'py>> {
    let hmm = &p.hmm;
    let t = py.detach(|| belief_table(hmm, length, None)).py(py)?;
    let m = t.words();
    let words: Vec<i64> = t.words.iter().map(|&x| x as i64).collect();
    Ok((
        PyArray1::from_vec(py, words).reshape([m, length])?,
        PyArray1::from_vec(py, t.probabilities),
        PyArray1::from_vec(py, t.beliefs).reshape([m, length, t.states])?,
    ))
}

/// Points in the plane for beliefs (rows x states): `kind` is "simplex" (with `states`, three
/// indices), "pca" or "segment".
#[pyfunction]
#[pyo3(signature = (beliefs, kind, states=None))]
pub fn project_beliefs<'py>(
    py: Python<'py>,
    beliefs: PyReadonlyArray2<'py, f64>,
    kind: &str,
    states: Option<[usize; 3]>,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let view = beliefs.as_array();
    let (rows, n) = (view.nrows(), view.ncols());
    let flat: Vec<f64> = view.iter().copied().collect();
    let projection = match (kind, states) {
        ("simplex", Some(s)) => Projection::Simplex(s),
        ("simplex", None) => Projection::Simplex([0, 1, 2]),
        ("pca", _) => Projection::Pca,
        ("segment", _) => Projection::Segment,
        _ => {
            return Err(to_py(
                py,
                CmechError::InvalidArgument(format!(
                    "projection '{kind}' is not simplex, pca or segment"
                )),
            ))
        }
    };
    let points = py.detach(|| project(&flat, n, &projection)).py(py)?;
    let flat: Vec<f64> = points.into_iter().flatten().collect();
    shaped(py, flat, rows, 2)
}

/// The caption of a projection, naming the states it uses.
#[pyfunction]
#[pyo3(signature = (kind, state_names, states=None))]
pub fn describe_projection(
    kind: &str,
    state_names: Vec<String>,
    states: Option<[usize; 3]>,
) -> String {
    match kind {
        "simplex" => Projection::Simplex(states.unwrap_or([0, 1, 2])),
        "pca" => Projection::Pca,
        _ => Projection::Segment,
    }
    .describe(&state_names)
}
