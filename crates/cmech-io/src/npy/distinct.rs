//! The distinct values of an array, its alphabet: in one pass over a bitmask or a bitmap when the
//! values are small, else a range pass and then a dense or hashed set, in parallel.

use rayon::prelude::*;
use rustc_hash::FxHashSet;

use crate::error::{input, Result};
use crate::Progress;

use super::lookup::{by_order, decode, decode_i64, elements, DENSE};
use super::{Dtype, Header, CHUNK};

/// More distinct values than this is not an alphabet.
const MAX_SYMBOLS: usize = 1 << 20;

/// The distinct values of the array, sorted.
pub(crate) fn distinct(
    data: &[u8],
    h: &Header,
    name: &str,
    progress: &dyn Progress,
) -> Result<Vec<i128>> {
    by_width!(h.dtype.width, distinct_w(data, h, name, progress))
}

/// The distinct values in one branch-free pass, when every value lies in [0, 64) (binary and
/// other small alphabets): the set is one 64-bit mask, which the loop can vectorise.
fn tiny_distinct<const W: usize>(
    el: &[[u8; W]],
    d: Dtype,
    progress: &dyn Progress,
) -> Option<Vec<i128>> {
    let (mask, outside) = el
        .par_chunks(CHUNK / 8)
        .map(|c| {
            progress.advance((c.len() * W) as u64);
            by_order!(d, tiny_mask::<W>(c))
        })
        .reduce(|| (0, false), |a, b| (a.0 | b.0, a.1 | b.1));
    (!outside).then(|| {
        (0..64)
            .filter(|v| mask >> v & 1 == 1)
            .map(i128::from)
            .collect()
    })
}

/// The mask of the values of `c` and whether any lies outside [0, 64).
fn tiny_mask<const W: usize, const BE: bool, const SIGNED: bool>(c: &[[u8; W]]) -> (u64, bool) {
    let (mut mask, mut outside) = (0u64, false);
    for &b in c {
        let v = decode_i64::<W, BE, SIGNED>(b);
        outside |= !(0..64).contains(&v);
        mask |= 1u64.wrapping_shl(v as u32);
    }
    (mask, outside)
}

/// Values below this are marked in a bitmap in one pass: the common case of symbols 0, 1, ...
const SMALL: usize = 1 << 16;

/// The distinct values in one pass, when every value lies in [0, SMALL) (nearly all symbol
/// data); `None` as soon as one does not, for the general two passes.
fn small_distinct<const W: usize>(
    el: &[[u8; W]],
    d: Dtype,
    progress: &dyn Progress,
) -> Option<Vec<i128>> {
    let seen = el
        .par_chunks(CHUNK / 8)
        .map(|c| {
            let mut bits = vec![0u64; SMALL / 64];
            for &b in c {
                let v = decode(b, d);
                if !(0..SMALL as i128).contains(&v) {
                    return None;
                }
                bits[v as usize / 64] |= 1 << (v as usize % 64);
            }
            progress.advance((c.len() * W) as u64);
            Some(bits)
        })
        .try_reduce(
            || vec![0u64; SMALL / 64],
            |mut a, b| {
                a.iter_mut().zip(b).for_each(|(x, y)| *x |= y);
                Some(a)
            },
        )?;
    Some(
        (0..SMALL)
            .filter(|&v| seen[v / 64] >> (v % 64) & 1 == 1)
            .map(|v| v as i128)
            .collect(),
    )
}

fn distinct_w<const W: usize>(
    data: &[u8],
    h: &Header,
    name: &str,
    progress: &dyn Progress,
) -> Result<Vec<i128>> {
    let el = elements::<W>(data, h);
    let d = h.dtype;
    if let Some(values) = tiny_distinct(el, d, progress).or_else(|| small_distinct(el, d, progress))
    {
        return Ok(values);
    }
    let (min, max) = el
        .par_chunks(CHUNK)
        .map(|c| {
            c.iter().fold((i128::MAX, i128::MIN), |(lo, hi), &b| {
                let v = decode(b, d);
                (lo.min(v), hi.max(v))
            })
        })
        .reduce(
            || (i128::MAX, i128::MIN),
            |a, b| (a.0.min(b.0), a.1.max(b.1)),
        );
    if el.is_empty() {
        return Ok(Vec::new());
    }
    let mut values: Vec<i128> = if max - min < DENSE {
        let seen: Vec<std::sync::atomic::AtomicBool> = (0..=(max - min))
            .map(|_| std::sync::atomic::AtomicBool::new(false))
            .collect();
        el.par_chunks(CHUNK).for_each(|c| {
            for &b in c {
                seen[(decode(b, d) - min) as usize]
                    .store(true, std::sync::atomic::Ordering::Relaxed);
            }
            progress.advance((c.len() * W) as u64);
        });
        seen.iter()
            .enumerate()
            .filter(|(_, s)| s.load(std::sync::atomic::Ordering::Relaxed))
            .map(|(i, _)| min + i as i128)
            .collect()
    } else {
        let set = el
            .par_chunks(CHUNK)
            .map(|c| {
                progress.advance((c.len() * W) as u64);
                let mut s = FxHashSet::default();
                for &b in c {
                    s.insert(decode(b, d));
                    if s.len() > MAX_SYMBOLS {
                        break;
                    }
                }
                s
            })
            .reduce(FxHashSet::default, |mut a, b| {
                a.extend(b);
                a
            });
        set.into_iter().collect()
    };
    if values.len() > MAX_SYMBOLS {
        return Err(input(format!(
            "{name}: more than {MAX_SYMBOLS} distinct values: this is not an alphabet of symbols"
        )));
    }
    values.sort_unstable();
    Ok(values)
}
