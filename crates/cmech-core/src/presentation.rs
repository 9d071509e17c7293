//! Edge-emitting hidden Markov models: the presentations every other module works on.
//!
//! A presentation is given by labelled transition matrices `T^(x)[i][j] = Pr(emit x, go to j | in i)`,
//! stored sparsely as the outgoing edges of each state. The JSON document format is described in
//! `docs/presentation-format.md`.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::error::{invalid, CmechError, Result};
use crate::graph;

/// Rows of a presentation must sum to one within this tolerance; they are then renormalised exactly.
pub const ROW_TOLERANCE: f64 = 1e-9;

/// One labelled transition: from its state, emit `symbol` and go to `to` with probability `p`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edge {
    /// Index of the emitted symbol in the alphabet.
    pub symbol: usize,
    /// Index of the state gone to.
    pub to: usize,
    /// Pr(emit `symbol`, go to `to` | in the edge's state), in (0, 1].
    pub p: f64,
}

/// An edge-emitting hidden Markov model over named symbols with named states.
#[derive(Debug, Clone, PartialEq)]
pub struct Hmm {
    name: String,
    alphabet: Vec<String>,
    states: Vec<String>,
    /// Outgoing edges of each state, sorted by (symbol, to), all with p > 0.
    edges: Vec<Vec<Edge>>,
}

impl Hmm {
    /// Builds and validates a presentation from (from, symbol, to, p) index quadruples.
    ///
    /// Zero-probability edges are dropped; everything else must be a finite probability in [0, 1],
    /// each (from, symbol, to) at most once, and every row must sum to 1 within [`ROW_TOLERANCE`].
    pub fn new(
        name: impl Into<String>,
        alphabet: Vec<String>,
        states: Vec<String>,
        transitions: impl IntoIterator<Item = (usize, usize, usize, f64)>,
    ) -> Result<Self> {
        check_names("alphabet", "symbol", &alphabet)?;
        check_names("states", "state", &states)?;
        let mut edges: Vec<Vec<Edge>> = vec![Vec::new(); states.len()];
        for (from, symbol, to, p) in transitions {
            if from >= states.len() || to >= states.len() {
                return Err(invalid(format!(
                    "transition refers to state index {} but there are {} states",
                    from.max(to),
                    states.len()
                )));
            }
            if symbol >= alphabet.len() {
                return Err(invalid(format!(
                    "transition refers to symbol index {symbol} but the alphabet has {} symbols",
                    alphabet.len()
                )));
            }
            let what = || format!("{} -{}-> {}", states[from], alphabet[symbol], states[to]);
            if p.is_nan() {
                return Err(invalid(format!("probability of {} is NaN", what())));
            }
            if !(0.0..=1.0 + ROW_TOLERANCE).contains(&p) {
                return Err(invalid(format!(
                    "probability of {} is {p}, outside [0, 1]",
                    what()
                )));
            }
            if p == 0.0 {
                continue;
            }
            if edges[from].iter().any(|e| e.symbol == symbol && e.to == to) {
                return Err(invalid(format!("transition {} is given twice", what())));
            }
            edges[from].push(Edge { symbol, to, p });
        }
        for (i, row) in edges.iter_mut().enumerate() {
            let sum: f64 = row.iter().map(|e| e.p).sum();
            if row.is_empty() {
                return Err(invalid(format!(
                    "state {} has no outgoing transitions",
                    states[i]
                )));
            }
            if (sum - 1.0).abs() > ROW_TOLERANCE {
                return Err(invalid(format!(
                    "transitions out of state {} sum to {sum} (must be 1 within {ROW_TOLERANCE:e})",
                    states[i]
                )));
            }
            for e in row.iter_mut() {
                e.p /= sum;
            }
            row.sort_by_key(|e| (e.symbol, e.to));
        }
        Ok(Hmm {
            name: name.into(),
            alphabet,
            states,
            edges,
        })
    }

