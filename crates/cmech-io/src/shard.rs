//! Count shards: a count table in a binary file, with a JSON sidecar that names its alphabet and
//! where its counts came from. The format is documented in `docs/count-format.md`.
//!
//! The binary file is a sequence of little-endian 64-bit words:
//! magic `CMECHCNT`, version, alphabet size, window, sequences, symbols; then, for lengths
//! `window, 1, 2, ..., window - 1`, a section of `n` followed by `n` (code, count) pairs sorted by
//! code; then the number of words before this trailer and a checksum of them.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use cmech_core::counts::CountTable;
use cmech_core::reconstruct::{reconstruct, select, Plan, Reconstruction, SelectOptions};
use serde::{Deserialize, Serialize};

use crate::error::{hinted, input, io as io_err, Hint, Result, Warning};
use crate::output::OutputFile;
use crate::{Format, Source};

/// The first eight bytes of every shard file.
pub const MAGIC: &[u8; 8] = b"CMECHCNT";
/// The version of the shard format written and read here; shards of another version are
/// refused.
pub const VERSION: u64 = 1;
/// The `format` field of every sidecar.
pub const SIDECAR_FORMAT: &str = "cmech-counts";

/// One source of a shard's counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceInfo {
    /// The path as given to `cmech count` ("-" for stdin).
    pub path: String,
    /// The byte range `[start, end)` whose windows were counted; `null`: the whole source.
    pub range: Option<[u64; 2]>,
    /// How the source was read.
    pub format: Format,
    /// Whether each line was its own sequence.
    pub lines: bool,
}

/// The sidecar: what a shard's counts mean.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardInfo {
    /// Always "cmech-counts".
    pub format: String,
    /// The version of the shard format, [`VERSION`].
    pub version: u64,
    /// Symbol names in index order.
    pub alphabet: Vec<String>,
    /// The longest word counted.
    pub window: usize,
    /// The history length the counts were made for (informative).
    pub max_history: Option<usize>,
    /// Symbols counted, over all sequences (checked against the binary file when read).
    pub symbols: u64,
    /// Sequences counted, those with at least one symbol (checked against the binary file when
    /// read).
    pub sequences: u64,
    /// Where the counts came from: a merged shard lists the sources of all its parts.
    pub sources: Vec<SourceInfo>,
}

