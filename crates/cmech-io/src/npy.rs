//! Integer `.npy` arrays: a 1-D array is one sequence, a 2-D array one sequence per row.
//!
//! The header is parsed by hand (format versions 1 to 3); the data stay in the memory map and are
//! decoded element by element where they lie, in either byte order.

use cmech_core::counts::{CountTable, InvalidItem, Item};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::error::{input, Result};
use crate::stream::Streamer;
use crate::tokens::SEP;
use crate::Progress;

pub(crate) const MAGIC: &[u8] = b"\x93NUMPY";
/// Elements per parallel task.
const CHUNK: usize = 1 << 20;
/// Value ranges up to this wide are looked up in a dense table.
const DENSE: i128 = 1 << 24;
/// More distinct values than this is not an alphabet.
const MAX_SYMBOLS: usize = 1 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dtype {
    pub width: usize,
    pub signed: bool,
    pub big_endian: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Header {
    pub dtype: Dtype,
    pub shape: Vec<usize>,
    /// Where the data begin in the file.
    pub offset: usize,
}

impl Header {
    pub fn elements(&self) -> usize {
        self.shape.iter().product()
    }
    /// Elements per sequence: a row of a 2-D array, a step of a 3-D grid, the whole of a 1-D one.
    pub fn row(&self) -> usize {
        if self.shape.len() >= 2 {
            self.shape[1..].iter().product()
        } else {
            self.elements()
        }
    }
}

fn dtype_name(descr: &str) -> String {
    let body = descr.trim_start_matches(['<', '>', '|', '=']);
    let (kind, width) = body.split_at(body.len().min(1));
    let bits = width.parse::<usize>().map(|w| w * 8).ok();
    let name = match kind {
        "f" => "float",
        "b" => return "bool".into(),
        "c" => "complex",
        "O" => return "object".into(),
        "U" => return "unicode string".into(),
        "S" | "a" => return "byte string".into(),
        "V" => return "structured/void".into(),
        "M" => return "datetime".into(),
        "m" => return "timedelta".into(),
        "i" => "int",
        "u" => "uint",
        _ => return descr.into(),
    };
    match (kind, bits) {
        ("c", Some(b)) => format!("{name}{b}"),
        (_, Some(b)) => format!("{name}{b}"),
        _ => name.into(),
    }
}

/// The arrays a reader takes: the most dimensions, and how an error says what to give.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shapes {
    pub max_dims: usize,
    pub give: &'static str,
}

/// Sequences: 1-D or 2-D.
pub(crate) const SEQUENCES: Shapes = Shapes {
    max_dims: 2,
    give: "give a 1-D array (one sequence) or a 2-D array (one sequence per row)",
};