    /// Builds a presentation from dense labelled matrices, one `n x n` matrix per symbol.
    pub fn from_matrices(
        name: impl Into<String>,
        alphabet: Vec<String>,
        states: Vec<String>,
        matrices: &[Vec<Vec<f64>>],
    ) -> Result<Self> {
        if matrices.len() != alphabet.len() {
            return Err(invalid(format!(
                "{} matrices given for an alphabet of {} symbols",
                matrices.len(),
                alphabet.len()
            )));
        }
        let n = states.len();
        let mut quads = Vec::new();
        for (x, m) in matrices.iter().enumerate() {
            if m.len() != n || m.iter().any(|row| row.len() != n) {
                return Err(invalid(format!(
                    "matrix of symbol {} is not {n} x {n}",
                    alphabet[x]
                )));
            }
            for (i, row) in m.iter().enumerate() {
                for (j, &p) in row.iter().enumerate() {
                    quads.push((i, x, j, p));
                }
            }
        }
        Hmm::new(name, alphabet, states, quads)
    }

    /// The presentation's name ("unnamed" when its document gave none).
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The same presentation under another name.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }
    /// Symbol names, in index order.
    pub fn alphabet(&self) -> &[String] {
        &self.alphabet
    }
    /// State names, in index order.
    pub fn states(&self) -> &[String] {
        &self.states
    }
    /// The number of states.
    pub fn num_states(&self) -> usize {
        self.states.len()
    }
    /// The number of symbols in the alphabet.
    pub fn num_symbols(&self) -> usize {
        self.alphabet.len()
    }
    /// Outgoing edges of state `i`, sorted by (symbol, to).
    pub fn edges(&self, i: usize) -> &[Edge] {
        &self.edges[i]
    }
    /// The index of the symbol of this name.
    pub fn symbol_index(&self, name: &str) -> Option<usize> {
        self.alphabet.iter().position(|s| s == name)
    }
    /// The index of the state of this name.
    pub fn state_index(&self, name: &str) -> Option<usize> {
        self.states.iter().position(|s| s == name)
    }

    /// The labelled matrices as dense `n x n` arrays, one per symbol.
    pub fn matrices(&self) -> Vec<Vec<Vec<f64>>> {
        let n = self.num_states();
        let mut m = vec![vec![vec![0.0; n]; n]; self.num_symbols()];
        for (i, row) in self.edges.iter().enumerate() {
            for e in row {
                m[e.symbol][i][e.to] += e.p;
            }
        }
        m
    }

    /// Probability of emitting `symbol` from state `i`.
    pub fn emission(&self, i: usize, symbol: usize) -> f64 {
        self.edges[i]
            .iter()
            .filter(|e| e.symbol == symbol)
            .map(|e| e.p)
            .sum()
    }

    /// Unifilar: each state and symbol determine the next state.
    pub fn is_unifilar(&self) -> bool {
        self.edges
            .iter()
            .all(|row| row.windows(2).all(|w| w[0].symbol != w[1].symbol))
    }

    /// The successor of `i` on `symbol` in a unifilar presentation (None if the symbol cannot occur).
    pub fn successor(&self, i: usize, symbol: usize) -> Option<usize> {
        self.edges[i]
            .iter()
            .find(|e| e.symbol == symbol)
            .map(|e| e.to)
    }

    /// The state-to-state transition graph, ignoring symbols.
    pub(crate) fn adjacency(&self) -> Vec<Vec<usize>> {
        self.edges
            .iter()
            .map(|row| {
                let mut v: Vec<usize> = row.iter().map(|e| e.to).collect();
                v.dedup();
                v
            })
            .collect()
    }

    /// Every state reaches every other.
    pub fn is_strongly_connected(&self) -> bool {
        graph::strongly_connected_components(&self.adjacency()).len() == 1
    }

    /// The closed strongly connected components (recurrent classes), each as sorted state indices.
    pub fn recurrent_classes(&self) -> Vec<Vec<usize>> {
        graph::closed_components(&self.adjacency())
    }

    /// The sub-presentation on `keep` (which must be closed under transitions), states renumbered in order.
    pub(crate) fn restrict(&self, keep: &[usize]) -> Hmm {
        let mut index = vec![usize::MAX; self.num_states()];
        for (k, &i) in keep.iter().enumerate() {
            index[i] = k;
        }
        let edges = keep
            .iter()
            .map(|&i| {
                self.edges[i]
                    .iter()
                    .map(|e| Edge {
                        to: index[e.to],
                        ..*e
                    })
                    .collect()
            })
            .collect();
        Hmm {
            name: self.name.clone(),
            alphabet: self.alphabet.clone(),
            states: keep.iter().map(|&i| self.states[i].clone()).collect(),
            edges,
        }
    }

    /// Builds without validation: for presentations constructed by the library itself from valid ones.
    pub(crate) fn from_parts(
        name: String,
        alphabet: Vec<String>,
        states: Vec<String>,
        mut edges: Vec<Vec<Edge>>,
    ) -> Hmm {
        for row in edges.iter_mut() {
            row.retain(|e| e.p > 0.0);
            row.sort_by_key(|e| (e.symbol, e.to));
        }
        Hmm {
            name,
            alphabet,
            states,
            edges,
        }
    }

    /// Same process structure up to a renaming of states: same alphabet (by name) and a bijection of
    /// states carrying every edge to an edge with the same symbol and probability within `tol`.
    pub fn is_isomorphic(&self, other: &Hmm, tol: f64) -> bool {
        if self.num_states() != other.num_states() {
            return false;
        }
        let mut a = self.alphabet.clone();
        let mut b = other.alphabet.clone();
        a.sort();
        b.sort();
        if a != b {
            return false;
        }
        // Symbol index in `self` -> symbol index in `other`.
        let sym: Vec<usize> = self
            .alphabet
            .iter()
            .map(|s| other.symbol_index(s).expect("same alphabet"))
            .collect();
        // A state's signature: its (symbol, probability) pairs in a canonical order. Compared with
        // the tolerance, never rounded, so nearly equal probabilities cannot fall apart at a
        // rounding boundary.
        let signature = |h: &Hmm, i: usize, map: &dyn Fn(usize) -> usize| {
            let mut v: Vec<(usize, f64)> =
                h.edges[i].iter().map(|e| (map(e.symbol), e.p)).collect();
            v.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
            v
        };
        let sig_a: Vec<_> = (0..self.num_states())
            .map(|i| signature(self, i, &|x| sym[x]))
            .collect();
        let sig_b: Vec<_> = (0..other.num_states())
            .map(|i| signature(other, i, &|x| x))
            .collect();
        if self.is_unifilar() && other.is_unifilar() {
            if let Some(same) = unifilar_isomorphism(self, other, &sym, &sig_a, &sig_b, tol) {
                return same;
            }
        }
        let mut map = vec![usize::MAX; self.num_states()];
        let mut used = vec![false; other.num_states()];
        isomorphism_search(
            self, other, &sym, &sig_a, &sig_b, tol, 0, &mut map, &mut used,
        )
    }

    /// Graphviz DOT text with edges labelled `x|p`.
    pub fn to_dot(&self) -> String {
        let edges = self.edges.iter().enumerate().flat_map(|(i, row)| {
            row.iter().map(move |e| {
                let label = format!("{}|{}", self.alphabet[e.symbol], format_prob(e.p));
                (i, e.to, label)
            })
        });
        dot_graph(&self.name, &self.states, edges)
    }

    /// The presentation as a JSON document (see `docs/presentation-format.md`).
    pub fn to_document(&self) -> PresentationDoc {
        PresentationDoc {
            name: Some(self.name.clone()),
            alphabet: self.alphabet.clone(),
            states: self.states.clone(),
            transitions: Some(
                self.edges
                    .iter()
                    .enumerate()
                    .flat_map(|(i, row)| {
                        row.iter().map(move |e| TransitionDoc {
                            from: self.states[i].clone(),
                            symbol: self.alphabet[e.symbol].clone(),
                            to: self.states[e.to].clone(),
                            p: ProbDoc::Number(e.p),
                        })
                    })
                    .collect(),
            ),
            matrices: None,
        }
    }

    /// The presentation as pretty-printed JSON (see `docs/presentation-format.md`), which
    /// [`Hmm::from_json`] reads back.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.to_document()).expect("presentations serialise")
    }

    /// Parses and validates a presentation from JSON text.
    pub fn from_json(text: &str) -> Result<Hmm> {
        let doc: PresentationDoc =
            serde_json::from_str(without_bom(text)).map_err(|e| CmechError::Json(e.to_string()))?;
        doc.into_hmm()
    }
}

