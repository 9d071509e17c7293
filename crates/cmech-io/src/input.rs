//! Opening sources, fixing their alphabet, and counting them.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use cmech_core::counts::{ByteClasses, CountTable, InvalidItem, ReadFailure};
use memmap2::Mmap;
use serde::{Deserialize, Serialize};

use cmech_core::reconstruct::CountWindow;

use crate::bytes;
use crate::error::{hinted, input, io as io_err, line_col, show_byte, show_char, Error, Hint};
use crate::error::{Result, Warning};
use crate::npy;
use crate::shard::{Shard, SourceInfo};
use crate::stream;
use crate::tokens::{self, TokenMap, SEP};
use crate::Progress;

/// How the bytes of a source are read as symbols.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Text, one (one-byte) character per symbol; line endings are not symbols.
    Chars,
    /// Whitespace-separated tokens, each a symbol.
    Tokens,
    /// Raw bytes, every byte a symbol.
    Bytes,
    /// An integer `.npy` array: 1-D one sequence, 2-D one sequence per row.
    Npy,
}

impl Format {
    /// The format's name in messages and sidecars: `chars`, `tokens`, `bytes` or `npy`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Chars => "chars",
            Format::Tokens => "tokens",
            Format::Bytes => "bytes",
            Format::Npy => "npy",
        }
    }

    /// Every format, in the order the faces list them.
    pub const ALL: &'static [Format] = &[Format::Chars, Format::Tokens, Format::Bytes, Format::Npy];
}

impl std::str::FromStr for Format {
    type Err = Error;
    fn from_str(s: &str) -> Result<Format> {
        Format::ALL
            .iter()
            .copied()
            .find(|f| f.name() == s)
            .ok_or_else(|| {
                let known: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
                input(format!(
                    "unknown format '{s}' (known: {})",
                    known.join(", ")
                ))
            })
    }
}

/// Where data come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A file.
    Path(PathBuf),
    /// Standard input (`-`), which can be read only once.
    Stdin,
}

impl Source {
    /// `-` is stdin, anything else a path.
    pub fn from_arg(arg: &str) -> Source {
        if arg == "-" {
            Source::Stdin
        } else {
            Source::Path(PathBuf::from(arg))
        }
    }
    /// The name used in messages and sidecars.
    pub fn name(&self) -> String {
        match self {
            Source::Path(p) => p.display().to_string(),
            Source::Stdin => "-".into(),
        }
    }
}

/// How to read the sources.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// `None`: `.npy` when a file starts with the npy magic or ends in `.npy`, chars otherwise.
    pub format: Option<Format>,
    /// Each line is its own sequence (chars and tokens).
    pub lines: bool,
    /// The alphabet as a user writes it: `01` (chars), `a,b,c` or `a b c` (tokens), `0,1,255`
    /// (bytes, npy). `None`: inferred from the data.
    pub alphabet: Option<String>,
    /// Count only the windows that start in this byte range of the (single) file.
    pub range: Option<(u64, u64)>,
}

/// Parses `A..B` (byte offsets, `A` may be omitted for 0).
pub fn parse_range(s: &str) -> Result<(u64, u64)> {
    let bad = || {
        input(format!(
            "range '{s}' is not of the form A..B (byte offsets, A <= B)"
        ))
    };
    let (a, b) = s.split_once("..").ok_or_else(bad)?;
    let a = if a.trim().is_empty() {
        0
    } else {
        a.trim().parse::<u64>().map_err(|_| bad())?
    };
    let b = b.trim().parse::<u64>().map_err(|_| bad())?;
    if a > b {
        return Err(input(format!("range {a}..{b} ends before it starts")));
    }
    Ok((a, b))
}

/// Bytes of a mapped file counted between two releases of its pages.
const RELEASE_BYTES: usize = 1 << 26;

