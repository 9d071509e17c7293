//! Output files: nothing a user has is replaced unless they ask (`--force`).

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use tempfile::TempPath;

/// An output file written beside its target and moved into place by [`Output::commit`]: a run
/// that fails or is interrupted leaves the user's old file, or none, never a truncated one.
pub(crate) struct Output {
    file: BufWriter<std::fs::File>,
    tmp: TempPath,
    path: PathBuf,
    force: bool,
}

impl Output {
    /// Starts writing `path`, refusing to replace a file that exists unless `force`.
    pub(crate) fn create(path: &Path, force: bool) -> Result<Output> {
        if path.exists() && !force {
            bail!("{} exists; use --force to overwrite it", path.display());
        }
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        if !dir.is_dir() {
            bail!(
                "cannot create {}: the folder {} does not exist",
                path.display(),
                dir.display()
            );
        }
        let (file, tmp) = tempfile::Builder::new()
            .prefix(".cmech-")
            .suffix(".part")
            .tempfile_in(dir)
            .with_context(|| format!("cannot create {}", path.display()))?
            .into_parts();
        Ok(Output {
            file: BufWriter::with_capacity(1 << 20, file),
            tmp,
            path: path.to_path_buf(),
            force,
        })
    }

    /// Moves the finished file into place (without `force`, never over a file made meanwhile).
    pub(crate) fn commit(mut self) -> Result<()> {
        let path = self.path.clone();
        self.file
            .flush()
            .with_context(|| format!("cannot write {}", path.display()))?;
        drop(self.file);
        let moved = if self.force {
            self.tmp.persist(&path)
        } else {
            self.tmp.persist_noclobber(&path)
        };
        moved.map_err(|e| match e.error.kind() {
            std::io::ErrorKind::AlreadyExists => {
                anyhow!("{} exists; use --force to overwrite it", path.display())
            }
            _ => anyhow!("cannot write {}: {}", path.display(), e.error),
        })
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// Refuses, before any long work: an output that would replace a file that exists, unless
/// `force`; and, `force` or not, an output that is one of the `inputs` (the run would destroy
/// what it reads) or that another output also names (two results over each other). Each output
/// is given with the flag that names it, and the messages name both.
pub(crate) fn refuse_to_clobber(
    outputs: &[(&str, &Option<PathBuf>)],
    inputs: &[&Path],
    force: bool,
) -> Result<()> {
    let given: Vec<(&str, &PathBuf)> = outputs
        .iter()
        .filter_map(|(flag, p)| p.as_ref().map(|p| (*flag, p)))
        .collect();
    for (i, &(flag, p)) in given.iter().enumerate() {
        if let Some(input) = inputs.iter().find(|input| same_file(p, input)) {
            bail!(
                "{flag}: {} is an input of this command ({}); write the result elsewhere",
                p.display(),
                input.display()
            );
        }
        if let Some((other, _)) = given[..i].iter().find(|(_, q)| same_file(p, q)) {
            bail!(
                "{flag} and {other} both name {}; give each output its own file",
                p.display()
            );
        }
        if p.exists() && !force {
            bail!(
                "{flag}: {} exists; use --force to overwrite it",
                p.display()
            );
        }
    }
    Ok(())
}

/// Whether two paths name one file: the same file if both exist (links and `..` resolved),
/// else the same absolute path.
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => match (std::path::absolute(a), std::path::absolute(b)) {
            (Ok(a), Ok(b)) => a == b,
            _ => a == b,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_output_reaches_its_name_only_when_committed() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.txt");
        std::fs::write(&p, "old").unwrap();
        assert!(Output::create(&p, false).is_err());
        let mut o = Output::create(&p, true).unwrap();
        o.write_all(b"new, but interrupted").unwrap();
        drop(o);
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "old");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no leftovers"
        );
        let mut o = Output::create(&p, true).unwrap();
        o.write_all(b"new").unwrap();
        o.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
    }
}
