//! Beliefs along data: the observer's distribution over hidden states after every symbol of a
//! sequence, the belief table of all words of a length (the regression targets of belief-state
//! probes), and the projections that put beliefs in a plane.

use rayon::prelude::*;

use crate::error::{CmechError, Result};
use crate::memory;
use crate::mixed_state::check_belief;
use crate::presentation::Hmm;

const PENDING_FLOOR: f64 = 1e-270;

/// Updates a belief symbol by symbol (the forward algorithm, normalised at every step so that it
/// never underflows), accumulating the log-probability of what it has seen.
#[derive(Debug, Clone)]
pub struct BeliefTracker {
    n: usize,
    k: usize,
    /// `T^(x)` for every symbol, dense, row-major: `matrices[x * n * n + i * n + j]`.
    matrices: Vec<f64>,
    belief: Vec<f64>,
    scratch: Vec<f64>,
    log2_probability: f64,
    /// Probabilities not yet folded into `log2_probability`: a product kept above 1e-270 (tiny
    /// probabilities go straight to the logarithm, so it never underflows), so that a logarithm
    /// is taken every few hundred symbols rather than at every one.
    pending: f64,
    position: u64,
}

impl BeliefTracker {
    /// Starts from `start`, or from the stationary distribution when `None`.
    pub fn new(hmm: &Hmm, start: Option<&[f64]>) -> Result<BeliefTracker> {
        let (n, k) = (hmm.num_states(), hmm.num_symbols());
        let belief = match start {
            Some(b) => {
                check_belief(b, n)?;
                b.to_vec()
            }
            None => hmm.stationary_distribution()?,
        };
        let mut matrices = vec![0.0; k * n * n];
        for i in 0..n {
            for e in hmm.edges(i) {
                matrices[e.symbol * n * n + i * n + e.to] += e.p;
            }
        }
        Ok(BeliefTracker {
            n,
            k,
            matrices,
            belief,
            scratch: vec![0.0; n],
            log2_probability: 0.0,
            pending: 1.0,
            position: 0,
        })
    }

    /// The current belief.
    pub fn belief(&self) -> &[f64] {
        &self.belief
    }

    /// log2 of the probability of the symbols seen so far.
    pub fn log2_probability(&self) -> f64 {
        self.log2_probability + self.pending.log2()
    }

    /// Symbols seen so far.
    pub fn position(&self) -> u64 {
        self.position
    }

    /// Sees one symbol (an index into the alphabet). A symbol that the current belief gives
    /// probability zero is an error naming its position; the tracker is then unchanged.
    pub fn step(&mut self, symbol: u32) -> Result<&[f64]> {
        let x = symbol as usize;
        if x >= self.k {
            return Err(CmechError::InvalidArgument(format!(
                "symbol {symbol} at position {} is not in the alphabet of {} symbols",
                self.position, self.k
            )));
        }
        let mut next = std::mem::take(&mut self.scratch);
        let p = self.advance(&self.belief, x, &mut next);
        self.scratch = next;
        // NaN (a broken model) fails this as zero does.
        if p.is_nan() || p <= 0.0 {
            return Err(CmechError::InvalidArgument(format!(
                "symbol {symbol} at position {} has probability zero under the model after what \
                 came before: the sequence is not one the process can produce",
                self.position
            )));
        }
        std::mem::swap(&mut self.belief, &mut self.scratch);
        if p < 1e-30 {
            self.log2_probability += p.log2();
        } else {
            self.pending *= p;
        }
        if self.pending < PENDING_FLOOR {
            self.log2_probability += self.pending.log2();
            self.pending = 1.0;
        }
        self.position += 1;
        Ok(&self.belief)
    }