/// Drops the pages of `map[start..end]` from the resident set; they stay in the page cache, and
/// reading them again (the windows that straddle `end`) maps them back.
#[allow(unsafe_code)]
pub(crate) fn release(map: &Mmap, start: usize, end: usize) {
    let page = 4096;
    let (lo, hi) = (start.div_ceil(page) * page, end / page * page);
    if hi > lo {
        // SAFETY: the map is read-only and backed by a file, so dropped pages are re-read from
        // it, unchanged, on the next access; nothing holds a reference that relies on residency.
        let _ =
            unsafe { map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, lo, hi - lo) };
    }
}

pub(crate) enum Data<'a> {
    /// A file, mapped for random access; byte files are counted by reading it.
    Mapped {
        map: Mmap,
        file: File,
    },
    Empty,
    /// Stdin read in blocks at counting time (once).
    Stream(Mutex<Option<io::Stdin>>),
    /// In memory: a byte buffer, or the elements of an integer array (with an npy header).
    Borrowed(&'a [u8]),
    /// Text in memory, its code points (native-endian u32, with an npy header) read as integers.
    Text {
        text: &'a str,
        codes: Vec<u8>,
    },
    /// Tokens in memory.
    Tokens(Vec<&'a str>),
}

pub(crate) struct Opened<'a> {
    pub name: String,
    pub data: Data<'a>,
    pub npy: Option<npy::Header>,
}

impl Opened<'_> {
    pub(crate) fn bytes(&self) -> Option<&[u8]> {
        match &self.data {
            Data::Mapped { map, .. } => Some(map),
            Data::Empty => Some(&[]),
            Data::Borrowed(b) => Some(b),
            Data::Text { codes, .. } => Some(codes),
            Data::Stream(_) | Data::Tokens(_) => None,
        }
    }
    fn is_empty(&self) -> bool {
        match &self.data {
            Data::Tokens(t) => t.is_empty(),
            _ => self.bytes().is_some_and(|b| b.is_empty()),
        }
    }
}

pub(crate) enum Lookup {
    Bytes(Box<ByteClasses>),
    Tokens(TokenMap),
    Ints(npy::Lookup),
}

/// Sources opened in one format with their alphabet fixed, ready to be counted: files and stdin
/// ([`Input::open`]), or data in memory ([`Input::from_memory`]).
pub struct Input<'a> {
    pub(crate) format: Format,
    pub(crate) lines: bool,
    pub(crate) range: Option<(u64, u64)>,
    pub(crate) files: Vec<Opened<'a>>,
    /// The sources' name in messages about all of them.
    pub(crate) name: String,
    /// Data in memory: the source that sidecars record.
    pub(crate) memory: Option<String>,
    pub(crate) names: Vec<String>,
    pub(crate) lookup: Lookup,
    /// Integers in memory that index the alphabet's names.
    pub(crate) indexed: bool,
    pub(crate) warnings: Vec<Warning>,
    /// The alphabet was inferred from the first bytes of the files only.
    pub(crate) guessed: bool,
}

/// Bytes of each file the alphabet is guessed from when counting: real data shows every
/// symbol long before this, and a file that does not is scanned whole.
const GUESS: usize = 1 << 20;

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

fn open_file(path: &Path) -> Result<Data<'static>> {
    let name = path.display().to_string();
    if path.is_dir() {
        return Err(input(format!("{name} is a directory, not a data file")));
    }
    let file = File::open(path).map_err(|e| io_err(format!("cannot open {name}"), e))?;
    map_file(file, &name)
}

#[allow(unsafe_code)]
fn map_file(file: File, name: &str) -> Result<Data<'static>> {
    let len = file
        .metadata()
        .map_err(|e| io_err(format!("cannot read {name}"), e))?
        .len();
    if len == 0 {
        return Ok(Data::Empty);
    }
    // SAFETY: the map is only read; a file changed under us by another process gives wrong counts
    // or a bus error, as with any reader of memory-mapped files.
    let map = unsafe { Mmap::map(&file) }.map_err(|e| io_err(format!("cannot map {name}"), e))?;
    #[cfg(unix)]
    let _ = map.advise(memmap2::Advice::Sequential);
    Ok(Data::Mapped { map, file })
}

