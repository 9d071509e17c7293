//! Word counts of symbol sequences: the sufficient statistics of reconstruction.
//!
//! A [`CountTable`] holds, for a window length `m` (history length L plus one), the number of times
//! each word of length `m` occurs, plus the words that a sequence's end cuts short: for every
//! sequence, its suffixes of length 1 to `m - 1`. Every occurrence of a shorter word is then the
//! prefix of exactly one full window or one such suffix, so the counts of all lengths follow
//! exactly. Tables of the same alphabet and window merge by addition, so counting can be split over
//! threads, byte ranges of a file, or machines, and no window ever crosses from one sequence into
//! the next.
//!
//! Counting reads a slice of items (bytes of a file, decoded tokens, integers) through a
//! classifier that says which item is a symbol, which ends a sequence and which is ignored. A call
//! counts the windows that *start* inside a given range of the slice, looking past its end to
//! complete them, so ranges that tile a file count every window exactly once.

use std::ops::Range;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use strength_reduce::StrengthReducedU64;

use crate::error::{CmechError, Result};

/// Dense arrays are used while `k^m` stays at or below this many entries (32 MiB of counts).
pub const MAX_DENSE_WORDS: u64 = 1 << 22;

/// The suffixes cut short by a sequence's end are one per sequence and length, so their counts
/// stay dense only while small: every counting thread holds a table of each length.
const MAX_DENSE_ENDS: u64 = 1 << 12;

/// Items per counting task: large enough to amortise a task, small enough to balance and to report
/// progress often.
const TASK_ITEMS: usize = 1 << 20;

/// Counts of the words of one length, indexed by their base-k code (first symbol most significant).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum WordCounts {
    /// A count for every code, indexed by code: for code spaces small enough to enumerate.
    Dense(Vec<u64>),
    /// Counts of the codes that occur: for code spaces too large to enumerate.
    Sparse(FxHashMap<u64, u64>),
}

impl WordCounts {
    /// Empty counts for a code space of `words` codes (`None`: too many to enumerate).
    pub fn empty(words: Option<u64>) -> WordCounts {
        WordCounts::dense_up_to(words, MAX_DENSE_WORDS)
    }

    /// Empty counts, dense if there are at most `limit` codes.
    fn dense_up_to(words: Option<u64>, limit: u64) -> WordCounts {
        match words {
            Some(w) if w <= limit => WordCounts::Dense(vec![0; w as usize]),
            _ => WordCounts::Sparse(FxHashMap::default()),
        }
    }

    /// Adds `count` occurrences of the word with this code (which must be in the code space).
    #[inline]
    pub fn add(&mut self, code: u64, count: u64) {
        match self {
            WordCounts::Dense(v) => v[code as usize] += count,
            WordCounts::Sparse(m) => *m.entry(code).or_insert(0) += count,
        }
    }

    /// The count of the word with this code.
    pub fn get(&self, code: u64) -> u64 {
        match self {
            WordCounts::Dense(v) => v.get(code as usize).copied().unwrap_or(0),
            WordCounts::Sparse(m) => m.get(&code).copied().unwrap_or(0),
        }
    }

    fn absorb(&mut self, other: &WordCounts) {
        match (self, other) {
            (WordCounts::Dense(a), WordCounts::Dense(b)) => {
                a.iter_mut().zip(b).for_each(|(x, y)| *x += y)
            }
            (this, other) => {
                for (code, c) in other.iter() {
                    this.add(code, c);
                }
            }
        }
    }

    /// Non-zero (code, count) pairs in increasing code order.
    pub fn iter(&self) -> Box<dyn Iterator<Item = (u64, u64)> + '_> {
        match self {
            WordCounts::Dense(v) => Box::new(
                v.iter()
                    .enumerate()
                    .filter(|(_, &c)| c > 0)
                    .map(|(i, &c)| (i as u64, c)),
            ),
            WordCounts::Sparse(m) => {
                let mut pairs: Vec<(u64, u64)> = m.iter().map(|(&a, &b)| (a, b)).collect();
                pairs.sort_unstable();
                Box::new(pairs.into_iter())
            }
        }
    }

    /// The sum of all counts.
    pub fn total(&self) -> u64 {
        match self {
            WordCounts::Dense(v) => v.iter().sum(),
            WordCounts::Sparse(m) => m.values().sum(),
        }
    }
}