/// Parses the header of an `.npy` file of integer (or bool) symbols of up to `shapes.max_dims`
/// dimensions.
pub(crate) fn parse_header(data: &[u8], name: &str, shapes: Shapes) -> Result<Header> {
    let bad = |why: &str| input(format!("{name}: not a valid .npy file: {why}"));
    if data.len() < 10 || !data.starts_with(MAGIC) {
        return Err(bad("it does not start with the .npy magic \\x93NUMPY"));
    }
    let major = data[6];
    let (len, start) = match major {
        1 => (u16::from_le_bytes([data[8], data[9]]) as usize, 10),
        2 | 3 => {
            if data.len() < 12 {
                return Err(bad("the header is cut short"));
            }
            (
                u32::from_le_bytes([data[8], data[9], data[10], data[11]]) as usize,
                12,
            )
        }
        v => return Err(bad(&format!("format version {v} is not known"))),
    };
    if data.len() < start + len {
        return Err(bad("the header is cut short"));
    }
    let text = std::str::from_utf8(&data[start..start + len])
        .map_err(|_| bad("the header is not text"))?;
    let descr = dict_value(text, "descr").ok_or_else(|| bad("no 'descr' in the header"))?;
    if descr.starts_with('[') {
        return Err(input(format!(
            "{name}: a structured array ({descr}) is not a symbol sequence; save an integer array"
        )));
    }
    let descr = descr.trim_matches(|c| c == '\'' || c == '"').to_string();
    let fortran = dict_value(text, "fortran_order").ok_or_else(|| bad("no 'fortran_order'"))?;
    let shape_text = dict_value(text, "shape").ok_or_else(|| bad("no 'shape' in the header"))?;
    let shape: Vec<usize> = shape_text
        .trim_start_matches('(')
        .trim_end_matches(')')
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_end_matches('L').parse::<usize>())
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| bad(&format!("shape {shape_text} is not a tuple of integers")))?;
    let order = descr.chars().next().unwrap_or('|');
    let body = descr.trim_start_matches(['<', '>', '|', '=']);
    let kind = body.chars().next().unwrap_or('?');
    let width: Option<usize> = body.get(1..).and_then(|w| w.parse().ok());
    let dtype = match (kind, width) {
        ('i' | 'u', Some(w @ (1 | 2 | 4 | 8))) => Dtype {
            width: w,
            signed: kind == 'i',
            big_endian: order == '>',
        },
        // numpy stores a bool as one byte, 0 or 1: the symbols 0 and 1.
        ('b', Some(1)) => Dtype {
            width: 1,
            signed: false,
            big_endian: false,
        },
        _ => {
            return Err(input(format!(
                "{name}: .npy of dtype {} ('{descr}') is not a symbol sequence: only integer and bool \
                 arrays (int8 to int64, uint8 to uint64) are read; convert it, e.g. with np.digitize \
                 or astype",
                dtype_name(&descr)
            )))
        }
    };
    if shape.is_empty() || shape.len() > shapes.max_dims {
        return Err(input(format!(
            "{name}: a .npy array of {} dimensions ({shape_text}); {}",
            shape.len(),
            shapes.give
        )));
    }
    if shape
        .iter()
        .try_fold(1usize, |n, &d| n.checked_mul(d))
        .and_then(|n| n.checked_mul(dtype.width))
        .is_none()
    {
        return Err(input(format!(
            "{name}: the .npy shape {shape_text} holds more elements than any file can"
        )));
    }
    if fortran.trim() == "True" && shape.iter().filter(|&&d| d > 1).count() > 1 {
        return Err(input(format!(
            "{name}: a Fortran-ordered array is not read; save it with np.save(path, \
             np.ascontiguousarray(a))"
        )));
    }
    let header = Header {
        dtype,
        shape,
        offset: start + len,
    };
    let need = header.offset as u128 + (header.elements() as u128) * dtype.width as u128;
    if (data.len() as u128) < need {
        return Err(input(format!(
            "{name}: the .npy file is truncated: shape {shape_text} needs {need} bytes, the file has {}",
            data.len()
        )));
    }
    Ok(header)
}

/// The raw text of a value in the header's Python dict literal.
fn dict_value<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let at = text
        .find(&format!("'{key}'"))
        .or_else(|| text.find(&format!("\"{key}\"")))?;
    let rest = &text[at + key.len() + 2..];
    let rest = rest.trim_start().strip_prefix(':')?.trim_start();
    let end = match rest.chars().next()? {
        '(' => rest.find(')')? + 1,
        '[' => rest.find(']')? + 1,
        q @ ('\'' | '"') => rest[1..].find(q)? + 2,
        _ => rest.find([',', '}']).unwrap_or(rest.len()),
    };
    Some(&rest[..end])
}

#[inline]
fn decode<const W: usize>(b: [u8; W], d: Dtype) -> i128 {
    // One load of the padded word rather than a loop over bytes: the loops over 10^7 elements
    // spend their time here.
    let mut word = [0u8; 8];
    let x = if d.big_endian {
        word[8 - W..].copy_from_slice(&b);
        u64::from_be_bytes(word)
    } else {
        word[..W].copy_from_slice(&b);
        u64::from_le_bytes(word)
    };
    if d.signed {
        let shift = 64 - 8 * W as u32;
        (((x << shift) as i64) >> shift) as i128
    } else {
        x as i128
    }
}