/// Copies stdin to an anonymous temporary file, for inputs that need two passes.
fn spool_stdin() -> Result<Data<'static>> {
    let mut file = tempfile::tempfile().map_err(|e| io_err("cannot create a temporary file", e))?;
    io::copy(&mut io::stdin().lock(), &mut file)
        .map_err(|e| io_err("cannot copy stdin to a temporary file", e))?;
    map_file(file, "stdin")
}

fn split_list(s: &str) -> Vec<&str> {
    if s.contains(',') {
        s.split(',').map(str::trim).collect()
    } else {
        s.split_whitespace().collect()
    }
}

pub(crate) fn no_duplicates(names: &[String]) -> Result<()> {
    for (i, a) in names.iter().enumerate() {
        if names[..i].contains(a) {
            return Err(input(format!("the alphabet lists '{a}' twice")));
        }
    }
    if names.is_empty() {
        return Err(input("the alphabet is empty"));
    }
    Ok(())
}

fn parse_int_list(s: &str, lo: i128, hi: i128, what: &str) -> Result<Vec<i128>> {
    split_list(s)
        .into_iter()
        .map(|t| {
            let v = if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
                i128::from_str_radix(h, 16).ok()
            } else {
                t.parse::<i128>().ok()
            };
            match v {
                Some(v) if (lo..=hi).contains(&v) => Ok(v),
                _ => Err(input(format!(
                    "alphabet entry '{t}' is not {what} (integers {lo} to {hi}, decimal or 0x hex)"
                ))),
            }
        })
        .collect()
}

/// The characters of a chars alphabet: `01`, or a comma list `0,1` of one-character entries.
fn parse_chars_alphabet(s: &str) -> Result<Vec<u8>> {
    let chars: Vec<char> = s.chars().collect();
    let listed = chars.len() >= 3
        && chars.len() % 2 == 1
        && chars
            .iter()
            .enumerate()
            .all(|(i, &c)| (c == ',') == (i % 2 == 1));
    let chars: Vec<char> = if listed {
        chars.into_iter().step_by(2).collect()
    } else {
        chars
    };
    chars
        .into_iter()
        .map(|c| {
            if !c.is_ascii() {
                Err(hinted(
                    format!(
                        "alphabet symbol '{c}' is not a one-byte character: the chars format \
                         reads ASCII text"
                    ),
                    Hint::Tokens,
                ))
            } else if bytes::is_line_byte(c as u8) {
                Err(input(
                    "a line ending cannot be a symbol of the chars format",
                ))
            } else {
                Ok(c as u8)
            }
        })
        .collect()
}

/// Tokens in the order of an inferred alphabet: numerically if all are integers, else by bytes.
pub(crate) fn sort_tokens(tokens: &mut [String]) {
    let ints: Option<Vec<i128>> = tokens.iter().map(|t| t.parse::<i128>().ok()).collect();
    if ints.is_some() {
        tokens.sort_by_key(|t| t.parse::<i128>().expect("checked"));
    } else {
        tokens.sort();
    }
}

