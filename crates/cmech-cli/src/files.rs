//! Output files: nothing a user has is replaced unless they ask (`--force`).

use std::fs::OpenOptions;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

/// Creates an output file, refusing to replace one unless `force`.
pub(crate) fn create(path: &Path, force: bool) -> Result<std::fs::File> {
    OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(force)
        .create_new(!force)
        .open(path)
        .with_context(|| {
            if path.exists() && !force {
                format!("{} exists; use --force to overwrite it", path.display())
            } else {
                format!("cannot create {}", path.display())
            }
        })
}

/// Refuses, before any long work, to replace an output file that exists unless `force`: each
/// output is given with the flag that names it, and the message names both.
pub(crate) fn refuse_to_clobber(outputs: &[(&str, &Option<PathBuf>)], force: bool) -> Result<()> {
    for (flag, path) in outputs {
        if let Some(p) = path {
            if p.exists() && !force {
                bail!(
                    "{flag}: {} exists; use --force to overwrite it",
                    p.display()
                );
            }
        }
    }
    Ok(())
}

/// Creates an output file, refusing to replace what the user already has unless `force`.
pub(crate) fn create_output(path: &Path, force: bool) -> Result<BufWriter<std::fs::File>> {
    Ok(BufWriter::with_capacity(1 << 20, create(path, force)?))
}
