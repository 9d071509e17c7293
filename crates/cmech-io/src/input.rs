//! Opening sources, fixing their alphabet, and counting them.
//!
//! This file opens the sources into an [`Input`]; `source` says where data come from and in what
//! format, `alphabet` fixes the alphabet (given, or inferred from the data), `count` counts the
//! sources, and `messages` words the errors about symbols outside the alphabet.

mod alphabet;
mod count;
mod messages;
mod source;

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::Mutex;

use cmech_core::counts::ByteClasses;
use memmap2::Mmap;

use crate::error::{hinted, input, io as io_err, Hint};
use crate::error::{Result, Warning};
use crate::npy;
use crate::shard::SourceInfo;
use crate::tokens::TokenMap;
use crate::Progress;

pub(crate) use alphabet::{no_duplicates, text_lookup, token_map};
pub use count::{count_held_out, count_sources};
pub(crate) use source::{has_npy_extension, looks_like_npy};
pub use source::{parse_range, Format, MmapChoice, ReadOptions, Source};

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
    /// A file read into memory (when mapping was not chosen).
    Owned(Vec<u8>),
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
            Data::Owned(b) => Some(b),
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

fn open_file(path: &Path, mmap: MmapChoice) -> Result<Data<'static>> {
    let name = path.display().to_string();
    if path.is_dir() {
        return Err(input(format!("{name} is a directory, not a data file")));
    }
    let mut file = File::open(path).map_err(|e| io_err(format!("cannot open {name}"), e))?;
    // A pipe (`<(zcat x.gz)`) or device has no length to map: it said "no symbols (empty)".
    let regular = file.metadata().is_ok_and(|m| m.is_file());
    if mmap.is_enabled() && regular {
        return map_file(file, &name);
    }
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)
        .map_err(|e| io_err(format!("cannot read {name}"), e))?;
    Ok(if bytes.is_empty() {
        Data::Empty
    } else {
        Data::Owned(bytes)
    })
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
    // SAFETY: the map is only read, and the caller chose mapping (`MmapChoice::auto`, an unsafe
    // promise that its files are not changed while read) or the file is our own spooled copy of
    // stdin, which nothing else can reach.
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
                Source::Path(p) => open_file(p, opts.mmap)?,
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
    /// The warnings of every input: a one-symbol alphabet, spaces or control characters as
    /// symbols of text.
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
        // NUL and other control characters in text are most often a binary file read as text;
        // they would otherwise become symbols with no word said (issue 23).
        let controls: Vec<String> = self
            .names
            .iter()
            .filter(|n| n.chars().any(|c| c.is_control() && c != '\t'))
            .map(|n| {
                n.chars()
                    .map(|c| format!("U+{:04X}", c as u32))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        if self.format == Format::Chars && !controls.is_empty() {
            self.warnings.push(Warning {
                message: format!(
                    "control characters are symbols of this text ({}), as in a binary file",
                    controls.join(", ")
                ),
                hint: Some(Hint::TokensOrBytes),
            });
        }
    }

    pub(crate) fn total_bytes(&self) -> u64 {
        self.files
            .iter()
            .filter_map(|f| f.bytes())
            .map(|b| b.len() as u64)
            .sum()
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

    /// The alphabet in a message: its names, the first few of a large one and how many.
    pub(crate) fn alphabet_text(&self) -> String {
        const SHOWN: usize = 20;
        if self.names.len() <= SHOWN {
            return format!("{{{}}}", self.names.join(", "));
        }
        format!(
            "{{{}, ...}} ({} symbols)",
            self.names[..SHOWN].join(", "),
            self.names.len()
        )
    }
}

pub(crate) fn take_stdin(slot: &Mutex<Option<io::Stdin>>) -> Result<io::Stdin> {
    slot.lock()
        .expect("not poisoned")
        .take()
        .ok_or_else(|| input("stdin was already read"))
}