#[allow(unsafe_code)]
fn elements<'a, const W: usize>(data: &'a [u8], h: &Header) -> &'a [[u8; W]] {
    let bytes = &data[h.offset..h.offset + h.elements() * W];
    // SAFETY: [u8; W] has alignment 1 and size W, and `bytes` holds exactly elements * W bytes.
    unsafe { std::slice::from_raw_parts(bytes.as_ptr() as *const [u8; W], h.elements()) }
}

/// Symbol indices of integer values, and the values that are not symbols but skipped or end a
/// sequence (line endings of text in memory, read as code points).
pub(crate) enum Lookup {
    Dense { min: i128, index: Vec<u32> },
    Sparse(FxHashMap<i128, u32>),
}

/// Codes of the lookup that are not symbol indices (an alphabet has at most `MAX_SYMBOLS`).
const NONE: u32 = u32::MAX;
const SKIP: u32 = u32::MAX - 1;
const SEPARATOR: u32 = u32::MAX - 2;

impl Lookup {
    /// `values[i]` is symbol `i`.
    pub fn new(values: &[i128]) -> Lookup {
        Lookup::with(values, &[], &[])
    }

    /// `values[i]` is symbol `i`; `skip` values are not symbols, `separators` end a sequence.
    pub fn with(values: &[i128], skip: &[i128], separators: &[i128]) -> Lookup {
        let pairs: Vec<(i128, u32)> = (values.iter().enumerate().map(|(i, &v)| (v, i as u32)))
            .chain(skip.iter().map(|&v| (v, SKIP)))
            .chain(separators.iter().map(|&v| (v, SEPARATOR)))
            .collect();
        let (min, max) = (
            pairs.iter().map(|p| p.0).min(),
            pairs.iter().map(|p| p.0).max(),
        );
        match (min, max) {
            (Some(min), Some(max)) if max - min < DENSE => {
                let mut index = vec![NONE; (max - min + 1) as usize];
                for &(v, c) in &pairs {
                    index[(v - min) as usize] = c;
                }
                Lookup::Dense { min, index }
            }
            _ => Lookup::Sparse(pairs.into_iter().collect()),
        }
    }

    #[inline]
    pub fn item(&self, v: i128) -> Item {
        let code = match self {
            Lookup::Dense { min, index } => {
                let d = v - min;
                if d < 0 || d >= index.len() as i128 {
                    NONE
                } else {
                    index[d as usize]
                }
            }
            Lookup::Sparse(m) => m.get(&v).copied().unwrap_or(NONE),
        };
        match code {
            NONE => Item::Invalid,
            SKIP => Item::Skip,
            SEPARATOR => Item::Separator,
            x => Item::Symbol(x),
        }
    }
}

/// The codes a [`Streamer`] or a buffer of sequences takes: symbol indices, and `SEP`.
#[inline]
fn push_item(out: &mut Vec<u32>, item: Item) -> bool {
    match item {
        Item::Symbol(x) => out.push(x),
        Item::Separator => out.push(SEP),
        Item::Skip => {}
        Item::Invalid => return false,
    }
    true
}

macro_rules! by_width {
    ($w:expr, $f:ident ( $($arg:expr),* )) => {
        match $w {
            1 => $f::<1>($($arg),*),
            2 => $f::<2>($($arg),*),
            4 => $f::<4>($($arg),*),
            _ => $f::<8>($($arg),*),
        }
    };
}

/// The distinct values of the array, sorted.
pub(crate) fn distinct(
    data: &[u8],
    h: &Header,
    name: &str,
    progress: &dyn Progress,
) -> Result<Vec<i128>> {
    by_width!(h.dtype.width, distinct_w(data, h, name, progress))
}

/// The distinct values in one branch-free pass, when every value lies in [0, 64) (binary and
/// other small alphabets): the set is one 64-bit mask, which the loop can vectorise.
fn tiny_distinct<const W: usize>(
    el: &[[u8; W]],
    d: Dtype,
    progress: &dyn Progress,
) -> Option<Vec<i128>> {
    let (mask, outside) = el
        .par_chunks(CHUNK / 8)
        .map(|c| {
            let (mut mask, mut outside) = (0u64, false);
            for &b in c {
                let v = decode(b, d);
                outside |= !(0..64).contains(&v);
                mask |= 1u64.wrapping_shl(v as u32);
            }
            progress.advance((c.len() * W) as u64);
            (mask, outside)
        })
        .reduce(|| (0, false), |a, b| (a.0 | b.0, a.1 | b.1));
    (!outside).then(|| {
        (0..64)
            .filter(|v| mask >> v & 1 == 1)
            .map(i128::from)
            .collect()
    })
}

