//! The `.npy` header: its dtype and shape, parsed by hand from the Python dict literal (format
//! versions 1 to 3) and checked against what a reader takes, and the header of integers already
//! in memory.

use crate::error::{input, Result};

use super::MAGIC;

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