    /// Writes the belief after `x` from `belief` into `out` and returns the probability of `x`
    /// (`out` is unnormalised when that is zero).
    fn advance(&self, belief: &[f64], x: usize, out: &mut [f64]) -> f64 {
        let n = self.n;
        let m = &self.matrices[x * n * n..(x + 1) * n * n];
        // Small state counts (the common case) get loops the compiler unrolls into registers.
        match n {
            2 => advance_fixed::<2>(m, belief, out),
            3 => advance_fixed::<3>(m, belief, out),
            4 => advance_fixed::<4>(m, belief, out),
            5 => advance_fixed::<5>(m, belief, out),
            _ => {
                out.iter_mut().for_each(|v| *v = 0.0);
                for (i, &b) in belief.iter().enumerate() {
                    if b != 0.0 {
                        for (s, t) in out.iter_mut().zip(&m[i * n..(i + 1) * n]) {
                            *s += b * t;
                        }
                    }
                }
                let p: f64 = out.iter().sum();
                if p > 0.0 {
                    out.iter_mut().for_each(|v| *v /= p);
                }
                p
            }
        }
    }

    /// Sees every symbol of `symbols`, writing the belief after each into `out` (row after row,
    /// `symbols.len() x n`).
    pub fn run(&mut self, symbols: &[u32], out: &mut [f64]) -> Result<()> {
        let n = self.n;
        if out.len() != symbols.len() * n {
            return Err(CmechError::InvalidArgument(format!(
                "output holds {} numbers, {} symbols need {}",
                out.len(),
                symbols.len(),
                symbols.len() * n
            )));
        }
        for (&x, row) in symbols.iter().zip(out.chunks_exact_mut(n)) {
            row.copy_from_slice(self.step(x)?);
        }
        Ok(())
    }
}

fn advance_fixed<const N: usize>(m: &[f64], belief: &[f64], out: &mut [f64]) -> f64 {
    let b: &[f64; N] = belief.try_into().expect("N components");
    let mut acc = [0.0; N];
    for (i, row) in m.chunks_exact(N).enumerate() {
        let row: &[f64; N] = row.try_into().expect("rows of N");
        for j in 0..N {
            acc[j] += b[i] * row[j];
        }
    }
    let p: f64 = acc.iter().sum();
    if p > 0.0 {
        let inv = 1.0 / p;
        for (o, a) in out.iter_mut().zip(acc) {
            *o = a * inv;
        }
    }
    p
}

/// The belief after every position of `symbols`, started from the stationary distribution or
/// `start`: `symbols.len() x n` numbers, row `t` the belief after `symbols[..=t]`.
pub fn belief_trajectory(hmm: &Hmm, symbols: &[u32], start: Option<&[f64]>) -> Result<Vec<f64>> {
    let mut tracker = BeliefTracker::new(hmm, start)?;
    let mut out = vec![0.0; symbols.len() * hmm.num_states()];
    tracker.run(symbols, &mut out)?;
    Ok(out)
}

/// Every word of one length that the process can produce, with the belief after each of its
/// prefixes.
#[derive(Debug, Clone, PartialEq)]
pub struct BeliefTable {
    /// Word length.
    pub length: usize,
    /// Hidden states (components of a belief).
    pub states: usize,
    /// The words, in lexicographic order of symbol indices (`words() x length`).
    pub words: Vec<u32>,
    /// Probability of each word.
    pub probabilities: Vec<f64>,
    /// Belief after each prefix: `words() x length x states`, `[w][t]` after `w[..=t]`.
    pub beliefs: Vec<f64>,
}

impl BeliefTable {
    /// Number of words.
    pub fn words(&self) -> usize {
        self.probabilities.len()
    }
}

/// Most numbers a belief table may hold (512 MiB of beliefs): Mess3's table at length 15 holds
/// 645 million, and the faces hold it again as arrays or text.
const MAX_TABLE_NUMBERS: usize = 1 << 26;