/// What an item of the input is to the counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    /// A symbol, by its index in the alphabet.
    Symbol(u32),
    /// The end of a sequence: no window crosses it.
    Separator,
    /// Not part of the data (a line ending in a one-symbol-per-character file, say).
    Skip,
    /// Something that should not be there: counting stops with an error naming its position.
    Invalid,
}

/// A classifier of bytes by a 256-entry table, for files with one byte per symbol.
#[derive(Debug, Clone)]
pub struct ByteClasses([Item; 256]);

impl ByteClasses {
    /// Every byte invalid until told otherwise.
    pub fn new() -> ByteClasses {
        ByteClasses([Item::Invalid; 256])
    }
    /// Classifies `byte` as `item`.
    pub fn set(&mut self, byte: u8, item: Item) {
        self.0[byte as usize] = item;
    }
    /// What `byte` is to the counter.
    #[inline]
    pub fn get(&self, byte: u8) -> Item {
        self.0[byte as usize]
    }

    /// The two bytes of a two-symbol alphabet, when exactly one byte is each symbol and no other
    /// byte is a symbol: such input can be counted eight bytes at a time.
    fn binary(&self) -> Option<BytePair> {
        let symbol = |x| {
            let mut bytes = (0..=255u8).filter(|&b| self.get(b) == Item::Symbol(x));
            match (bytes.next(), bytes.next()) {
                (Some(b), None) => Some(b),
                _ => None,
            }
        };
        let others = self
            .0
            .iter()
            .filter(|i| matches!(i, Item::Symbol(_)))
            .count();
        match (symbol(0), symbol(1)) {
            (Some(zero), Some(one)) if others == 2 => Some(BytePair {
                zero: u64::from_ne_bytes([zero; 8]),
                one: u64::from_ne_bytes([one; 8]),
            }),
            _ => None,
        }
    }
}

/// The bytes of symbols 0 and 1, each repeated in all eight bytes of a word.
#[derive(Debug, Clone, Copy)]
struct BytePair {
    zero: u64,
    one: u64,
}

