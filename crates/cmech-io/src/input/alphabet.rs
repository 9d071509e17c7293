//! The alphabet of an input: parsed from the user's list as the format spells it, or inferred from
//! the data (in full, or from the first bytes of each file as a guess that counting checks), and
//! the lookups that map symbols to their indices.

use super::{release, Data, Format, Input, Lookup, Opened, RELEASE_BYTES};
use crate::bytes;
use crate::error::{hinted, input, line_col, show_byte, Hint, Result};
use crate::npy;
use crate::tokens::{self, TokenMap};
use crate::Progress;

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

impl<'a> Input<'a> {
    pub(super) fn set_alphabet(&mut self, text: &str) -> Result<()> {
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
    pub(super) fn set_alphabet_names(&mut self, names: Vec<String>) -> Result<()> {
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

    pub(crate) fn infer_alphabet(&mut self, progress: &dyn Progress) -> Result<()> {
        self.infer_alphabet_within(progress, usize::MAX)
    }

    /// Infers the alphabet from the data, reading at most the first `limit` bytes of each
    /// character or byte file (the alphabet is then a guess if any file is longer).
    pub(super) fn infer_alphabet_within(
        &mut self,
        progress: &dyn Progress,
        limit: usize,
    ) -> Result<()> {
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
