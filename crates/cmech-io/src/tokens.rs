//! Whitespace-separated tokens, each a symbol; with `lines`, a newline ends a sequence.
//!
//! Mapped files are cut at whitespace into chunks that are tokenised in parallel, a group at a
//! time, and fed in order to a [`Streamer`]; streams are read in large blocks, the token cut by a
//! block's end carried into the next.

use std::io::Read;

use cmech_core::counts::{CountTable, Item};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::stream::Streamer;
use crate::Progress;

/// The item that ends a sequence.
pub(crate) const SEP: u32 = u32::MAX;
const CHUNK: usize = 4 << 20;
const FLUSH: usize = 1 << 23;

pub(crate) type TokenMap = FxHashMap<Vec<u8>, u32>;

#[inline]
pub(crate) fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// A token that is not in the alphabet, and where it starts in the whole input.
#[derive(Debug)]
pub(crate) struct Unknown {
    pub offset: usize,
    pub token: Vec<u8>,
}

/// Chunk limits near multiples of `target`, moved forward to whitespace so no token is cut.
fn split_points(data: &[u8], target: usize) -> Vec<usize> {
    let mut points = vec![0];
    let mut at = target;
    while at < data.len() {
        match data[at..].iter().position(|&b| is_ws(b)) {
            Some(p) => {
                points.push(at + p);
                at += p + target;
            }
            None => break,
        }
    }
    points.push(data.len());
    points.dedup();
    points
}

/// The distinct tokens of `data`, in parallel.
pub(crate) fn distinct<'a>(data: &'a [u8], progress: &dyn Progress) -> FxHashSet<&'a [u8]> {
    let points = split_points(data, CHUNK);
    points
        .par_windows(2)
        .map(|w| {
            let chunk = &data[w[0]..w[1]];
            let set: FxHashSet<&[u8]> = chunk
                .split(|&b| is_ws(b))
                .filter(|t| !t.is_empty())
                .collect();
            progress.advance(chunk.len() as u64);
            set
        })
        .reduce(FxHashSet::default, |mut a, b| {
            if a.len() < b.len() {
                return b.into_iter().chain(a).collect();
            }
            a.extend(b);
            a
        })
}

pub(crate) fn tokenize(
    chunk: &[u8],
    base: usize,
    lines: bool,
    map: &TokenMap,
    out: &mut Vec<u32>,
) -> Result<(), Unknown> {
    let mut i = 0;
    let n = chunk.len();
    while i < n {
        let b = chunk[i];
        if is_ws(b) {
            if lines && b == b'\n' {
                out.push(SEP);
            }
            i += 1;
            continue;
        }
        let s = i;
        while i < n && !is_ws(chunk[i]) {
            i += 1;
        }
        match map.get(&chunk[s..i]) {
            Some(&x) => out.push(x),
            None => {
                return Err(Unknown {
                    offset: base + s,
                    token: chunk[s..i].to_vec(),
                })
            }
        }
    }
    Ok(())
}

pub(crate) fn classify(x: u32) -> Item {
    if x == SEP {
        Item::Separator
    } else {
        Item::Symbol(x)
    }
}

/// Counts the tokens of a mapped file.
pub(crate) fn count_mapped(
    data: &[u8],
    lines: bool,
    map: &TokenMap,
    table: &mut CountTable,
    progress: &dyn Progress,
) -> Result<(), Unknown> {
    let points = split_points(data, CHUNK);
    let limits: Vec<(usize, usize)> = points.windows(2).map(|w| (w[0], w[1])).collect();
    let mut st = Streamer::new(table, classify, FLUSH);
    let group = rayon::current_num_threads() * 2;
    for limits in limits.chunks(group) {
        let parts: Vec<Result<Vec<u32>, Unknown>> = limits
            .par_iter()
            .map(|&(a, b)| {
                let mut out = Vec::with_capacity((b - a) / 2 + 1);
                tokenize(&data[a..b], a, lines, map, &mut out).map(|_| out)
            })
            .collect();
        for (part, &(a, b)) in parts.into_iter().zip(limits) {
            st.extend(&part?)
                .expect("tokens are classified as symbols or separators");
            progress.advance((b - a) as u64);
        }
    }
    st.finish()
        .expect("tokens are classified as symbols or separators");
    Ok(())
}

/// Counts the tokens of a stream, read in large blocks.
pub(crate) fn count_stream(
    mut reader: impl Read,
    lines: bool,
    map: &TokenMap,
    table: &mut CountTable,
    progress: &dyn Progress,
) -> Result<Result<(), Unknown>, std::io::Error> {
    let mut st = Streamer::new(table, classify, FLUSH);
    let mut buf: Vec<u8> = Vec::with_capacity(2 * CHUNK);
    let mut base = 0usize;
    let mut items = Vec::new();
    loop {
        let old = buf.len();
        buf.resize(old + CHUNK, 0);
        let got = read_full(&mut reader, &mut buf[old..])?;
        buf.truncate(old + got);
        progress.advance(got as u64);
        let eof = got == 0;
        // Tokenise up to the last whitespace; the token after it may continue in the next block.
        let upto = if eof {
            buf.len()
        } else {
            match buf.iter().rposition(|&b| is_ws(b)) {
                Some(p) => p + 1,
                None => continue,
            }
        };
        items.clear();
        if let Err(e) = tokenize(&buf[..upto], base, lines, map, &mut items) {
            return Ok(Err(e));
        }
        st.extend(&items)
            .expect("tokens are classified as symbols or separators");
        buf.drain(..upto);
        base += upto;
        if eof {
            break;
        }
    }
    st.finish()
        .expect("tokens are classified as symbols or separators");
    Ok(Ok(()))
}

/// Reads until `buf` is full or the stream ends; returns the bytes read.
pub(crate) fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match reader.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}
