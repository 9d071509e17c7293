//! Cellular automata and their local information dynamics.
//!
//! - Elementary CAs (Wolfram's rules 0 to 255) on a ring of cells, from a given or a seeded random
//!   initial row; Conway's Game of Life on a torus, from a given grid, a seeded random one, or a
//!   named pattern (glider, Gosper glider gun).
//! - A [`Field`] is the space-time record: `steps` rows of `height` x `width` cells (height 1 for
//!   an elementary CA), row 0 the initial condition.
//! - Local active information storage and local transfer entropy along a channel (Lizier,
//!   Prokopenko & Zomaya 2008, Phys. Rev. E 77, 026110): the probabilities are pooled over every
//!   cell and every time step (as JIDT's `addObservations(int[][], j)`), and the local value is
//!   computed at every cell from step k on. Channel j = 1 takes the source from the left
//!   neighbour (cell i - 1 for target i), j = -1 from the right; in 2-D the source of cell (y, x)
//!   is (y - dy, x - dx).
//!
//! The parts: `field` holds the space-time record, `rules` the automata, `init` their initial
//! conditions, `obs` how a field is read as observations by the counting engine, and `local` the
//! measures, average and local.

mod field;
mod init;
mod local;
mod obs;
mod rules;

pub use field::{check_size, max_cell, Field, FieldRef, FieldShape};
pub use init::{life_pattern, pattern_grid, place, random_cells, LIFE_PATTERNS};
pub use local::{LocalCounts, LocalField, LocalValues};
pub use rules::{elementary, elementary_random, life};

/// The history length of the local measures when the user gives none: Lizier, Prokopenko &
/// Zomaya (2008) use k = 16 for the domains and particles of rule 54.
pub const DEFAULT_HISTORY: usize = 16;

#[cfg(test)]
mod tests {
    use super::obs::FieldObs;
    use super::*;
    use crate::infoflow::engine::Observations;

    #[test]
    fn rule_90_from_one_cell_draws_pascal_mod_2() {
        let mut row = vec![0u8; 9];
        row[4] = 1;
        let f = elementary(90, &row, 4).unwrap();
        assert_eq!(f.step(1), &[0, 0, 0, 1, 0, 1, 0, 0, 0]);
        assert_eq!(f.step(2), &[0, 0, 1, 0, 0, 0, 1, 0, 0]);
        assert_eq!(f.step(3), &[0, 1, 0, 1, 0, 1, 0, 1, 0]);
    }

    #[test]
    fn the_ring_wraps() {
        // Rule 170 shifts left: cell i takes the value of cell i + 1.
        let f = elementary(170, &[1, 0, 0, 0], 3).unwrap();
        assert_eq!(f.step(1), &[0, 0, 0, 1]);
        assert_eq!(f.step(2), &[0, 0, 1, 0]);
    }

    #[test]
    fn a_glider_comes_back_shifted_after_four_steps() {
        let (h, w) = (8, 8);
        let mut g = vec![0u8; h * w];
        place(&mut g, h, w, &life_pattern("glider").unwrap(), (1, 1));
        let f = life(&g, h, w, 5).unwrap();
        let mut shifted = vec![0u8; h * w];
        place(&mut shifted, h, w, &life_pattern("glider").unwrap(), (2, 2));
        assert_eq!(f.step(4), &shifted[..]);
    }

