//! Where data come from and how they are read: sources, formats and the reading options as the
//! faces spell them, parsed and checked before anything is opened.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{input, Error, Result};
use crate::npy;

/// How the bytes of a source are read as symbols.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
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

/// Whether files may be memory-mapped. Mapping counts a file where it lies, never copied, which
/// is what lets 10^9 symbols be read in the time of one pass; but a file truncated or rewritten
/// by another process while it is mapped gives wrong results or a bus error, which no safe code
/// can rule out. Only the caller knows its files, so mapping is chosen with an `unsafe`
/// constructor, as ripgrep does; the default reads each file into memory.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MmapChoice(bool);

impl MmapChoice {
    /// Map files.
    ///
    /// # Safety
    ///
    /// The files read must not be truncated or rewritten while they are read: a mapped file
    /// changed underneath gives wrong results or a bus error.
    #[allow(unsafe_code)]
    pub unsafe fn auto() -> MmapChoice {
        MmapChoice(true)
    }

    /// Read each file into memory (the default).
    pub fn never() -> MmapChoice {
        MmapChoice(false)
    }

    /// Whether files are mapped.
    pub fn is_enabled(self) -> bool {
        self.0
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
    /// Whether files are memory-mapped ([`MmapChoice::auto`]) or read into memory.
    pub mmap: MmapChoice,
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

/// Whether a file's name says it is a NumPy array.
pub(crate) fn has_npy_extension(p: &Path) -> bool {
    p.extension().is_some_and(|e| e.eq_ignore_ascii_case("npy"))
}

pub(crate) fn looks_like_npy(s: &Source) -> bool {
    match s {
        Source::Stdin => false,
        Source::Path(p) => {
            if has_npy_extension(p) {
                return true;
            }
            // Peeking would consume a pipe's first bytes: a pipe is .npy only when told.
            if !p.is_file() {
                return false;
            }
            let mut head = [0u8; 6];
            File::open(p)
                .and_then(|mut f| f.read_exact(&mut head))
                .is_ok_and(|_| head == npy::MAGIC)
        }
    }
}