impl BytePair {
    /// For eight bytes read big-endian, all of them symbols, the symbols as the bits of a byte,
    /// the first byte's the most significant; `None` when any byte is not a symbol.
    #[inline(always)]
    fn bits(self, word: u64) -> Option<u64> {
        const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
        const HIGH: u64 = 0x8080_8080_8080_8080;
        // 0x80 in each byte of `t` that is zero, exactly (no carry crosses a byte).
        let zero_bytes = |t: u64| !(((t & LOW7) + LOW7) | t | LOW7);
        let ones = zero_bytes(word ^ self.one);
        if (ones | zero_bytes(word ^ self.zero)) != HIGH {
            return None;
        }
        // Gathers bit 0 of byte i into bit i of the top byte; the terms never overlap.
        Some((ones >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56)
    }
}

impl Default for ByteClasses {
    fn default() -> Self {
        ByteClasses::new()
    }
}

/// Counts of all words up to a window length over one or more sequences.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountTable {
    alphabet_size: usize,
    window: usize,
    full: WordCounts,
    /// `ends[j - 1]` counts the suffixes of length `j` (1 <= j < window) of the sequences.
    ends: Vec<WordCounts>,
    sequences: u64,
    symbols: u64,
}

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
    /// An empty table for words of up to `window` symbols over `alphabet_size` symbols.
    pub fn new(alphabet_size: usize, window: usize) -> Result<CountTable> {
        if alphabet_size == 0 {
            return Err(CmechError::InvalidArgument("the alphabet is empty".into()));
        }
        if window == 0 {
            return Err(CmechError::InvalidArgument(
                "the window length must be at least 1".into(),
            ));
        }
        if (alphabet_size as f64).log2() * window as f64 > 63.0 {
            return Err(CmechError::InvalidArgument(format!(
                "words of {window} symbols over {alphabet_size} symbols do not fit in 64-bit codes; \
                 use a shorter history"
            )));
        }
        let k = alphabet_size as u64;
        Ok(CountTable {
            alphabet_size,
            window,
            full: WordCounts::empty(k.checked_pow(window as u32)),
            ends: (1..window)
                .map(|j| WordCounts::dense_up_to(k.checked_pow(j as u32), MAX_DENSE_ENDS))
                .collect(),
            sequences: 0,
            symbols: 0,
        })
    }

    /// A table from its parts (as read back from a shard), checked for consistency.
    pub fn from_parts(
        alphabet_size: usize,
        window: usize,
        full: Vec<(u64, u64)>,
        ends: Vec<Vec<(u64, u64)>>,
        sequences: u64,
        symbols: u64,
    ) -> Result<CountTable> {
        let mut t = CountTable::new(alphabet_size, window)?;
        if ends.len() != window - 1 {
            return Err(CmechError::InvalidArgument(format!(
                "a table of window {window} needs {} suffix lengths, found {}",
                window - 1,
                ends.len()
            )));
        }
        let k = alphabet_size as u64;
        let check = |len: usize, code: u64| -> Result<()> {
            match k.checked_pow(len as u32) {
                Some(w) if code >= w => Err(CmechError::InvalidArgument(format!(
                    "word code {code} is out of range for words of length {len}"
                ))),
                _ => Ok(()),
            }
        };
        for (code, c) in full {
            check(window, code)?;
            t.full.add(code, c);
        }
        for (j, words) in ends.into_iter().enumerate() {
            for (code, c) in words {
                check(j + 1, code)?;
                t.ends[j].add(code, c);
            }
        }
        // Every symbol starts one full window or one suffix; every sequence ends in one suffix of
        // each length it reaches.
        let starts = t.full.total() + t.ends.iter().map(|e| e.total()).sum::<u64>();
        if starts != symbols || t.ends.first().is_some_and(|e| e.total() != sequences) {
            return Err(CmechError::InvalidArgument(format!(
                "inconsistent counts: {symbols} symbols and {sequences} sequences declared, \
                 but the words account for {starts} symbols"
            )));
        }
        t.sequences = sequences;
        t.symbols = symbols;
        Ok(t)
    }

    /// The number of symbols `k`: words are coded in base `k`.
    pub fn alphabet_size(&self) -> usize {
        self.alphabet_size
    }
    /// The longest word counted, `m` (for a reconstruction, the history length L plus one).
    pub fn window(&self) -> usize {
        self.window
    }
    /// Sequences counted (those with at least one symbol).
    pub fn sequences(&self) -> u64 {
        self.sequences
    }
    /// Symbols counted, over all sequences.
    pub fn symbols(&self) -> u64 {
        self.symbols
    }
    /// Counts of the full-length words.
    pub fn full_words(&self) -> &WordCounts {
        &self.full
    }
    /// Counts of the sequences' suffixes of length `1..window`, shortest first.
    pub fn end_words(&self) -> &[WordCounts] {
        &self.ends
    }

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

    fn empty_like(&self) -> CountTable {
        CountTable::new(self.alphabet_size, self.window).expect("checked when self was made")
    }

    fn absorb(&mut self, other: &CountTable) {
        self.full.absorb(&other.full);
        for (a, b) in self.ends.iter_mut().zip(&other.ends) {
            a.absorb(b);
        }
        self.sequences += other.sequences;
        self.symbols += other.symbols;
    }

    /// Adds another table's counts: the result is the table of all their sequences together.
    pub fn merge(&mut self, other: &CountTable) -> Result<()> {
        if other.alphabet_size != self.alphabet_size || other.window != self.window {
            return Err(CmechError::InvalidArgument(format!(
                "cannot merge a table of {} symbols and window {} into one of {} symbols and window {}",
                other.alphabet_size, other.window, self.alphabet_size, self.window
            )));
        }
        self.absorb(other);
        Ok(())
    }

    /// The code of a word (first symbol most significant).
    pub fn encode(&self, word: &[u32]) -> u64 {
        word.iter()
            .fold(0u64, |c, &x| c * self.alphabet_size as u64 + x as u64)
    }

    /// Exact counts of every word of length `len` (0 < len <= window), by code.
    pub fn counts_of_length(&self, len: usize) -> Result<WordCounts> {
        Ok(self.counts_from(len)?.swap_remove(0))
    }

    /// Exact counts of the words of every length from `shortest` (at least 1) to the window,
    /// shortest first. Each length comes from the next longer one, in one pass over it: an
    /// occurrence of a word either continues by a symbol or ends its sequence (a suffix).
    pub fn counts_from(&self, shortest: usize) -> Result<Vec<WordCounts>> {
        if shortest == 0 || shortest > self.window {
            return Err(CmechError::InvalidArgument(format!(
                "word length {shortest} outside 1..={}",
                self.window
            )));
        }
        let k = self.alphabet_size as u64;
        let mut out = vec![self.full.clone()];
        for len in (shortest..self.window).rev() {
            let mut c = WordCounts::empty(k.checked_pow(len as u32));
            for (code, n) in out.last().expect("starts with the full words").iter() {
                c.add(code / k, n);
            }
            for (code, n) in self.ends[len - 1].iter() {
                c.add(code, n);
            }
            out.push(c);
        }
        out.reverse();
        Ok(out)
    }
}

