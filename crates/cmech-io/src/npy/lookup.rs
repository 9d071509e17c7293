//! Elements decoded where they lie (any width, either byte order), the [`Lookup`] from values to
//! symbol indices (dense over a narrow range, hashed otherwise), and where a value outside the
//! alphabet was met ([`Outside`]).

use cmech_core::counts::Item;
use rustc_hash::FxHashMap;

use crate::tokens::SEP;

use super::{Dtype, Header};

/// Value ranges up to this wide are looked up in a dense table.
pub(super) const DENSE: i128 = 1 << 24;

/// A lookup's dense table is at most this many entries per value it holds, or
/// [`ALWAYS_DENSE`]: five symbols spread over 10^7 (a damaged file's, say) took a 64 MB table.
const ENTRIES_PER_VALUE: i128 = 64;

/// Ranges this narrow are always dense (256 KB at most): every 16-bit dtype.
const ALWAYS_DENSE: i128 = 1 << 16;

#[inline]
pub(super) fn decode<const W: usize>(b: [u8; W], d: Dtype) -> i128 {
    // One load of the padded word rather than a loop over bytes: the loops over 10^7 elements
    // spend their time here.
    let mut word = [0u8; 8];
    let x = if d.big_endian {
        word[8 - W..].copy_from_slice(&b);
        u64::from_be_bytes(word)
    } else {
        word[..W].copy_from_slice(&b);
        u64::from_le_bytes(word)
    };
    if d.signed {
        let shift = 64 - 8 * W as u32;
        (((x << shift) as i64) >> shift) as i128
    } else {
        x as i128
    }
}

/// An element as an i64, its byte order and sign fixed at compile time so that loops over it
/// vectorise. Unsigned 64-bit values above `i64::MAX` come out negative: for the fast paths
/// that only test whether values lie in a small range from 0.
#[inline(always)]
pub(super) fn decode_i64<const W: usize, const BE: bool, const SIGNED: bool>(b: [u8; W]) -> i64 {
    let mut word = [0u8; 8];
    let x = if BE {
        word[8 - W..].copy_from_slice(&b);
        u64::from_be_bytes(word)
    } else {
        word[..W].copy_from_slice(&b);
        u64::from_le_bytes(word)
    };
    if SIGNED {
        let shift = 64 - 8 * W as u32;
        ((x << shift) as i64) >> shift
    } else {
        x as i64
    }
}

/// Calls the generic function `$f::<W, BE, SIGNED>($args)` for the dtype `$d` of width `W`.
macro_rules! by_order {
    ($d:expr, $f:ident::<$w:ident>($($arg:expr),*)) => {
        match ($d.big_endian, $d.signed) {
            (false, false) => $f::<$w, false, false>($($arg),*),
            (false, true) => $f::<$w, false, true>($($arg),*),
            (true, false) => $f::<$w, true, false>($($arg),*),
            (true, true) => $f::<$w, true, true>($($arg),*),
        }
    };
}
pub(super) use by_order;

#[allow(unsafe_code)]
pub(super) fn elements<'a, const W: usize>(data: &'a [u8], h: &Header) -> &'a [[u8; W]] {
    let bytes = &data[h.offset..h.offset + h.elements() * W];
    // SAFETY: [u8; W] has alignment 1 and size W, and `bytes` holds exactly elements * W bytes.
    unsafe { std::slice::from_raw_parts(bytes.as_ptr() as *const [u8; W], h.elements()) }
}

/// Symbol indices of integer values, and the values that are not symbols but skipped or end a
/// sequence (line endings of text in memory, read as code points).
pub(crate) enum Lookup {
    Dense { min: i128, index: Vec<u32> },
    Sparse(FxHashMap<i128, u32>),
}

/// Codes of the lookup that are not symbol indices (an alphabet has at most `MAX_SYMBOLS`).
pub(super) const NONE: u32 = u32::MAX;
const SKIP: u32 = u32::MAX - 1;
const SEPARATOR: u32 = u32::MAX - 2;

impl Lookup {
    /// `values[i]` is symbol `i`.
    pub fn new(values: &[i128]) -> Lookup {
        Lookup::with(values, &[], &[])
    }

    /// `values[i]` is symbol `i`; `skip` values are not symbols, `separators` end a sequence.
    pub fn with(values: &[i128], skip: &[i128], separators: &[i128]) -> Lookup {
        let pairs: Vec<(i128, u32)> = (values.iter().enumerate().map(|(i, &v)| (v, i as u32)))
            .chain(skip.iter().map(|&v| (v, SKIP)))
            .chain(separators.iter().map(|&v| (v, SEPARATOR)))
            .collect();
        let (min, max) = (
            pairs.iter().map(|p| p.0).min(),
            pairs.iter().map(|p| p.0).max(),
        );
        match (min, max) {
            (Some(min), Some(max))
                if max - min < DENSE
                    && (max - min < ALWAYS_DENSE
                        || max - min < ENTRIES_PER_VALUE * pairs.len() as i128) =>
            {
                let mut index = vec![NONE; (max - min + 1) as usize];
                for &(v, c) in &pairs {
                    index[(v - min) as usize] = c;
                }
                Lookup::Dense { min, index }
            }
            _ => Lookup::Sparse(pairs.into_iter().collect()),
        }
    }

    #[inline]
    pub fn item(&self, v: i128) -> Item {
        let code = match self {
            Lookup::Dense { min, index } => {
                let d = v - min;
                if d < 0 || d >= index.len() as i128 {
                    NONE
                } else {
                    index[d as usize]
                }
            }
            Lookup::Sparse(m) => m.get(&v).copied().unwrap_or(NONE),
        };
        match code {
            NONE => Item::Invalid,
            SKIP => Item::Skip,
            SEPARATOR => Item::Separator,
            x => Item::Symbol(x),
        }
    }
}

/// The codes a [`Streamer`] or a buffer of sequences takes: symbol indices, and `SEP`.
#[inline]
pub(super) fn push_item(out: &mut Vec<u32>, item: Item) -> bool {
    match item {
        Item::Symbol(x) => out.push(x),
        Item::Separator => out.push(SEP),
        Item::Skip => {}
        Item::Invalid => return false,
    }
    true
}

/// Where a value outside the alphabet was met: its element index and value.
pub(crate) struct Outside {
    pub index: usize,
    pub value: i128,
}
