//! Paired input and output streams, for transducers: the two are read as any data is (same
//! formats, alphabets, messages), paired symbol by symbol and counted as one stream of joint
//! symbols `x * |outputs| + y`.
//!
//! Pairing needs both streams at once, so each is decoded to symbol indices in memory (4 bytes
//! per symbol per stream, a sequence at a time for the joint codes) rather than counted in place.

use cmech_core::counts::CountTable;

use crate::error::{hinted, input, Hint, Result};
use crate::sequences::split;
use crate::Input;

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
