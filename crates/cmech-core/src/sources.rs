//! Symbolic dynamics of maps of the interval: data sources whose structure is known in theory but
//! that no finite hidden Markov model presents in general.

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::error::{CmechError, Result};

/// The name under which the faces offer the logistic map as a source of symbols.
pub const LOGISTIC_MAP: &str = "logistic-map";

/// Iterations discarded before recording, so the orbit has settled on its attractor.
pub const LOGISTIC_TRANSIENT: usize = 10_000;

/// The logistic map as a named source ([`crate::named::named_source`]): its parameter and its
/// symbolisation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Logistic {
    /// x' = r x (1 - x), r in (0, 4].
    pub r: f64,
    /// Symbol 1 when x > cut, else 0; cut in (0, 1). The critical point 1/2 gives the generating
    /// partition.
    pub cut: f64,
}

impl Logistic {
    /// The symbols of the orbit drawn with `seed` (see [`LogisticMap::with_cut`]).
    pub fn symbols(&self, seed: u64) -> Result<LogisticMap> {
        LogisticMap::with_cut(self.r, self.cut, seed)
    }
}

/// The symbols of the logistic map x' = r x (1 - x): 1 when x > cut (1/2 unless given), else 0,
/// without end. At r = 4 the partition at 1/2 is generating and the symbols are a fair coin; in a
/// periodic window they repeat with the period of the attracting orbit.
pub struct LogisticMap {
    r: f64,
    cut: f64,
    x: f64,
    rng: ChaCha8Rng,
}

impl LogisticMap {
    /// The orbit from x0 drawn uniformly from (0, 1) with `seed`, its first
    /// [`LOGISTIC_TRANSIENT`] iterates dropped, symbolised at the critical point 1/2.
    pub fn new(r: f64, seed: u64) -> Result<LogisticMap> {
        LogisticMap::with_cut(r, 0.5, seed)
    }

    /// As [`LogisticMap::new`], with symbol 1 when x > `cut`.
    pub fn with_cut(r: f64, cut: f64, seed: u64) -> Result<LogisticMap> {
        if !(r > 0.0 && r <= 4.0) {
            return Err(CmechError::InvalidArgument(format!(
                "the logistic map parameter r = {r} must be in (0, 4]"
            )));
        }
        if !(cut > 0.0 && cut < 1.0) {
            return Err(CmechError::InvalidArgument(format!(
                "the logistic map's cut = {cut} must be in (0, 1)"
            )));
        }
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let x = unit(&mut rng);
        let mut map = LogisticMap { r, cut, x, rng };
        map.by_ref().take(LOGISTIC_TRANSIENT).for_each(drop);
        Ok(map)
    }
}

/// A uniform draw from (0, 1): 53 random bits, shifted off 0 so no orbit starts on the fixed point.
fn unit(rng: &mut ChaCha8Rng) -> f64 {
    ((rng.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
}

impl Iterator for LogisticMap {
    type Item = u8;
    fn next(&mut self) -> Option<u8> {
        self.x = self.r * self.x * (1.0 - self.x);
        // At r = 4 rounding can land the orbit on the fixed point 0 (from x = 1): restart it, as any
        // perturbation of a chaotic orbit is another typical orbit.
        if self.x <= 0.0 || self.x >= 1.0 {
            self.x = unit(&mut self.rng);
        }
        Some(u8::from(self.x > self.cut))
    }
}

/// The first `n` symbols of [`LogisticMap::new`]`(r, seed)`.
pub fn logistic_symbols(r: f64, n: usize, seed: u64) -> Result<Vec<u8>> {
    Ok(LogisticMap::new(r, seed)?.take(n).collect())
}
