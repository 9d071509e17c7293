//! Reading every format into count tables, checked against tables built from the known symbol
//! sequences; ranges, many files, shards and bad input.

use std::path::{Path, PathBuf};

use cmech_core::counts::CountTable;
use cmech_io::shard::{self, sidecar_path};
use cmech_io::{
    merge_shards, read_shard, write_shard, Format, Hint, Input, MmapChoice, NoProgress,
    ReadOptions, Shard, Source, SourceInfo,
};

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn open(paths: &[&Path], opts: &ReadOptions) -> cmech_io::Result<Input<'static>> {
    let sources: Vec<Source> = paths
        .iter()
        .map(|p| Source::Path(p.to_path_buf()))
        .collect();
    Input::open(&sources, opts, &NoProgress)
}

/// Counts files read into memory and, the same files, mapped: both must agree.
fn count(paths: &[&Path], opts: &ReadOptions, window: usize) -> (Vec<String>, CountTable) {
    let input = open(paths, opts).unwrap();
    let t = input.count(window, &NoProgress).unwrap();
    let mapped = ReadOptions {
        mmap: mapped(),
        ..opts.clone()
    };
    let m = open(paths, &mapped).unwrap();
    assert_eq!(
        m.count(window, &NoProgress).unwrap(),
        t,
        "read and mapped agree"
    );
    assert_eq!(m.alphabet(), input.alphabet());
    (input.alphabet().to_vec(), t)
}

fn mapped() -> MmapChoice {
    // SAFETY: the test's own temporary files, not changed while read.
    #[allow(unsafe_code)]
    unsafe {
        MmapChoice::auto()
    }
}

/// The table of these sequences, counted one by one.
fn table_of(k: usize, window: usize, seqs: &[Vec<u32>]) -> CountTable {
    let mut t = CountTable::new(k, window).unwrap();
    for s in seqs {
        t.add_sequence(s).unwrap();
    }
    t
}

fn opts(format: Option<Format>, lines: bool, alphabet: Option<&str>) -> ReadOptions {
    ReadOptions {
        format,
        lines,
        alphabet: alphabet.map(String::from),
        range: None,
        mmap: MmapChoice::never(),
    }
}

fn err<T>(r: cmech_io::Result<T>) -> String {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

/// Deterministic pseudo-random numbers.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

#[test]
fn chars_one_sequence_or_one_per_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "x.txt", b"0110\r\n1011\n\n21\n");
    let (names, t) = count(&[&p], &opts(None, false, None), 3);
    assert_eq!(names, ["0", "1", "2"]);
    assert_eq!(t, table_of(3, 3, &[vec![0, 1, 1, 0, 1, 0, 1, 1, 2, 1]]));
    let (_, t) = count(&[&p], &opts(None, true, None), 3);
    assert_eq!(
        t,
        table_of(3, 3, &[vec![0, 1, 1, 0], vec![1, 0, 1, 1], vec![2, 1]])
    );
    assert_eq!(t.sequences(), 3);
    // A given alphabet fixes the order of the symbols.
    let (names, t) = count(&[&p], &opts(None, true, Some("2,1,0")), 2);
    assert_eq!(names, ["2", "1", "0"]);
    assert_eq!(
        t,
        table_of(3, 2, &[vec![2, 1, 1, 2], vec![1, 2, 1, 1], vec![0, 1]])
    );
}

#[test]
fn symbols_outside_a_given_alphabet_are_named_with_their_place() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "x.txt", b"0101\n01x1\n");
    let input = open(&[&p], &opts(None, false, Some("01"))).unwrap();
    let e = err(input.count(3, &NoProgress));
    assert!(e.contains("'x' at byte 7 (line 2, column 3)"), "{e}");
    assert!(e.contains("{0, 1}") && e.contains("x.txt"), "{e}");

    let t = write(dir.path(), "t.txt", b"up down\nup left\n");
    let input = open(&[&t], &opts(Some(Format::Tokens), false, Some("up, down"))).unwrap();
    let e = err(input.count(2, &NoProgress));
    assert!(
        e.contains("token 'left' at byte 11 (line 2, column 4)"),
        "{e}"
    );
}

