//! One byte per symbol: text with one character per symbol (`chars`) and raw bytes (`bytes`).

use cmech_core::counts::{ByteClasses, Item};
use rayon::prelude::*;

use crate::Progress;

const CHUNK: usize = 1 << 20;

/// How often each byte value occurs, in parallel.
pub(crate) fn histogram(data: &[u8], progress: &dyn Progress) -> [u64; 256] {
    data.par_chunks(CHUNK)
        .map(|chunk| {
            // Four interleaved tables avoid store-to-load stalls on runs of one byte.
            let mut h = [[0u64; 256]; 4];
            let mut quads = chunk.chunks_exact(4);
            for q in &mut quads {
                h[0][q[0] as usize] += 1;
                h[1][q[1] as usize] += 1;
                h[2][q[2] as usize] += 1;
                h[3][q[3] as usize] += 1;
            }
            for &b in quads.remainder() {
                h[0][b as usize] += 1;
            }
            progress.advance(chunk.len() as u64);
            let mut out = [0u64; 256];
            for (i, o) in out.iter_mut().enumerate() {
                *o = h[0][i] + h[1][i] + h[2][i] + h[3][i];
            }
            out
        })
        .reduce(
            || [0u64; 256],
            |mut a, b| {
                a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                a
            },
        )
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