/// JSON text without the UTF-8 byte order mark some editors write first, which JSON parsers may
/// ignore (RFC 8259, 8.1) and serde_json does not: it reported "expected value at line 1 column 1".
pub(crate) fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// Whether two states' signatures (symbol, probability) agree within `tol`.
fn same_signature(x: &[(usize, f64)], y: &[(usize, f64)], tol: f64) -> bool {
    x.len() == y.len()
        && x.iter()
            .zip(y)
            .all(|(a, b)| a.0 == b.0 && (a.1 - b.1).abs() <= tol)
}

/// Whether unifilar `a` and `b` are isomorphic, found in polynomial time: once state 0's image is
/// chosen, each symbol leads to one state in each, so the whole map follows. `None` when some
/// state of `a` is not reached from state 0 and the map is only partial (the general search
/// decides then). The backtracking search alone is exponential where many states share a
/// signature: comparing structures (any probabilities, `tol` = 1) of two 98-state binary
/// machines took minutes.
fn unifilar_isomorphism(
    a: &Hmm,
    b: &Hmm,
    sym: &[usize],
    sig_a: &[Vec<(usize, f64)>],
    sig_b: &[Vec<(usize, f64)>],
    tol: f64,
) -> Option<bool> {
    let n = a.num_states();
    let same_signature = |i: usize, j: usize| same_signature(&sig_a[i], &sig_b[j], tol);
    let mut partial = false;
    for root in (0..n).filter(|&j| same_signature(0, j)) {
        let mut map = vec![usize::MAX; n];
        let mut used = vec![false; n];
        map[0] = root;
        used[root] = true;
        let mut queue = vec![0];
        let mut consistent = true;
        'walk: while let Some(i) = queue.pop() {
            let j = map[i];
            if !same_signature(i, j) {
                consistent = false;
                break;
            }
            for e in &a.edges[i] {
                let Some(f) = b.edges[j].iter().find(|f| f.symbol == sym[e.symbol]) else {
                    consistent = false;
                    break 'walk;
                };
                if (f.p - e.p).abs() > tol {
                    consistent = false;
                    break 'walk;
                }
                if map[e.to] == usize::MAX {
                    if used[f.to] {
                        consistent = false;
                        break 'walk;
                    }
                    map[e.to] = f.to;
                    used[f.to] = true;
                    queue.push(e.to);
                } else if map[e.to] != f.to {
                    consistent = false;
                    break 'walk;
                }
            }
        }
        if consistent {
            if map.iter().all(|&m| m != usize::MAX) {
                return Some(true);
            }
            partial = true;
        }
    }
    if partial {
        None
    } else {
        Some(false)
    }
}