impl Input<'static> {
    /// Opens the sources and fixes the alphabet (given, or found by a first pass over the data).
    pub fn open(
        sources: &[Source],
        opts: &ReadOptions,
        progress: &dyn Progress,
    ) -> Result<Input<'static>> {
        Input::open_with(sources, opts, progress, false)
    }

    /// [`Input::open`] in a given alphabet: `names`, in that order (a model's symbols, say), as
    /// the format spells them; `opts.alphabet` is ignored, and a symbol outside `names` is an
    /// error that names it.
    pub fn open_named(
        sources: &[Source],
        opts: &ReadOptions,
        names: &[String],
        progress: &dyn Progress,
    ) -> Result<Input<'static>> {
        Input::open_in(sources, opts, progress, false, Some(names), npy::SEQUENCES)
    }

    /// [`Input::open`], where `guess` lets the alphabet of long character or byte files be
    /// inferred from their first bytes only, for [`count_sources`] to check.
    fn open_with(
        sources: &[Source],
        opts: &ReadOptions,
        progress: &dyn Progress,
        guess: bool,
    ) -> Result<Input<'static>> {
        Input::open_in(sources, opts, progress, guess, None, npy::SEQUENCES)
    }

    /// [`Input::open_with`], in the alphabet `names` when it is given (whatever `opts` says), for
    /// `.npy` arrays of the given `shapes`.
    pub(crate) fn open_in(
        sources: &[Source],
        opts: &ReadOptions,
        progress: &dyn Progress,
        guess: bool,
        names: Option<&[String]>,
        shapes: npy::Shapes,
    ) -> Result<Input<'static>> {
        if sources.is_empty() {
            return Err(input("no input given"));
        }
        if sources.iter().filter(|s| **s == Source::Stdin).count() > 1 {
            return Err(input("stdin (-) can be read only once"));
        }
        // The format: given, or .npy by magic or extension, chars otherwise.
        let format =
            match opts.format {
                Some(f) => f,
                None => {
                    let npy: Vec<bool> = sources.iter().map(looks_like_npy).collect();
                    match (npy.iter().all(|&b| b), npy.iter().any(|&b| b)) {
                        (true, _) => Format::Npy,
                        (false, false) => Format::Chars,
                        (false, true) => return Err(input(
                            "some inputs are .npy files and some are not; count them separately",
                        )),
                    }
                }
            };
        if opts.lines && matches!(format, Format::Bytes | Format::Npy) {
            return Err(hinted(
                format!(
                    "reading each line as its own sequence applies to chars and tokens, not to \
                     {} input{}",
                    format.name(),
                    if format == Format::Npy {
                        " (each row of a 2-D array is already a sequence)"
                    } else {
                        ""
                    }
                ),
                Hint::Lines,
            ));
        }
        if let Some((a, b)) = opts.range {
            if sources.len() != 1 || sources[0] == Source::Stdin {
                return Err(hinted(
                    "a byte range applies to exactly one file (not stdin)",
                    Hint::Range,
                ));
            }
            if !matches!(format, Format::Chars | Format::Bytes) {
                return Err(hinted(
                    format!(
                        "a byte range applies to chars and bytes files, not to {} input",
                        format.name()
                    ),
                    Hint::Range,
                ));
            }
            if a > b {
                return Err(input(format!("range {a}..{b} ends before it starts")));
            }
        }
        let stream_stdin = opts.alphabet.is_some() && format != Format::Npy;
        let mut files = Vec::with_capacity(sources.len());
        for s in sources {
            let data = match s {
                Source::Path(p) => open_file(p)?,
                Source::Stdin if stream_stdin => Data::Stream(Mutex::new(Some(io::stdin()))),
                Source::Stdin => spool_stdin()?,
            };
            let name = match s {
                Source::Stdin => "stdin".to_string(),
                p => p.name(),
            };
            let mut f = Opened {
                name,
                data,
                npy: None,
            };
            if format == Format::Npy {
                let bytes = f.bytes().expect("npy is mapped");
                if bytes.is_empty() {
                    return Err(input(format!("{}: empty file: no symbols", f.name)));
                }
                f.npy = Some(npy::parse_header(bytes, &f.name, shapes)?);
            }
            files.push(f);
        }
        if let (Some((_, b)), Some(bytes)) = (opts.range, files[0].bytes()) {
            if b > bytes.len() as u64 {
                return Err(input(format!(
                    "range {}..{b} goes past the end of {} ({} bytes)",
                    opts.range.unwrap().0,
                    files[0].name,
                    bytes.len()
                )));
            }
        }
        let name = files
            .iter()
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let mut input_ = Input {
            format,
            lines: opts.lines,
            range: opts.range,
            files,
            name,
            memory: None,
            names: Vec::new(),
            lookup: Lookup::Bytes(Box::new(ByteClasses::new())),
            indexed: false,
            warnings: Vec::new(),
            guessed: false,
        };
        match (names, &opts.alphabet) {
            (Some(names), _) => input_.set_alphabet_names(names.to_vec())?,
            (None, Some(a)) => input_.set_alphabet(a)?,
            // A range is counted alone, so only a scan of the whole file gives every range
            // the same alphabet.
            (None, None) if guess && opts.range.is_none() => {
                input_.infer_alphabet_within(progress, GUESS)?
            }
            (None, None) => input_.infer_alphabet(progress)?,
        }
        input_.add_warnings();
        Ok(input_)
    }
}