/// The belief table of all words of length `length` with positive probability, from the
/// stationary distribution (or `start`). Words of probability zero are left out, so every belief
/// in the table is defined.
pub fn belief_table(hmm: &Hmm, length: usize, start: Option<&[f64]>) -> Result<BeliefTable> {
    let (n, k) = (hmm.num_states(), hmm.num_symbols());
    if length == 0 {
        return Err(CmechError::InvalidArgument(
            "belief table length must be at least 1".into(),
        ));
    }
    let tracker = BeliefTracker::new(hmm, start)?;
    // Level t holds the positive-probability prefixes of length t + 1, in lexicographic order,
    // each with its parent in level t - 1; expanding in symbol order keeps the order.
    struct Level {
        parents: Vec<u32>,
        symbols: Vec<u32>,
        probabilities: Vec<f64>,
        beliefs: Vec<f64>,
    }
    let mut levels: Vec<Level> = Vec::with_capacity(length);
    let root = Level {
        parents: vec![0],
        symbols: vec![0],
        probabilities: vec![1.0],
        beliefs: tracker.belief().to_vec(),
    };
    for _ in 0..length {
        let prev = levels.last().unwrap_or(&root);
        let parts: Vec<Level> = (0..prev.probabilities.len())
            .collect::<Vec<_>>()
            .par_chunks(4096)
            .map(|chunk| {
                let mut level = Level {
                    parents: Vec::new(),
                    symbols: Vec::new(),
                    probabilities: Vec::new(),
                    beliefs: Vec::new(),
                };
                let mut next = vec![0.0; n];
                for &j in chunk {
                    for x in 0..k {
                        let p = tracker.advance(&prev.beliefs[j * n..(j + 1) * n], x, &mut next);
                        if p > 0.0 {
                            level.parents.push(j as u32);
                            level.symbols.push(x as u32);
                            level.probabilities.push(prev.probabilities[j] * p);
                            level.beliefs.extend_from_slice(&next);
                        }
                    }
                }
                level
            })
            .collect();
        let mut level = Level {
            parents: Vec::new(),
            symbols: Vec::new(),
            probabilities: Vec::new(),
            beliefs: Vec::new(),
        };
        for p in parts {
            level.parents.extend(p.parents);
            level.symbols.extend(p.symbols);
            level.probabilities.extend(p.probabilities);
            level.beliefs.extend(p.beliefs);
        }
        // Every word of this level begins a word of the table, which holds `length` beliefs of
        // each: the bound is known to be broken here, levels before the table is built.
        memory::within(
            &format!(
                "a belief table of words of length {length} (at least {} words)",
                level.probabilities.len()
            ),
            level.probabilities.len() as u128 * length as u128 * n as u128,
            MAX_TABLE_NUMBERS,
            std::mem::size_of::<f64>(),
            "use a shorter length",
        )?;
        levels.push(level);
    }
    let last = &levels[length - 1];
    let m = last.probabilities.len();
    let mut words = vec![0u32; m * length];
    let mut beliefs = vec![0.0; m * length * n];
    words
        .par_chunks_mut(length)
        .zip(beliefs.par_chunks_mut(length * n))
        .enumerate()
        .for_each(|(w, (word, rows))| {
            let mut j = w;
            for t in (0..length).rev() {
                let level = &levels[t];
                word[t] = level.symbols[j];
                rows[t * n..(t + 1) * n].copy_from_slice(&level.beliefs[j * n..(j + 1) * n]);
                j = level.parents[j] as usize;
            }
        });
    Ok(BeliefTable {
        length,
        states: n,
        words,
        probabilities: last.probabilities.clone(),
        beliefs,
    })
}

/// How beliefs are put in a plane.
#[derive(Debug, Clone, PartialEq)]
pub enum Projection {
    /// Barycentric coordinates of three states in an equilateral triangle with vertices
    /// (0, 0), (1, 0), (1/2, sqrt(3)/2); the belief is renormalised over the three (mass on
    /// other states is left out). With exactly three states this is the whole simplex.
    Simplex([usize; 3]),
    /// The first two principal components of the beliefs (centred, unweighted).
    Pca,
    /// Two states: the probability of the second along x, 0 along y.
    Segment,
}

