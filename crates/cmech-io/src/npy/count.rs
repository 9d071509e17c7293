//! Counting an array into a [`CountTable`]: a 1-D array as one sequence, the rows of a 2-D array
//! decoded a block at a time in parallel and streamed, a separator after each.

use cmech_core::counts::{CountTable, InvalidItem, Item};
use rayon::prelude::*;

use crate::stream::Streamer;
use crate::tokens::SEP;
use crate::Progress;

use super::lookup::{decode, elements, push_item};
use super::{Header, Lookup, Outside, CHUNK};

/// Counts the array: one sequence if 1-D, one per row if 2-D.
pub(crate) fn count(
    data: &[u8],
    h: &Header,
    lookup: &Lookup,
    table: &mut CountTable,
    progress: &dyn Progress,
) -> std::result::Result<(), Outside> {
    by_width!(h.dtype.width, count_w(data, h, lookup, table, progress))
}

fn count_w<const W: usize>(
    data: &[u8],
    h: &Header,
    lookup: &Lookup,
    table: &mut CountTable,
    progress: &dyn Progress,
) -> std::result::Result<(), Outside> {
    let el = elements::<W>(data, h);
    let d = h.dtype;
    let outside = |i: usize| Outside {
        index: i,
        value: decode(el[i], d),
    };
    if h.shape.len() == 1 || h.shape[0] == 1 {
        let classify = |b: [u8; W]| lookup.item(decode(b, d));
        return table
            .add_items(el, 0..el.len(), classify, &|n| {
                progress.advance(n * W as u64)
            })
            .map_err(|InvalidItem(i)| outside(i));
    }
    // Rows: decoded a block at a time (in parallel) with a separator after each, then streamed.
    let row = h.row();
    if row == 0 {
        return Ok(());
    }
    let rows_per_block = (CHUNK / row).max(1);
    let blocks: Vec<usize> = (0..h.shape[0]).step_by(rows_per_block).collect();
    let group = rayon::current_num_threads() * 2;
    let mut st = Streamer::new(
        table,
        |x: u32| {
            if x == SEP {
                Item::Separator
            } else {
                Item::Symbol(x)
            }
        },
        1 << 23,
    );
    for starts in blocks.chunks(group) {
        let parts: Vec<std::result::Result<Vec<u32>, usize>> = starts
            .par_iter()
            .map(|&r0| {
                let r1 = (r0 + rows_per_block).min(h.shape[0]);
                let mut out = Vec::with_capacity((r1 - r0) * (row + 1));
                for r in r0..r1 {
                    for (j, &b) in el[r * row..(r + 1) * row].iter().enumerate() {
                        if !push_item(&mut out, lookup.item(decode(b, d))) {
                            return Err(r * row + j);
                        }
                    }
                    out.push(SEP);
                }
                Ok(out)
            })
            .collect();
        for (part, &r0) in parts.into_iter().zip(starts) {
            let part = part.map_err(outside)?;
            let r1 = (r0 + rows_per_block).min(h.shape[0]);
            progress.advance(((r1 - r0) * row * W) as u64);
            st.extend(&part)
                .expect("values are classified before counting");
        }
    }
    st.finish().expect("values are classified before counting");
    Ok(())
}
