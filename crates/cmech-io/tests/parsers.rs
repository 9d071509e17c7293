//! Every reader of user data fed arbitrary bytes and mutations of valid files (text, tokens,
//! bytes, `.npy`, count shards and their sidecars, grids of cells): each input is read or refused
//! with an error, never a panic, and no case allocates more than [`ALLOCATION_BOUND`] (issue 23).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::sync::Mutex;

use cmech_core::counts::CountTable;
use cmech_io::shard::sidecar_path;
use cmech_io::{
    read_cells, read_grids, read_shard, write_shard, Format, Input, NoProgress, ReadOptions, Shard,
    Source, SourceInfo,
};
use proptest::prelude::*;

/// The most a case may hold at once, beyond what was held before it: inputs are at most a few
/// kilobytes, so anything near this is a size taken from the data unchecked.
const ALLOCATION_BOUND: usize = 64 << 20;

/// The system allocator, keeping the bytes the measuring thread holds and their peak since the
/// last reset (readers of inputs this small count on the calling thread).
struct Counting;

static HELD: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

thread_local! {
    /// Whether this thread is reading a case: the other tests of this binary run on other
    /// threads, and what they hold between their cases is not the case's.
    static MEASURING: Cell<bool> = const { Cell::new(false) };
}

fn measuring() -> bool {
    MEASURING.try_with(Cell::get).unwrap_or(false)
}

// SAFETY: every call is passed to the system allocator unchanged; only counters are kept.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() && measuring() {
            let size = layout.size() as isize;
            let now = HELD.fetch_add(size, Ordering::Relaxed) + size;
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        unsafe { System.dealloc(p, layout) };
        if measuring() {
            HELD.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// One case at a time: the counters are the whole process's.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Runs `read` and fails if it held more than [`ALLOCATION_BOUND`] beyond what was held before.
fn bounded(what: &str, read: impl FnOnce()) -> Result<(), TestCaseError> {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let before = HELD.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    MEASURING.with(|m| m.set(true));
    read();
    MEASURING.with(|m| m.set(false));
    let grew = (PEAK.load(Ordering::Relaxed) - before).max(0) as usize;
    prop_assert!(
        grew <= ALLOCATION_BOUND,
        "{what}: {grew} bytes held at once"
    );
    Ok(())
}

/// Byte edits of a valid file: each overwrites, inserts or deletes a byte, or cuts the file, at a
/// position taken modulo its length.
fn mutated(valid: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let edit = (0usize..4, any::<usize>(), any::<u8>());
    proptest::collection::vec(edit, 1..6).prop_map(move |edits| {
        let mut bytes = valid.clone();
        for (kind, at, b) in edits {
            let at = at % (bytes.len() + 1);
            match kind {
                0 if at < bytes.len() => bytes[at] = b,
                1 => bytes.insert(at, b),
                2 if at < bytes.len() => {
                    bytes.remove(at);
                }
                3 => bytes.truncate(at),
                _ => {}
            }
        }
        bytes
    })
}

/// An `.npy` file of the given descr and shape over these element bytes.
fn npy(descr: &str, shape: &str, data: &[u8]) -> Vec<u8> {
    let mut h = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
    while (10 + h.len() + 1) % 64 != 0 {
        h.push(' ');
    }
    h.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(h.len() as u16).to_le_bytes());
    out.extend_from_slice(h.as_bytes());
    out.extend_from_slice(data);
    out
}

/// Valid files of every format, to be mutated.
fn valid_files() -> Vec<Vec<u8>> {
    let i64s: Vec<u8> = [0i64, 1, 2, 1, 0, 2, 2, 1]
        .iter()
        .flat_map(|x| x.to_le_bytes())
        .collect();
    vec![
        b"0110101101\n1101\n".to_vec(),
        b"up down up up\ndown up\n".to_vec(),
        b"\x00\x01\x02\x01\x00".to_vec(),
        npy("<i8", "(8,)", &i64s),
        npy("<i8", "(2, 4)", &i64s),
        npy("|u1", "(3, 2)", &[0, 1, 1, 0, 1, 1]),
        npy(
            "<u2",
            "(2, 2, 2)",
            &[0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0],
        ),
    ]
}