impl Projection {
    /// The natural projection for `n` states: the segment for 2, the simplex for 3, PCA above.
    pub fn natural(n: usize) -> Projection {
        match n {
            0..=2 => Projection::Segment,
            3 => Projection::Simplex([0, 1, 2]),
            _ => Projection::Pca,
        }
    }

    /// A description for a figure's caption.
    pub fn describe(&self, states: &[String]) -> String {
        match self {
            Projection::Simplex([a, b, c]) => {
                let name = |i: &usize| states.get(*i).map(String::as_str).unwrap_or("?");
                let mut s = format!(
                    "simplex of states {}, {}, {} (left, right, top)",
                    name(a),
                    name(b),
                    name(c)
                );
                if states.len() > 3 {
                    s.push_str("; beliefs renormalised over these three");
                }
                s
            }
            Projection::Pca => "first two principal components of the beliefs".into(),
            Projection::Segment => format!(
                "probability of state {} (x axis)",
                states.get(1).map(String::as_str).unwrap_or("1")
            ),
        }
    }
}

/// Points in the plane, one per belief (`beliefs` row after row, `n` components each).
pub fn project(beliefs: &[f64], n: usize, projection: &Projection) -> Result<Vec<[f64; 2]>> {
    if n == 0 || !beliefs.len().is_multiple_of(n) {
        return Err(CmechError::InvalidArgument(format!(
            "{} numbers are not rows of {n} belief components",
            beliefs.len()
        )));
    }
    let rows = beliefs.chunks_exact(n);
    Ok(match projection {
        Projection::Simplex(ix) => {
            if let Some(&i) = ix.iter().find(|&&i| i >= n) {
                return Err(CmechError::InvalidArgument(format!(
                    "state {i} is not one of the {n} states"
                )));
            }
            let h = 3f64.sqrt() / 2.0;
            rows.map(|b| {
                let (p, q, r) = (b[ix[0]], b[ix[1]], b[ix[2]]);
                let s = p + q + r;
                if s > 0.0 {
                    [(q + 0.5 * r) / s, h * r / s]
                } else {
                    [f64::NAN, f64::NAN]
                }
            })
            .collect()
        }
        Projection::Segment => rows
            .map(|b| [b.get(1).copied().unwrap_or(0.0), 0.0])
            .collect(),
        Projection::Pca => {
            let m = beliefs.len() / n;
            let mut mean = vec![0.0; n];
            for b in beliefs.chunks_exact(n) {
                mean.iter_mut().zip(b).for_each(|(a, x)| *a += x);
            }
            mean.iter_mut().for_each(|a| *a /= m.max(1) as f64);
            let mut cov = vec![0.0; n * n];
            for b in beliefs.chunks_exact(n) {
                for i in 0..n {
                    let di = b[i] - mean[i];
                    for j in 0..n {
                        cov[i * n + j] += di * (b[j] - mean[j]);
                    }
                }
            }
            let axes = top_eigenvectors(&cov, n, 2);
            beliefs
                .chunks_exact(n)
                .map(|b| {
                    let mut pt = [0.0; 2];
                    for (c, axis) in pt.iter_mut().zip(&axes) {
                        *c = (0..n).map(|i| (b[i] - mean[i]) * axis[i]).sum();
                    }
                    pt
                })
                .collect()
        }
    })
}