#[test]
fn non_ascii_text_and_empty_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "u.txt", "01é1".as_bytes());
    let e = open(&[&p], &opts(None, false, None)).err().unwrap();
    assert_eq!(e.hint(), Some(Hint::TokensOrBytes));
    let e = e.to_string();
    assert!(e.contains("byte 2") && !e.contains("--"), "{e}");
    let p = write(dir.path(), "empty.txt", b"");
    let e = err(open(&[&p], &opts(None, false, None)));
    assert!(e.contains("no symbols") && e.contains("empty.txt"), "{e}");
    let p = write(dir.path(), "blank.txt", b"\n\n\r\n");
    let e = err(open(&[&p], &opts(None, false, None)));
    assert!(e.contains("no symbols"), "{e}");
    // With a given alphabet the emptiness shows at counting.
    let p = write(dir.path(), "empty2.txt", b"");
    let input = open(&[&p], &opts(None, false, Some("01"))).unwrap();
    assert!(err(input.count(2, &NoProgress)).contains("no symbols"));
    let e = err(open(
        &[&dir.path().join("missing.txt")],
        &opts(None, false, None),
    ));
    assert!(
        e.contains("cannot open") && e.contains("missing.txt"),
        "{e}"
    );
}

#[test]
fn a_single_symbol_counts_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "a.txt", b"aaaaaa\n");
    let input = open(&[&p], &opts(None, false, None)).unwrap();
    assert_eq!(input.alphabet(), ["a"]);
    assert!(input.warnings()[0].message.contains("only one symbol"));
    let t = input.count(3, &NoProgress).unwrap();
    assert_eq!(t.full_words().get(0), 4);
}

/// `count_sources` guesses the alphabet from the first MiB of each file: its shard and warnings
/// must be those of scanning first, whether or not a symbol (or a stranger) first shows up late.
#[test]
fn counting_with_a_guessed_alphabet_equals_scanning_first() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Lcg(3);
    let long = 3 << 20;
    let body: Vec<u8> = (0..long).map(|_| b"01"[rng.next(2) as usize]).collect();
    let mut late = body.clone();
    late[long - 5] = b'2';
    let mut one_then_two = vec![b'a'; long];
    one_then_two[long - 1] = b'b';
    let files = [
        ("plain.txt", body.clone()),
        ("late.txt", late),
        ("one.txt", one_then_two),
    ];
    let window = cmech_core::reconstruct::CountWindow::Fixed(6);
    for (name, text) in &files {
        let p = write(dir.path(), name, text);
        let sources = [Source::Path(p.clone())];
        for format in [None, Some(Format::Bytes)] {
            let o = opts(format, false, None);
            let input = Input::open(&sources, &o, &NoProgress).unwrap();
            let scanned = input.count_shard(&window, &NoProgress).unwrap();
            let (guessed, warnings) =
                cmech_io::count_sources(&sources, &o, &window, &NoProgress).unwrap();
            assert_eq!(guessed.table, scanned.table, "{name}");
            assert_eq!(guessed.info, scanned.info, "{name}");
            assert_eq!(warnings, input.warnings(), "{name}");
        }
    }
    // Text that stops being ASCII late is refused as the scan refuses it.
    let mut bad = body;
    bad[long - 3] = 0xC3;
    let p = write(dir.path(), "bad.txt", &bad);
    let sources = [Source::Path(p)];
    let o = opts(None, false, None);
    let e = cmech_io::count_sources(&sources, &o, &window, &NoProgress).unwrap_err();
    assert_eq!(e.to_string(), err(Input::open(&sources, &o, &NoProgress)));
}

#[test]
fn tokens_sorted_numerically_or_lexicographically_and_lines() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "n.txt", b"10 2 1\n2  10\t1\n");
    let (names, t) = count(&[&p], &opts(Some(Format::Tokens), true, None), 2);
    assert_eq!(names, ["1", "2", "10"]);
    assert_eq!(t, table_of(3, 2, &[vec![2, 1, 0], vec![1, 2, 0]]));
    let p = write(dir.path(), "w.txt", b"b a bb\na\n");
    let (names, t) = count(&[&p], &opts(Some(Format::Tokens), false, None), 2);
    assert_eq!(names, ["a", "b", "bb"]);
    assert_eq!(t, table_of(3, 2, &[vec![1, 0, 2, 0]]));
}

