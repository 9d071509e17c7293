//! Paired input and output streams, for transducers: the two are read as any data is (same
//! formats, alphabets, messages), paired symbol by symbol and counted as one stream of joint
//! symbols `x * |outputs| + y`.
//!
//! Pairing needs both streams at once, so each is decoded to symbol indices in memory (4 bytes
//! per symbol per stream, a sequence at a time for the joint codes) rather than counted in place.

use std::io::Read;

use cmech_core::counts::{CountTable, Item};

use crate::error::{hinted, input, io as io_err, Hint, Result};
use crate::input::{take_stdin, Data, Lookup, Opened};
use crate::tokens::{tokenize, SEP};
use crate::Input;

impl Input<'_> {
    /// Every sequence of the sources (a file, a line with lines on, a row of a 2-D array) as
    /// indices into [`Input::alphabet`], empty sequences left out.
    pub fn sequences(&self) -> Result<Vec<Vec<u32>>> {
        Ok(split(&self.codes()?).map(<[u32]>::to_vec).collect())
    }

    /// Every symbol of every source as its index, `SEP` after each sequence.
    fn codes(&self) -> Result<Vec<u32>> {
        let mut out = Vec::new();
        for f in &self.files {
            match (&self.lookup, &f.data) {
                (Lookup::Ints(_), _) | (Lookup::Tokens(_), Data::Tokens(_)) => {
                    self.push_codes(f, &mut out)?
                }
                (lookup, Data::Stream(stdin)) => {
                    let mut buf = Vec::new();
                    take_stdin(stdin)?
                        .lock()
                        .read_to_end(&mut buf)
                        .map_err(|e| io_err("cannot read stdin", e))?;
                    self.push_bytes(f, lookup, &buf, false, &mut out)?;
                }
                (lookup, _) => {
                    let data = f.bytes().expect("mapped or in memory");
                    self.push_bytes(f, lookup, data, true, &mut out)?;
                }
            }
        }
        Ok(out)
    }

    /// The codes of text or bytes held whole (`located`: errors can quote the data).
    fn push_bytes(
        &self,
        f: &Opened,
        lookup: &Lookup,
        data: &[u8],
        located: bool,
        out: &mut Vec<u32>,
    ) -> Result<()> {
        let quoted = located.then_some(data);
        match lookup {
            Lookup::Bytes(classes) => {
                out.reserve(data.len() + 1);
                for (at, &b) in data.iter().enumerate() {
                    match classes.get(b) {
                        Item::Symbol(x) => out.push(x),
                        Item::Separator => out.push(SEP),
                        Item::Skip => {}
                        Item::Invalid => return Err(self.bad_byte(f, at, quoted)),
                    }
                }
            }
            Lookup::Tokens(map) => {
                tokenize(data, 0, self.lines, map, out).map_err(|u| self.bad_token(f, u, quoted))?
            }
            Lookup::Ints(_) => unreachable!("integers are decoded by push_codes"),
        }
        out.push(SEP);
        Ok(())
    }
}

/// The nonempty sequences of codes separated by `SEP`.
fn split(codes: &[u32]) -> impl Iterator<Item = &[u32]> {
    codes.split(|&c| c == SEP).filter(|s| !s.is_empty())
}

/// Counts paired streams into a table of joint symbols `x * outputs.alphabet().len() + y`, words
/// up to `window` symbols. The `n`-th sequence of `inputs` pairs with the `n`-th of `outputs`
/// (empty sequences, as blank lines, are left out of both), and paired sequences must be equally
/// long: input `t` is the symbol the transducer read when it emitted output `t`.
pub fn count_paired(inputs: &Input, outputs: &Input, window: usize) -> Result<CountTable> {
    if inputs.range.is_some() || outputs.range.is_some() {
        return Err(hinted(
            "a byte range does not apply to paired input and output streams",
            Hint::Range,
        ));
    }
    let (cx, cy) = (inputs.codes()?, outputs.codes()?);
    let (sx, sy): (Vec<&[u32]>, Vec<&[u32]>) = (split(&cx).collect(), split(&cy).collect());
    if sx.len() != sy.len() {
        return Err(input(format!(
            "the inputs ({}) hold {} sequence{} but the outputs ({}) hold {}: input and output \
             sequences pair one to one",
            inputs.name,
            sx.len(),
            if sx.len() == 1 { "" } else { "s" },
            outputs.name,
            sy.len()
        )));
    }
    if sx.is_empty() {
        return Err(input(format!("no symbols in {}", inputs.name)));
    }
    let ny = outputs.names.len() as u32;
    let mut table = CountTable::new(inputs.names.len() * outputs.names.len(), window)?;
    let single = sx.len() == 1;
    let mut joint = Vec::new();
    for (n, (a, b)) in sx.into_iter().zip(sy).enumerate() {
        if a.len() != b.len() {
            let which = if single {
                String::new()
            } else {
                format!("sequence {n} (from 0, over every file, line or row): ")
            };
            return Err(input(format!(
                "{which}the inputs ({}) have {} symbols but the outputs ({}) have {}: input and \
                 output streams pair symbol by symbol",
                inputs.name,
                a.len(),
                outputs.name,
                b.len()
            )));
        }
        joint.clear();
        joint.extend(a.iter().zip(b).map(|(&x, &y)| x * ny + y));
        table.add_sequence(&joint)?;
    }
    Ok(table)
}
