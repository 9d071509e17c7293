//! Uniform draws from seeded streams, for the randomised procedures whose results must not
//! depend on the number of threads: each unit of work (a surrogate, a bootstrap replicate) draws
//! from its own ChaCha8 stream of the user's seed, unit i from stream i + 1.

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The stream of unit `i` of the work seeded by `seed`.
pub(crate) fn stream(seed: u64, i: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(i + 1);
    rng
}

/// A uniform integer below `n` (Lemire's method, unbiased).
#[inline]
pub(crate) fn below(rng: &mut ChaCha8Rng, n: u32) -> u32 {
    let mut m = rng.next_u32() as u64 * n as u64;
    if (m as u32) < n {
        let t = n.wrapping_neg() % n;
        while (m as u32) < t {
            m = rng.next_u32() as u64 * n as u64;
        }
    }
    (m >> 32) as u32
}

/// A uniform real in (0, 1] (53 bits): never 0, so that its logarithm is finite.
#[inline]
pub(crate) fn unit(rng: &mut ChaCha8Rng) -> f64 {
    ((rng.next_u64() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
}
