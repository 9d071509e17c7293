//! Counting opened sources into a table or a shard, each by the fastest path its data allow:
//! streamed stdin, a file read in parallel, bytes or tokens in memory, or short sequences gathered
//! into one buffer.

use cmech_core::counts::{CountTable, InvalidItem, ReadFailure};
use cmech_core::reconstruct::CountWindow;

use super::{take_stdin, Data, Input, Lookup, Opened, ReadOptions, Source};
use crate::error::{input, io as io_err, show_token, Result, Warning};
use crate::npy;
use crate::shard::Shard;
use crate::stream;
use crate::tokens::{self, SEP};
use crate::Progress;

/// Opens `sources` and counts them into a shard for `window`, with the warnings about them: what
/// [`Input::open`] then [`Input::count_shard`] give, a pass over the data sooner. An alphabet
/// that is not given is guessed from the first bytes of each character or byte file, and the
/// counting checks it, since a byte outside it stops the counting; then the files are scanned
/// whole and counted again.
pub fn count_sources(
    sources: &[Source],
    opts: &ReadOptions,
    window: &CountWindow,
    progress: &dyn Progress,
) -> Result<(Shard, Vec<Warning>)> {
    let mut input = Input::open_with(sources, opts, progress, true)?;
    if input.guessed {
        if let Ok(shard) = input.count_shard(window, progress) {
            return Ok((shard, input.warnings));
        }
        // Stdin was spooled to a file, so it can be read again.
        input.infer_alphabet(progress)?;
        input.warnings.clear();
        input.add_warnings();
    }
    let shard = input.count_shard(window, progress)?;
    Ok((shard, input.warnings))
}

/// Counts held-out data in the alphabet of the data a machine was fitted on (`names`, in that
/// order), so that the two tables index the same symbols; a symbol outside it is an error that
/// names it. `opts.alphabet` is ignored.
pub fn count_held_out(
    sources: &[Source],
    opts: &ReadOptions,
    names: &[String],
    window: usize,
    progress: &dyn Progress,
) -> Result<(Shard, Vec<Warning>)> {
    let input = Input::open_in(sources, opts, progress, false, Some(names), npy::SEQUENCES)?;
    let shard = input.count_shard(&CountWindow::Fixed(window), progress)?;
    Ok((shard, input.warnings))
}

/// Sequences in memory shorter than this are gathered into one buffer to be counted together;
/// longer ones are counted where they lie.
const IN_PLACE: usize = 1 << 20;
/// Codes gathered before they are counted.
const BATCH: usize = 1 << 24;

impl<'a> Input<'a> {
    /// Counts every source into a table of words up to `window` symbols. Stdin streamed (given
    /// alphabet) can be counted only once.
    pub fn count(&self, window: usize, progress: &dyn Progress) -> Result<CountTable> {
        let mut table = CountTable::new(self.names.len(), window)?;
        let total = match self.range {
            Some((a, b)) => b - a,
            None => self.total_bytes(),
        };
        progress.begin("counting", total, "B");
        let mut batch = Vec::new();
        let flush = |table: &mut CountTable, batch: &mut Vec<u32>| {
            table
                .add_items(batch, 0..batch.len(), tokens::classify, &|_| {})
                .expect("codes are classified before they are gathered");
            batch.clear();
        };
        for f in &self.files {
            if self.batched(f) {
                self.push_codes(f, &mut batch)?;
                if batch.len() >= BATCH {
                    flush(&mut table, &mut batch);
                }
            } else {
                self.count_one(f, &mut table, progress)?;
            }
        }
        flush(&mut table, &mut batch);
        progress.end();
        if table.symbols() == 0 && self.range.is_none() {
            return Err(input(format!("no symbols in {}", self.name)));
        }
        Ok(table)
    }

    /// Counts every source for `window` into a count shard with its sidecar filled in.
    pub fn count_shard(&self, window: &CountWindow, progress: &dyn Progress) -> Result<Shard> {
        let table = self.count(window.length(self.names.len()), progress)?;
        Ok(Shard::new(
            table,
            self.names.clone(),
            window.max_history(self.names.len()),
            self.source_infos(),
        ))
    }

    /// Whether a source is a short sequence in memory, counted with others in one buffer.
    fn batched(&self, f: &Opened) -> bool {
        match &f.data {
            Data::Tokens(_) => true,
            Data::Borrowed(_) | Data::Text { .. } => f
                .npy
                .as_ref()
                .is_some_and(|h| h.shape.len() == 1 && h.elements() < IN_PLACE),
            _ => false,
        }
    }

