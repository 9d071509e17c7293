//! Output files written beside their target and moved into place when complete: a run that fails
//! or is interrupted leaves the user's old file, or none, never a truncated one that a later
//! reader would take for a smaller result.

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use tempfile::TempPath;

use crate::error::{hinted, input, io as io_err, Hint, Result};

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
}
