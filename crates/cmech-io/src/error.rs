//! Errors of reading data and shards: each is one line that names the file and the problem.
//!
//! Messages name no option of a face (a CLI flag, a Python keyword): where the caller can fix the
//! problem by a choice of its own, the error carries a [`Hint`] that each face words in its terms.

use cmech_core::CmechError;

/// Why reading data or shards, or writing them, failed: one line that names the file (or the
/// data) and the problem.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The operating system refused (missing file, permission, disk full...).
    #[error("{what}: {err}")]
    Io {
        /// What was being done, naming the file ("cannot open data.txt").
        what: String,
        /// The operating system's error.
        err: std::io::Error,
    },
    /// The data or a shard is not what it should be.
    #[error("{0}")]
    Input(String),
    /// A problem the caller can fix by a choice of its own, which `hint` names. The message is
    /// complete without the hint.
    #[error("{message}")]
    Hinted {
        /// The whole message.
        message: String,
        /// What the caller could do about it.
        hint: Hint,
    },
    /// An error of cmech-core (a window too long for the alphabet, a failed reconstruction), passed
    /// on as it is.
    #[error(transparent)]
    Core(#[from] CmechError),
}

impl Error {
    /// What the caller could do about this error, for the faces to say in their own terms.
    pub fn hint(&self) -> Option<Hint> {
        match self {
            Error::Hinted { hint, .. } => Some(*hint),
            _ => None,
        }
    }
}

/// A choice of the caller that fixes a problem or a doubtful input, for each face to name in its
/// own terms (a flag of the CLI, an argument of the Python functions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hint {
    /// An output file exists: allow overwriting it (or choose another name).
    Overwrite,
    /// Shards of different alphabets: count every part with the same given alphabet.
    SameAlphabet,
    /// Shards of different windows: count every part for the same history length or window.
    SameWindow,
    /// Counts too short for a reconstruction: count again for this history length or window.
    CountAgain {
        /// The history length to count for.
        max_history: usize,
        /// The window (the longest word) that the counts need for it.
        window: usize,
    },
    /// Lines as sequences were asked of input that has none: leave that option out.
    Lines,
    /// A byte range was asked of input that cannot have one: leave that option out.
    Range,
    /// A file read one character per symbol whose symbols may be tokens: read it as tokens.
    Tokens,
    /// A file that is not ASCII text: read it as tokens or as bytes.
    TokensOrBytes,
    /// Text in memory whose symbols may be longer than one character: give a list of tokens.
    TokenList,
}

/// Something the user should know about the data that does not stop the counting (a one-symbol
/// alphabet, spaces as symbols), with what the user could do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The warning, in one line that names no option of a face.
    pub message: String,
    /// What the user could do about it, if there is something.
    pub hint: Option<Hint>,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// A result whose error is this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

pub(crate) fn input(msg: impl Into<String>) -> Error {
    Error::Input(msg.into())
}

pub(crate) fn hinted(msg: impl Into<String>, hint: Hint) -> Error {
    Error::Hinted {
        message: msg.into(),
        hint,
    }
}

pub(crate) fn io(what: impl Into<String>, err: std::io::Error) -> Error {
    Error::Io {
        what: what.into(),
        err,
    }
}

/// 1-based line and column of a byte offset, for messages.
pub(crate) fn line_col(data: &[u8], offset: usize) -> (usize, usize) {
    let before = &data[..offset.min(data.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let col = offset
        - before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1)
        + 1;
    (line, col)
}

/// A byte as a person reads it: the character if printable ASCII, else its hex value.
pub(crate) fn show_byte(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("'{}'", b as char)
    } else if b == b' ' {
        "' ' (space)".into()
    } else {
        format!("byte 0x{b:02x}")
    }
}

/// Characters of a token shown in a message; a longer one is cut, its length said (a whole file
/// of digits with no space is one token, and was once printed whole in a one-line error).
const SHOWN_TOKEN_CHARS: usize = 40;

/// A token as a person reads it: quoted, cut after [`SHOWN_TOKEN_CHARS`] characters.
pub(crate) fn show_token(token: &[u8]) -> String {
    let text = String::from_utf8_lossy(token);
    match text.char_indices().nth(SHOWN_TOKEN_CHARS) {
        Some((cut, _)) => format!("'{}...' ({} bytes)", &text[..cut], token.len()),
        None => format!("'{text}'"),
    }
}

/// A character as a person reads it: quoted if printable, else its code point.
pub(crate) fn show_char(c: char) -> String {
    if c == ' ' {
        "' ' (space)".into()
    } else if c.is_control() || c.is_whitespace() {
        format!("character U+{:04X}", c as u32)
    } else {
        format!("'{c}'")
    }
}