/// Values below this are marked in a bitmap in one pass: the common case of symbols 0, 1, ...
const SMALL: usize = 1 << 16;

/// The distinct values in one pass, when every value lies in [0, SMALL) (nearly all symbol
/// data); `None` as soon as one does not, for the general two passes.
fn small_distinct<const W: usize>(
    el: &[[u8; W]],
    d: Dtype,
    progress: &dyn Progress,
) -> Option<Vec<i128>> {
    let seen = el
        .par_chunks(CHUNK / 8)
        .map(|c| {
            let mut bits = vec![0u64; SMALL / 64];
            for &b in c {
                let v = decode(b, d);
                if !(0..SMALL as i128).contains(&v) {
                    return None;
                }
                bits[v as usize / 64] |= 1 << (v as usize % 64);
            }
            progress.advance((c.len() * W) as u64);
            Some(bits)
        })
        .try_reduce(
            || vec![0u64; SMALL / 64],
            |mut a, b| {
                a.iter_mut().zip(b).for_each(|(x, y)| *x |= y);
                Some(a)
            },
        )?;
    Some(
        (0..SMALL)
            .filter(|&v| seen[v / 64] >> (v % 64) & 1 == 1)
            .map(|v| v as i128)
            .collect(),
    )
}

fn distinct_w<const W: usize>(
    data: &[u8],
    h: &Header,
    name: &str,
    progress: &dyn Progress,
) -> Result<Vec<i128>> {
    let el = elements::<W>(data, h);
    let d = h.dtype;
    if let Some(values) = tiny_distinct(el, d, progress).or_else(|| small_distinct(el, d, progress))
    {
        return Ok(values);
    }
    let (min, max) = el
        .par_chunks(CHUNK)
        .map(|c| {
            c.iter().fold((i128::MAX, i128::MIN), |(lo, hi), &b| {
                let v = decode(b, d);
                (lo.min(v), hi.max(v))
            })
        })
        .reduce(
            || (i128::MAX, i128::MIN),
            |a, b| (a.0.min(b.0), a.1.max(b.1)),
        );
    if el.is_empty() {
        return Ok(Vec::new());
    }
    let mut values: Vec<i128> = if max - min < DENSE {
        let seen: Vec<std::sync::atomic::AtomicBool> = (0..=(max - min))
            .map(|_| std::sync::atomic::AtomicBool::new(false))
            .collect();
        el.par_chunks(CHUNK).for_each(|c| {
            for &b in c {
                seen[(decode(b, d) - min) as usize]
                    .store(true, std::sync::atomic::Ordering::Relaxed);
            }
            progress.advance((c.len() * W) as u64);
        });
        seen.iter()
            .enumerate()
            .filter(|(_, s)| s.load(std::sync::atomic::Ordering::Relaxed))
            .map(|(i, _)| min + i as i128)
            .collect()
    } else {
        let set = el
            .par_chunks(CHUNK)
            .map(|c| {
                progress.advance((c.len() * W) as u64);
                let mut s = FxHashSet::default();
                for &b in c {
                    s.insert(decode(b, d));
                    if s.len() > MAX_SYMBOLS {
                        break;
                    }
                }
                s
            })
            .reduce(FxHashSet::default, |mut a, b| {
                a.extend(b);
                a
            });
        set.into_iter().collect()
    };
    if values.len() > MAX_SYMBOLS {
        return Err(input(format!(
            "{name}: more than {MAX_SYMBOLS} distinct values: this is not an alphabet of symbols"
        )));
    }
    values.sort_unstable();
    Ok(values)
}

/// Where a value outside the alphabet was met: its element index and value.
pub(crate) struct Outside {
    pub index: usize,
    pub value: i128,
}

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