impl<'a> Input<'a> {
    /// The warnings of every input: a one-symbol alphabet, spaces as symbols of text.
    pub(crate) fn add_warnings(&mut self) {
        if self.names.len() == 1 {
            self.warnings.push(Warning {
                message: format!(
                    "only one symbol ('{}') in the alphabet: every sequence is that symbol \
                     repeated, a process of one state and zero entropy",
                    self.names[0]
                ),
                hint: None,
            });
        }
        if self.format == Format::Chars && self.names.iter().any(|n| n == " " || n == "\t") {
            self.warnings.push(Warning {
                message: "spaces or tabs are symbols of this text (one character per symbol)"
                    .into(),
                hint: Some(if self.memory.is_some() {
                    Hint::TokenList
                } else {
                    Hint::Tokens
                }),
            });
        }
    }

    fn set_alphabet(&mut self, text: &str) -> Result<()> {
        let names: Vec<String> = match self.format {
            Format::Chars => parse_chars_alphabet(text)?
                .iter()
                .map(|&b| (b as char).to_string())
                .collect(),
            Format::Bytes => parse_int_list(text, 0, 255, "a byte")?
                .iter()
                .map(|v| v.to_string())
                .collect(),
            Format::Tokens => {
                let names: Vec<String> = split_list(text).into_iter().map(String::from).collect();
                if names.iter().any(|n| n.is_empty()) {
                    return Err(input(format!("the alphabet '{text}' has an empty entry")));
                }
                names
            }
            Format::Npy => parse_int_list(text, i64::MIN as i128, u64::MAX as i128, "an integer")?
                .iter()
                .map(|v| v.to_string())
                .collect(),
        };
        self.set_alphabet_names(names)
    }

    /// Fixes the alphabet to these symbol names, in this order, as the format spells them (one
    /// character, a byte value, a token, an integer).
    fn set_alphabet_names(&mut self, names: Vec<String>) -> Result<()> {
        no_duplicates(&names)?;
        let not_a = |n: &str, what: &str| {
            input(format!(
                "the symbol '{n}' is not {what}, as the {} format needs",
                self.format.name()
            ))
        };
        self.lookup = match self.format {
            Format::Chars => {
                let syms = names
                    .iter()
                    .map(|n| match n.as_bytes() {
                        [b] if !bytes::is_line_byte(*b) => Ok(*b),
                        _ => Err(not_a(n, "one ASCII character")),
                    })
                    .collect::<Result<Vec<u8>>>()?;
                Lookup::Bytes(Box::new(bytes::classes(&syms, true, self.lines)))
            }
            Format::Bytes => {
                let syms = names
                    .iter()
                    .map(|n| n.parse::<u8>().map_err(|_| not_a(n, "a byte value")))
                    .collect::<Result<Vec<u8>>>()?;
                Lookup::Bytes(Box::new(bytes::classes(&syms, false, false)))
            }
            Format::Tokens => Lookup::Tokens(token_map(&names)),
            Format::Npy => {
                let vals = names
                    .iter()
                    .map(|n| n.parse::<i128>().map_err(|_| not_a(n, "an integer")))
                    .collect::<Result<Vec<i128>>>()?;
                Lookup::Ints(npy::Lookup::new(&vals))
            }
        };
        self.names = names;
        Ok(())
    }