#[test]
fn tokens_of_a_large_file_cut_into_parallel_chunks_count_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Lcg(7);
    let names = ["alpha", "b", "gamma3", "d"];
    let mut text = Vec::new();
    let mut seqs = vec![Vec::new()];
    // About 12 MB: several 4 MB chunks, with long lines and some empty ones.
    while text.len() < 12 << 20 {
        match rng.next(1000) {
            0 => {
                text.push(b'\n');
                seqs.push(Vec::new());
            }
            1 => text.extend_from_slice(b"  \t "),
            _ => {
                let x = rng.next(4) as usize;
                text.extend_from_slice(names[x].as_bytes());
                text.push(b' ');
                seqs.last_mut().unwrap().push(x as u32);
            }
        }
    }
    let p = write(dir.path(), "big.txt", &text);
    let (got, t) = count(
        &[&p],
        &opts(Some(Format::Tokens), true, Some("alpha b gamma3 d")),
        6,
    );
    assert_eq!(got, names);
    assert_eq!(t, table_of(4, 6, &seqs));
    let all: Vec<u32> = seqs.concat();
    let (_, t) = count(&[&p], &opts(Some(Format::Tokens), false, None), 6);
    // Inferred: sorted lexicographically, so the indices differ: alpha b d gamma3.
    let remap = [0u32, 1, 3, 2];
    let all: Vec<u32> = all.iter().map(|&x| remap[x as usize]).collect();
    assert_eq!(t, table_of(4, 6, &[all]));
}

#[test]
fn bytes_are_all_symbols_line_endings_included() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "b.bin", &[0, 255, 10, 0, 13, 255]);
    let (names, t) = count(&[&p], &opts(Some(Format::Bytes), false, None), 2);
    assert_eq!(names, ["0", "10", "13", "255"]);
    assert_eq!(t, table_of(4, 2, &[vec![0, 3, 1, 0, 2, 3]]));
    let e = err(
        open(&[&p], &opts(Some(Format::Bytes), false, Some("0,0x0a,255")))
            .and_then(|i| i.count(2, &NoProgress)),
    );
    assert!(e.contains("byte value 13 at byte 4"), "{e}");
    let e = open(&[&p], &opts(Some(Format::Bytes), true, None))
        .err()
        .unwrap();
    assert_eq!(e.hint(), Some(Hint::Lines));
    assert!(
        e.to_string().contains("each line as its own sequence"),
        "{e}"
    );
}

#[test]
fn many_files_are_many_sequences() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.txt", b"0101");
    let b = write(dir.path(), "b.txt", b"11\n");
    let c = write(dir.path(), "c.txt", b"");
    let (names, t) = count(&[&a, &b, &c], &opts(None, false, None), 3);
    assert_eq!(names, ["0", "1"]);
    assert_eq!(t, table_of(2, 3, &[vec![0, 1, 0, 1], vec![1, 1]]));
    assert_eq!(t.sequences(), 2);
}

/// An .npy file as numpy writes it (version 1.0, header padded to 64 bytes).
fn npy(descr: &str, shape: &[usize], values: &[i64]) -> Vec<u8> {
    let shape_text = if shape.len() == 1 {
        format!("({},)", shape[0])
    } else {
        format!("({}, {})", shape[0], shape[1])
    };
    let mut header =
        format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_text}, }}");
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    let width: usize = descr[2..].parse().unwrap();
    for &v in values {
        let mut b = v.to_le_bytes()[..width].to_vec();
        if descr.starts_with('>') {
            b.reverse();
        }
        out.extend_from_slice(&b);
    }
    out
}