/// The array's symbols as their indices, one byte each, decoded in parallel: for an alphabet of
/// at most 256 symbols and a lookup with no skipped values or separators (arrays, not text). On
/// a value outside the alphabet, the first such.
pub(crate) fn symbols_u8(
    data: &[u8],
    h: &Header,
    lookup: &Lookup,
) -> std::result::Result<Vec<u8>, Outside> {
    by_width!(h.dtype.width, symbols_u8_w(data, h, lookup))
}

fn symbols_u8_w<const W: usize>(
    data: &[u8],
    h: &Header,
    lookup: &Lookup,
) -> std::result::Result<Vec<u8>, Outside> {
    let d = h.dtype;
    let elements = elements::<W>(data, h);
    let mut out = vec![0u8; elements.len()];
    // Smaller tasks than counting's: a series of 10^6 symbols is decoded on every core.
    const TASK: usize = 1 << 16;
    // Symbols 0, 1, ..., m - 1 that index themselves (the usual integer series): the index of a
    // value is the value, and the loop is a range check and a narrowing, without a branch.
    if let Lookup::Dense { min: 0, index } = lookup {
        let m = index.len();
        if m <= 256 && index.iter().enumerate().all(|(i, &c)| c as usize == i) {
            let bad = out
                .par_chunks_mut(TASK)
                .zip(elements.par_chunks(TASK))
                .map(|(o, e)| {
                    let mut bad = false;
                    for (slot, &b) in o.iter_mut().zip(e) {
                        let v = decode(b, d);
                        bad |= !(0..m as i128).contains(&v);
                        *slot = v as u8;
                    }
                    bad
                })
                .reduce(|| false, |a, b| a | b);
            if !bad {
                return Ok(out);
            }
        }
    }
    let decoded = out
        .par_chunks_mut(TASK)
        .zip(elements.par_chunks(TASK))
        .try_for_each(|(o, e)| match lookup {
            // The common case without the general lookup's enum: an index table over the
            // values' range, every code above 255 (none, skipped, separator) a failure.
            Lookup::Dense { min, index } => {
                for (slot, &b) in o.iter_mut().zip(e) {
                    let at = decode(b, d) - min;
                    let code = if (0..index.len() as i128).contains(&at) {
                        index[at as usize]
                    } else {
                        NONE
                    };
                    if code > 255 {
                        return Err(());
                    }
                    *slot = code as u8;
                }
                Ok(())
            }
            Lookup::Sparse(_) => {
                for (slot, &b) in o.iter_mut().zip(e) {
                    match lookup.item(decode(b, d)) {
                        Item::Symbol(x) if x < 256 => *slot = x as u8,
                        _ => return Err(()),
                    }
                }
                Ok(())
            }
        });
    if decoded.is_err() {
        // Found again in order, so that the message names the first bad value.
        let (index, value) = elements
            .iter()
            .map(|&b| decode(b, d))
            .enumerate()
            .find(|&(_, v)| !matches!(lookup.item(v), Item::Symbol(x) if x < 256))
            .expect("a value failed");
        return Err(Outside { index, value });
    }
    Ok(out)
}

/// Appends the codes of the array's symbols to `out`, `SEP` after each sequence (the array if
/// 1-D, each row if 2-D): for arrays too short to be worth counting on their own, and for paired
/// streams.
pub(crate) fn codes(
    data: &[u8],
    h: &Header,
    lookup: &Lookup,
    out: &mut Vec<u32>,
) -> std::result::Result<(), Outside> {
    by_width!(h.dtype.width, codes_w(data, h, lookup, out))
}

fn codes_w<const W: usize>(
    data: &[u8],
    h: &Header,
    lookup: &Lookup,
    out: &mut Vec<u32>,
) -> std::result::Result<(), Outside> {
    let d = h.dtype;
    let row = h.row().max(1);
    let elements = elements::<W>(data, h);
    out.reserve(elements.len() + elements.len() / row + 1);
    // Row by row: a division per element to find the rows' ends cost as much as the decoding.
    for (r, chunk) in elements.chunks(row).enumerate() {
        for (j, &b) in chunk.iter().enumerate() {
            let value = decode(b, d);
            if !push_item(out, lookup.item(value)) {
                return Err(Outside {
                    index: r * row + j,
                    value,
                });
            }
        }
        out.push(SEP);
    }
    if h.elements() == 0 {
        out.push(SEP);
    }
    Ok(())
}