    pub(crate) fn total_bytes(&self) -> u64 {
        self.files
            .iter()
            .filter_map(|f| f.bytes())
            .map(|b| b.len() as u64)
            .sum()
    }

    pub(crate) fn infer_alphabet(&mut self, progress: &dyn Progress) -> Result<()> {
        self.infer_alphabet_within(progress, usize::MAX)
    }

    /// Infers the alphabet from the data, reading at most the first `limit` bytes of each
    /// character or byte file (the alphabet is then a guess if any file is longer).
    fn infer_alphabet_within(&mut self, progress: &dyn Progress, limit: usize) -> Result<()> {
        self.guessed = false;
        progress.begin("scanning", self.total_bytes(), "B");
        match self.format {
            Format::Chars if self.memory.is_some() => {
                let mut values = Vec::new();
                for f in &self.files {
                    let h = f.npy.as_ref().expect("code points have a header");
                    let b = f.bytes().expect("in memory");
                    values.extend(npy::distinct(b, h, &f.name, progress)?);
                }
                values.sort_unstable();
                values.dedup();
                values.retain(|&v| v != b'\n' as i128 && v != b'\r' as i128);
                self.names = values
                    .iter()
                    .map(|&v| char::from_u32(v as u32).expect("code points").to_string())
                    .collect();
                self.lookup = Lookup::Ints(text_lookup(&values, self.lines));
            }
            Format::Tokens if self.memory.is_some() => {
                let mut set = rustc_hash::FxHashSet::default();
                for f in &self.files {
                    if let Data::Tokens(t) = &f.data {
                        set.extend(t.iter().copied());
                    }
                }
                let mut names: Vec<String> = set.into_iter().map(String::from).collect();
                sort_tokens(&mut names);
                self.lookup = Lookup::Tokens(token_map(&names));
                self.names = names;
            }
            Format::Chars | Format::Bytes => {
                let mut hist = [false; 256];
                for f in &self.files {
                    let whole = f.bytes().expect("mapped when inferring");
                    let b = &whole[..whole.len().min(limit)];
                    self.guessed |= b.len() < whole.len();
                    let mut h = [false; 256];
                    for (i, slice) in b.chunks(RELEASE_BYTES).enumerate() {
                        let seen = bytes::present(slice, progress);
                        h.iter_mut().zip(seen).for_each(|(a, s)| *a |= s);
                        if let Data::Mapped { map, .. } = &f.data {
                            release(map, i * RELEASE_BYTES, i * RELEASE_BYTES + slice.len());
                        }
                    }
                    if self.format == Format::Chars && h[128..].iter().any(|&c| c) {
                        let at = b.iter().position(|&x| x >= 128).expect("counted");
                        let (line, col) = line_col(b, at);
                        return Err(hinted(
                            format!(
                                "{}: {} at byte {at} (line {line}, column {col}) is not a \
                                 one-byte character: the chars format reads ASCII text, one \
                                 character per symbol",
                                f.name,
                                show_byte(b[at])
                            ),
                            Hint::TokensOrBytes,
                        ));
                    }
                    hist.iter_mut().zip(h).for_each(|(a, b)| *a |= b);
                }
                let chars = self.format == Format::Chars;
                let syms: Vec<u8> = (0..=255u8)
                    .filter(|&b| hist[b as usize] && !(chars && bytes::is_line_byte(b)))
                    .collect();
                self.names = syms
                    .iter()
                    .map(|&b| {
                        if chars {
                            (b as char).to_string()
                        } else {
                            b.to_string()
                        }
                    })
                    .collect();
                self.lookup = Lookup::Bytes(Box::new(bytes::classes(&syms, chars, self.lines)));
            }
            Format::Tokens => {
                let mut set = rustc_hash::FxHashSet::default();
                for f in &self.files {
                    set.extend(tokens::distinct(f.bytes().expect("mapped"), progress));
                }
                let mut names = set
                    .into_iter()
                    .map(|t| {
                        String::from_utf8(t.to_vec()).map_err(|_| {
                            input(format!(
                                "token '{}' is not valid UTF-8",
                                String::from_utf8_lossy(t)
                            ))
                        })
                    })
                    .collect::<Result<Vec<String>>>()?;
                sort_tokens(&mut names);
                self.lookup = Lookup::Tokens(token_map(&names));
                self.names = names;
            }
            Format::Npy => {
                let mut values = Vec::new();
                for f in &self.files {
                    let h = f.npy.as_ref().expect("parsed");
                    values.extend(npy::distinct(
                        f.bytes().expect("mapped"),
                        h,
                        &f.name,
                        progress,
                    )?);
                }
                values.sort_unstable();
                values.dedup();
                self.names = values.iter().map(|v| v.to_string()).collect();
                self.lookup = Lookup::Ints(npy::Lookup::new(&values));
            }
        }
        progress.end();
        if self.names.is_empty() {
            let empty = self.files.iter().all(Opened::is_empty);
            return Err(input(format!(
                "no symbols in {}{}",
                self.name,
                if empty { " (empty)" } else { "" }
            )));
        }
        Ok(())
    }