/// The `count` leading eigenvectors of a symmetric matrix by power iteration with deflation;
/// enough for a picture, and deterministic (fixed starting vectors).
fn top_eigenvectors(a: &[f64], n: usize, count: usize) -> Vec<Vec<f64>> {
    let mut found: Vec<Vec<f64>> = Vec::new();
    let orthonormalise = |w: &mut Vec<f64>, found: &[Vec<f64>]| -> bool {
        for f in found {
            let d: f64 = w.iter().zip(f).map(|(x, y)| x * y).sum();
            w.iter_mut().zip(f).for_each(|(x, y)| *x -= d * y);
        }
        let norm = w.iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm < 1e-12 {
            return false;
        }
        w.iter_mut().for_each(|x| *x /= norm);
        true
    };
    for c in 0..count.min(n) {
        let mut v: Vec<f64> = (0..n).map(|i| 1.0 + ((i + c) % 3) as f64 * 0.37).collect();
        if !orthonormalise(&mut v, &found) {
            // The fixed start lies in the span found so far: take a coordinate axis that doesn't.
            for i in 0..n {
                v = (0..n).map(|j| if j == i { 1.0 } else { 0.0 }).collect();
                if orthonormalise(&mut v, &found) {
                    break;
                }
            }
        }
        for _ in 0..500 {
            let mut w: Vec<f64> = (0..n)
                .map(|i| (0..n).map(|j| a[i * n + j] * v[j]).sum())
                .collect();
            // A null direction stays as it is: any unit vector orthogonal to the others will do.
            if !orthonormalise(&mut w, &found) {
                break;
            }
            v = w;
        }
        found.push(v);
    }
    while found.len() < count {
        found.push(vec![0.0; n]);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::named;

    #[test]
    fn simplex_vertices_and_centre() {
        let b = [
            1.0,
            0.0,
            0.0,
            0.0,
            1.0,
            0.0,
            0.0,
            0.0,
            1.0,
            1. / 3.,
            1. / 3.,
            1. / 3.,
        ];
        let p = project(&b, 3, &Projection::Simplex([0, 1, 2])).unwrap();
        let h = 3f64.sqrt() / 2.0;
        let want = [[0.0, 0.0], [1.0, 0.0], [0.5, h], [0.5, h / 3.0]];
        for (got, want) in p.iter().zip(want) {
            assert!((got[0] - want[0]).abs() < 1e-12 && (got[1] - want[1]).abs() < 1e-12);
        }
    }

    #[test]
    fn pca_of_points_on_a_line_puts_them_on_the_first_axis() {
        let b: Vec<f64> = (0..10)
            .flat_map(|i| {
                let t = i as f64 / 9.0;
                [t * 0.5, 0.5 - t * 0.5, 0.25, 0.25]
            })
            .collect();
        let p = project(&b, 4, &Projection::Pca).unwrap();
        assert!(p.iter().all(|q| q[1].abs() < 1e-9));
        let span = p[9][0] - p[0][0];
        assert!((span.abs() - (0.5f64.powi(2) * 2.0).sqrt()).abs() < 1e-9);
    }

    #[test]
    fn golden_mean_trajectory_and_impossible_words() {
        let gm = named("golden-mean", &[]).unwrap();
        // States A, B; symbols 0, 1. After 0 the machine is in B; after 0 then 1 in A.
        let zero = gm.symbol_index("0").unwrap() as u32;
        let one = gm.symbol_index("1").unwrap() as u32;
        let t = belief_trajectory(&gm, &[zero, one, one], None).unwrap();
        let b = gm.state_index("B").unwrap();
        assert!((t[b] - 1.0).abs() < 1e-15);
        assert!(t[2 + b].abs() < 1e-15);
        // After a 1 from A: stays A with 1/2 (emit 1) -> belief on A.
        assert!((t[4 + (1 - b)] - 1.0).abs() < 1e-15);
        let err = belief_trajectory(&gm, &[zero, zero], None).unwrap_err();
        assert!(err.to_string().contains("position 1"), "{err}");
        let table = belief_table(&gm, 3, None).unwrap();
        // Words of length 3 without 00: 010, 011, 101, 110, 111.
        assert_eq!(table.words(), 5);
        let total: f64 = table.probabilities.iter().sum();
        assert!((total - 1.0).abs() < 1e-12);
    }
}
