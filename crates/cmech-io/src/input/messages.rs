//! The errors about a symbol outside the alphabet, worded for where it was found: a byte with its
//! line and column, a token, a value in a row of an array, a character of text in memory, with a
//! hint when the data look like another format.

use super::{Data, Format, Input, Opened};
use crate::error::{hinted, input, line_col, show_byte, show_char, show_token, Error, Hint};
use crate::npy;
use crate::tokens;
impl<'a> Input<'a> {
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
            "{}: token {} at {place} is not in the alphabet {}",
            f.name,
            show_token(&u.token),
            self.alphabet_text()
        ))
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
