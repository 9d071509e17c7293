//! An array read out whole rather than counted: its symbols as one byte each
//! ([`symbols_u8`]), or their codes with a separator after each sequence ([`codes`]).

use cmech_core::counts::Item;
use rayon::prelude::*;

use crate::tokens::SEP;

use super::lookup::{by_order, decode, decode_i64, elements, push_item, NONE};
use super::{Header, Lookup, Outside};

/// Writes the values of `e` narrowed to bytes into `o`; whether any lies outside [0, m).
fn narrow<const W: usize, const BE: bool, const SIGNED: bool>(
    o: &mut [u8],
    e: &[[u8; W]],
    m: i64,
) -> bool {
    let mut bad = false;
    for (slot, &b) in o.iter_mut().zip(e) {
        let v = decode_i64::<W, BE, SIGNED>(b);
        bad |= !(0..m).contains(&v);
        *slot = v as u8;
    }
    bad
}

/// The array's symbols as their indices, one byte each, decoded in parallel: for an alphabet of
/// at most 256 symbols and a lookup with no skipped values or separators (arrays, not text). On
/// a value outside the alphabet, the first such.
pub(crate) fn symbols_u8(
    data: &[u8],
    h: &Header,
    lookup: &Lookup,
) -> std::result::Result<Vec<u8>, Outside> {
    by_width!(h.dtype.width, symbols_u8_w(data, h, lookup))
}

fn symbols_u8_w<const W: usize>(
    data: &[u8],
    h: &Header,
    lookup: &Lookup,
) -> std::result::Result<Vec<u8>, Outside> {
    let d = h.dtype;
    let elements = elements::<W>(data, h);
    let mut out = vec![0u8; elements.len()];
    // Smaller tasks than counting's: a series of 10^6 symbols is decoded on every core.
    const TASK: usize = 1 << 16;
    // Symbols 0, 1, ..., m - 1 that index themselves (the usual integer series): the index of a
    // value is the value, and the loop is a range check and a narrowing, without a branch.
    if let Lookup::Dense { min: 0, index } = lookup {
        let m = index.len();
        if m <= 256 && index.iter().enumerate().all(|(i, &c)| c as usize == i) {
            let bad = out
                .par_chunks_mut(TASK)
                .zip(elements.par_chunks(TASK))
                .map(|(o, e)| by_order!(d, narrow::<W>(o, e, m as i64)))
                .reduce(|| false, |a, b| a | b);
            if !bad {
                return Ok(out);
            }
        }
    }
    let decoded = out
        .par_chunks_mut(TASK)
        .zip(elements.par_chunks(TASK))
        .try_for_each(|(o, e)| match lookup {
            // The common case without the general lookup's enum: an index table over the
            // values' range, every code above 255 (none, skipped, separator) a failure.
            Lookup::Dense { min, index } => {
                for (slot, &b) in o.iter_mut().zip(e) {
                    let at = decode(b, d) - min;
                    let code = if (0..index.len() as i128).contains(&at) {
                        index[at as usize]
                    } else {
                        NONE
                    };
                    if code > 255 {
                        return Err(());
                    }
                    *slot = code as u8;
                }
                Ok(())
            }
            Lookup::Sparse(_) => {
                for (slot, &b) in o.iter_mut().zip(e) {
                    match lookup.item(decode(b, d)) {
                        Item::Symbol(x) if x < 256 => *slot = x as u8,
                        _ => return Err(()),
                    }
                }
                Ok(())
            }
        });
    if decoded.is_err() {
        // Found again in order, so that the message names the first bad value.
        let (index, value) = elements
            .iter()
            .map(|&b| decode(b, d))
            .enumerate()
            .find(|&(_, v)| !matches!(lookup.item(v), Item::Symbol(x) if x < 256))
            .expect("a value failed");
        return Err(Outside { index, value });
    }
    Ok(out)
}

/// Appends the codes of the array's symbols to `out`, `SEP` after each sequence (the array if
/// 1-D, each row if 2-D): for arrays too short to be worth counting on their own, and for paired
/// streams.
pub(crate) fn codes(
    data: &[u8],
    h: &Header,
    lookup: &Lookup,
    out: &mut Vec<u32>,
) -> std::result::Result<(), Outside> {
    by_width!(h.dtype.width, codes_w(data, h, lookup, out))
}

fn codes_w<const W: usize>(
    data: &[u8],
    h: &Header,
    lookup: &Lookup,
    out: &mut Vec<u32>,
) -> std::result::Result<(), Outside> {
    let d = h.dtype;
    let row = h.row().max(1);
    let elements = elements::<W>(data, h);
    out.reserve(elements.len() + elements.len() / row + 1);
    // Row by row: a division per element to find the rows' ends cost as much as the decoding.
    for (r, chunk) in elements.chunks(row).enumerate() {
        for (j, &b) in chunk.iter().enumerate() {
            let value = decode(b, d);
            if !push_item(out, lookup.item(value)) {
                return Err(Outside {
                    index: r * row + j,
                    value,
                });
            }
        }
        out.push(SEP);
    }
    if h.elements() == 0 {
        out.push(SEP);
    }
    Ok(())
}