/// How the code of the last `m` symbols rolls forward by one symbol.
trait Roll: Sync {
    /// The code of `code`'s last `m - 1` symbols followed by `x`; `code` holds `m` symbols.
    fn push_full(&self, code: u64, x: u64) -> u64;
    fn k(&self) -> u64;
}

/// A power-of-two alphabet: codes are bit strings.
struct Shift {
    bits: u32,
    mask: u64,
}

impl Roll for Shift {
    #[inline(always)]
    fn push_full(&self, code: u64, x: u64) -> u64 {
        ((code << self.bits) | x) & self.mask
    }
    fn k(&self) -> u64 {
        1 << self.bits
    }
}

/// Any other alphabet: drop the leading symbol by a remainder, with the division strength-reduced
/// because it runs at every symbol.
struct General {
    k: u64,
    lead: StrengthReducedU64,
}

impl Roll for General {
    #[inline(always)]
    fn push_full(&self, code: u64, x: u64) -> u64 {
        (code % self.lead) * self.k + x
    }
    fn k(&self) -> u64 {
        self.k
    }
}

enum Roller {
    Shift(Shift),
    General(General),
}

/// How bytes are counted: eight at a time for a binary alphabet of two bytes with dense counts,
/// symbol by symbol otherwise.
enum ByteCounter {
    Binary(BytePair, Shift),
    Each(Roller),
}

impl ByteCounter {
    fn new(table: &CountTable, classes: &ByteClasses) -> ByteCounter {
        let dense = matches!(table.full, WordCounts::Dense(_));
        match (
            classes.binary(),
            Roller::new(table.alphabet_size as u64, table.window),
        ) {
            // Eight new symbols and the window must fit in the 64-bit code.
            (Some(pair), Roller::Shift(r)) if r.bits == 1 && table.window <= 57 && dense => {
                ByteCounter::Binary(pair, r)
            }
            (_, roll) => ByteCounter::Each(roll),
        }
    }

