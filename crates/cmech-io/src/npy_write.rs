//! Writing `.npy` arrays (format version 1.0, little-endian, C order) as numpy reads them,
//! streamed: the number of rows may be unknown until the end, when the header is completed.
//!
//! An array is written to a temporary file beside its target and moved into place when it is
//! finished: a run that fails or is interrupted leaves the user's old file, or none, never a
//! truncated array that numpy would load as a smaller one.

use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::error::{io as io_err, Result};
use crate::npy::MAGIC;
use crate::output::OutputFile;

/// Element types written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NpyType {
    /// 64-bit floats (`<f8`).
    F64,
    /// 64-bit signed integers (`<i8`).
    I64,
    /// Unsigned bytes (`|u1`).
    U8,
}

impl NpyType {
    fn descr(self) -> &'static str {
        match self {
            NpyType::F64 => "<f8",
            NpyType::I64 => "<i8",
            NpyType::U8 => "|u1",
        }
    }
}

/// Room for the header: the shape is written last, so it is padded to fit any size.
const HEADER_LEN: usize = 128;
/// Floats are encoded into bytes this many at a time.
const ENCODE_CHUNK: usize = 1 << 13;

/// An `.npy` file being written row by row. Its first dimension is the number of rows written;
/// the others are fixed at creation.
pub struct NpyWriter {
    path: PathBuf,
    /// Written beside `path`, which it takes when finished; dropped unfinished, it is deleted.
    file: OutputFile,
    dtype: NpyType,
    row_shape: Vec<usize>,
    row_len: usize,
    written: u64,
}

impl NpyWriter {
    /// Starts writing `path`, refusing to replace an existing file unless `overwrite`. The
    /// array reaches `path` only when [`NpyWriter::finish`] succeeds.
    pub fn create(
        path: &Path,
        dtype: NpyType,
        row_shape: &[usize],
        overwrite: bool,
    ) -> Result<NpyWriter> {
        let file = OutputFile::create(path, overwrite)?;
        let mut w = NpyWriter {
            path: path.to_path_buf(),
            file,
            dtype,
            row_shape: row_shape.to_vec(),
            row_len: row_shape.iter().product(),
            written: 0,
        };
        let header = w.header(0);
        w.file.write_all(&header).map_err(|e| w.err(e))?;
        Ok(w)
    }

    fn err(&self, e: std::io::Error) -> crate::Error {
        io_err(format!("cannot write {}", self.path.display()), e)
    }

    fn header(&self, rows: u64) -> Vec<u8> {
        let mut dims = vec![rows.to_string()];
        dims.extend(self.row_shape.iter().map(|d| d.to_string()));
        let shape = if dims.len() == 1 {
            format!("({},)", dims[0])
        } else {
            format!("({})", dims.join(", "))
        };
        let mut text = format!(
            "{{'descr': '{}', 'fortran_order': False, 'shape': {shape}, }}",
            self.dtype.descr()
        );
        // Magic (6) + version (2) + length (2) + text + newline fill HEADER_LEN exactly.
        while 10 + text.len() + 1 < HEADER_LEN {
            text.push(' ');
        }
        text.push('\n');
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&[1, 0]);
        out.extend_from_slice(&((HEADER_LEN - 10) as u16).to_le_bytes());
        out.extend_from_slice(text.as_bytes());
        out
    }

    /// Appends whole rows of floats.
    pub fn write_f64(&mut self, values: &[f64]) -> Result<()> {
        debug_assert_eq!(self.dtype, NpyType::F64);
        self.check_rows(values.len())?;
        // Encoded a slice at a time: a block of 10^7 values needs no second 80 MB copy.
        let mut buf = Vec::with_capacity(ENCODE_CHUNK * 8);
        for chunk in values.chunks(ENCODE_CHUNK) {
            buf.clear();
            for v in chunk {
                buf.extend_from_slice(&v.to_le_bytes());
            }
            self.file.write_all(&buf).map_err(|e| self.err(e))?;
        }
        self.count_rows(values.len());
        Ok(())
    }

    /// Appends whole rows of integers.
    pub fn write_i64(&mut self, values: &[i64]) -> Result<()> {
        debug_assert_eq!(self.dtype, NpyType::I64);
        let mut buf = Vec::with_capacity(values.len() * 8);
        for v in values {
            buf.extend_from_slice(&v.to_le_bytes());
        }
        self.append(&buf, values.len())
    }

    /// Appends whole rows of bytes.
    pub fn write_u8(&mut self, values: &[u8]) -> Result<()> {
        debug_assert_eq!(self.dtype, NpyType::U8);
        self.append(values, values.len())
    }

    fn check_rows(&self, elements: usize) -> Result<()> {
        if self.row_len > 0 && !elements.is_multiple_of(self.row_len) {
            return Err(crate::error::input(format!(
                "{} numbers are not whole rows of {}",
                elements, self.row_len
            )));
        }
        Ok(())
    }

    fn count_rows(&mut self, elements: usize) {
        self.written += elements.checked_div(self.row_len).unwrap_or(0) as u64;
    }

    fn append(&mut self, bytes: &[u8], elements: usize) -> Result<()> {
        self.check_rows(elements)?;
        self.file.write_all(bytes).map_err(|e| self.err(e))?;
        self.count_rows(elements);
        Ok(())
    }

    /// Completes the header with the number of rows written and closes the file.
    pub fn finish(mut self) -> Result<u64> {
        let header = self.header(self.written);
        let r = (|| {
            self.file.flush()?;
            self.file.seek(SeekFrom::Start(0))?;
            self.file.write_all(&header)
        })();
        r.map_err(|e| self.err(e))?;
        self.file.commit()?;
        Ok(self.written)
    }
}