#[allow(clippy::too_many_arguments)]
fn isomorphism_search(
    a: &Hmm,
    b: &Hmm,
    sym: &[usize],
    sig_a: &[Vec<(usize, f64)>],
    sig_b: &[Vec<(usize, f64)>],
    tol: f64,
    depth: usize,
    map: &mut Vec<usize>,
    used: &mut Vec<bool>,
) -> bool {
    if depth == a.num_states() {
        return (0..a.num_states()).all(|i| {
            a.edges[i].iter().all(|e| {
                b.edges[map[i]].iter().any(|f| {
                    f.symbol == sym[e.symbol] && f.to == map[e.to] && (f.p - e.p).abs() <= tol
                })
            })
        });
    }
    for j in 0..b.num_states() {
        if used[j] || !same_signature(&sig_a[depth], &sig_b[j], tol) {
            continue;
        }
        // Edges among already-mapped states must agree before going deeper.
        map[depth] = j;
        let consistent = (0..=depth).all(|i| {
            a.edges[i].iter().filter(|e| e.to <= depth).all(|e| {
                b.edges[map[i]].iter().any(|f| {
                    f.symbol == sym[e.symbol] && f.to == map[e.to] && (f.p - e.p).abs() <= tol
                })
            })
        });
        if consistent {
            used[j] = true;
            if isomorphism_search(a, b, sym, sig_a, sig_b, tol, depth + 1, map, used) {
                return true;
            }
            used[j] = false;
        }
    }
    map[depth] = usize::MAX;
    false
}

