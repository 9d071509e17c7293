//! Sources decoded to symbol indices, a sequence at a time: for the readers that need the symbols
//! themselves rather than their counts (paired streams, information-flow series). Every source is
//! read as counting reads it (same formats, alphabets and messages), so a series means the same
//! in every command whatever its spelling: `0`/`1` and `0`/`2` are both two symbols.
//!
//! The symbols are held in memory, 4 bytes each while decoding.

use std::io::Read;

use cmech_core::counts::Item;
use cmech_core::infoflow::{Series, MAX_ALPHABET};

use crate::error::{hinted, input, io as io_err, Hint, Result};
use crate::input::{release, take_stdin, Data, Lookup, Opened};
use crate::npy;
use crate::tokens::{is_ws, tokenize, SEP};
use crate::{Input, Progress};

/// Bytes of a file decoded into one block of [`Input::for_each_block`].
const BLOCK: usize = 1 << 20;

impl Input<'_> {
    /// Every sequence of the sources (a file, a line with lines on, a row of a 2-D array) as
    /// indices into [`Input::alphabet`], empty sequences left out.
    pub fn sequences(&self) -> Result<Vec<Vec<u32>>> {
        Ok(split(&self.codes()?).map(<[u32]>::to_vec).collect())
    }

    /// The sources as an information-flow [`Series`]: each sequence a trial, each symbol its
    /// index in [`Input::alphabet`] (so the series has that many letters, even where some are
    /// not seen). A byte range does not apply.
    pub fn series(&self) -> Result<Series> {
        if self.range.is_some() {
            return Err(hinted(
                "a byte range does not apply to a series read whole",
                Hint::Range,
            ));
        }
        let letters = self.names.len();
        if letters > MAX_ALPHABET {
            return Err(input(format!(
                "{} holds {letters} distinct symbols; information-flow measures take at most \
                 {MAX_ALPHABET}",
                self.name
            )));
        }
        let (symbols, lengths) = match &self.lookup {
            // Integer arrays, files or in memory, decode straight to bytes, in parallel: the
            // general path below costs several passes over a 10^7-symbol series.
            Lookup::Ints(lookup)
                if !self
                    .files
                    .iter()
                    .any(|f| matches!(f.data, Data::Text { .. })) =>
            {
                let mut symbols = Vec::new();
                let mut lengths = Vec::new();
                for f in &self.files {
                    let h = f.npy.as_ref().expect("integers have a header");
                    let data = f.bytes().expect("mapped or in memory");
                    let s = npy::symbols_u8(data, h, lookup).map_err(|o| self.outside(f, h, o))?;
                    let row = h.row();
                    if row > 0 {
                        lengths.extend(std::iter::repeat_n(row, s.len() / row));
                    }
                    if symbols.is_empty() {
                        symbols = s;
                    } else {
                        symbols.extend_from_slice(&s);
                    }
                }
                (symbols, lengths)
            }
            _ => {
                let codes = self.codes()?;
                let mut symbols = Vec::with_capacity(codes.len());
                let mut lengths = Vec::new();
                for seq in split(&codes) {
                    symbols.extend(seq.iter().map(|&c| c as u8));
                    lengths.push(seq.len());
                }
                (symbols, lengths)
            }
        };
        if lengths.is_empty() {
            return Err(input(format!("no symbols in {}", self.name)));
        }
        Series::with_lengths(symbols, &lengths, Some(letters))
            .map_err(|e| input(format!("{}: {e}", self.name)))
    }

    /// Calls `f` on the symbols of every source, as indices into [`Input::alphabet`], a block at
    /// a time (about a MiB of a file each), in order: for readers that follow one long sequence
    /// (a belief trajectory, say) without holding it. Where one sequence ends and the next begins
    /// (files, lines with `lines`) is not marked. Files are decoded where they lie; other sources
    /// are decoded whole first. An error of `f` stops the reading and is returned.
    pub fn for_each_block<E: From<crate::Error>>(
        &self,
        progress: &dyn Progress,
        mut f: impl FnMut(&[u32]) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        progress.begin("reading", self.total_bytes(), "B");
        let mut out = Vec::with_capacity(BLOCK + 1);
        for file in &self.files {
            // Read once: a mapped file's pages need not stay resident (a 10^9-symbol file).
            let done = |start: usize, end: usize| {
                if let Data::Mapped { map, .. } = &file.data {
                    release(map, start, end);
                }
            };
            let whole = match &file.data {
                Data::Mapped { .. } | Data::Owned(_) => file.bytes(),
                _ => None,
            };
            match (&self.lookup, whole) {
                (Lookup::Bytes(classes), Some(map)) => {
                    for (i, chunk) in map.chunks(BLOCK).enumerate() {
                        out.clear();
                        for (j, &b) in chunk.iter().enumerate() {
                            match classes.get(b) {
                                Item::Symbol(x) => out.push(x),
                                Item::Separator | Item::Skip => {}
                                Item::Invalid => {
                                    return Err(self
                                        .bad_byte(file, i * BLOCK + j, Some(map))
                                        .into())
                                }
                            }
                        }
                        progress.advance(chunk.len() as u64);
                        f(&out)?;
                        done(i * BLOCK, i * BLOCK + chunk.len());
                    }
                }
                (Lookup::Tokens(map), Some(data)) => {
                    let mut start = 0;
                    while start < data.len() {
                        // A block ends at whitespace, so that no token is cut in two.
                        let mut end = (start + BLOCK).min(data.len());
                        while end < data.len() && !is_ws(data[end]) {
                            end += 1;
                        }
                        out.clear();
                        tokenize(&data[start..end], start, self.lines, map, &mut out)
                            .map_err(|u| self.bad_token(file, u, Some(data)))?;
                        out.retain(|&c| c != SEP);
                        progress.advance((end - start) as u64);
                        f(&out)?;
                        done(start, end);
                        start = end;
                    }
                }
                _ => {
                    out.clear();
                    self.file_codes(file, &mut out)?;
                    out.retain(|&c| c != SEP);
                    for block in out.chunks(BLOCK) {
                        f(block)?;
                    }
                }
            }
        }
        progress.end();
        Ok(())
    }

    /// Every symbol of every source as its index, `SEP` after each sequence.
    pub(crate) fn codes(&self) -> Result<Vec<u32>> {
        let mut out = Vec::new();
        for f in &self.files {
            self.file_codes(f, &mut out)?;
        }
        Ok(out)
    }

    /// Appends every symbol of one source as its index, `SEP` after each sequence.
    pub(crate) fn file_codes(&self, f: &Opened, out: &mut Vec<u32>) -> Result<()> {
        match (&self.lookup, &f.data) {
            (Lookup::Ints(_), _) | (Lookup::Tokens(_), Data::Tokens(_)) => self.push_codes(f, out),
            (lookup, Data::Stream(stdin)) => {
                let mut buf = Vec::new();
                take_stdin(stdin)?
                    .lock()
                    .read_to_end(&mut buf)
                    .map_err(|e| io_err("cannot read stdin", e))?;
                self.push_bytes(f, lookup, &buf, false, out)
            }
            (lookup, _) => {
                let data = f.bytes().expect("mapped or in memory");
                self.push_bytes(f, lookup, data, true, out)
            }
        }
    }

    /// The codes of text or bytes held whole (`located`: errors can quote the data).
    fn push_bytes(
        &self,
        f: &Opened,
        lookup: &Lookup,
        data: &[u8],
        located: bool,
        out: &mut Vec<u32>,
    ) -> Result<()> {
        let quoted = located.then_some(data);
        match lookup {
            Lookup::Bytes(classes) => {
                out.reserve(data.len() + 1);
                for (at, &b) in data.iter().enumerate() {
                    match classes.get(b) {
                        Item::Symbol(x) => out.push(x),
                        Item::Separator => out.push(SEP),
                        Item::Skip => {}
                        Item::Invalid => return Err(self.bad_byte(f, at, quoted)),
                    }
                }
            }
            Lookup::Tokens(map) => {
                tokenize(data, 0, self.lines, map, out).map_err(|u| self.bad_token(f, u, quoted))?
            }
            Lookup::Ints(_) => unreachable!("integers are decoded by push_codes"),
        }
        out.push(SEP);
        Ok(())
    }
}

/// The nonempty sequences of codes separated by `SEP`.
pub(crate) fn split(codes: &[u32]) -> impl Iterator<Item = &[u32]> {
    codes.split(|&c| c == SEP).filter(|s| !s.is_empty())
}
