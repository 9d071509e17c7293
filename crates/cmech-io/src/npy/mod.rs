//! Integer `.npy` arrays: a 1-D array is one sequence, a 2-D array one sequence per row.
//!
//! The header is parsed by hand (format versions 1 to 3); the data stay in the memory map and are
//! decoded element by element where they lie, in either byte order.
//!
//! The parts: `header` parses and checks the header, `lookup` decodes elements and maps values to
//! symbols, `distinct` finds an array's alphabet, `count` counts it, and `symbols` reads its
//! symbols or codes out whole.

pub(crate) const MAGIC: &[u8] = b"\x93NUMPY";
/// Elements per parallel task.
const CHUNK: usize = 1 << 20;

// Before the modules that use it: a macro is in scope only after its definition.
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

mod count;
mod distinct;
mod header;
mod lookup;
mod symbols;

pub(crate) use count::count;
pub(crate) use distinct::distinct;
pub(crate) use header::{memory_header, parse_header, Dtype, Header, Shapes, SEQUENCES};
pub(crate) use lookup::{Lookup, Outside};
pub(crate) use symbols::{codes, symbols_u8};

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
