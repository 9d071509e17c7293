//! `cmech sample`: seeded symbols from a named process, a presentation, or the logistic map.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Args;
use cmech_core::named::{named_source, NamedSource};
use cmech_core::sources::LogisticMap;
use cmech_core::{Hmm, Sampler, Start};
use indicatif::ProgressBar;

use crate::report::progress_bar;
use crate::{file_or_named, output, Source};
use cmech_io::{check_text_output, symbol_separator, OutputFile};

#[derive(Args)]
pub(crate) struct SampleArgs {
    #[command(flatten)]
    source: Source,
    /// Number of symbols.
    #[arg(short = 'n', long = "length", value_name = "N")]
    length: u64,
    /// Seed of the random number generator.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Start in this state instead of one drawn from the stationary distribution.
    #[arg(long, value_name = "STATE")]
    start: Option<String>,
    /// Write to this file instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// Overwrite the output file if it exists.
    #[arg(long)]
    force: bool,
}

pub(crate) fn sample(args: SampleArgs, stdout: &mut impl Write) -> Result<()> {
    let source = file_or_named(
        &args.source.process,
        &args.source.params,
        ("presentation", "processes"),
        |text| Hmm::from_json(text).map(NamedSource::Presentation),
        named_source,
    )?;
    // Everything is checked before the output file is begun.
    if let Some(path) = &args.output {
        check_text_output(path)?;
    }
    let symbols = match source {
        NamedSource::Presentation(hmm) => {
            let start = match &args.start {
                None => Start::Stationary,
                Some(s) => Start::State(hmm.state_index(s).with_context(|| {
                    format!(
                        "unknown start state '{s}' (states: {})",
                        hmm.states().join(", ")
                    )
                })?),
            };
            let sampler = Sampler::new(&hmm, args.seed, start)?;
            let sep = symbol_separator(hmm.alphabet())?;
            Symbols::Process(hmm, sep, sampler)
        }
        NamedSource::LogisticMap(map) => {
            if args.start.is_some() {
                bail!("--start applies to hidden Markov models, not to the logistic map");
            }
            Symbols::Map(map.symbols(args.seed)?)
        }
    };
    let mut file = args
        .output
        .as_ref()
        .map(|path| OutputFile::create(path, args.force))
        .transpose()?;
    let out: &mut dyn Write = match &mut file {
        Some(f) => f,
        None => stdout,
    };
    let progress = progress_bar(args.length);
    match symbols {
        Symbols::Process(hmm, sep, sampler) => output::write_symbols(
            out,
            hmm.alphabet(),
            sep,
            sampler.take(args.length as usize),
            progress.as_ref(),
        )?,
        Symbols::Map(map) => write_logistic(map, args.length, out, progress.as_ref())?,
    }
    out.flush()?;
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    // The file reaches its name only now, complete.
    if let Some(f) = file {
        f.commit()?;
    }
    Ok(())
}

/// What is sampled: a presentation with the separator of its symbols and its seeded sampler, or
/// the logistic map.
enum Symbols {
    Process(Hmm, &'static str, Sampler),
    Map(LogisticMap),
}

/// Symbols of the logistic map, written as '0' and '1' with a final newline.
fn write_logistic(
    map: LogisticMap,
    length: u64,
    out: &mut dyn Write,
    progress: Option<&ProgressBar>,
) -> Result<()> {
    let mut buf = Vec::with_capacity(1 << 16);
    let mut left = length;
    let mut map = map.map(|x| b'0' + x);
    while left > 0 {
        let n = left.min(1 << 16) as usize;
        buf.clear();
        buf.extend(map.by_ref().take(n));
        out.write_all(&buf)?;
        left -= n as u64;
        if let Some(bar) = progress {
            bar.inc(n as u64);
        }
    }
    out.write_all(b"\n")?;
    Ok(())
}
