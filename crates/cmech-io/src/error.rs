//! Errors of reading data and shards: each is one line that names the file and the problem.

use cmech_core::CmechError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The operating system refused (missing file, permission, disk full...).
    #[error("{what}: {err}")]
    Io { what: String, err: std::io::Error },
    /// The data or a shard is not what it should be.
    #[error("{0}")]
    Input(String),
    #[error(transparent)]
    Core(#[from] CmechError),
}

pub type Result<T> = std::result::Result<T, Error>;

pub(crate) fn input(msg: impl Into<String>) -> Error {
    Error::Input(msg.into())
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
