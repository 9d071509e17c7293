//! A field read as observations for the counting engine: each cell's next value, its past and (for
//! transfer entropy) its source's value, by blocks of steps, with histories rolled rather than
//! rebuilt. Every local and average measure of a field counts through this.

use std::sync::Arc;

use super::field::FieldRef;
use crate::error::Result;
use crate::infoflow::bad;
use crate::infoflow::engine::Observations;

#[inline]
fn wrap(i: usize, d: isize, n: usize) -> usize {
    (i as isize + d).rem_euclid(n as isize) as usize
}

/// Observations of a field: next value, past k values of the same cell, and (for TE) the source
/// cell's value one step before; those of steps `begin..end` (all from k on, or a range of rows
/// of a field written by blocks).
pub(super) struct FieldObs<'a> {
    pub(super) f: FieldRef<'a>,
    pub(super) k: usize,
    /// TE's source; none for AIS.
    pub(super) src: Option<Source>,
    pub(super) rows: usize,
    cards: [u64; 3],
    begin: usize,
    end: usize,
}

/// The source of TE: the channel (dy, dx) and the index of the source cell of every cell.
#[derive(Clone)]
pub(super) struct Source {
    pub(super) channel: (isize, isize),
    index: Arc<[u32]>,
}

impl<'a> FieldObs<'a> {
    pub(super) fn new(
        f: FieldRef<'a>,
        k: usize,
        source: Option<(isize, isize)>,
    ) -> Result<FieldObs<'a>> {
        crate::error::at_least_one("k", k)?;
        if k >= f.steps {
            return Err(bad(format!(
                "history k = {k} leaves no complete window in a field of {} steps",
                f.steps
            )));
        }
        let past = (f.alphabet as u64).checked_pow(k as u32).ok_or_else(|| {
            bad(format!(
                "a history of {k} steps over {} letters does not fit in 64 bits",
                f.alphabet
            ))
        })?;
        let a = f.alphabet as u64;
        let cards = match source {
            Some(_) => [a, a, past],
            None => [a, past, 1],
        };
        let (h, w) = (f.height, f.width);
        let src = source.map(|(dy, dx)| {
            let index: Arc<[u32]> = (0..h)
                .flat_map(|y| (0..w).map(move |x| (wrap(y, -dy, h) * w + wrap(x, -dx, w)) as u32))
                .collect();
            Source {
                channel: (dy, dx),
                index,
            }
        });
        // Every block starts by reading k steps of history: make blocks long against k, and
        // large enough to be worth a task.
        let rows = ((1usize << 20) / f.cells_per_step()).max(4 * k).max(1);
        Ok(FieldObs {
            f,
            k,
            src,
            rows,
            cards,
            begin: k,
            end: f.steps,
        })
    }

    /// The same observations at steps `begin..end` only (k <= begin <= end <= steps).
    pub(super) fn steps(&self, begin: usize, end: usize) -> FieldObs<'a> {
        FieldObs {
            f: self.f,
            k: self.k,
            src: self.src.clone(),
            rows: self.rows,
            cards: self.cards,
            begin,
            end,
        }
    }

    /// Steps t0..t1 of block b.
    fn block_steps(&self, b: usize) -> (usize, usize) {
        let t0 = self.begin + b * self.rows;
        (t0, (t0 + self.rows).min(self.end))
    }
}