    /// A field of `alphabet` letters from a small linear congruential generator.
    fn noise(steps: usize, height: usize, width: usize, alphabet: usize, seed: u64) -> Field {
        let mut s = seed;
        let cells = (0..steps * height * width)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((s >> 33) % alphabet as u64) as u8
            })
            .collect();
        Field::new(cells, steps, height, width, alphabet).unwrap()
    }

    #[test]
    fn rows_of_dense_indices_are_the_observations_visited_one_by_one() {
        let cases = [
            (noise(40, 1, 37, 2, 1), 5, None),
            (noise(40, 1, 37, 2, 2), 5, Some((0, 1))),
            (noise(40, 1, 37, 2, 3), 3, Some((0, -2))),
            (noise(30, 1, 23, 3, 4), 4, Some((0, 1))),
            (noise(30, 1, 23, 3, 5), 4, None),
            (noise(30, 5, 7, 2, 6), 3, Some((1, 1))),
            (noise(30, 5, 7, 3, 7), 2, Some((-1, 3))),
            (noise(30, 5, 7, 4, 8), 2, Some((7, -9))),
        ];
        for (f, k, channel) in cases {
            let mut obs = FieldObs::new(f.view(), k, channel).unwrap();
            // Several blocks, the last one short.
            obs.rows = 7;
            let [cx, cy, _] = obs.cards();
            for b in 0..obs.num_blocks() {
                let mut one = Vec::new();
                obs.visit(b, |x, y, z| one.push(((z * cx + x) * cy + y) as u32));
                let mut rows = Vec::new();
                assert!(obs.visit_dense(b, |idx| rows.extend_from_slice(idx)));
                assert_eq!(one, rows, "k = {k}, channel {channel:?}, block {b}");
            }
        }
    }

    #[test]
    fn local_values_by_blocks_of_rows_are_those_of_the_whole_field() {
        for (f, k, channel) in [
            (noise(61, 1, 53, 2, 9), 6, Some((0, 1))),
            (noise(61, 1, 53, 2, 10), 6, None),
            (noise(40, 6, 9, 3, 11), 2, Some((1, -1))),
        ] {
            let field = |f| match channel {
                Some(ch) => LocalField::transfer_entropy(f, k, ch).unwrap(),
                None => LocalField::active_information(f, k).unwrap(),
            };
            let whole = field(f.view()).into_local_values().unwrap();
            let l = match channel {
                Some(ch) => LocalField::transfer_entropy(f.view(), k, ch).unwrap(),
                None => LocalField::active_information(&f, k).unwrap(),
            };
            assert_eq!(l.rows(), whole.steps);
            assert_eq!(l.average().to_bits(), whole.average.to_bits());
            // 7 does not divide the rows; 1 and all of them are the extremes.
            for block in [1, 7, l.rows()] {
                let mut got = Vec::new();
                for r in (0..l.rows()).step_by(block) {
                    got.extend(l.values(r..(r + block).min(l.rows())).unwrap());
                }
                assert!(got
                    .iter()
                    .zip(&whole.values)
                    .all(|(a, b)| a.to_bits() == b.to_bits()));
                assert_eq!(got.len(), whole.values.len());
            }
            #[allow(clippy::reversed_empty_ranges)]
            let backwards = 3..2;
            assert!(l.values(backwards).is_err());
            assert!(l.values(0..l.rows() + 1).is_err());
            assert!(l.values_into(0..2, &mut [0.0; 3]).is_err());
            // Counts kept apart from the field give the same values once it is given again,
            // and refuse a field of another shape.
            let counts = l.detach();
            let again = counts.attach(&f).unwrap();
            let values = again.values(0..again.rows()).unwrap();
            assert!(values
                .iter()
                .zip(&whole.values)
                .all(|(a, b)| a.to_bits() == b.to_bits()));
            assert_eq!(again.average().to_bits(), whole.average.to_bits());
            let other = noise(f.steps() + 1, f.height(), f.width(), f.alphabet(), 1);
            assert!(counts.attach(&other).is_err());
        }
    }

    #[test]
    fn a_borrowed_field_is_checked_like_an_owned_one() {
        let cells = [0u8, 1, 2, 1];
        assert!(FieldRef::new(&cells, 2, 1, 2, 3).is_ok());
        let e = FieldRef::new(&cells, 2, 1, 2, 2).unwrap_err().to_string();
        assert!(e.contains("cell value 2 at position 2"), "{e}");
        assert!(FieldRef::new(&cells, 3, 1, 2, 3).is_err());
        assert_eq!(max_cell(&cells), 2);
        assert_eq!(max_cell(&[]), 0);
    }
}
