//! Shannon entropies in bits.

/// `-p log2 p`, with the convention 0 log 0 = 0.
pub fn surprisal_term(p: f64) -> f64 {
    if p > 0.0 {
        -p * p.log2()
    } else {
        0.0
    }
}

/// Entropy in bits of a (possibly unnormalised-by-rounding) distribution.
pub fn entropy(probs: impl IntoIterator<Item = f64>) -> f64 {
    probs.into_iter().map(surprisal_term).sum::<f64>().max(0.0)
}