    /// How the sources are read: the format given, or the one inferred from the files (for data in
    /// memory, from the kind of its parts).
    pub fn format(&self) -> Format {
        self.format
    }
    /// Whether each line is its own sequence.
    pub fn lines(&self) -> bool {
        self.lines
    }
    /// The byte range `[start, end)` of the one file whose windows are counted (`None`: all of
    /// the data).
    pub fn range(&self) -> Option<(u64, u64)> {
        self.range
    }
    /// Symbol names, in index order.
    pub fn alphabet(&self) -> &[String] {
        &self.names
    }
    /// Things the user should know (a one-symbol alphabet, whitespace symbols).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }
    /// The sources' names, as given ("-" for stdin); data in memory is one source.
    pub fn source_names(&self) -> Vec<String> {
        if let Some(source) = &self.memory {
            return vec![source.clone()];
        }
        self.files
            .iter()
            .map(|f| {
                if f.name == "stdin" {
                    "-".into()
                } else {
                    f.name.clone()
                }
            })
            .collect()
    }

    /// The sources as a count shard's sidecar records them.
    pub fn source_infos(&self) -> Vec<SourceInfo> {
        self.source_names()
            .into_iter()
            .map(|path| SourceInfo {
                path,
                range: self.range.map(|(a, b)| [a, b]),
                format: self.format,
                lines: self.lines,
            })
            .collect()
    }

    pub(crate) fn alphabet_text(&self) -> String {
        format!("{{{}}}", self.names.join(", "))
    }

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
                                "{}: token '{t}' at index {i} is not in the alphabet {}",
                                f.name,
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

    /// The error of a value outside the alphabet.
    pub(crate) fn outside(&self, f: &Opened, h: &npy::Header, o: npy::Outside) -> Error {
        if let Data::Text { text, .. } = &f.data {
            let c = char::from_u32(o.value as u32).expect("a code point");
            let (line, col) = char_line_col(text, o.index);
            let message = format!(
                "{}: {} at index {} (line {line}, column {col}) is not in the alphabet {}",
                f.name,
                show_char(c),
                o.index,
                self.alphabet_text()
            );
            // Whitespace between symbols: the text is most likely tokens.
            return if c == ' ' || c == '\t' {
                hinted(message, Hint::TokenList)
            } else {
                input(message)
            };
        }
        let at = if h.shape.len() == 2 {
            format!("row {}, column {}", o.index / h.row(), o.index % h.row())
        } else {
            format!("index {}", o.index)
        };
        input(format!(
            "{}: value {} at {at} is not in the alphabet {}{}",
            f.name,
            o.value,
            self.alphabet_text(),
            self.indexed_hint()
        ))
    }