/// The header of integers in memory: `data` holds `len` elements of `width` bytes in this
/// machine's byte order, one sequence or rows of `row` elements.
pub(crate) fn memory_header(width: usize, signed: bool, len: usize, row: Option<usize>) -> Header {
    let shape = match row {
        None => vec![len],
        Some(0) => vec![0, 0],
        Some(r) => vec![len / r, r],
    };
    Header {
        dtype: Dtype {
            width,
            signed,
            big_endian: cfg!(target_endian = "big"),
        },
        shape,
        offset: 0,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An .npy file of integers, as numpy writes it (version 1.0, header padded to 64 bytes).
    pub fn npy_bytes(descr: &str, shape: &[usize], values: &[i64]) -> Vec<u8> {
        let shape_text = match shape.len() {
            1 => format!("({},)", shape[0]),
            _ => format!(
                "({})",
                shape
                    .iter()
                    .map(|s| s.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let mut header =
            format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_text}, }}");
        while (10 + header.len() + 1) % 64 != 0 {
            header.push(' ');
        }
        header.push('\n');
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&[1, 0]);
        out.extend_from_slice(&(header.len() as u16).to_le_bytes());
        out.extend_from_slice(header.as_bytes());
        let width: usize = descr[2..].parse().unwrap();
        for &v in values {
            let le = v.to_le_bytes();
            let mut b = le[..width].to_vec();
            if descr.starts_with('>') {
                b.reverse();
            }
            out.extend_from_slice(&b);
        }
        out
    }

    #[test]
    fn headers_and_values_of_every_integer_dtype_decode() {
        for descr in [
            "|i1", "|u1", "<i2", ">i2", "<u2", ">u4", "<i4", ">i8", "<u8", "<i8",
        ] {
            let signed = descr.as_bytes()[1] == b'i';
            let values: Vec<i64> = if signed {
                vec![-3, 0, 5, -1, 100]
            } else {
                vec![3, 0, 5, 1, 100]
            };
            let bytes = npy_bytes(descr, &[5], &values);
            let h = parse_header(&bytes, "a.npy", SEQUENCES).unwrap();
            assert_eq!(h.shape, vec![5]);
            assert_eq!(h.offset % 64, 0);
            let got = distinct(&bytes, &h, "a.npy", &crate::NoProgress).unwrap();
            let mut want: Vec<i128> = values.iter().map(|&v| v as i128).collect();
            want.sort();
            assert_eq!(got, want, "{descr}");
        }
    }

    #[test]
    fn floats_and_odd_shapes_are_refused_by_name_and_bools_read_as_0_and_1() {
        let e = parse_header(&npy_bytes("<f8", &[2], &[0, 0]), "x.npy", SEQUENCES).unwrap_err();
        assert!(e.to_string().contains("float64"), "{e}");
        let bools = npy_bytes("|b1", &[3], &[1, 0, 1]);
        let h = parse_header(&bools, "x.npy", SEQUENCES).unwrap();
        let got = distinct(&bools, &h, "x.npy", &crate::NoProgress).unwrap();
        assert_eq!(got, vec![0, 1]);
        let e =
            parse_header(&npy_bytes("<i4", &[1, 1, 2], &[0, 0]), "x.npy", SEQUENCES).unwrap_err();
        assert!(e.to_string().contains("3 dimensions"), "{e}");
        // A shape whose element count overflows is refused before anything is allocated.
        let huge = npy_bytes("<i8", &[1 << 62, 4], &[]);
        let e = parse_header(&huge, "x.npy", SEQUENCES).unwrap_err();
        assert!(e.to_string().contains("more elements than any file"), "{e}");
        let mut cut = npy_bytes("<i4", &[4], &[0, 1, 0, 1]);
        cut.truncate(cut.len() - 2);
        let e = parse_header(&cut, "x.npy", SEQUENCES).unwrap_err();
        assert!(e.to_string().contains("truncated"), "{e}");
    }
}