pub(crate) fn check_names(what: &str, item: &str, names: &[String]) -> Result<()> {
    if names.is_empty() {
        return Err(invalid(format!("{what} is empty")));
    }
    let mut seen = HashMap::new();
    for (i, n) in names.iter().enumerate() {
        if n.is_empty() {
            return Err(invalid(format!("{item} {i} has an empty name")));
        }
        if seen.insert(n.as_str(), i).is_some() {
            return Err(invalid(format!("{item} '{n}' appears twice in {what}")));
        }
    }
    Ok(())
}

/// Graphviz DOT text of the graph `name` on `states`, with edges (from, to, label) between them.
pub(crate) fn dot_graph(
    name: &str,
    states: &[String],
    edges: impl IntoIterator<Item = (usize, usize, String)>,
) -> String {
    let mut out = format!(
        "digraph {} {{\n  rankdir=LR;\n  node [shape=circle];\n",
        quote(name)
    );
    for s in states {
        out.push_str(&format!("  {};\n", quote(s)));
    }
    for (from, to, label) in edges {
        out.push_str(&format!(
            "  {} -> {} [label={}];\n",
            quote(&states[from]),
            quote(&states[to]),
            quote(&label)
        ));
    }
    out.push_str("}\n");
    out
}

pub(crate) fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Shortest decimal that round-trips within 1e-6, for labels meant to be read by people.
pub fn format_prob(p: f64) -> String {
    let s = format!("{:.6}", p);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() {
        "0".into()
    } else {
        s.to_string()
    }
}

/// The JSON document of a presentation. Either `transitions` (a list of labelled edges) or `matrices`
/// (one square matrix per symbol) must be given.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresentationDoc {
    /// The process's name ("unnamed" when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Symbol names, in index order.
    pub alphabet: Vec<String>,
    /// State names, in index order.
    pub states: Vec<String>,
    /// The labelled edges, each (from, symbol, to) at most once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transitions: Option<Vec<TransitionDoc>>,
    /// One `n x n` matrix per symbol, by symbol name: entry `[i][j]` is
    /// Pr(emit the symbol, go to state j | in state i).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matrices: Option<BTreeMap<String, Vec<Vec<ProbDoc>>>>,
}

/// One labelled edge of a presentation document, by names.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransitionDoc {
    /// The state left.
    pub from: String,
    /// The symbol emitted.
    pub symbol: String,
    /// The state entered.
    pub to: String,
    /// Pr(emit `symbol`, go to `to` | in `from`).
    pub p: ProbDoc,
}

/// A probability written as a JSON number or as a string holding a decimal or a fraction ("1/3").
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum ProbDoc {
    /// A JSON number.
    Number(f64),
    /// A string: a decimal ("0.25", "1e-3") or a fraction ("1/3").
    Text(String),
}

