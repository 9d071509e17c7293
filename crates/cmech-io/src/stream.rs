//! Counting a stream that arrives in blocks, with no window counted twice or cut wrongly.
//!
//! Items accumulate in a buffer. When it is full, the windows that start early enough to be
//! completed inside the buffer (at least `window - 1` symbols, or a separator, follow them) are
//! counted with `add_items` over the range `0..cut`; the rest (the carry) stays at the front of the
//! buffer for the next block. At the end everything left is counted, the end of the buffer ending
//! the last sequence.

use std::ops::Range;

use cmech_core::counts::{ByteClasses, CountTable, InvalidItem, Item};

/// How a buffer's range is counted into the table.
type Count<'c, T> =
    Box<dyn Fn(&mut CountTable, &[T], Range<usize>) -> Result<(), InvalidItem> + 'c>;

pub(crate) struct Streamer<'t, 'c, T, F> {
    table: &'t mut CountTable,
    buf: Vec<T>,
    /// Offset of `buf[0]` in the whole stream, for error positions.
    base: usize,
    classify: F,
    count: Count<'c, T>,
    flush_at: usize,
}

impl<'t, 'c, T, F> Streamer<'t, 'c, T, F>
where
    T: Copy + Sync,
    F: Fn(T) -> Item + Sync + Clone + 'c,
{
    pub fn new(table: &'t mut CountTable, classify: F, flush_at: usize) -> Self {
        let by = classify.clone();
        let count: Count<'c, T> =
            Box::new(move |t, items, range| t.add_items(items, range, &by, &|_| {}));
        Streamer {
            table,
            buf: Vec::with_capacity(flush_at + flush_at / 8),
            base: 0,
            classify,
            count,
            flush_at: flush_at.max(1),
        }
    }

    /// Appends items; counts what can be counted once the buffer is full. Errors carry offsets
    /// in the whole stream.
    pub fn extend(&mut self, items: &[T]) -> Result<(), InvalidItem> {
        self.buf.extend_from_slice(items);
        if self.buf.len() >= self.flush_at {
            self.flush(false)?;
        }
        Ok(())
    }

    /// Counts the rest: the end of the stream ends its last sequence.
    pub fn finish(mut self) -> Result<(), InvalidItem> {
        self.flush(true)
    }

    fn flush(&mut self, last: bool) -> Result<(), InvalidItem> {
        let cut = if last {
            self.buf.len()
        } else {
            self.safe_cut()
        };
        if cut == 0 {
            return Ok(());
        }
        let base = self.base;
        (self.count)(self.table, &self.buf, 0..cut)
            .map_err(|InvalidItem(i)| InvalidItem(base + i))?;
        self.buf.drain(..cut);
        self.base += cut;
        Ok(())
    }

    /// The largest `cut` such that every window starting before it is complete within the buffer.
    fn safe_cut(&self) -> usize {
        let need = self.table.window() - 1;
        let mut seen = 0;
        for i in (0..self.buf.len()).rev() {
            if seen >= need {
                return i + 1;
            }
            match (self.classify)(self.buf[i]) {
                Item::Symbol(_) => seen += 1,
                Item::Separator => return i + 1,
                Item::Skip | Item::Invalid => {}
            }
        }
        0
    }
}

/// A stream of bytes classified by a table, counted as [`CountTable::add_bytes`] counts (eight
/// at a time for a binary alphabet).
pub(crate) fn bytes<'t, 'c>(
    table: &'t mut CountTable,
    classes: &'c ByteClasses,
    flush_at: usize,
) -> Streamer<'t, 'c, u8, impl Fn(u8) -> Item + Sync + Clone + 'c> {
    let mut st = Streamer::new(table, move |b: u8| classes.get(b), flush_at);
    st.count = Box::new(move |t, bytes, range| t.add_bytes(bytes, range, classes, &|_| {}));
    st
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEP: u32 = u32::MAX;

    fn classify(x: u32) -> Item {
        match x {
            SEP => Item::Separator,
            9 => Item::Skip,
            x if x < 3 => Item::Symbol(x),
            _ => Item::Invalid,
        }
    }

    #[test]
    fn streaming_in_any_block_size_equals_counting_at_once() {
        // Three symbols, skips and separators, pseudo-random.
        let mut s = 12345u64;
        let items: Vec<u32> = (0..5000)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                match (s >> 33) % 40 {
                    0 => SEP,
                    1 => 9,
                    r => (r % 3) as u32,
                }
            })
            .collect();
        // Window 1 is left out: the core does not count sequences of ranges at that window.
        for window in [2, 4, 7] {
            let mut whole = CountTable::new(3, window).unwrap();
            whole
                .add_items(&items, 0..items.len(), classify, &|_| {})
                .unwrap();
            for (block, flush) in [(1, 1), (3, 5), (17, 64), (1000, 1024)] {
                let mut t = CountTable::new(3, window).unwrap();
                let mut st = Streamer::new(&mut t, classify, flush);
                for chunk in items.chunks(block) {
                    st.extend(chunk).unwrap();
                }
                st.finish().unwrap();
                assert_eq!(t, whole, "window {window}, block {block}");
            }
        }
    }

    #[test]
    fn a_byte_stream_counts_as_the_bytes_at_once() {
        let mut s = 99u64;
        let data: Vec<u8> = (0..20_000)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                match (s >> 33) % 50 {
                    0 => b'\n',
                    1 => b'\r',
                    r => b"01"[r as usize % 2],
                }
            })
            .collect();
        let mut classes = ByteClasses::new();
        classes.set(b'0', Item::Symbol(0));
        classes.set(b'1', Item::Symbol(1));
        classes.set(b'\n', Item::Separator);
        classes.set(b'\r', Item::Skip);
        for window in [3, 11] {
            let mut whole = CountTable::new(2, window).unwrap();
            whole
                .add_items(&data, 0..data.len(), |b| classes.get(b), &|_| {})
                .unwrap();
            for (block, flush) in [(7, 10), (1000, 4096)] {
                let mut t = CountTable::new(2, window).unwrap();
                let mut st = bytes(&mut t, &classes, flush);
                for chunk in data.chunks(block) {
                    st.extend(chunk).unwrap();
                }
                st.finish().unwrap();
                assert_eq!(t, whole, "window {window}, block {block}");
            }
        }
    }

    #[test]
    fn invalid_items_are_reported_at_their_offset_in_the_stream() {
        let mut items = vec![0u32; 300];
        items[211] = 5;
        let mut t = CountTable::new(3, 3).unwrap();
        let mut st = Streamer::new(&mut t, classify, 16);
        let mut err = None;
        for chunk in items.chunks(10) {
            if let Err(e) = st.extend(chunk) {
                err = Some(e);
                break;
            }
        }
        let err = err.or_else(|| st.finish().err());
        assert_eq!(err, Some(InvalidItem(211)));
    }
}
