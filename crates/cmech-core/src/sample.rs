//! Seeded sampling of symbol sequences. The sampler is an iterator, so a caller can stream any
//! number of symbols to a writer without holding them.

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::error::{CmechError, Result};
use crate::presentation::Hmm;

/// Where a sample starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// A state drawn from the stationary distribution, so the sample is a stationary realisation.
    Stationary,
    /// A given state index.
    State(usize),
}

/// An endless iterator of symbol indices drawn from a presentation.
pub struct Sampler {
    rng: ChaCha8Rng,
    state: usize,
    /// Per state: cumulative probabilities with the (symbol, next state) they select.
    table: Vec<Vec<(f64, usize, usize)>>,
}

pub(crate) fn uniform(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

pub(crate) fn draw<T: Copy>(u: f64, cumulative: &[(f64, T)]) -> T {
    cumulative
        .iter()
        .find(|(c, _)| u < *c)
        .or(cumulative.last())
        .expect("non-empty distribution")
        .1
}

impl Sampler {
    /// A sampler of `hmm`, seeded: the same seed gives the same symbols. Fails on a start state
    /// out of range, or for a stationary start when `hmm` has no unique stationary distribution
    /// (more than one recurrent class).
    pub fn new(hmm: &Hmm, seed: u64, start: Start) -> Result<Sampler> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let state = match start {
            Start::State(i) if i < hmm.num_states() => i,
            Start::State(i) => {
                return Err(CmechError::InvalidArgument(format!(
                    "start state {i} out of range: the presentation has {} states",
                    hmm.num_states()
                )))
            }
            Start::Stationary => {
                let pi = hmm.stationary_distribution()?;
                let mut acc = 0.0;
                let cum: Vec<(f64, usize)> = pi
                    .iter()
                    .enumerate()
                    .map(|(i, p)| {
                        acc += p;
                        (acc, i)
                    })
                    .collect();
                draw(uniform(&mut rng), &cum)
            }
        };
        let table = (0..hmm.num_states())
            .map(|i| {
                let mut acc = 0.0;
                hmm.edges(i)
                    .iter()
                    .map(|e| {
                        acc += e.p;
                        (acc, e.symbol, e.to)
                    })
                    .collect()
            })
            .collect();
        Ok(Sampler { rng, state, table })
    }

    /// The hidden state the next symbol is emitted from.
    pub fn state(&self) -> usize {
        self.state
    }
}

impl Iterator for Sampler {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        let u = uniform(&mut self.rng);
        let row = &self.table[self.state];
        let &(_, symbol, to) = row
            .iter()
            .find(|(c, _, _)| u < *c)
            .unwrap_or_else(|| row.last().expect("states have edges"));
        self.state = to;
        Some(symbol)
    }
}

impl Hmm {
    /// `n` symbols (as alphabet indices) from a stationary start, reproducible from `seed`. More
    /// symbols than can be held are [`CmechError::TooLarge`]; a [`Sampler`] streams any number.
    pub fn sample(&self, n: usize, seed: u64) -> Result<Vec<usize>> {
        let sampler = Sampler::new(self, seed, Start::Stationary)?;
        let mut out = crate::memory::with_capacity(n, &format!("a sample of {n} symbols"))?;
        out.extend(sampler.take(n));
        Ok(out)
    }
}
