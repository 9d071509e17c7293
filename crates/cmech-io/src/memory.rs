//! Data already in memory (integer arrays, byte buffers, text, token lists), opened as an
//! [`Input`] so that it is read as files are: integers through the `.npy` value scan, lookup and
//! row counting (an array in memory is an `.npy` array without its header), bytes through the byte
//! classes, tokens sorted and looked up as in token files, text as its code points, with the same
//! inferred alphabets, messages and warnings. Short sequences are gathered and counted together.

use crate::bytes;
use crate::error::{hinted, input, Hint, Result};
use crate::input::{no_duplicates, text_lookup, token_map, Data, Lookup, Opened};
use crate::npy;
use crate::{Format, Input, Progress};

/// Integers in memory, in this machine's byte order.
#[derive(Debug, Clone, Copy)]
pub enum Ints<'a> {
    /// Signed 8-bit integers.
    I8(&'a [i8]),
    /// Signed 16-bit integers.
    I16(&'a [i16]),
    /// Signed 32-bit integers.
    I32(&'a [i32]),
    /// Signed 64-bit integers.
    I64(&'a [i64]),
    /// Unsigned 8-bit integers.
    U8(&'a [u8]),
    /// Unsigned 16-bit integers.
    U16(&'a [u16]),
    /// Unsigned 32-bit integers.
    U32(&'a [u32]),
    /// Unsigned 64-bit integers.
    U64(&'a [u64]),
}

impl<'a> Ints<'a> {
    /// The number of integers.
    pub fn len(&self) -> usize {
        self.raw().0.len() / self.raw().1
    }
    /// Whether there are no integers.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The elements' bytes, their width and whether they are signed.
    fn raw(&self) -> (&'a [u8], usize, bool) {
        #[allow(unsafe_code)]
        fn bytes<T>(x: &[T]) -> &[u8] {
            // SAFETY: only used on slices of primitive integers, which have no padding and every
            // bit pattern; u8 has alignment 1 and the length is the slice's size in bytes.
            unsafe { std::slice::from_raw_parts(x.as_ptr() as *const u8, std::mem::size_of_val(x)) }
        }
        match *self {
            Ints::I8(x) => (bytes(x), 1, true),
            Ints::I16(x) => (bytes(x), 2, true),
            Ints::I32(x) => (bytes(x), 4, true),
            Ints::I64(x) => (bytes(x), 8, true),
            Ints::U8(x) => (bytes(x), 1, false),
            Ints::U16(x) => (bytes(x), 2, false),
            Ints::U32(x) => (bytes(x), 4, false),
            Ints::U64(x) => (bytes(x), 8, false),
        }
    }
}

/// One part of data in memory: its own sequence, or its own rows or lines.
#[derive(Debug, Clone)]
pub enum Part<'a> {
    /// Integer symbols: one sequence, or (`row: Some(r)`) consecutive rows of `r` elements, each
    /// a sequence (a C-ordered 2-D array).
    Ints {
        /// The integers, each a symbol.
        values: Ints<'a>,
        /// `Some(r)`: rows of `r` elements, each its own sequence; `None`: one sequence.
        row: Option<usize>,
    },
    /// Every byte a symbol (with integer parts: integers from 0 to 255).
    Bytes(&'a [u8]),
    /// Every character a symbol; `\r` and `\n` are not symbols, and with `lines` a `\n` ends a
    /// sequence. With token parts, each character (but line endings) is a token.
    Text(&'a str),
    /// Each token a symbol.
    Tokens(Vec<&'a str>),
}

/// An entry of the alphabet of data in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Symbol {
    /// A symbol by name: with text or tokens, the symbol itself; with integers, the name of the
    /// integer that indexes it (0 is the first name), and then every entry must be a name.
    Name(String),
    /// A symbol by integer value: with integers, a value of the data; with text or tokens, the
    /// symbol its decimal text spells.
    Value(i128),
}

/// Data in memory, to be read by [`Input::from_memory`].
#[derive(Debug, Clone)]
pub struct Memory<'a> {
    /// The parts, each with its name in messages (`data[2]`, say). Parts are all integers (and
    /// bytes), or all text (and tokens).
    pub parts: Vec<(String, Part<'a>)>,
    /// The alphabet, in symbol order. For integers: their values, or names that the integers
    /// index (0 is the first name); for text and tokens: names (values stand for their decimal
    /// text). `None`: the symbols present, sorted as in files (integers by value and named by
    /// their decimal text, tokens numerically if all are integers).
    pub alphabet: Option<Vec<Symbol>>,
    /// Each line of text is its own sequence.
    pub lines: bool,
    /// The data's name in messages about all of them ("no symbols in data").
    pub name: String,
    /// The source that a count shard's sidecar records, e.g. `<ndarray>`.
    pub source: String,
}

impl<'a> Input<'a> {
    /// Opens data in memory and fixes its alphabet (given, or found by a pass over the data).
    /// The format the sidecar records is `npy` for integers, `bytes` for bytes alone, `chars` for
    /// text and `tokens` for tokens.
    pub fn from_memory(m: Memory<'a>, progress: &dyn Progress) -> Result<Input<'a>> {
        let integer = |p: &Part| matches!(p, Part::Ints { .. } | Part::Bytes(_));
        let first_int = m.parts.iter().find(|p| integer(&p.1));
        if let (Some(a), Some(b)) = (first_int, m.parts.iter().find(|p| !integer(&p.1))) {
            return Err(input(format!(
                "the data mix integer symbols ({}) and text symbols ({})",
                a.0, b.0
            )));
        }
        let all = |f: fn(&Part) -> bool| m.parts.iter().all(|p| f(&p.1));
        let format = if first_int.is_some() || m.parts.is_empty() {
            if all(|p| matches!(p, Part::Bytes(_))) && !m.parts.is_empty() {
                Format::Bytes
            } else {
                Format::Npy
            }
        } else if all(|p| matches!(p, Part::Text(_))) {
            Format::Chars
        } else {
            Format::Tokens
        };
        if m.lines && format != Format::Chars {
            return Err(hinted(
                "reading each line as its own sequence applies to text, not to integer or token \
                 sequences",
                Hint::Lines,
            ));
        }
        let mut files = Vec::with_capacity(m.parts.len());
        for (name, part) in m.parts {
            let (data, header) = match part {
                Part::Ints { values, row } => {
                    let (raw, width, signed) = values.raw();
                    let n = values.len();
                    if let Some(r) = row {
                        if (r == 0 && n > 0) || (r > 0 && n % r != 0) {
                            return Err(input(format!(
                                "{name}: {n} elements are not rows of {r} elements"
                            )));
                        }
                    }
                    let h = npy::memory_header(width, signed, n, row);
                    (Data::Borrowed(raw), Some(h))
                }
                Part::Bytes(b) if format == Format::Npy => {
                    let h = npy::memory_header(1, false, b.len(), None);
                    (Data::Borrowed(b), Some(h))
                }
                Part::Bytes(b) => (Data::Borrowed(b), None),
                Part::Text(text) if format == Format::Chars => {
                    let codes: Vec<u8> = text
                        .chars()
                        .flat_map(|c| (c as u32).to_ne_bytes())
                        .collect();
                    let h = npy::memory_header(4, false, codes.len() / 4, None);
                    (Data::Text { text, codes }, Some(h))
                }
                Part::Text(text) => {
                    let chars = text
                        .char_indices()
                        .filter(|&(_, c)| c != '\r' && c != '\n')
                        .map(|(i, c)| &text[i..i + c.len_utf8()])
                        .collect();
                    (Data::Tokens(chars), None)
                }
                Part::Tokens(tokens) => (Data::Tokens(tokens), None),
            };
            files.push(Opened {
                name,
                data,
                npy: header,
            });
        }
        let mut input_ = Input {
            format,
            lines: m.lines,
            range: None,
            files,
            name: m.name,
            memory: Some(m.source),
            names: Vec::new(),
            lookup: Lookup::Tokens(Default::default()),
            indexed: false,
            warnings: Vec::new(),
            guessed: false,
        };
        match m.alphabet {
            Some(a) => input_.set_symbols(&a)?,
            None => input_.infer_alphabet(progress)?,
        }
        input_.add_warnings();
        Ok(input_)
    }

    /// Fixes the alphabet of data in memory.
    fn set_symbols(&mut self, entries: &[Symbol]) -> Result<()> {
        let text = |e: &Symbol| match e {
            Symbol::Name(n) => n.clone(),
            Symbol::Value(v) => v.to_string(),
        };
        match self.format {
            Format::Chars => {
                self.names = entries.iter().map(text).collect();
                no_duplicates(&self.names)?;
                let values = self
                    .names
                    .iter()
                    .map(|t| {
                        let mut chars = t.chars();
                        match (chars.next(), chars.next()) {
                            (Some('\r' | '\n'), None) => {
                                Err(input("a line ending cannot be a symbol of text"))
                            }
                            (Some(c), None) => Ok(c as i128),
                            _ => Err(hinted(
                                format!(
                                    "alphabet symbol '{t}' is not one character: the data are \
                                     text, one character per symbol"
                                ),
                                Hint::TokenList,
                            )),
                        }
                    })
                    .collect::<Result<Vec<i128>>>()?;
                self.lookup = Lookup::Ints(text_lookup(&values, self.lines));
            }
            Format::Tokens => {
                self.names = entries.iter().map(text).collect();
                no_duplicates(&self.names)?;
                self.lookup = Lookup::Tokens(token_map(&self.names));
            }
            Format::Bytes | Format::Npy => {
                let values: Option<Vec<i128>> = entries
                    .iter()
                    .map(|e| match e {
                        Symbol::Value(v) => Some(*v),
                        Symbol::Name(_) => None,
                    })
                    .collect();
                let values = match values {
                    Some(v) => v,
                    None if entries.iter().all(|e| matches!(e, Symbol::Name(_))) => {
                        self.indexed = true;
                        (0..entries.len() as i128).collect()
                    }
                    None => {
                        return Err(input(
                            "the alphabet of integer data lists the integer values, or names \
                             that the integers index, not both",
                        ))
                    }
                };
                self.names = entries.iter().map(text).collect();
                no_duplicates(&self.names)?;
                if self.format == Format::Npy {
                    self.lookup = Lookup::Ints(npy::Lookup::new(&values));
                } else {
                    let bytes = values
                        .iter()
                        .map(|&v| {
                            u8::try_from(v).map_err(|_| {
                                input(format!(
                                    "alphabet entry {v} is not a byte (integers 0 to 255){}",
                                    if self.indexed {
                                        ": bytes index at most 256 names"
                                    } else {
                                        ""
                                    }
                                ))
                            })
                        })
                        .collect::<Result<Vec<u8>>>()?;
                    self.lookup = Lookup::Bytes(Box::new(bytes::classes(&bytes, false, false)));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NoProgress;
    use cmech_core::counts::CountTable;

    fn memory<'a>(parts: Vec<(&str, Part<'a>)>, alphabet: Option<Vec<Symbol>>) -> Memory<'a> {
        Memory {
            parts: parts.into_iter().map(|(n, p)| (n.to_string(), p)).collect(),
            alphabet,
            lines: false,
            name: "data".into(),
            source: "<test>".into(),
        }
    }

    fn count(m: Memory, window: usize) -> Result<(Vec<String>, CountTable)> {
        let input = Input::from_memory(m, &NoProgress)?;
        let table = input.count(window, &NoProgress)?;
        Ok((input.alphabet().to_vec(), table))
    }

    #[test]
    fn every_form_of_one_sequence_counts_alike() {
        let ints: Vec<i16> = vec![0, 1, 1, 0, 1, 0, 1, 1];
        let wide: Vec<u64> = ints.iter().map(|&x| x as u64).collect();
        let bytes: Vec<u8> = ints.iter().map(|&x| x as u8).collect();
        let text: String = ints.iter().map(|x| x.to_string()).collect();
        let tokens: Vec<&str> = text.split("").filter(|t| !t.is_empty()).collect();
        let forms = [
            Part::Ints {
                values: Ints::I16(&ints),
                row: None,
            },
            Part::Ints {
                values: Ints::U64(&wide),
                row: None,
            },
            Part::Bytes(&bytes),
            Part::Text(&text),
            Part::Tokens(tokens),
        ];
        let mut tables = forms
            .into_iter()
            .map(|p| count(memory(vec![("data", p)], None), 3).unwrap());
        let first = tables.next().unwrap();
        assert_eq!(first.0, ["0", "1"]);
        assert_eq!(first.1.symbols(), 8);
        for t in tables {
            assert_eq!(t, first);
        }
    }

    #[test]
    fn rows_and_parts_are_separate_sequences() {
        let rows: Vec<i32> = vec![0, 1, 1, 1, 0, 0];
        let (_, by_rows) = count(
            memory(
                vec![(
                    "data",
                    Part::Ints {
                        values: Ints::I32(&rows),
                        row: Some(3),
                    },
                )],
                None,
            ),
            2,
        )
        .unwrap();
        let (_, by_parts) = count(
            memory(
                vec![
                    (
                        "data[0]",
                        Part::Ints {
                            values: Ints::I32(&rows[..3]),
                            row: None,
                        },
                    ),
                    (
                        "data[1]",
                        Part::Ints {
                            values: Ints::I32(&rows[3..]),
                            row: None,
                        },
                    ),
                ],
                None,
            ),
            2,
        )
        .unwrap();
        assert_eq!(by_rows, by_parts);
        assert_eq!(by_rows.sequences(), 2);
    }

    #[test]
    fn outside_symbols_and_mixed_data_are_named() {
        let x: Vec<i64> = vec![0, 1, 2];
        let e = count(
            memory(
                vec![(
                    "data",
                    Part::Ints {
                        values: Ints::I64(&x),
                        row: None,
                    },
                )],
                Some(vec![Symbol::Value(0), Symbol::Value(1)]),
            ),
            2,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "data: value 2 at index 2 is not in the alphabet {0, 1}"
        );
        let e = count(
            memory(
                vec![("data", Part::Text("01\n02"))],
                Some(vec![Symbol::Name("0".into()), Symbol::Name("1".into())]),
            ),
            2,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "data: '2' at index 4 (line 2, column 2) is not in the alphabet {0, 1}"
        );
        let e = count(
            memory(
                vec![
                    (
                        "data[0]",
                        Part::Ints {
                            values: Ints::I64(&x),
                            row: None,
                        },
                    ),
                    ("data[1]", Part::Tokens(vec!["a"])),
                ],
                None,
            ),
            2,
        )
        .unwrap_err();
        assert!(e
            .to_string()
            .contains("mix integer symbols (data[0]) and text symbols (data[1])"));
        let e = count(memory(vec![("data", Part::Text("\r\n"))], None), 2).unwrap_err();
        assert_eq!(e.to_string(), "no symbols in data");
    }

    #[test]
    fn text_lines_and_warnings() {
        let m = Memory {
            lines: true,
            ..memory(vec![("data", Part::Text("ab a\r\nab\n"))], None)
        };
        let input = Input::from_memory(m, &NoProgress).unwrap();
        assert_eq!(input.alphabet(), [" ", "a", "b"]);
        assert_eq!(input.warnings()[0].hint, Some(Hint::TokenList));
        assert_eq!(input.count(2, &NoProgress).unwrap().sequences(), 2);
        assert_eq!(input.source_infos()[0].path, "<test>");
        assert_eq!(input.source_infos()[0].format, Format::Chars);
    }
}
