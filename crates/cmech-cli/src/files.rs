//! Output files: nothing a user has is replaced unless they ask (`--force`), and no output is an
//! input or an input's sidecar. Files themselves are written through cmech-io's `OutputFile` (beside the target, moved
//! into place when complete).

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use cmech_io::shard::{is_shard, sidecar_path};

/// Refuses, before any long work: an output that would replace a file that exists, unless
/// `force`; and, `force` or not, an output that is one of the `inputs` or the sidecar of a shard
/// among them (the run would destroy what it reads) or that another output also names (two
/// results over each other). Each output is given with the flag that names it, and the messages
/// name both.
pub(crate) fn refuse_to_clobber(
    outputs: &[(&str, &Option<PathBuf>)],
    inputs: &[&Path],
    force: bool,
) -> Result<()> {
    let given: Vec<(&str, &PathBuf)> = outputs
        .iter()
        .filter_map(|(flag, p)| p.as_ref().map(|p| (*flag, p)))
        .collect();
    let sidecars: Vec<(PathBuf, &Path)> = inputs
        .iter()
        .filter(|input| is_shard(input))
        .map(|input| (sidecar_path(input), *input))
        .collect();
    for (i, &(flag, p)) in given.iter().enumerate() {
        if let Some(input) = inputs.iter().find(|input| same_file(p, input)) {
            bail!(
                "{flag}: {} is an input of this command ({}); write the result elsewhere",
                p.display(),
                input.display()
            );
        }
        if let Some((_, shard)) = sidecars.iter().find(|(side, _)| same_file(p, side)) {
            bail!(
                "{flag}: {} is the sidecar of the input {} (it names the shard's alphabet); \
                 write the result elsewhere",
                p.display(),
                shard.display()
            );
        }
        if let Some((other, _)) = given[..i].iter().find(|(_, q)| same_file(p, q)) {
            bail!(
                "{flag} and {other} both name {}; give each output its own file",
                p.display()
            );
        }
        if p.is_dir() {
            bail!("{flag}: {} is a folder; give a file name", p.display());
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
