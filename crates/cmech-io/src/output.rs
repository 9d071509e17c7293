//! Output files written beside their target and moved into place when complete: a run that fails
//! or is interrupted leaves the user's old file, or none, never a truncated one that a later
//! reader would take for a smaller result.

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use tempfile::TempPath;

use crate::bytes::is_line_byte;
use crate::error::{hinted, input, io as io_err, Hint, Result};
use crate::tokens::is_ws;

/// A file being written to a temporary name beside `path`, which it takes only on
/// [`OutputFile::commit`]; dropped uncommitted, it is deleted.
pub struct OutputFile {
    file: BufWriter<File>,
    tmp: TempPath,
    path: PathBuf,
    overwrite: bool,
}

impl OutputFile {
    /// Starts writing `path`, refusing to replace an existing file unless `overwrite`.
    pub fn create(path: &Path, overwrite: bool) -> Result<OutputFile> {
        if path.is_dir() {
            return Err(input(format!(
                "cannot write {}: it is a folder; give a file name",
                path.display()
            )));
        }
        if !overwrite && path.exists() {
            return Err(exists(path));
        }
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        if !dir.is_dir() {
            return Err(input(format!(
                "cannot create {}: the folder {} does not exist",
                path.display(),
                dir.display()
            )));
        }
        let (file, tmp) = tempfile::Builder::new()
            .prefix(".cmech-")
            .suffix(".part")
            .tempfile_in(dir)
            .map_err(|e| {
                // The operating system's reason, without the temporary file's name.
                let e = e
                    .raw_os_error()
                    .map_or(e.kind().into(), std::io::Error::from_raw_os_error);
                io_err(format!("cannot create {}", path.display()), e)
            })?
            .into_parts();
        Ok(OutputFile {
            file: BufWriter::with_capacity(1 << 20, file),
            tmp,
            path: path.to_path_buf(),
            overwrite,
        })
    }

    /// The path the file will take.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Moves the finished file into place (without `overwrite`, never over a file made meanwhile).
    pub fn commit(mut self) -> Result<()> {
        let path = self.path;
        self.file
            .flush()
            .map_err(|e| io_err(format!("cannot write {}", path.display()), e))?;
        drop(self.file);
        let moved = if self.overwrite {
            self.tmp.persist(&path)
        } else {
            self.tmp.persist_noclobber(&path)
        };
        moved.map_err(|e| match e.error.kind() {
            std::io::ErrorKind::AlreadyExists => exists(&path),
            _ => io_err(format!("cannot write {}", path.display()), e.error),
        })
    }
}

impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

impl Seek for OutputFile {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        self.file.seek(pos)
    }
}

/// How symbols named `alphabet` are written as text so that reading it gives the same symbols:
/// back to back when every name is one ASCII character other than a line end (the chars format),
/// else separated by spaces (tokens). A name that neither format reads back (a space or a line
/// end inside a name of several characters, say) is refused, naming it.
pub fn symbol_separator(alphabet: &[String]) -> Result<&'static str> {
    let char = |s: &String| matches!(s.as_bytes(), [b] if b.is_ascii() && !is_line_byte(*b));
    if alphabet.iter().all(char) {
        return Ok("");
    }
    match alphabet
        .iter()
        .find(|s| s.is_empty() || s.bytes().any(is_ws))
    {
        None => Ok(" "),
        Some(s) => Err(input(format!(
            "the symbol {s:?} cannot be written as text that reads back as it: symbols are \
             written one ASCII character each, or as tokens cut at spaces and line ends; rename it"
        ))),
    }
}

/// Checks that symbols written as text may go to `path`: every reader takes a name ending in
/// `.npy` for a NumPy array, so text under that name could not be read back.
pub fn check_text_output(path: &Path) -> Result<()> {
    if crate::input::has_npy_extension(path) {
        return Err(input(format!(
            "{}: symbols are written as text, and every reader takes a name ending in .npy for a \
             NumPy array; give it another name (x.txt), or use Python's Process.sample for an \
             array",
            path.display()
        )));
    }
    Ok(())
}

/// The refusal to replace a file the user has: each face words the remedy.
pub(crate) fn exists(path: &Path) -> crate::Error {
    hinted(format!("{} exists", path.display()), Hint::Overwrite)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_output_reaches_its_name_only_when_committed() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.txt");
        std::fs::write(&p, "old").unwrap();
        assert_eq!(
            OutputFile::create(&p, false).err().and_then(|e| e.hint()),
            Some(Hint::Overwrite)
        );
        let mut o = OutputFile::create(&p, true).unwrap();
        o.write_all(b"new, but interrupted").unwrap();
        drop(o);
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "old");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no leftovers"
        );
        let mut o = OutputFile::create(&p, true).unwrap();
        o.write_all(b"new").unwrap();
        o.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        let e = OutputFile::create(&dir.path().join("no/such.txt"), false)
            .err()
            .unwrap();
        assert!(e.to_string().contains("does not exist"), "{e}");
    }

    #[test]
    fn symbols_are_written_in_a_form_that_reads_back() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(symbol_separator(&names(&["0", "1", " "])).unwrap(), "");
        assert_eq!(symbol_separator(&names(&["up", "d"])).unwrap(), " ");
        assert_eq!(symbol_separator(&names(&["é", "e"])).unwrap(), " ");
        for bad in [&["a b", "c"][..], &["\n", "c"], &["x\ty", "c"]] {
            let e = symbol_separator(&names(bad)).unwrap_err().to_string();
            assert!(
                e.contains(&format!(
                    "the symbol {:?} cannot be written as text",
                    bad[0]
                )),
                "{e}"
            );
        }
    }
}