    /// Appends the codes of a short sequence in memory, then a separator.
    pub(crate) fn push_codes(&self, f: &Opened, batch: &mut Vec<u32>) -> Result<()> {
        match (&self.lookup, &f.data) {
            (Lookup::Tokens(map), Data::Tokens(tokens)) => {
                for (i, t) in tokens.iter().enumerate() {
                    match map.get(t.as_bytes()) {
                        Some(&x) => batch.push(x),
                        None => {
                            return Err(input(format!(
                                "{}: token {} at index {i} is not in the alphabet {}",
                                f.name,
                                show_token(t.as_bytes()),
                                self.alphabet_text()
                            )))
                        }
                    }
                }
                batch.push(SEP);
                Ok(())
            }
            (Lookup::Ints(lookup), _) => {
                let h = f.npy.as_ref().expect("integers have a header");
                npy::codes(f.bytes().expect("in memory"), h, lookup, batch)
                    .map_err(|o| self.outside(f, h, o))
            }
            _ => unreachable!("only tokens and integers in memory are batched"),
        }
    }

    fn count_one(&self, f: &Opened, table: &mut CountTable, progress: &dyn Progress) -> Result<()> {
        match (&self.lookup, &f.data) {
            (Lookup::Bytes(classes), Data::Stream(stdin)) => {
                let reader = take_stdin(stdin)?;
                let mut st = stream::bytes(table, classes, 1 << 24);
                let mut buf = vec![0u8; 1 << 22];
                let mut reader = reader.lock();
                loop {
                    let n = tokens::read_full(&mut reader, &mut buf)
                        .map_err(|e| io_err("cannot read stdin", e))?;
                    if n == 0 {
                        break;
                    }
                    st.extend(&buf[..n])
                        .map_err(|InvalidItem(at)| self.bad_byte(f, at, None))?;
                    progress.advance(n as u64);
                }
                st.finish()
                    .map_err(|InvalidItem(at)| self.bad_byte(f, at, None))?;
            }
            // Read, not mapped: each counting thread reads its part into a buffer of its own,
            // which costs the kernel a copy instead of mapping every page in and out.
            #[cfg(unix)]
            (Lookup::Bytes(classes), Data::Mapped { map, file }) => {
                use std::os::unix::fs::FileExt;
                let read = |at: usize, buf: &mut [u8]| file.read_exact_at(buf, at as u64);
                table
                    .add_bytes_read(map.len(), self.byte_range(map), classes, &read, &|n| {
                        progress.advance(n)
                    })
                    .map_err(|e| match e {
                        ReadFailure::Invalid(InvalidItem(at)) => self.bad_byte(f, at, Some(map)),
                        ReadFailure::Read(e) => io_err(format!("cannot read {}", f.name), e),
                    })?;
            }
            (Lookup::Bytes(classes), _) => {
                let data = f.bytes().expect("mapped");
                table
                    .add_bytes(data, self.byte_range(data), classes, &|n| {
                        progress.advance(n)
                    })
                    .map_err(|InvalidItem(at)| self.bad_byte(f, at, Some(data)))?;
            }
            (Lookup::Tokens(map), Data::Stream(stdin)) => {
                let reader = take_stdin(stdin)?;
                let r = tokens::count_stream(reader.lock(), self.lines, map, table, progress)
                    .map_err(|e| io_err("cannot read stdin", e))?;
                r.map_err(|u| self.bad_token(f, u, None))?;
            }
            (Lookup::Tokens(map), _) => {
                let data = f.bytes().expect("mapped");
                tokens::count_mapped(data, self.lines, map, table, progress)
                    .map_err(|u| self.bad_token(f, u, Some(data)))?;
            }
            (Lookup::Ints(lookup), _) => {
                let data = f.bytes().expect("mapped");
                let h = f.npy.as_ref().expect("parsed");
                npy::count(data, h, lookup, table, progress).map_err(|o| self.outside(f, h, o))?;
            }
        }
        Ok(())
    }

    /// The bytes of `data` to count: the whole, or the range asked for.
    fn byte_range(&self, data: &[u8]) -> std::ops::Range<usize> {
        match self.range {
            Some((a, b)) => a as usize..b.min(data.len() as u64) as usize,
            None => 0..data.len(),
        }
    }
}