impl ShardInfo {
    /// The bytes of each file that lie between the ranges counted from it and in none of them:
    /// merged parts meant to tile a file that leave a hole count less than the file, and nothing
    /// else would say so. A file counted whole, or from one range, has none.
    pub fn gaps(&self) -> Vec<Warning> {
        let mut paths: Vec<&str> = self.sources.iter().map(|s| s.path.as_str()).collect();
        paths.sort_unstable();
        paths.dedup();
        paths
            .into_iter()
            .filter_map(|path| {
                let mut ranges = Vec::new();
                for s in self.sources.iter().filter(|s| s.path == path) {
                    ranges.push(s.range?);
                }
                ranges.sort_unstable();
                let mut reach = ranges.first()?[1];
                let mut holes = Vec::new();
                for &[start, end] in &ranges[1..] {
                    if start > reach {
                        holes.push(format!("{reach}..{start}"));
                    }
                    reach = reach.max(end);
                }
                (!holes.is_empty()).then(|| Warning {
                    message: format!(
                        "{path}: bytes {} are in none of the ranges counted ({}): the counts \
                         leave them out",
                        holes.join(", "),
                        ranges
                            .iter()
                            .map(|[a, b]| format!("{a}..{b}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    hint: None,
                })
            })
            .collect()
    }
}

/// A count table and its sidecar.
#[derive(Debug, Clone)]
pub struct Shard {
    /// The counts.
    pub table: CountTable,
    /// The sidecar: the alphabet and where the counts came from.
    pub info: ShardInfo,
}

impl Shard {
    /// A shard of a table, with its sidecar filled in from the table.
    pub fn new(
        table: CountTable,
        alphabet: Vec<String>,
        max_history: Option<usize>,
        sources: Vec<SourceInfo>,
    ) -> Shard {
        let info = ShardInfo {
            format: SIDECAR_FORMAT.into(),
            version: VERSION,
            alphabet,
            window: table.window(),
            max_history,
            symbols: table.symbols(),
            sequences: table.sequences(),
            sources,
        };
        Shard { table, info }
    }

    /// Reconstructs the epsilon-machine from these counts. Counts too short for `opts` are an
    /// error that `name` names (the shards' paths, say) and that hints at counting again.
    pub fn reconstruct(&self, name: &str, plan: &Plan) -> Result<Reconstruction> {
        let k = self.info.alphabet.len();
        let alphabet = self.info.alphabet.clone();
        match plan {
            Plan::Fixed(opts) => {
                let need = opts.window(k);
                if self.table.window() < need {
                    return Err(hinted(
                        format!(
                            "the counts of {name} go up to words of {} symbols, but maximum \
                             history {} with method {} needs {need}",
                            self.table.window(),
                            opts.max_history,
                            opts.method.name(),
                        ),
                        Hint::CountAgain {
                            max_history: opts.max_history,
                            window: need,
                        },
                    ));
                }
                Ok(reconstruct(&self.table, alphabet, opts)?)
            }
            // A longest history asked for that the counts do not reach is an error.
            Plan::Select(opts) => {
                if let Some(l) = opts.max_history.filter(|&l| self.table.window() < l + 1) {
                    let need = opts.window(k);
                    return Err(hinted(
                        format!(
                            "the counts of {name} go up to words of {} symbols, but histories of \
                             {l} need {} (and {need} for every method)",
                            self.table.window(),
                            l + 1
                        ),
                        Hint::CountAgain {
                            max_history: l,
                            window: need,
                        },
                    ));
                }
                // Counts made for a longest history select up to it, as counting them anew would.
                let opts = SelectOptions {
                    max_history: opts.max_history.or(self.info.max_history),
                };
                Ok(select(&self.table, alphabet, &opts)?)
            }
        }
    }
}

/// The sidecar's path: the shard's with `.json` appended.
pub fn sidecar_path(shard: &Path) -> PathBuf {
    let mut s = shard.as_os_str().to_owned();
    s.push(".json");
    PathBuf::from(s)
}

/// Whether a file is a count shard, or what is left of one: it starts with the shard magic, or
/// with the magic one byte off (a flipped bit, or a file cut short inside it), or it has a shard
/// sidecar beside it. A damaged shard read as text would become a few hundred symbols with no word
/// said; taken for a shard, its reading says what is wrong with it.
pub fn is_shard(path: &Path) -> bool {
    // Peeking would consume a pipe's first bytes, which the data read then misses: shards are
    // files.
    if !path.is_file() {
        return false;
    }
    let mut head = Vec::with_capacity(MAGIC.len());
    let read = File::open(path).and_then(|f| f.take(MAGIC.len() as u64).read_to_end(&mut head));
    if read.is_err() {
        return false;
    }
    near_magic(&head) || has_shard_sidecar(path)
}

/// Whether the first bytes of a file are the shard magic or one byte from it: one byte changed,
/// or the last one missing. Text does not start "CMECHCN" by chance.
fn near_magic(head: &[u8]) -> bool {
    let differ = head.iter().zip(MAGIC).filter(|(a, b)| a != b).count();
    differ + (MAGIC.len() - head.len()) <= 1
}

/// Whether `path` has a sidecar beside it whose format says it describes a shard.
fn has_shard_sidecar(path: &Path) -> bool {
    #[derive(Deserialize)]
    struct Format {
        format: String,
    }
    File::open(sidecar_path(path))
        .ok()
        .and_then(|f| serde_json::from_reader::<_, Format>(BufReader::new(f)).ok())
        .is_some_and(|f| f.format == SIDECAR_FORMAT)
}

/// Whether inputs are count shards (all of them) or data (none of them; stdin is data). A mix of
/// the two is an error.
pub fn are_shards(sources: &[Source]) -> Result<bool> {
    let shards: Vec<bool> = sources
        .iter()
        .map(|s| matches!(s, Source::Path(p) if is_shard(p)))
        .collect();
    match (shards.iter().any(|&s| s), shards.iter().all(|&s| s)) {
        (false, _) => Ok(false),
        (true, true) => Ok(true),
        (true, false) => Err(input("give either count shards or data files, not both")),
    }
}

/// Reads shards and adds them up; messages name each by its path.
pub fn load_shards(paths: &[PathBuf]) -> Result<Shard> {
    let shards = paths
        .iter()
        .map(|p| Ok((p.display().to_string(), read_shard(p)?)))
        .collect::<Result<Vec<_>>>()?;
    merge_shards(&shards)
}

/// Refuses, unless `overwrite`, a shard path whose file or sidecar exists: the check
/// [`write_shard`] makes, for callers that refuse before a long count.
pub fn check_free(path: &Path, overwrite: bool) -> Result<()> {
    if !overwrite {
        for p in [path.to_path_buf(), sidecar_path(path)] {
            if p.exists() {
                return Err(hinted(format!("{} exists", p.display()), Hint::Overwrite));
            }
        }
    }
    Ok(())
}

const FNV_OFFSET: u64 = 0xcbf29ce484222325;
const FNV_PRIME: u64 = 0x100000001b3;

/// Writes 64-bit little-endian words, keeping their count and checksum (FNV-1a over words).
struct WordWriter<W: Write> {
    out: W,
    words: u64,
    hash: u64,
}

impl<W: Write> WordWriter<W> {
    fn put(&mut self, w: u64) -> io::Result<()> {
        self.words += 1;
        self.hash = (self.hash ^ w).wrapping_mul(FNV_PRIME);
        self.out.write_all(&w.to_le_bytes())
    }
}

struct WordReader<R: Read> {
    inp: R,
    words: u64,
    hash: u64,
    /// Bytes read past the last whole word, when the file ends inside one.
    partial: usize,
    /// Those bytes.
    tail: [u8; 8],
}

impl<R: Read> WordReader<R> {
    /// The next word; `Ok(None)` at a clean end of file.
    fn next(&mut self) -> io::Result<Option<u64>> {
        let mut b = [0u8; 8];
        let mut got = 0;
        while got < 8 {
            match self.inp.read(&mut b[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        if got == 0 {
            return Ok(None);
        }
        if got < 8 {
            self.partial = got;
            self.tail = b;
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "partial word"));
        }
        let w = u64::from_le_bytes(b);
        self.words += 1;
        self.hash = (self.hash ^ w).wrapping_mul(FNV_PRIME);
        Ok(Some(w))
    }
}

/// Writes the binary table of a shard.
pub fn write_table(out: impl Write, table: &CountTable) -> io::Result<()> {
    let mut w = WordWriter {
        out: BufWriter::with_capacity(1 << 20, out),
        words: 0,
        hash: FNV_OFFSET,
    };
    w.put(u64::from_le_bytes(*MAGIC))?;
    w.put(VERSION)?;
    w.put(table.alphabet_size() as u64)?;
    w.put(table.window() as u64)?;
    w.put(table.sequences())?;
    w.put(table.symbols())?;
    let sections = std::iter::once(table.full_words()).chain(table.end_words());
    for words in sections {
        let pairs: Vec<(u64, u64)> = words.iter().collect();
        w.put(pairs.len() as u64)?;
        for (code, count) in pairs {
            w.put(code)?;
            w.put(count)?;
        }
    }
    let (words, hash) = (w.words, w.hash);
    w.out.write_all(&words.to_le_bytes())?;
    w.out.write_all(&hash.to_le_bytes())?;
    w.out.flush()
}

/// Reads the binary table of a shard, checking magic, version, sorting, length and checksum.
pub fn read_table(inp: impl Read, name: &str) -> Result<CountTable> {
    let mut r = WordReader {
        inp: BufReader::with_capacity(1 << 20, inp),
        words: 0,
        hash: FNV_OFFSET,
        partial: 0,
        tail: [0; 8],
    };
    let truncated = |r: &WordReader<_>| {
        input(format!(
            "{name}: the shard is truncated (it ends after {} bytes); count it again",
            r.words * 8 + r.partial as u64
        ))
    };
    macro_rules! word {
        () => {
            match r.next() {
                Ok(Some(w)) => w,
                Ok(None) => return Err(truncated(&r)),
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Err(truncated(&r)),
                Err(e) => return Err(io_err(format!("cannot read {name}"), e)),
            }
        };
    }
    let not_shard = || {
        input(format!(
            "{name} is not a count shard, or a damaged one: it does not start with the CMECHCNT \
             magic; count it again"
        ))
    };
    match r.next() {
        Ok(Some(w)) if w == u64::from_le_bytes(*MAGIC) => {}
        Ok(Some(_)) => return Err(not_shard()),
        Ok(None) => return Err(truncated(&r)),
        // A file shorter than the magic is what is left of a shard only if it starts like one.
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
            return Err(if MAGIC.starts_with(&r.tail[..r.partial]) {
                truncated(&r)
            } else {
                not_shard()
            });
        }
        Err(e) => return Err(io_err(format!("cannot read {name}"), e)),
    }
    let version = word!();
    if version != VERSION {
        return Err(input(format!(
            "{name}: shard format version {version} is not known (this cmech reads version {VERSION})"
        )));
    }
    let k = word!();
    let window = word!();
    let sequences = word!();
    let symbols = word!();
    if k == 0 || k > u32::MAX as u64 || window == 0 || window > 64 {
        return Err(input(format!(
            "{name}: corrupt shard header (alphabet size {k}, window {window})"
        )));
    }
    let mut sections = Vec::with_capacity(window as usize);
    for _ in 0..window {
        let n = word!();
        let mut pairs = Vec::with_capacity(n.min(1 << 20) as usize);
        let mut last = None;
        for _ in 0..n {
            let code = word!();
            let count = word!();
            if last.is_some_and(|l| code <= l) || count == 0 {
                return Err(input(format!(
                    "{name}: corrupt shard (unsorted or zero counts)"
                )));
            }
            last = Some(code);
            pairs.push((code, count));
        }
        sections.push(pairs);
    }
    let (words, hash) = (r.words, r.hash);
    let stored_words = word!();
    let stored_hash = word!();
    if stored_words != words || stored_hash != hash {
        return Err(input(format!(
            "{name}: corrupt shard (checksum mismatch); count it again"
        )));
    }
    match r.next() {
        Ok(None) => {}
        _ => return Err(input(format!("{name}: corrupt shard (data after its end)"))),
    }
    let mut sections = sections.into_iter();
    let full = sections.next().expect("window >= 1");
    CountTable::from_parts(
        k as usize,
        window as usize,
        full,
        sections.collect(),
        sequences,
        symbols,
    )
    .map_err(|e| input(format!("{name}: corrupt shard: {e}")))
}

/// Writes a shard and its sidecar; refuses to replace existing files unless `overwrite`.
pub fn write_shard(path: &Path, shard: &Shard, overwrite: bool) -> Result<()> {
    check_free(path, overwrite)?;
    let side = sidecar_path(path);
    // Both written beside their targets and moved into place when complete, the sidecar last:
    // reading checks the sidecar's alphabet, window and counts against the table, so an
    // interruption between the two moves is caught there.
    let name = path.display().to_string();
    let mut table = OutputFile::create(path, overwrite)?;
    write_table(&mut table, &shard.table).map_err(|e| io_err(format!("cannot write {name}"), e))?;
    let mut sidecar = OutputFile::create(&side, overwrite)?;
    let json = serde_json::to_string_pretty(&shard.info).expect("serialisable");
    writeln!(sidecar, "{json}")
        .map_err(|e| io_err(format!("cannot write {}", side.display()), e))?;
    table.commit()?;
    sidecar.commit()
}

/// Reads a shard and its sidecar and checks that they agree.
pub fn read_shard(path: &Path) -> Result<Shard> {
    let name = path.display().to_string();
    let side = sidecar_path(path);
    let file = File::open(path).map_err(|e| io_err(format!("cannot open {name}"), e))?;
    let table = read_table(file, &name)?;
    let text = std::fs::read_to_string(&side).map_err(|e| {
        io_err(
            format!(
                "cannot read the sidecar {} (a shard needs it: it names the alphabet)",
                side.display()
            ),
            e,
        )
    })?;
    let info: ShardInfo = serde_json::from_str(&text)
        .map_err(|e| input(format!("{}: not a shard sidecar: {e}", side.display())))?;
    if info.format != SIDECAR_FORMAT || info.version != VERSION {
        return Err(input(format!(
            "{}: sidecar of format '{}' version {}, expected '{SIDECAR_FORMAT}' version {VERSION}",
            side.display(),
            info.format,
            info.version
        )));
    }
    let disagree = |what: &str, a: String, b: String| {
        input(format!(
            "{name} and its sidecar disagree on the {what} ({a} against {b}): they do not belong together"
        ))
    };
    if info.alphabet.len() != table.alphabet_size() {
        return Err(disagree(
            "alphabet size",
            table.alphabet_size().to_string(),
            info.alphabet.len().to_string(),
        ));
    }
    if info.window != table.window() {
        return Err(disagree(
            "window",
            table.window().to_string(),
            info.window.to_string(),
        ));
    }
    if info.symbols != table.symbols() || info.sequences != table.sequences() {
        return Err(disagree(
            "symbol and sequence counts",
            format!("{} and {}", table.symbols(), table.sequences()),
            format!("{} and {}", info.symbols, info.sequences),
        ));
    }
    Ok(Shard { table, info })
}

/// Whether two sources are the same file's overlapping bytes. Standard input and data counted
/// from memory (`"-"`, `"<ndarray>"`, ...) carry no identity to compare, and paths are compared
/// as given.
fn overlap(a: &SourceInfo, b: &SourceInfo) -> bool {
    let anonymous = |p: &str| p == "-" || (p.starts_with('<') && p.ends_with('>'));
    if a.path != b.path || anonymous(&a.path) {
        return false;
    }
    let [a0, a1] = a.range.unwrap_or([0, u64::MAX]);
    let [b0, b1] = b.range.unwrap_or([0, u64::MAX]);
    a0 < b1 && b0 < a1
}

/// The overlap of two sources of one file, in words.
fn describe_source(a: &SourceInfo, b: &SourceInfo) -> String {
    let range = |r: Option<[u64; 2]>| match r {
        Some([s, e]) => format!("bytes {s}..{e}"),
        None => "the whole file".to_string(),
    };
    format!("{} ({} and {})", a.path, range(a.range), range(b.range))
}

/// Adds shards together. Their alphabets (names, in order) and windows must be the same, and no
/// two may count the same bytes of a file.
pub fn merge_shards(shards: &[(String, Shard)]) -> Result<Shard> {
    let Some(((first_name, first), rest)) = shards.split_first() else {
        return Err(input("no shards to merge"));
    };
    let mut table = first.table.clone();
    let mut sources = first.info.sources.clone();
    let mut max_history = first.info.max_history;
    let mut owners: Vec<(&str, &SourceInfo)> = first
        .info
        .sources
        .iter()
        .map(|src| (first_name.as_str(), src))
        .collect();
    for (name, s) in rest {
        let describe = |i: &ShardInfo| {
            format!(
                "alphabet {{{}}}, window {}",
                i.alphabet.join(", "),
                i.window
            )
        };
        if s.info.alphabet != first.info.alphabet || s.info.window != first.info.window {
            let what = if s.info.alphabet != first.info.alphabet {
                "alphabets"
            } else {
                "windows"
            };
            return Err(hinted(
                format!(
                    "cannot merge {name} ({}) with {first_name} ({}): the {what} differ",
                    describe(&s.info),
                    describe(&first.info),
                ),
                if what == "alphabets" {
                    Hint::SameAlphabet
                } else {
                    Hint::SameWindow
                },
            ));
        }
        for src in &s.info.sources {
            if let Some((other, seen)) = owners.iter().find(|(_, seen)| overlap(seen, src)) {
                return Err(input(format!(
                    "{name} and {other} both count {}: merging would count those windows twice",
                    describe_source(src, seen)
                )));
            }
        }
        owners.extend(s.info.sources.iter().map(|src| (name.as_str(), src)));
        table.merge(&s.table)?;
        sources.extend(s.info.sources.iter().cloned());
        if s.info.max_history != max_history {
            max_history = None;
        }
    }
    Ok(Shard::new(
        table,
        first.info.alphabet.clone(),
        max_history,
        sources,
    ))
}
