//! Rolling codes: how the code of the last `m` symbols moves on by one symbol (shifts for a
//! power-of-two alphabet, a strength-reduced remainder otherwise), and the counting loops built on
//! them, eight bytes at a time for binary bytes. Nearly all the time of counting is spent here.

use strength_reduce::StrengthReducedU64;

use super::classes::{ByteClasses, BytePair, Item};
use super::parallel::InvalidItem;
use super::table::CountTable;
use super::words::WordCounts;

/// How the code of the last `m` symbols rolls forward by one symbol.
pub(super) trait Roll: Sync {
    /// The code of `code`'s last `m - 1` symbols followed by `x`; `code` holds `m` symbols.
    fn push_full(&self, code: u64, x: u64) -> u64;
    fn k(&self) -> u64;
}

/// A power-of-two alphabet: codes are bit strings.
pub(super) struct Shift {
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
pub(super) struct General {
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

pub(super) enum Roller {
    Shift(Shift),
    General(General),
}

/// How bytes are counted: eight at a time for a binary alphabet of two bytes with dense counts,
/// symbol by symbol otherwise.
pub(super) enum ByteCounter {
    Binary(BytePair, Shift),
    Each(Roller),
}

impl ByteCounter {
    pub(super) fn new(table: &CountTable, classes: &ByteClasses) -> ByteCounter {
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

    pub(super) fn count(
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

impl Roller {
    pub(super) fn new(k: u64, m: usize) -> Roller {
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
    pub(super) fn count<T: Copy, F: Fn(T) -> Item>(
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
