//! Argument groups shared by several commands.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::builder::{PossibleValue, PossibleValuesParser};
use clap::Args;
use cmech_core::reconstruct::{Method, Test};
use cmech_io::{Format, MmapChoice, ReadOptions};

use crate::files::refuse_to_clobber;
use cmech_io::OutputFile;

/// How data files are read: every command that reads symbol data flattens this group, so a file
/// is read the same way by all of them.
#[derive(Args)]
pub struct ReadArgs {
    /// Whitespace-separated tokens, each a symbol (default: one character per symbol).
    #[arg(long, conflicts_with_all = ["bytes", "npy", "chars"])]
    tokens: bool,
    /// Raw bytes, every byte a symbol (line endings included).
    #[arg(long, conflicts_with_all = ["npy", "chars"])]
    bytes: bool,
    /// An integer .npy array (detected by magic or extension anyway): 1-D is one sequence,
    /// 2-D one sequence per row.
    #[arg(long, conflicts_with = "chars")]
    npy: bool,
    /// One character per symbol, even for a file that looks like .npy.
    #[arg(long)]
    chars: bool,
    /// Each line is its own sequence: no history crosses a line end.
    #[arg(long)]
    lines: bool,
    /// The alphabet, in symbol order: characters ("01"), or a comma or space separated list
    /// ("up,down"; integers for --bytes and --npy). Other symbols are an error. Default: the
    /// symbols present, sorted.
    #[arg(long, value_name = "SYMBOLS")]
    alphabet: Option<String>,
}

impl ReadArgs {
    fn format(&self) -> Option<Format> {
        if self.tokens {
            Some(Format::Tokens)
        } else if self.bytes {
            Some(Format::Bytes)
        } else if self.npy {
            Some(Format::Npy)
        } else if self.chars {
            Some(Format::Chars)
        } else {
            None
        }
    }
    pub(crate) fn any(&self) -> bool {
        self.format().is_some() || self.lines || self.alphabet.is_some()
    }
    pub(crate) fn options(&self, range: Option<(u64, u64)>) -> ReadOptions {
        ReadOptions {
            format: self.format(),
            lines: self.lines,
            alphabet: self.alphabet.clone(),
            range,
            mmap: mmap(),
        }
    }
}

/// Files are memory-mapped. The command line takes the promise every tool that maps files takes
/// (ripgrep, for one): a file another program truncates or rewrites while `cmech` reads it gives
/// wrong results or a bus error. Mapping is what lets 10^9 symbols be read in one pass.
pub(crate) fn mmap() -> MmapChoice {
    // SAFETY: as above; the files are the user's, named on the command line, and cmech does not
    // write to them.
    #[allow(unsafe_code)]
    unsafe {
        MmapChoice::auto()
    }
}

pub(crate) fn method_parser() -> PossibleValuesParser {
    PossibleValuesParser::new(
        Method::ALL
            .iter()
            .map(|(_, name, help)| PossibleValue::new(*name).help(*help)),
    )
}

/// `--test`: the names and descriptions of core's tests.
pub(crate) fn test_parser() -> PossibleValuesParser {
    PossibleValuesParser::new(
        Test::ALL
            .iter()
            .map(|(_, name, help)| PossibleValue::new(*name).help(*help)),
    )
}

pub(crate) fn set_threads(threads: Option<usize>) -> Result<()> {
    if let Some(n) = threads {
        cmech_core::threads::check_threads(n)?;
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .context("cannot start the worker threads")?;
    }
    Ok(())
}

/// The flag that sets a parameter of the library, for its messages: `-k`, `-l`, `--max-history`,
/// `--alpha`, `--threads`, ... (every such flag is the parameter's name in kebab case).
pub(crate) fn flag(parameter: &str) -> String {
    match parameter {
        "k" | "l" => format!("-{parameter}"),
        p => format!("--{}", p.replace('_', "-")),
    }
}

/// Where a reconstructed machine or transducer is saved (shared by `reconstruct` and
/// `transducer reconstruct`).
#[derive(Args)]
pub struct SaveArgs {
    /// Also write the result in the cmech JSON format (a machine for `cmech measures`, `sample`
    /// and `process show`; a transducer for `cmech transducer show`, `drive` and `measures`).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// Also write the result as Graphviz DOT to this file.
    #[arg(long, value_name = "FILE")]
    dot: Option<PathBuf>,
    /// Overwrite the output files if they exist.
    #[arg(long)]
    force: bool,
}

impl SaveArgs {
    /// Refuses, before any long work, to replace a file the user has or one of the `inputs`.
    pub(crate) fn refuse_to_clobber(&self, inputs: &[&Path]) -> Result<()> {
        refuse_to_clobber(
            &[("-o", &self.output), ("--dot", &self.dot)],
            inputs,
            self.force,
        )
    }

    /// Writes the result's JSON document (`to_json`) to -o and its DOT (`to_dot`) to --dot,
    /// each when given.
    pub(crate) fn write(
        &self,
        to_json: impl FnOnce() -> String,
        to_dot: impl FnOnce() -> String,
    ) -> Result<()> {
        if let Some(path) = &self.output {
            let mut f = OutputFile::create(path, self.force)?;
            writeln!(f, "{}", to_json())
                .with_context(|| format!("cannot write {}", path.display()))?;
            f.commit()?;
        }
        if let Some(path) = &self.dot {
            let mut f = OutputFile::create(path, self.force)?;
            f.write_all(to_dot().as_bytes())
                .with_context(|| format!("cannot write {}", path.display()))?;
            f.commit()?;
        }
        Ok(())
    }
}