    fn count(
        &self,
        bytes: &[u8],
        lo: usize,
        hi: usize,
        classes: &ByteClasses,
        acc: &mut CountTable,
    ) -> std::result::Result<(), InvalidItem> {
        let classify = |b: u8| classes.get(b);
        match self {
            ByteCounter::Binary(pair, r) => {
                count_task(bytes, lo, hi, &classify, r, acc, |run, code, full| {
                    binary_run(run, *pair, &classify, r, code, full)
                })
            }
            ByteCounter::Each(roll) => roll.count(bytes, lo, hi, &classify, acc),
        }
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

impl Roller {
    fn new(k: u64, m: usize) -> Roller {
        if k.is_power_of_two() {
            let bits = k.trailing_zeros();
            let total = bits * m as u32;
            let mask = if total >= 64 {
                u64::MAX
            } else {
                (1u64 << total) - 1
            };
            Roller::Shift(Shift { bits, mask })
        } else {
            Roller::General(General {
                k,
                lead: StrengthReducedU64::new(k.pow(m as u32 - 1)),
            })
        }
    }

    /// Counts the windows starting in `items[lo..hi]` into `acc`, symbol by symbol.
    fn count<T: Copy, F: Fn(T) -> Item>(
        &self,
        items: &[T],
        lo: usize,
        hi: usize,
        classify: &F,
        acc: &mut CountTable,
    ) -> std::result::Result<(), InvalidItem> {
        match self {
            Roller::Shift(r) => count_task(items, lo, hi, classify, r, acc, |run, code, full| {
                symbol_run(run, classify, r, code, full)
            }),
            Roller::General(r) => count_task(items, lo, hi, classify, r, acc, |run, code, full| {
                symbol_run(run, classify, r, code, full)
            }),
        }
    }
}

/// Rolls `code` over the leading symbols of `items`, each completing a window counted by `add`,
/// and returns how many there were (it stops at the first item that is not a symbol).
#[inline(always)]
fn steady<T: Copy, F: Fn(T) -> Item, R: Roll>(
    items: &[T],
    classify: &F,
    roll: &R,
    code: &mut u64,
    mut add: impl FnMut(u64),
) -> usize {
    let mut c = *code;
    for (n, &item) in items.iter().enumerate() {
        let Item::Symbol(x) = classify(item) else {
            *code = c;
            return n;
        };
        c = roll.push_full(c, x as u64);
        add(c);
    }
    *code = c;
    items.len()
}

/// A run of symbols counted one by one, with the dense or sparse choice made once.
#[inline(always)]
fn symbol_run<T: Copy, F: Fn(T) -> Item, R: Roll>(
    items: &[T],
    classify: &F,
    roll: &R,
    code: &mut u64,
    full: &mut WordCounts,
) -> usize {
    match full {
        WordCounts::Dense(v) => steady(items, classify, roll, code, |c| v[c as usize] += 1),
        WordCounts::Sparse(map) => steady(items, classify, roll, code, |c| {
            *map.entry(c).or_insert(0) += 1
        }),
    }
}

/// A run of binary symbols, eight bytes at a time while all eight are symbols. Each window's code
/// is cut from the last 64 symbols independently of the others, rather than rolled symbol after
/// symbol, so consecutive counts do not wait on one another.
#[inline(always)]
fn binary_run<F: Fn(u8) -> Item>(
    items: &[u8],
    pair: BytePair,
    classify: &F,
    roll: &Shift,
    code: &mut u64,
    full: &mut WordCounts,
) -> usize {
    let WordCounts::Dense(v) = full else {
        return symbol_run(items, classify, roll, code, full);
    };
    let mask = roll.mask;
    // The last 64 symbols, the latest in the lowest bit.
    let mut last = *code;
    let mut n = 0;
    for chunk in items.chunks_exact(8) {
        let word = u64::from_be_bytes(chunk.try_into().expect("chunks of 8"));
        let Some(bits) = pair.bits(word) else { break };
        last = (last << 8) | bits;
        for r in 0..8 {
            v[((last >> r) & mask) as usize] += 1;
        }
        n += 8;
    }
    *code = last & mask;
    // The rest, up to the first item that is not a symbol, fewer than eight.
    n + steady(&items[n..], classify, roll, code, |c| v[c as usize] += 1)
}

/// Counts the windows starting in `items[lo..hi]` into `acc`. Windows begun before `lo` belong to
/// whoever counts that range; those begun before `hi` are completed from the items after it.
/// `run` counts the symbols that begin its slice, each completing a window, and says how many.
fn count_task<T: Copy, F: Fn(T) -> Item, R: Roll>(
    items: &[T],
    lo: usize,
    hi: usize,
    classify: &F,
    roll: &R,
    acc: &mut CountTable,
    run: impl Fn(&[T], &mut u64, &mut WordCounts) -> usize,
) -> std::result::Result<(), InvalidItem> {
    let m = acc.window;
    let k = roll.k();
    let mut code = 0u64;
    // Symbols of the current sequence seen in this task, up to m.
    let mut filled = 0usize;
    let mut symbols = 0u64;
    // The sequence ends with `pending` windows begun in range and cut short, the latest of them
    // followed by `after` symbols beyond the range: record them as suffixes.
    let end_sequence = |acc: &mut CountTable, code: u64, pending: usize, after: usize| {
        let mut place = k.pow(after as u32);
        for j in after + 1..=after + pending {
            place *= k;
            acc.ends[j - 1].add(code % place, 1);
        }
    };
    let mut i = lo;
    while i < hi {
        if filled == m {
            // The steady state, where nearly all the time goes: symbol after symbol, each
            // completing a window.
            let run = run(&items[i..hi], &mut code, &mut acc.full);
            symbols += run as u64;
            i += run;
            if i == hi {
                break;
            }
        }
        match classify(items[i]) {
            Item::Symbol(x) => {
                symbols += 1;
                if filled == m {
                    code = roll.push_full(code, x as u64);
                    acc.full.add(code, 1);
                } else {
                    code = code * k + x as u64;
                    filled += 1;
                    if filled == m {
                        acc.full.add(code, 1);
                    }
                }
            }
            Item::Separator => {
                if filled > 0 {
                    end_sequence(acc, code, filled.min(m - 1), 0);
                    acc.sequences += 1;
                    filled = 0;
                    code = 0;
                }
            }
            Item::Skip => {}
            Item::Invalid => return Err(InvalidItem(i)),
        }
        i += 1;
    }
    acc.symbols += symbols;
    // Complete the windows begun in this range from the items after it.
    let mut pending = filled.min(m - 1);
    let mut after = 0;
    let mut rest = items[hi..].iter();
    while pending > 0 {
        match rest.next().map(|&item| classify(item)) {
            Some(Item::Symbol(x)) => {
                code = if filled == m {
                    roll.push_full(code, x as u64)
                } else {
                    filled += 1;
                    code * k + x as u64
                };
                // Only full windows can complete here: those begun in range and now m long.
                if filled == m {
                    acc.full.add(code, 1);
                    pending -= 1;
                }
                after += 1;
            }
            Some(Item::Separator) | None => {
                end_sequence(acc, code, pending, after);
                // The sequence's last symbol is in this range only if nothing followed it.
                if after == 0 {
                    acc.sequences += 1;
                }
                pending = 0;
            }
            Some(Item::Skip) => {}
            Some(Item::Invalid) => return Err(InvalidItem(items.len() - rest.len() - 1)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(seqs: &[Vec<u32>], word: &[u32]) -> u64 {
        seqs.iter()
            .map(|s| s.windows(word.len()).filter(|w| *w == word).count() as u64)
            .sum()
    }

    fn random_seq(n: usize, k: u32, seed: u64) -> Vec<u32> {
        let mut x = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (0..n)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((x >> 33) % k as u64) as u32
            })
            .collect()
    }

    fn check_against_naive(t: &CountTable, seqs: &[Vec<u32>]) {
        let k = t.alphabet_size() as u64;
        for len in 1..=t.window() {
            let counts = t.counts_of_length(len).unwrap();
            for code in 0..k.pow(len as u32) {
                let word: Vec<u32> = (0..len)
                    .map(|i| ((code / k.pow((len - 1 - i) as u32)) % k) as u32)
                    .collect();
                assert_eq!(counts.get(code), naive(seqs, &word), "{word:?}");
            }
        }
        let all = t.counts_from(1).unwrap();
        assert_eq!(all.len(), t.window());
        for (len, counts) in (1..).zip(&all) {
            assert_eq!(*counts, t.counts_of_length(len).unwrap());
        }
        let n: usize = seqs.iter().map(|s| s.len()).sum();
        assert_eq!(t.symbols(), n as u64);
        let nonempty = seqs.iter().filter(|s| !s.is_empty()).count();
        assert_eq!(t.sequences(), nonempty as u64);
    }

    #[test]
    fn counts_of_every_length_match_naive_counting() {
        for k in [2, 3] {
            let seqs = vec![
                random_seq(5000, k, 1),
                random_seq(7, k, 2),
                random_seq(2, k, 3),
                vec![],
            ];
            let mut t = CountTable::new(k as usize, 4).unwrap();
            for s in &seqs {
                t.add_sequence(s).unwrap();
            }
            check_against_naive(&t, &seqs);
        }
    }

    /// Separators and skipped items, counted over ranges cut anywhere, give the naive counts.
    #[test]
    fn ranges_that_tile_the_input_count_every_window_once() {
        let seqs = vec![
            random_seq(3000, 3, 7),
            random_seq(1, 3, 8),
            vec![],
            random_seq(5, 3, 9),
            random_seq(2500, 3, 10),
        ];
        // Encode as bytes: '0'..'2' symbols, '\n' separates, '\r' is skipped now and then.
        let mut bytes = Vec::new();
        for (i, s) in seqs.iter().enumerate() {
            for (j, &x) in s.iter().enumerate() {
                if j % 97 == 3 {
                    bytes.push(b'\r');
                }
                bytes.push(b'0' + x as u8);
            }
            if i + 1 < seqs.len() {
                bytes.push(b'\n');
            }
        }
        let mut classes = ByteClasses::new();
        for x in 0..3u8 {
            classes.set(b'0' + x, Item::Symbol(x as u32));
        }
        classes.set(b'\n', Item::Separator);
        classes.set(b'\r', Item::Skip);
        for cuts in [
            vec![],
            vec![1, 2, 3000, 3001, 3002, 3004],
            vec![1500, 3010, 5000],
        ] {
            let mut bounds = vec![0];
            bounds.extend(cuts);
            bounds.push(bytes.len());
            let mut whole = CountTable::new(3, 5).unwrap();
            for w in bounds.windows(2) {
                let mut part = CountTable::new(3, 5).unwrap();
                part.add_items(&bytes, w[0]..w[1], |b| classes.get(b), &|_| {})
                    .unwrap();
                whole.merge(&part).unwrap();
            }
            check_against_naive(&whole, &seqs);
        }
        classes.set(b'\r', Item::Invalid);
        let err = CountTable::new(3, 5)
            .unwrap()
            .add_items(&bytes, 0..bytes.len(), |b| classes.get(b), &|_| {})
            .unwrap_err();
        assert_eq!(err, InvalidItem(3));
    }

    /// Counts `bytes[range]` through `add_bytes_read`, as a file would be read.
    fn read_all(
        t: &mut CountTable,
        bytes: &[u8],
        range: Range<usize>,
        classes: &ByteClasses,
    ) -> std::result::Result<(), InvalidItem> {
        let read = |at: usize, buf: &mut [u8]| {
            buf.copy_from_slice(&bytes[at..at + buf.len()]);
            Ok::<(), ()>(())
        };
        t.add_bytes_read(bytes.len(), range, classes, &read, &|_| {})
            .map_err(|e| match e {
                ReadFailure::Invalid(i) => i,
                ReadFailure::Read(()) => unreachable!("reading memory does not fail"),
            })
    }

    /// Windows begun before a cut are completed from far past it when skipped bytes follow: the
    /// reading path reads on until they are complete, whatever the window and alphabet.
    #[test]
    fn reading_completes_windows_across_long_skips() {
        for (symbols, window) in [(&b"01"[..], 9), (&b"012"[..], 4)] {
            let mut classes = ByteClasses::new();
            for (i, &b) in symbols.iter().enumerate() {
                classes.set(b, Item::Symbol(i as u32));
            }
            classes.set(b'\r', Item::Skip);
            let k = symbols.len();
            let mut bytes: Vec<u8> = random_seq(3000, k as u32, 4)
                .iter()
                .map(|&x| symbols[x as usize])
                .collect();
            bytes.splice(1500..1500, std::iter::repeat_n(b'\r', 20_000));
            for cut in [1500, 1497, 1501] {
                let mut whole = CountTable::new(k, window).unwrap();
                whole
                    .add_bytes(&bytes, 0..bytes.len(), &classes, &|_| {})
                    .unwrap();
                let mut parts = CountTable::new(k, window).unwrap();
                for r in [0..cut, cut..bytes.len()] {
                    let mut part = CountTable::new(k, window).unwrap();
                    read_all(&mut part, &bytes, r, &classes).unwrap();
                    parts.merge(&part).unwrap();
                }
                assert_eq!(parts, whole, "cut {cut}");
            }
        }
    }

    proptest::proptest! {
        /// The eight-bytes-at-a-time path for binary bytes gives exactly the counts (and the
        /// first invalid byte) of counting byte by byte, whatever the separators, skipped bytes,
        /// window and cuts.
        #[test]
        fn binary_bytes_count_as_byte_by_byte(
            body in proptest::collection::vec(0u8..40, 0..3000),
            window in 1usize..24,
            cut in 0usize..3000,
            invalid in proptest::bool::ANY,
        ) {
            // Mostly symbols, with now and then a separator, a skipped byte or a stranger.
            let bytes: Vec<u8> = body
                .iter()
                .map(|&b| match b {
                    0 => b'\n',
                    1 => b'\r',
                    2 => b'x',
                    b => b"ab"[b as usize % 2],
                })
                .collect();
            let mut classes = ByteClasses::new();
            classes.set(b'a', Item::Symbol(0));
            classes.set(b'b', Item::Symbol(1));
            classes.set(b'\n', Item::Separator);
            classes.set(b'\r', Item::Skip);
            if !invalid {
                classes.set(b'x', Item::Skip);
            }
            proptest::prop_assert!(classes.binary().is_some());
            let cut = cut.min(bytes.len());
            let count = |how: u8| {
                let mut whole = CountTable::new(2, window).unwrap();
                for r in [0..cut, cut..bytes.len()] {
                    let mut part = CountTable::new(2, window).unwrap();
                    match how {
                        0 => part.add_items(&bytes, r, |b| classes.get(b), &|_| {})?,
                        1 => part.add_bytes(&bytes, r, &classes, &|_| {})?,
                        _ => read_all(&mut part, &bytes, r, &classes)?,
                    }
                    whole.merge(&part).unwrap();
                }
                Ok::<_, InvalidItem>(whole)
            };
            let bytewise = count(0);
            proptest::prop_assert_eq!(&count(1), &bytewise);
            proptest::prop_assert_eq!(&count(2), &bytewise);
        }
    }

    #[test]
    fn merging_equals_counting_together_and_sparse_equals_dense() {
        let a = random_seq(3_000_000, 2, 5);
        let b = random_seq(1234, 2, 6);
        let mut whole = CountTable::new(2, 6).unwrap();
        whole.add_sequence(&a).unwrap();
        whole.add_sequence(&b).unwrap();
        let mut left = CountTable::new(2, 6).unwrap();
        left.add_sequence(&a).unwrap();
        let mut right = CountTable::new(2, 6).unwrap();
        right.add_sequence(&b).unwrap();
        left.merge(&right).unwrap();
        assert_eq!(left, whole);
        // Counting is the same whatever the number of threads.
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let mut single = CountTable::new(2, 6).unwrap();
        one.install(|| {
            single.add_sequence(&a).unwrap();
            single.add_sequence(&b).unwrap();
        });
        assert_eq!(single, whole);
        // A window too long for dense arrays gives the same counts sparsely.
        let mut sparse = CountTable::new(2, 23).unwrap();
        sparse.add_sequence(&b).unwrap();
        assert!(matches!(sparse.full_words(), WordCounts::Sparse(_)));
        let from_sparse = sparse.counts_of_length(6).unwrap();
        let from_dense = right.counts_of_length(6).unwrap();
        assert_eq!(
            from_sparse.iter().collect::<Vec<_>>(),
            from_dense.iter().collect::<Vec<_>>()
        );
        assert!(CountTable::new(3, 6).unwrap().merge(&right).is_err());
    }

    #[test]
    fn tables_rebuilt_from_their_parts_are_equal_and_inconsistent_parts_are_rejected() {
        let mut t = CountTable::new(3, 4).unwrap();
        t.add_sequence(&random_seq(1000, 3, 4)).unwrap();
        t.add_sequence(&random_seq(2, 3, 5)).unwrap();
        let ends: Vec<Vec<(u64, u64)>> = t.end_words().iter().map(|e| e.iter().collect()).collect();
        let full: Vec<(u64, u64)> = t.full_words().iter().collect();
        let back = CountTable::from_parts(3, 4, full.clone(), ends.clone(), 2, 1002).unwrap();
        assert_eq!(back, t);
        assert!(CountTable::from_parts(3, 4, full.clone(), ends.clone(), 2, 1003).is_err());
        assert!(CountTable::from_parts(3, 4, vec![(81, 1)], ends, 2, 1002).is_err());
    }

    #[test]
    fn symbols_outside_the_alphabet_are_rejected() {
        let e = CountTable::new(2, 3)
            .unwrap()
            .add_sequence(&[0, 1, 2])
            .unwrap_err();
        assert!(e.to_string().contains("symbol 2 at position 2"), "{e}");
        assert!(CountTable::new(256, 9).is_err());
    }
}
