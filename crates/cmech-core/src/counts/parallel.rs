//! Filling a table: a slice of items, of bytes, or of bytes read from a file, counted over ranges
//! split into tasks that run in parallel, each into a table of its own, merged by addition.

use std::ops::Range;

use rayon::prelude::*;

use super::classes::{ByteClasses, Item};
use super::roll::{ByteCounter, Roller};
use super::table::CountTable;
use crate::error::{CmechError, Result};

/// Items per counting task: large enough to amortise a task, small enough to balance and to report
/// progress often.
const TASK_ITEMS: usize = 1 << 20;

/// Where counting met an item that is not allowed, as an offset into the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidItem(pub usize);

/// A reader of bytes by offset: `read(offset, buf)` fills `buf` with the bytes from `offset` on.
pub type ReadAt<'a, E> = dyn Fn(usize, &mut [u8]) -> std::result::Result<(), E> + Sync + 'a;

/// Why counting bytes that are read stopped: an item not allowed, or the reading failed.
#[derive(Debug)]
pub enum ReadFailure<E> {
    /// An item not allowed, at this offset.
    Invalid(InvalidItem),
    /// The reader failed with this error.
    Read(E),
}

impl CountTable {
    /// Counts one whole sequence of symbol indices, in parallel for long ones.
    pub fn add_sequence(&mut self, seq: &[u32]) -> Result<()> {
        let k = self.alphabet_size as u32;
        self.add_items(
            seq,
            0..seq.len(),
            |x| {
                if x < k {
                    Item::Symbol(x)
                } else {
                    Item::Invalid
                }
            },
            &|_| {},
        )
        .map_err(|InvalidItem(i)| {
            CmechError::InvalidArgument(format!(
                "symbol {} at position {i} is outside an alphabet of {k} symbols",
                seq[i]
            ))
        })
    }

    /// Counts the windows that start at an item in `range`, reading past its end to complete them.
    /// The end of `items` ends a sequence, as does every [`Item::Separator`]. Ranges that tile
    /// `items` give tables that merge into the table of all of it. `progress` is told how many
    /// items of the range each finished task covered. Fails at the first invalid item (by offset)
    /// met, leaving the table unchanged.
    pub fn add_items<T, F>(
        &mut self,
        items: &[T],
        range: Range<usize>,
        classify: F,
        progress: &(dyn Fn(u64) + Sync),
    ) -> std::result::Result<(), InvalidItem>
    where
        T: Copy + Sync,
        F: Fn(T) -> Item + Sync,
    {
        let roll = Roller::new(self.alphabet_size as u64, self.window);
        self.count_parallel(items.len(), range, progress, |lo, hi, acc, _| {
            roll.count(items, lo, hi, &classify, acc)
        })
    }

    /// [`CountTable::add_items`] for bytes classified by a table. A binary alphabet of two bytes
    /// with dense counts is read eight bytes at a time, which is most of the time in reconstructing
    /// a long binary stream; the counts are the same either way.
    pub fn add_bytes(
        &mut self,
        bytes: &[u8],
        range: Range<usize>,
        classes: &ByteClasses,
        progress: &(dyn Fn(u64) + Sync),
    ) -> std::result::Result<(), InvalidItem> {
        let counter = ByteCounter::new(self, classes);
        self.count_parallel(bytes.len(), range, progress, |lo, hi, acc, _| {
            counter.count(bytes, lo, hi, classes, acc)
        })
    }

    /// [`CountTable::add_bytes`] for `len` bytes that are read rather than held:
    /// `read(offset, buf)` fills `buf` with the bytes from `offset` on. Each task reads its own
    /// part, and past it what completes its windows, in parallel, so a file is counted from a
    /// buffer per thread without being mapped into memory.
    pub fn add_bytes_read<E: Send>(
        &mut self,
        len: usize,
        range: Range<usize>,
        classes: &ByteClasses,
        read: &ReadAt<'_, E>,
        progress: &(dyn Fn(u64) + Sync),
    ) -> std::result::Result<(), ReadFailure<E>> {
        let counter = ByteCounter::new(self, classes);
        let need = self.window - 1;
        self.count_parallel(len, range, progress, |lo, hi, acc, buf| {
            // Read a little past the task, more only if that does not complete its windows.
            let mut past = 4096;
            loop {
                let stop = (hi + past).min(len);
                buf.resize(stop - lo, 0);
                read(lo, buf).map_err(ReadFailure::Read)?;
                if stop == len || completes(&buf[hi - lo..], classes, need) {
                    break;
                }
                past *= 2;
            }
            counter
                .count(buf, 0, hi - lo, classes, acc)
                .map_err(|InvalidItem(i)| ReadFailure::Invalid(InvalidItem(lo + i)))
        })
    }

    /// Counts `range` (clamped to `len` items) by tasks run in parallel, `task(lo, hi, acc, buf)`
    /// counting the windows that start in `lo..hi` into `acc`, with a scratch buffer of its thread.
    fn count_parallel<E: Send>(
        &mut self,
        len: usize,
        range: Range<usize>,
        progress: &(dyn Fn(u64) + Sync),
        task: impl Fn(usize, usize, &mut CountTable, &mut Vec<u8>) -> std::result::Result<(), E> + Sync,
    ) -> std::result::Result<(), E> {
        let (start, end) = (range.start.min(len), range.end.min(len));
        if start >= end {
            return Ok(());
        }
        let k = self.alphabet_size as u64;
        let m = self.window;
        let tasks = (end - start).div_ceil(TASK_ITEMS);
        // Each group of consecutive tasks fills one accumulator: a few per thread balance the load
        // of long inputs, whose tasks outweigh the accumulators' cost, while bounding memory;
        // integer sums make the result the same for any grouping.
        let words = k.checked_pow(m as u32).unwrap_or(u64::MAX);
        let per_thread = if words <= 1 << 17 && tasks >= 64 {
            4
        } else {
            1
        };
        let groups = tasks.min(rayon::current_num_threads() * per_thread).max(1);
        let parts: Vec<std::result::Result<CountTable, E>> = (0..groups)
            .into_par_iter()
            .map(|g| {
                // A fresh table, not a clone of an empty one: its zeros come from the allocator,
                // and pages of codes that never occur are never touched.
                let mut acc = self.empty_like();
                let mut buf = Vec::new();
                for t in (g * tasks / groups)..((g + 1) * tasks / groups) {
                    let lo = start + t * TASK_ITEMS;
                    let hi = (lo + TASK_ITEMS).min(end);
                    task(lo, hi, &mut acc, &mut buf)?;
                    progress((hi - lo) as u64);
                }
                Ok(acc)
            })
            .collect();
        let mut parts = parts.into_iter();
        let mut total = parts.next().expect("at least one group")?;
        for part in parts {
            total.absorb(&part?);
        }
        if self.symbols == 0 {
            // Nothing counted yet, so nothing to add to.
            *self = total;
        } else {
            self.absorb(&total);
        }
        Ok(())
    }
}

/// Whether `after` (the bytes after a task) completes every window begun in it: `need` more
/// symbols, or the end of the sequence, or an item that stops the count.
fn completes(after: &[u8], classes: &ByteClasses, need: usize) -> bool {
    let mut seen = 0;
    for &b in after {
        if seen >= need {
            return true;
        }
        match classes.get(b) {
            Item::Symbol(_) => seen += 1,
            Item::Separator | Item::Invalid => return true,
            Item::Skip => {}
        }
    }
    seen >= need
}