#[test]
fn npy_of_every_integer_dtype_both_byte_orders_and_rows() {
    let dir = tempfile::tempdir().unwrap();
    let values: Vec<i64> = vec![-1, 7, 7, 0, -1, 0, 7, 0, 0, -1, 7, 7];
    let idx: Vec<u32> = values
        .iter()
        .map(|v| match v {
            -1 => 0,
            0 => 1,
            _ => 2,
        })
        .collect();
    for descr in ["|i1", "<i2", ">i2", "<i4", ">i4", "<i8", ">i8"] {
        let p = write(dir.path(), "a.npy", &npy(descr, &[12], &values));
        let (names, t) = count(&[&p], &opts(None, false, None), 3);
        assert_eq!(names, ["-1", "0", "7"], "{descr}");
        assert_eq!(t, table_of(3, 3, std::slice::from_ref(&idx)), "{descr}");
        // Two-dimensional: one sequence per row.
        let p = write(dir.path(), "b.npy", &npy(descr, &[3, 4], &values));
        let (_, t) = count(&[&p], &opts(None, false, None), 3);
        let rows: Vec<Vec<u32>> = idx.chunks(4).map(|r| r.to_vec()).collect();
        assert_eq!(t, table_of(3, 3, &rows), "{descr}");
        assert_eq!(t.sequences(), 3);
    }
    let unsigned: Vec<i64> = values.iter().map(|v| v + 1).collect();
    for descr in ["|u1", "<u2", ">u2", "<u4", ">u4", "<u8", ">u8"] {
        let p = write(dir.path(), "u.npy", &npy(descr, &[12], &unsigned));
        let (names, t) = count(&[&p], &opts(None, false, None), 3);
        assert_eq!(names, ["0", "1", "8"], "{descr}");
        assert_eq!(t, table_of(3, 3, std::slice::from_ref(&idx)), "{descr}");
    }
    // Detected by magic without the extension; a given alphabet rejects other values by index.
    let p = write(dir.path(), "noext", &npy("<i4", &[3, 4], &values));
    let input = open(&[&p], &opts(None, false, Some("0,7"))).unwrap();
    assert_eq!(input.format(), Format::Npy);
    let e = err(input.count(2, &NoProgress));
    assert!(e.contains("value -1 at row 0, column 0"), "{e}");
}

#[test]
fn npy_of_floats_is_refused_naming_the_dtype() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "f.npy", &npy("<f8", &[2], &[0, 0]));
    let e = err(open(&[&p], &opts(None, false, None)));
    assert!(e.contains("float64") && e.contains("f.npy"), "{e}");
}

#[test]
fn ranges_that_tile_a_file_merge_into_the_whole_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Lcg(3);
    let text: Vec<u8> = (0..3_000_000)
        .map(|_| match rng.next(50) {
            0 => b'\n',
            1 => b'\r',
            r => b"abc"[(r % 3) as usize],
        })
        .collect();
    let p = write(dir.path(), "r.txt", &text);
    for lines in [false, true] {
        let o = opts(None, lines, None);
        let (names, whole) = count(&[&p], &o, 7);
        assert_eq!(names, ["a", "b", "c"]);
        let cuts = [
            0u64, 1, 2, 999_999, 1_000_000, 1_048_577, 2_500_001, 3_000_000,
        ];
        let mut merged = CountTable::new(3, 7).unwrap();
        for w in cuts.windows(2) {
            let ro = ReadOptions {
                range: Some((w[0], w[1])),
                ..o.clone()
            };
            let (n, t) = count(&[&p], &ro, 7);
            assert_eq!(n, names, "the alphabet comes from the whole file");
            merged.merge(&t).unwrap();
        }
        assert_eq!(merged, whole, "lines {lines}");
    }
    let ro = ReadOptions {
        range: Some((10, 3_000_001)),
        ..ReadOptions::default()
    };
    let e = err(open(&[&p], &ro));
    assert!(
        e.contains("past the end") && e.contains("3000000 bytes"),
        "{e}"
    );
    assert!(cmech_io::parse_range("5..2")
        .unwrap_err()
        .to_string()
        .contains("ends before"));
    assert_eq!(cmech_io::parse_range("..20").unwrap(), (0, 20));
}

fn shard_of(dir: &Path, name: &str, text: &[u8], alphabet: Option<&str>) -> (PathBuf, Shard) {
    let p = write(dir, &format!("{name}.txt"), text);
    let (names, t) = count(&[&p], &opts(None, false, alphabet), 4);
    let shard = Shard::new(
        t,
        names,
        Some(3),
        vec![SourceInfo {
            path: p.display().to_string(),
            range: None,
            format: Format::Chars,
            lines: false,
        }],
    );
    let out = dir.join(format!("{name}.cnt"));
    write_shard(&out, &shard, false).unwrap();
    (out, shard)
}

