//! Seeded random epsilon-machines: the test ensemble for reconstruction.
//!
//! [`epsilon_machine`] draws a unifilar, strongly connected, minimal presentation (an
//! epsilon-machine) with a given number of states and symbols and a floor on every transition
//! probability. The same arguments always give the same machine, so a test or a benchmark can
//! name its machines by `(states, symbols, min_p, seed)` alone.
//!
//! How a machine is drawn, from a ChaCha8 generator seeded with `seed`:
//!
//! 1. each state emits `d` distinct symbols, `d` uniform in `1..=min(symbols, floor(1 / min_p))`,
//!    the symbols a uniform subset of the alphabet;
//! 2. each (state, symbol) goes to a uniformly drawn state (so the machine is unifilar);
//! 3. a state's `d` probabilities are `min_p + (1 - d min_p) w` with `w` uniform on the simplex
//!    (flat Dirichlet), so each is at least `min_p` and they sum to one;
//! 4. the draw is kept only if every symbol of the alphabet occurs, some state emits two or more
//!    symbols (else the process is periodic, with entropy rate zero), the state graph is strongly
//!    connected and [`Hmm::minimize`] leaves every state (no two states have the same future);
//!    otherwise the next draw from the same generator is tried.
//!
//! The ensemble is conditioned on these properties and nothing else: two states may predict
//! almost alike, or a machine may synchronise slowly, exactly as they happen to be drawn. Those
//! are the machines reconstruction finds hard, and they are left in on purpose.
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::error::{CmechError, Result};
use crate::presentation::Hmm;
use crate::sample::uniform;

/// Draws tried before [`epsilon_machine`] gives up. For the sizes the tests use (up to 10 states,
/// 2 to 4 symbols) a machine takes well under a millisecond, so this is reached only for
/// arguments that almost never admit a strongly connected minimal machine.
pub const MAX_ATTEMPTS: usize = 1_000_000;

