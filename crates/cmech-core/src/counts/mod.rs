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
//!
//! The parts, one idea each: `words` holds the counts of one word length, `classes` says what each
//! item of the input is, `table` is the count table and the counts derived from it, `parallel`
//! fills it in parallel tasks, and `roll` has the rolling codes and loops where counting spends its
//! time.

mod classes;
mod parallel;
mod roll;
mod table;
mod words;

pub use classes::{ByteClasses, Item};
pub use parallel::{InvalidItem, ReadAt, ReadFailure};
pub use table::CountTable;
pub use words::{WordCounts, MAX_DENSE_WORDS};

#[cfg(test)]
mod tests {
    use super::*;
    use std::ops::Range;

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