impl Observations for FieldObs<'_> {
    fn cards(&self) -> [u64; 3] {
        self.cards
    }
    fn num_blocks(&self) -> usize {
        (self.end - self.begin).div_ceil(self.rows)
    }
    fn block_len(&self, b: usize) -> usize {
        let (t0, t1) = self.block_steps(b);
        (t1 - t0) * self.f.cells_per_step()
    }
    fn visit<F: FnMut(u64, u64, u64)>(&self, b: usize, mut f: F) {
        let n = self.f.cells_per_step();
        let base = self.f.alphabet as u64;
        let top = base.pow(self.k as u32 - 1);
        // Alphabets that are powers of two roll histories by shifts and a mask.
        let bits = base.is_power_of_two().then(|| base.trailing_zeros());
        let mask = match bits {
            Some(b) if (b as usize) * self.k < 64 => (1u64 << (b as usize * self.k)) - 1,
            _ => u64::MAX,
        };
        let (t0, t1) = self.block_steps(b);
        let mut past = vec![0u64; n];
        for t in t0 - self.k..t0 {
            for (p, &c) in past.iter_mut().zip(self.f.step(t)) {
                *p = *p * base + c as u64;
            }
        }
        for t in t0..t1 {
            let now = self.f.step(t);
            let before = self.f.step(t - 1);
            match &self.src {
                Some(src) => {
                    for ((&x, &s), &p) in now.iter().zip(src.index.iter()).zip(&past) {
                        f(x as u64, before[s as usize] as u64, p);
                    }
                }
                None => {
                    for (&x, &p) in now.iter().zip(&past) {
                        f(x as u64, p, 0);
                    }
                }
            }
            if t + 1 < t1 {
                match bits {
                    Some(bits) => {
                        for (p, &c) in past.iter_mut().zip(now) {
                            *p = ((*p << bits) | c as u64) & mask;
                        }
                    }
                    None => {
                        let old = self.f.step(t - self.k);
                        for ((p, &c), &o) in past.iter_mut().zip(now).zip(old) {
                            *p = (*p - o as u64 * top) * base + c as u64;
                        }
                    }
                }
            }
        }
    }

    /// A step at a time: the source cells are first copied into place (each row of the source
    /// step rotated by the channel), so that every index is computed from three aligned rows
    /// (history, next value, source value) by vector instructions, with 32-bit histories.
    fn visit_dense<F: FnMut(&[u32])>(&self, b: usize, mut f: F) -> bool {
        let fits = self
            .cards
            .iter()
            .try_fold(1u64, |s, &c| s.checked_mul(c))
            .is_some_and(|s| s <= u32::MAX as u64);
        if !fits {
            return false;
        }
        let (n, w, h) = (self.f.cells_per_step(), self.f.width, self.f.height);
        let a = self.f.alphabet as u32;
        // a^k, which fits: it is one of the cards.
        let pasts = a.pow(self.k as u32);
        let top = pasts / a;
        let bits = a.is_power_of_two().then(|| a.trailing_zeros());
        let (t0, t1) = self.block_steps(b);
        let mut past = vec![0u32; n];
        for t in t0 - self.k..t0 {
            for (p, &c) in past.iter_mut().zip(self.f.step(t)) {
                *p = *p * a + c as u32;
            }
        }
        let mut idx = vec![0u32; n];
        let mut source = vec![0u8; if self.src.is_some() { n } else { 0 }];
        for t in t0..t1 {
            let now = self.f.step(t);
            match &self.src {
                Some(Source {
                    channel: (dy, dx), ..
                }) => {
                    // Source of (y, x): (y - dy, x - dx) wrapped, one step before.
                    let before = self.f.step(t - 1);
                    let s = wrap(0, -dx, w);
                    for (y, row) in source.chunks_exact_mut(w).enumerate() {
                        let from = &before[wrap(y, -dy, h) * w..][..w];
                        row[..w - s].copy_from_slice(&from[s..]);
                        row[w - s..].copy_from_slice(&from[..s]);
                    }
                    // (past * a + next) * a + source.
                    match bits {
                        Some(bits) => {
                            for (((i, &p), &x), &y) in
                                idx.iter_mut().zip(&past).zip(now).zip(&source)
                            {
                                *i = (p << (2 * bits)) | ((x as u32) << bits) | y as u32;
                            }
                        }
                        None => {
                            for (((i, &p), &x), &y) in
                                idx.iter_mut().zip(&past).zip(now).zip(&source)
                            {
                                *i = (p * a + x as u32) * a + y as u32;
                            }
                        }
                    }
                }
                None => {
                    // next * a^k + past.
                    for ((i, &p), &x) in idx.iter_mut().zip(&past).zip(now) {
                        *i = x as u32 * pasts + p;
                    }
                }
            }
            f(&idx);
            if t + 1 < t1 {
                match bits {
                    Some(bits) => {
                        let mask = pasts - 1;
                        for (p, &c) in past.iter_mut().zip(now) {
                            *p = ((*p << bits) | c as u32) & mask;
                        }
                    }
                    None => {
                        let old = self.f.step(t - self.k);
                        for ((p, &c), &o) in past.iter_mut().zip(now).zip(old) {
                            *p = (*p - o as u32 * top) * a + c as u32;
                        }
                    }
                }
            }
        }
        true
    }
}