    /// For integers in memory that index the alphabet's names, what the alphabet means.
    fn indexed_hint(&self) -> String {
        if self.indexed {
            format!(
                " (integer data index the alphabet's names, 0 to {}; to name the symbols by \
                 their values, give the values as the alphabet)",
                self.names.len() - 1
            )
        } else {
            String::new()
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

    pub(crate) fn bad_byte(&self, f: &Opened, at: usize, data: Option<&[u8]>) -> Error {
        let (what, place) = match data {
            Some(d) => {
                let (line, col) = line_col(d, at);
                let place = if self.memory.is_some() {
                    format!("index {at}")
                } else if self.format == Format::Chars {
                    format!("byte {at} (line {line}, column {col})")
                } else {
                    format!("byte {at}")
                };
                (show_byte(d[at]), place)
            }
            None => ("a symbol".to_string(), format!("byte {at}")),
        };
        let what = if self.format == Format::Bytes {
            match data {
                Some(d) => format!("byte value {}", d[at]),
                None => what,
            }
        } else {
            what
        };
        let message = format!(
            "{}: {what} at {place} is not in the alphabet {}",
            f.name,
            self.alphabet_text()
        );
        match data {
            Some(d) if self.format == Format::Chars && d[at] >= 128 => hinted(
                message + " (the chars format reads one-byte characters)",
                Hint::TokensOrBytes,
            ),
            // Whitespace between symbols: the data are most likely tokens.
            Some(d) if self.format == Format::Chars && (d[at] == b' ' || d[at] == b'\t') => hinted(
                message,
                if self.memory.is_some() {
                    Hint::TokenList
                } else {
                    Hint::Tokens
                },
            ),
            _ => input(message + &self.indexed_hint()),
        }
    }

    pub(crate) fn bad_token(&self, f: &Opened, u: tokens::Unknown, data: Option<&[u8]>) -> Error {
        let place = match data {
            Some(d) => {
                let (line, col) = line_col(d, u.offset);
                format!("byte {} (line {line}, column {col})", u.offset)
            }
            None => format!("byte {}", u.offset),
        };
        input(format!(
            "{}: token '{}' at {place} is not in the alphabet {}",
            f.name,
            String::from_utf8_lossy(&u.token),
            self.alphabet_text()
        ))
    }
}

pub(crate) fn take_stdin(slot: &Mutex<Option<io::Stdin>>) -> Result<io::Stdin> {
    slot.lock()
        .expect("not poisoned")
        .take()
        .ok_or_else(|| input("stdin was already read"))
}

pub(crate) fn looks_like_npy(s: &Source) -> bool {
    match s {
        Source::Stdin => false,
        Source::Path(p) => {
            if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("npy")) {
                return true;
            }
            let mut head = [0u8; 6];
            File::open(p)
                .and_then(|mut f| f.read_exact(&mut head))
                .is_ok_and(|_| head == npy::MAGIC)
        }
    }
}

/// The token lookup of an alphabet of tokens: `names[i]` is symbol `i`.
pub(crate) fn token_map(names: &[String]) -> TokenMap {
    names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_bytes().to_vec(), i as u32))
        .collect()
}

/// The lookup of text read as code points: `values[i]` is symbol `i`; `\r` is skipped, and `\n`
/// too unless it ends a sequence (`lines`).
pub(crate) fn text_lookup(values: &[i128], lines: bool) -> npy::Lookup {
    let (cr, lf) = (b'\r' as i128, b'\n' as i128);
    if lines {
        npy::Lookup::with(values, &[cr], &[lf])
    } else {
        npy::Lookup::with(values, &[cr, lf], &[])
    }
}

/// 1-based line and column of the character at `index` of a text.
fn char_line_col(text: &str, index: usize) -> (usize, usize) {
    let (mut line, mut start) = (1, 0);
    for (i, c) in text.chars().take(index).enumerate() {
        if c == '\n' {
            line += 1;
            start = i + 1;
        }
    }
    (line, index - start + 1)
}