#[test]
fn shards_round_trip_and_merge() {
    let dir = tempfile::tempdir().unwrap();
    let (pa, a) = shard_of(dir.path(), "a", b"0110101110", Some("01"));
    let (pb, b) = shard_of(dir.path(), "b", b"111000", Some("01"));
    let ra = read_shard(&pa).unwrap();
    assert_eq!(ra.table, a.table);
    assert_eq!(ra.info, a.info);
    assert!(shard::is_shard(&pa));
    let side: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sidecar_path(&pa)).unwrap()).unwrap();
    assert_eq!(side["format"], "cmech-counts");
    assert_eq!(side["alphabet"], serde_json::json!(["0", "1"]));
    assert_eq!(side["window"], 4);
    assert_eq!(side["symbols"], 10);
    assert_eq!(side["sources"][0]["format"], "chars");
    let m = merge_shards(&[("a".into(), ra), ("b".into(), read_shard(&pb).unwrap())]).unwrap();
    assert_eq!(
        m.table,
        table_of(
            2,
            4,
            &[vec![0, 1, 1, 0, 1, 0, 1, 1, 1, 0], vec![1, 1, 1, 0, 0, 0]]
        )
    );
    assert_eq!(m.info.sources.len(), 2);
    assert_eq!(m.info.symbols, 16);
    assert_eq!(m.info.sequences, 2);
    // Never overwritten without permission.
    let e = write_shard(&pa, &b, false).unwrap_err();
    assert_eq!(e.hint(), Some(Hint::Overwrite));
    assert!(e.to_string().ends_with("a.cnt exists"), "{e}");
    write_shard(&pa, &b, true).unwrap();
    assert_eq!(read_shard(&pa).unwrap().table, b.table);
}

#[test]
fn truncated_corrupt_and_orphan_shards_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (p, _) = shard_of(dir.path(), "a", b"0110101110", None);
    let bytes = std::fs::read(&p).unwrap();
    for cut in [8, 20, 48, bytes.len() - 9, bytes.len() - 8, bytes.len() - 1] {
        std::fs::write(&p, &bytes[..cut]).unwrap();
        let e = err(read_shard(&p));
        assert!(e.contains("truncated"), "cut {cut}: {e}");
    }
    let mut flipped = bytes.clone();
    flipped[60] ^= 1;
    std::fs::write(&p, &flipped).unwrap();
    let e = err(read_shard(&p));
    assert!(e.contains("corrupt"), "{e}");
    let mut longer = bytes.clone();
    longer.extend_from_slice(&[0; 8]);
    std::fs::write(&p, &longer).unwrap();
    assert!(err(read_shard(&p)).contains("after its end"));
    std::fs::write(&p, &bytes).unwrap();
    read_shard(&p).unwrap();
    // A sidecar of another shard.
    let (q, _) = shard_of(dir.path(), "b", b"012012", None);
    std::fs::copy(sidecar_path(&q), sidecar_path(&p)).unwrap();
    let e = err(read_shard(&p));
    assert!(e.contains("disagree"), "{e}");
    std::fs::remove_file(sidecar_path(&p)).unwrap();
    let e = err(read_shard(&p));
    assert!(e.contains("sidecar"), "{e}");
    let t = write(dir.path(), "plain.txt", b"hello");
    assert!(err(read_shard(&t)).contains("not a count shard"));
}

#[test]
fn shards_of_different_alphabets_or_windows_do_not_merge() {
    let dir = tempfile::tempdir().unwrap();
    let (pa, _) = shard_of(dir.path(), "a", b"0110", None);
    let (pb, _) = shard_of(dir.path(), "b", b"0120", None);
    let e = err(merge_shards(&[
        ("a.cnt".into(), read_shard(&pa).unwrap()),
        ("b.cnt".into(), read_shard(&pb).unwrap()),
    ]));
    assert!(e.contains("b.cnt (alphabet {0, 1, 2}, window 4)"), "{e}");
    assert!(
        e.contains("a.cnt (alphabet {0, 1}, window 4)") && e.contains("alphabets differ"),
        "{e}"
    );
    let p = write(dir.path(), "c.txt", b"0110");
    let (names, t) = count(&[&p], &opts(None, false, None), 3);
    let c = Shard::new(t, names, Some(2), vec![]);
    let e = err(merge_shards(&[
        ("a.cnt".into(), read_shard(&pa).unwrap()),
        ("c.cnt".into(), c),
    ]));
    assert!(e.contains("windows differ"), "{e}");
}