/// Whole arrays are encoded this many rows at a time, so writing needs no copy of the array.
const ROWS_PER_WRITE: usize = 1 << 14;

/// Writes a whole array.
pub fn write_f64(path: &Path, shape: &[usize], values: &[f64], overwrite: bool) -> Result<()> {
    let mut w = NpyWriter::create(path, NpyType::F64, &shape[1.min(shape.len())..], overwrite)?;
    for chunk in values.chunks(w.row_len.max(1) * ROWS_PER_WRITE) {
        w.write_f64(chunk)?;
    }
    w.finish()?;
    Ok(())
}

/// Writes a whole integer array.
pub fn write_i64(path: &Path, shape: &[usize], values: &[i64], overwrite: bool) -> Result<()> {
    let mut w = NpyWriter::create(path, NpyType::I64, &shape[1.min(shape.len())..], overwrite)?;
    for chunk in values.chunks(w.row_len.max(1) * ROWS_PER_WRITE) {
        w.write_i64(chunk)?;
    }
    w.finish()?;
    Ok(())
}

/// Writes a whole array of bytes (a cellular automaton's field, say).
pub fn write_u8(path: &Path, shape: &[usize], values: &[u8], overwrite: bool) -> Result<()> {
    let mut w = NpyWriter::create(path, NpyType::U8, &shape[1.min(shape.len())..], overwrite)?;
    for chunk in values.chunks(w.row_len.max(1) * ROWS_PER_WRITE) {
        w.write_u8(chunk)?;
    }
    w.finish()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_arrays_have_numpy_headers_and_refuse_to_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.npy");
        write_f64(&p, &[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], false).unwrap();
        let bytes = std::fs::read(&p).unwrap();
        assert_eq!(&bytes[..6], MAGIC);
        assert_eq!(bytes.len(), HEADER_LEN + 48);
        let text = std::str::from_utf8(&bytes[10..HEADER_LEN]).unwrap();
        assert!(text.contains("'shape': (2, 3)"), "{text}");
        assert!(text.ends_with('\n'));
        assert_eq!(&bytes[HEADER_LEN..HEADER_LEN + 8], &1.0f64.to_le_bytes());
        assert!(write_f64(&p, &[1], &[1.0], false)
            .unwrap_err()
            .to_string()
            .contains("exists"));
        let q = dir.path().join("b.npy");
        write_i64(&q, &[3], &[7, 8, 9], false).unwrap();
        let text = String::from_utf8_lossy(&std::fs::read(&q).unwrap()[10..HEADER_LEN]).to_string();
        assert!(
            text.contains("'shape': (3,)") && text.contains("<i8"),
            "{text}"
        );
    }
}