/// A random epsilon-machine with `states` states over the alphabet `0, 1, ..., symbols - 1`
/// (states named `S0`, `S1`, ...), every transition probability at least `min_p`, reproducible
/// from `seed` (see the module documentation for how it is drawn).
///
/// Errors when no such machine exists (`symbols < 2`, `states == 0`, `min_p` not in `(0, 1/2]`,
/// or too few states to use the whole alphabet with `floor(1 / min_p)` symbols each), or when
/// none was found in [`MAX_ATTEMPTS`] draws.
pub fn epsilon_machine(states: usize, symbols: usize, min_p: f64, seed: u64) -> Result<Hmm> {
    if states == 0 {
        return Err(CmechError::InvalidArgument(
            "a random epsilon-machine needs at least one state".into(),
        ));
    }
    if symbols < 2 {
        return Err(CmechError::InvalidArgument(format!(
            "a random epsilon-machine needs at least two symbols (got {symbols}): with one \
             there is no randomness to model"
        )));
    }
    if !(min_p > 0.0 && min_p <= 0.5) {
        return Err(CmechError::InvalidArgument(format!(
            "the smallest transition probability must be in (0, 1/2] so that a state can emit \
             two symbols (got {min_p})"
        )));
    }
    let widest = symbols.min((1.0 / min_p + 1e-9).floor() as usize);
    if states.saturating_mul(widest) < symbols {
        return Err(CmechError::InvalidArgument(format!(
            "{states} states emitting at most {widest} symbols each (probabilities at least \
             {min_p}) cannot use an alphabet of {symbols}"
        )));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let alphabet: Vec<String> = (0..symbols).map(|x| x.to_string()).collect();
    let names: Vec<String> = (0..states).map(|i| format!("S{i}")).collect();
    let name = format!("random-{states}-{symbols}-{min_p}-{seed}");
    for _ in 0..MAX_ATTEMPTS {
        let edges = draw(&mut rng, states, symbols, widest, min_p);
        if !acceptable_supports(&edges, symbols) {
            continue;
        }
        let hmm = Hmm::new(
            name.clone(),
            alphabet.clone(),
            names.clone(),
            edges
                .iter()
                .enumerate()
                .flat_map(|(i, row)| row.iter().map(move |&(x, to, p)| (i, x, to, p))),
        )?;
        if hmm.is_strongly_connected() && hmm.minimize()?.num_states() == states {
            return Ok(hmm);
        }
    }
    Err(CmechError::Unsupported(format!(
        "no strongly connected minimal machine with {states} states and {symbols} symbols was \
         drawn in {MAX_ATTEMPTS} attempts (seed {seed})"
    )))
}

/// A uniform integer in `0..n`.
fn below(rng: &mut ChaCha8Rng, n: usize) -> usize {
    ((uniform(rng) * n as f64) as usize).min(n - 1)
}

/// One draw of every state's (symbol, successor, probability) edges, steps 1 to 3.
fn draw(
    rng: &mut ChaCha8Rng,
    states: usize,
    symbols: usize,
    widest: usize,
    min_p: f64,
) -> Vec<Vec<(usize, usize, f64)>> {
    (0..states)
        .map(|_| {
            let d = 1 + below(rng, widest);
            // A uniform d-subset of the alphabet: the first d of a partial Fisher-Yates shuffle.
            let mut pool: Vec<usize> = (0..symbols).collect();
            for i in 0..d {
                let j = i + below(rng, symbols - i);
                pool.swap(i, j);
            }
            let mut chosen = pool[..d].to_vec();
            chosen.sort_unstable();
            // Flat Dirichlet weights: normalised exponentials.
            let w: Vec<f64> = (0..d).map(|_| -(1.0 - uniform(rng)).ln()).collect();
            let total: f64 = w.iter().sum();
            let free = 1.0 - d as f64 * min_p;
            chosen
                .into_iter()
                .zip(w)
                .map(|(x, w)| {
                    let p = if d == 1 {
                        1.0
                    } else {
                        min_p + free * w / total
                    };
                    (x, below(rng, states), p)
                })
                .collect()
        })
        .collect()
}

/// Step 4's conditions on the supports: every symbol used, some state emitting two or more.
fn acceptable_supports(edges: &[Vec<(usize, usize, f64)>], symbols: usize) -> bool {
    let mut used = vec![false; symbols];
    for row in edges {
        for &(x, _, _) in row {
            used[x] = true;
        }
    }
    used.iter().all(|&u| u) && edges.iter().any(|row| row.len() >= 2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every invariant the documentation promises.
    fn check(h: &Hmm, states: usize, symbols: usize, min_p: f64) {
        assert_eq!(h.num_states(), states);
        assert_eq!(h.num_symbols(), symbols);
        assert!(h.is_unifilar());
        assert!(h.is_strongly_connected());
        assert_eq!(h.minimize().unwrap().num_states(), states);
        let mut used = vec![false; symbols];
        let mut branching = false;
        for i in 0..states {
            let row = h.edges(i);
            assert!(!row.is_empty() && row.len() <= symbols);
            branching |= row.len() >= 2;
            let sum: f64 = row.iter().map(|e| e.p).sum();
            assert!((sum - 1.0).abs() < 1e-12);
            for e in row {
                assert!(e.p >= min_p * (1.0 - 1e-12), "{} < {min_p}", e.p);
                used[e.symbol] = true;
            }
        }
        assert!(branching, "some state emits two or more symbols");
        assert!(used.iter().all(|&u| u), "the whole alphabet is used");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn machines_have_every_promised_property(
            states in 1usize..=10,
            symbols in 2usize..=4,
            min_p in prop::sample::select(vec![0.01, 0.06, 0.1, 0.25, 0.5]),
            seed in any::<u64>(),
        ) {
            let widest = symbols.min((1.0f64 / min_p + 1e-9).floor() as usize);
            if states * widest < symbols {
                // Too few states to use the alphabet with probabilities this large.
                prop_assert!(epsilon_machine(states, symbols, min_p, seed).is_err());
                return Ok(());
            }
            let h = epsilon_machine(states, symbols, min_p, seed).unwrap();
            check(&h, states, symbols, min_p);
            prop_assert_eq!(&h, &epsilon_machine(states, symbols, min_p, seed).unwrap());
        }
    }

    #[test]
    fn the_test_ensemble_is_drawn_quickly_and_varies_with_the_seed() {
        for states in 2..=10 {
            for symbols in 2..=4 {
                let a = epsilon_machine(states, symbols, 0.06, 1).unwrap();
                let b = epsilon_machine(states, symbols, 0.06, 2).unwrap();
                check(&a, states, symbols, 0.06);
                assert_ne!(a, b);
            }
        }
    }

    #[test]
    fn a_floor_of_one_half_gives_fair_binary_choices() {
        let h = epsilon_machine(4, 2, 0.5, 3).unwrap();
        for i in 0..4 {
            for e in h.edges(i) {
                assert!(e.p == 1.0 || (e.p - 0.5).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn impossible_requests_are_refused() {
        assert!(epsilon_machine(0, 2, 0.1, 0).is_err());
        assert!(epsilon_machine(3, 1, 0.1, 0).is_err());
        assert!(epsilon_machine(3, 2, 0.0, 0).is_err());
        assert!(epsilon_machine(3, 2, 0.6, 0).is_err());
        assert!(epsilon_machine(3, 2, f64::NAN, 0).is_err());
        // Two states with probabilities at least 0.3 emit at most 3 symbols each: not 7.
        assert!(epsilon_machine(2, 7, 0.3, 0).is_err());
        assert!(epsilon_machine(3, 7, 0.3, 0).is_ok());
    }
}