/// Read by hand rather than derived: serde's untagged enums answer anything else (`true`, a
/// list) with "data did not match any variant of untagged enum ProbDoc", a name no user wrote.
impl<'de> Deserialize<'de> for ProbDoc {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<ProbDoc, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = ProbDoc;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a probability (a number, or a string such as \"0.25\" or \"1/3\")")
            }
            fn visit_f64<E>(self, x: f64) -> std::result::Result<ProbDoc, E> {
                Ok(ProbDoc::Number(x))
            }
            fn visit_i64<E>(self, x: i64) -> std::result::Result<ProbDoc, E> {
                Ok(ProbDoc::Number(x as f64))
            }
            fn visit_u64<E>(self, x: u64) -> std::result::Result<ProbDoc, E> {
                Ok(ProbDoc::Number(x as f64))
            }
            fn visit_str<E>(self, s: &str) -> std::result::Result<ProbDoc, E> {
                Ok(ProbDoc::Text(s.to_string()))
            }
        }
        d.deserialize_any(Visitor)
    }
}

impl ProbDoc {
    pub(crate) fn value(&self, what: &dyn Fn() -> String) -> Result<f64> {
        match self {
            ProbDoc::Number(x) => Ok(*x),
            ProbDoc::Text(s) => parse_probability(s).ok_or_else(|| {
                invalid(format!("probability of {} is '{s}', not a number", what()))
            }),
        }
    }
}

/// Parses "0.25", "1/3" or "1e-3"; None for anything else (including "NaN" and "inf").
pub fn parse_probability(s: &str) -> Option<f64> {
    let s = s.trim();
    let v = match s.split_once('/') {
        Some((a, b)) => a.trim().parse::<f64>().ok()? / b.trim().parse::<f64>().ok()?,
        None => s.parse::<f64>().ok()?,
    };
    v.is_finite().then_some(v)
}

impl PresentationDoc {
    /// Builds and validates the presentation the document describes, as [`Hmm::new`] does: an
    /// unknown state or symbol name, a missing matrix, or both forms or neither given, is an error.
    pub fn into_hmm(self) -> Result<Hmm> {
        let name = self.name.unwrap_or_else(|| "unnamed".into());
        let lookup = |names: &[String], what: &str, n: &str| {
            names
                .iter()
                .position(|s| s == n)
                .ok_or_else(|| invalid(format!("unknown {what} '{n}'")))
        };
        match (self.transitions, self.matrices) {
            (Some(ts), None) => {
                let mut quads = Vec::with_capacity(ts.len());
                for t in &ts {
                    let from = lookup(&self.states, "state", &t.from)?;
                    let to = lookup(&self.states, "state", &t.to)?;
                    let symbol = lookup(&self.alphabet, "symbol", &t.symbol)?;
                    let p =
                        t.p.value(&|| format!("{} -{}-> {}", t.from, t.symbol, t.to))?;
                    quads.push((from, symbol, to, p));
                }
                Hmm::new(name, self.alphabet, self.states, quads)
            }
            (None, Some(ms)) => {
                for k in ms.keys() {
                    lookup(&self.alphabet, "symbol", k)?;
                }
                let mut dense = Vec::with_capacity(self.alphabet.len());
                for x in &self.alphabet {
                    let m = ms
                        .get(x)
                        .ok_or_else(|| invalid(format!("no matrix for symbol '{x}'")))?;
                    let mut rows = Vec::with_capacity(m.len());
                    for (i, row) in m.iter().enumerate() {
                        let mut r = Vec::with_capacity(row.len());
                        for (j, p) in row.iter().enumerate() {
                            r.push(p.value(&|| format!("matrix '{x}' entry [{i}][{j}]"))?);
                        }
                        rows.push(r);
                    }
                    dense.push(rows);
                }
                Hmm::from_matrices(name, self.alphabet, self.states, &dense)
            }
            (Some(_), Some(_)) => Err(invalid("give either 'transitions' or 'matrices', not both")),
            (None, None) => Err(invalid("no 'transitions' or 'matrices' given")),
        }
    }
}
