//! One byte per symbol: text with one character per symbol (`chars`) and raw bytes (`bytes`).

use cmech_core::counts::{ByteClasses, Item};
use rayon::prelude::*;

use crate::Progress;

const CHUNK: usize = 1 << 20;

/// Which byte values occur, in parallel. Only presence matters (to infer an alphabet), so a
/// block made only of bytes already seen, nearly every block of real data, is checked by
/// comparisons that vectorise instead of a table update per byte.
pub(crate) fn present(data: &[u8], progress: &dyn Progress) -> [bool; 256] {
    data.par_chunks(CHUNK)
        .map(|chunk| {
            let mut seen = [false; 256];
            // Up to four bytes seen first, compared against directly.
            let mut common: Vec<u8> = Vec::with_capacity(4);
            for block in chunk.chunks(64) {
                if !common.is_empty() && only(block, &common) {
                    continue;
                }
                for &b in block {
                    if !seen[b as usize] {
                        seen[b as usize] = true;
                        if common.len() < 4 {
                            common.push(b);
                        }
                    }
                }
            }
            progress.advance(chunk.len() as u64);
            seen
        })
        .reduce(
            || [false; 256],
            |mut a, b| {
                a.iter_mut().zip(b).for_each(|(x, y)| *x |= y);
                a
            },
        )
}

/// Whether every byte of `block` is one of `set` (one to four values).
#[inline]
fn only(block: &[u8], set: &[u8]) -> bool {
    let v = |i: usize| set[i.min(set.len() - 1)];
    let (a, b, c, d) = (v(0), v(1), v(2), v(3));
    block.iter().fold(true, |ok, &x| {
        ok & ((x == a) | (x == b) | (x == c) | (x == d))
    })
}

/// Bytes that are not symbols in the chars format: line endings.
pub(crate) fn is_line_byte(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

/// The classifier of a one-byte-per-symbol alphabet: `symbols[i]` is the byte of symbol `i`.
/// In the chars format line endings are skipped, or `\n` ends a sequence with `lines`.
pub(crate) fn classes(symbols: &[u8], chars: bool, lines: bool) -> ByteClasses {
    let mut c = ByteClasses::new();
    if chars {
        c.set(b'\r', Item::Skip);
        c.set(b'\n', if lines { Item::Separator } else { Item::Skip });
    }
    for (i, &b) in symbols.iter().enumerate() {
        c.set(b, Item::Symbol(i as u32));
    }
    c
}
