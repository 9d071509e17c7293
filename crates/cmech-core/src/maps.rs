//! Symbolic dynamics of maps of the interval: data sources whose structure is known in theory but
//! that no finite hidden Markov model presents in general.

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::error::{CmechError, Result};

/// Iterations discarded before recording, so the orbit has settled on its attractor.
pub const LOGISTIC_TRANSIENT: usize = 10_000;

/// `n` symbols of the logistic map x' = r x (1 - x): 1 when x > 1/2, else 0. The start x0 is drawn
/// uniformly from (0, 1) with `seed`, and the first [`LOGISTIC_TRANSIENT`] iterates are dropped.
/// At r = 4 the partition at 1/2 is generating and the symbols are a fair coin; in a periodic
/// window they repeat with the period of the attracting orbit.
pub fn logistic_symbols(r: f64, n: usize, seed: u64) -> Result<Vec<u8>> {
    if !(r > 0.0 && r <= 4.0) {
        return Err(CmechError::InvalidArgument(format!(
            "the logistic map parameter r = {r} must be in (0, 4]"
        )));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // 53 random bits, shifted off 0 so the orbit cannot start on the fixed point.
    let mut x = ((rng.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
    let mut out = Vec::with_capacity(n);
    for i in 0..LOGISTIC_TRANSIENT + n {
        x = r * x * (1.0 - x);
        // At r = 4 rounding can land the orbit on the fixed point 0 (from x = 1): nudge it off,
        // as any perturbation of a chaotic orbit is another typical orbit.
        if x <= 0.0 || x >= 1.0 {
            x = ((rng.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
        }
        if i >= LOGISTIC_TRANSIENT {
            out.push(u8::from(x > 0.5));
        }
    }
    Ok(out)
}