fn data_file() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..512),
        proptest::sample::select(valid_files()).prop_flat_map(mutated),
    ]
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Reads a data file every way a face can ask: each format (and the guess), whole or by lines,
/// counted and as sequences, and as grids of cells.
fn read_every_way(path: &Path) {
    let source = [Source::Path(path.to_path_buf())];
    for format in [
        None,
        Some(Format::Chars),
        Some(Format::Tokens),
        Some(Format::Bytes),
        Some(Format::Npy),
    ] {
        for lines in [false, true] {
            let opts = ReadOptions {
                format,
                lines,
                ..ReadOptions::default()
            };
            if let Ok(input) = Input::open(&source, &opts, &NoProgress) {
                let _ = input.count(3, &NoProgress);
                let _ = input.sequences();
            }
            let _ = read_grids(&source, &opts);
        }
    }
    let _ = read_cells(&source[0]);
}

/// A valid shard and its sidecar, as bytes.
fn valid_shard(dir: &Path) -> (Vec<u8>, Vec<u8>) {
    let mut t = CountTable::new(3, 4).unwrap();
    t.add_sequence(&[0, 1, 2, 1, 0, 2, 2, 1, 0, 0]).unwrap();
    t.add_sequence(&[2, 1]).unwrap();
    let shard = Shard::new(
        t,
        vec!["a".into(), "b".into(), "c".into()],
        Some(3),
        vec![SourceInfo {
            path: "x.txt".into(),
            range: Some([0, 13]),
            format: Format::Chars,
            lines: true,
        }],
    );
    let p = dir.join("valid.cnt");
    write_shard(&p, &shard, true).unwrap();
    (
        std::fs::read(&p).unwrap(),
        std::fs::read(sidecar_path(&p)).unwrap(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn data_files_are_read_or_refused(bytes in data_file()) {
        let dir = tempfile::tempdir().unwrap();
        // The guess of the format looks at the name too.
        for name in ["data.txt", "data.npy"] {
            let path = write(dir.path(), name, &bytes);
            bounded(name, || read_every_way(&path))?;
        }
    }

    #[test]
    fn shards_and_sidecars_are_read_or_refused(
        table_edits in proptest::option::of(proptest::collection::vec((any::<usize>(), any::<u8>()), 1..4)),
        cut in proptest::option::of(any::<usize>()),
        sidecar in prop_oneof![
            Just(None),
            proptest::collection::vec(any::<u8>(), 0..256).prop_map(Some),
            (any::<usize>(), any::<u8>()).prop_map(|e| Some(vec![e.1; e.0 % 4])),
        ],
        sidecar_edit in proptest::option::of((any::<usize>(), any::<u8>())),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let (mut table, mut side) = valid_shard(dir.path());
        for (at, b) in table_edits.into_iter().flatten() {
            let at = at % table.len();
            table[at] = b;
        }
        if let Some(cut) = cut {
            table.truncate(cut % (table.len() + 1));
        }
        if let Some(bytes) = sidecar {
            side = bytes;
        }
        if let Some((at, b)) = sidecar_edit {
            if !side.is_empty() {
                let at = at % side.len();
                side[at] = b;
            }
        }
        let path = write(dir.path(), "s.cnt", &table);
        write(dir.path(), "s.cnt.json", &side);
        bounded("shard", || {
            if let Ok(s) = read_shard(&path) {
                // Whatever is read agrees with its sidecar.
                assert_eq!(s.info.symbols, s.table.symbols());
                assert_eq!(s.info.alphabet.len(), s.table.alphabet_size());
            }
            // Taken for data, the same bytes are data or an error too.
            read_every_way(&path);
        })?;
    }
}
