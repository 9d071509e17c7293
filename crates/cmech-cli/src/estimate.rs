//! `cmech estimate`: block entropies, h_mu and E of data with intervals, beside the measures of
//! the reconstructed machine with theirs.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use clap::builder::{PossibleValue, PossibleValuesParser};
use clap::Args;
use cmech_core::estimate::{
    compare_with_machine, estimate, estimate_counts, estimate_machine, EstimateOptions, Estimates,
    Estimator, Interval, MachineEstimates, Resampling, DEFAULT_ESTIMATOR, DEFAULT_LEVEL,
    DEFAULT_MACHINE_REPLICATES, DEFAULT_REPLICATES,
};
use cmech_io::{are_shards, Input, NoProgress, Source};
use serde_json::json;

use crate::args::{set_threads, ReadArgs};
use crate::count::read_shards;
use crate::files::refuse_to_clobber;
use crate::picture::convergence::{self, Convergence};
use crate::picture::is_svg;
use crate::report::{finish, io_error, replicate_bar, warn, warn_io};

#[derive(Args)]
pub struct EstimateArgs {
    /// Data files ("-" for stdin), read as `cmech reconstruct` reads them, or count shards
    /// written by `cmech count` / `cmech merge` (intervals then from the machine's samples only).
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<String>,
    #[command(flatten)]
    read: ReadArgs,
    /// The longest word length (default: the longest the data support, at most 16).
    #[arg(short = 'L', long, value_name = "L")]
    max_length: Option<usize>,
    /// How each block entropy is estimated from its word counts.
    #[arg(long, value_parser = estimator_parser(), default_value = DEFAULT_ESTIMATOR.name())]
    estimator: String,
    /// Confidence level of the intervals.
    #[arg(long, default_value_t = DEFAULT_LEVEL)]
    level: f64,
    /// Replicates of the block bootstrap of words.
    #[arg(long, default_value_t = DEFAULT_REPLICATES)]
    replicates: usize,
    /// Replicates of the parametric bootstrap of the reconstructed machine (0: no machine).
    #[arg(long, default_value_t = DEFAULT_MACHINE_REPLICATES)]
    machine_replicates: usize,
    /// Mean block length of the word bootstrap (default: chosen by Politis & White).
    #[arg(long, value_name = "WORDS")]
    block: Option<f64>,
    /// Seed of both bootstraps.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Print JSON instead of the table.
    #[arg(long)]
    json: bool,
    /// Draw H(L) and h(L) with their intervals against L (PNG, or SVG for a .svg path).
    #[arg(long, value_name = "FILE")]
    picture: Option<PathBuf>,
    /// Replace the picture if it exists.
    #[arg(long)]
    force: bool,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
}

pub const ESTIMATE_HELP: &str = "Examples:\n  \
    cmech sample even -n 100000 --seed 1 -o even.txt\n  \
    cmech estimate even.txt                      # H(L), h_mu, E and the machine, with intervals\n  \
    cmech estimate even.txt -L 10 --estimator nsb --level 0.9 --json\n  \
    cmech estimate spikes.npy --machine-replicates 0   # the word bootstrap only\n  \
    cmech estimate even.txt --picture even.png   # H(L) and h(L) against L, with intervals\n  \
    cmech count big.txt -o big.cnt && cmech estimate big.cnt   # from counts\n\n\
    Block entropies come from the counts of all overlapping words by the estimator chosen\n\
    (grassberger by default; plug-in, miller-madow and nsb too), h(L) = H(L) - H(L-1) and\n\
    E(L) = H(L) - L h(L). Intervals are value +- z standard errors of a stationary block\n\
    bootstrap of the series of word indices (blocks of words, not of symbols, so no join makes\n\
    a word the data never hold), its mean block length chosen by Politis & White. h_mu and E are\n\
    read at the shortest length that no longer one differs from. Lengths where the words seen\n\
    have fewer than two observations each are not used.\n\
    The machine is the one `cmech reconstruct` selects; its C_mu, h_mu and E are exact for it,\n\
    and their intervals come from machines reconstructed from samples of it as long as the data\n\
    (the parametric bootstrap), whose state counts are listed; the same samples give the block\n\
    entropies a second set of intervals, and the only one for count shards, which hold no order\n\
    to resample. Where h(L) converges slowly\n\
    (infinite Markov order) the machine's h_mu is the one to trust. The same seed gives the same\n\
    intervals for any --threads.";

fn estimator_parser() -> PossibleValuesParser {
    PossibleValuesParser::new(Estimator::ALL.iter().map(|e| PossibleValue::new(e.name())))
}

pub fn run(args: EstimateArgs, out: &mut impl Write) -> Result<()> {
    set_threads(args.threads)?;
    let opts = EstimateOptions {
        max_length: args.max_length,
        estimator: args.estimator.parse()?,
        level: args.level,
        replicates: args.replicates,
        seed: args.seed,
        block: args.block,
        machine_replicates: args.machine_replicates,
    };
    opts.check()?;
    let inputs: Vec<&Path> = args
        .inputs
        .iter()
        .filter(|s| *s != "-")
        .map(Path::new)
        .collect();
    refuse_to_clobber(&[("--picture", &args.picture)], &inputs, args.force)?;
    if let Some(p) = &args.picture {
        is_svg(p)?;
    }
    let sources: Vec<Source> = args.inputs.iter().map(|s| Source::from_arg(s)).collect();
    let bar = replicate_bar(opts.machine_replicates as u64, "machines");
    let tick = |n: u64| {
        if let Some(b) = &bar {
            b.inc(n)
        }
    };
    let (names, est, machine) = if are_shards(&sources).map_err(io_error)? {
        if args.read.any() {
            bail!(
                "--tokens, --bytes, --npy, --chars, --lines and --alphabet apply to data files, \
                 not to count shards"
            );
        }
        let paths: Vec<PathBuf> = args.inputs.iter().map(PathBuf::from).collect();
        let shard = read_shards(&paths)?;
        let names = shard.info.alphabet.clone();
        let (fit, m) = estimate_counts(&shard.table, &names, &opts, &tick)?;
        finish(&bar);
        fit.diagnostics.warnings.iter().for_each(|w| warn(w));
        m.block_entropies.warnings.iter().for_each(|w| warn(w));
        (names, m.block_entropies.clone(), Some(m))
    } else {
        let input =
            Input::open(&sources, &args.read.options(None), &NoProgress).map_err(io_error)?;
        input.warnings().iter().for_each(warn_io);
        let names = input.alphabet().to_vec();
        let sequences = input.sequences().map_err(io_error)?;
        let mut est = estimate(&sequences, names.len(), &opts)?;
        let machine = if opts.machine_replicates > 0 {
            let (fit, m) = estimate_machine(&sequences, &names, &opts, &tick)?;
            finish(&bar);
            fit.diagnostics.warnings.iter().for_each(|w| warn(w));
            compare_with_machine(&mut est, &m);
            Some(m)
        } else {
            None
        };
        est.warnings.iter().for_each(|w| warn(w));
        (names, est, machine)
    };
    let name = args.inputs.join(", ");
    if let Some(path) = &args.picture {
        let picture = Convergence {
            title: format!("{name}: {} symbols", est.symbols),
            estimates: &est,
            machine_rate: machine.as_ref().map(|m| m.entropy_rate),
        };
        convergence::render(&picture, path, args.force)?;
    }
    if args.json {
        let doc = json!({
            "data": name,
            "alphabet": names,
            "blocks": est,
            "machine": machine,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        table(out, &name, &names, &est, machine.as_ref())?;
    }
    Ok(())
}

fn iv(i: &Interval) -> String {
    format!("{:.4} [{:.4}, {:.4}]", i.value, i.lower, i.upper)
}

fn table(
    out: &mut impl Write,
    name: &str,
    names: &[String],
    e: &Estimates,
    machine: Option<&MachineEstimates>,
) -> Result<()> {
    let pct = 100.0 * e.level;
    writeln!(
        out,
        "{name}: {} symbols in {} sequence{}, {} symbols in the alphabet ({})",
        e.symbols,
        e.sequences,
        if e.sequences == 1 { "" } else { "s" },
        e.alphabet,
        names.join(" ")
    )?;
    let from = match e.resampling {
        Resampling::Words {
            mean_block,
            mean_block_chosen,
        } => format!(
            "{} replicates of a stationary block bootstrap of words (mean block {mean_block:.1} \
             words{})",
            e.replicates,
            if mean_block_chosen {
                ", Politis-White"
            } else {
                ""
            }
        ),
        Resampling::Machine { states } => format!(
            "{} samples of the reconstructed {states}-state machine (counts cannot be \
             resampled otherwise)",
            e.replicates
        ),
    };
    writeln!(
        out,
        "block entropies ({}), {pct:.0}% intervals from {from}:",
        e.estimator
    )?;
    writeln!(
        out,
        "  {:>3} {:>10} {:>8}  {:<28} {:<28} {:<28}",
        "L", "words", "distinct", "H(L)", "h(L)", "E(L)"
    )?;
    for a in &e.lengths {
        writeln!(
            out,
            "  {:>3} {:>10} {:>8}  {:<28} {:<28} {:<28}",
            a.length,
            a.words,
            a.distinct,
            iv(&a.block_entropy),
            iv(&a.entropy_rate),
            iv(&a.excess_entropy)
        )?;
    }
    writeln!(
        out,
        "h_mu = {}  E = {}  (bits; h(L) and E(L) at L = {}, the shortest no longer length \
         differs from)",
        iv(&e.entropy_rate),
        iv(&e.excess_entropy),
        e.rate_length
    )?;
    if let Some(c) = &e.ctw {
        writeln!(
            out,
            "  by context-tree weighting (depth {}): h_mu = {}  (the spread of the mean code \
             length; it lies above h_mu by CTW's model cost)",
            c.depth,
            iv(&c.entropy_rate)
        )?;
    }
    if let Some(m) = machine.filter(|_| matches!(e.resampling, Resampling::Words { .. })) {
        let p = &m.block_entropies;
        writeln!(
            out,
            "  the same with intervals from the machine's samples: h_mu = {}  E = {}  (L = {})",
            iv(&p.entropy_rate),
            iv(&p.excess_entropy),
            p.rate_length
        )?;
    }
    if let Some(m) = machine {
        writeln!(
            out,
            "reconstructed machine, {} states (exact for the machine; {pct:.0}% intervals from {} \
             machines reconstructed from samples of it):",
            m.states, m.replicates
        )?;
        let e_text = m
            .excess_entropy
            .as_ref()
            .map_or_else(|| "unknown".to_string(), iv);
        writeln!(
            out,
            "  C_mu = {}  h_mu = {}  E = {}",
            iv(&m.statistical_complexity),
            iv(&m.entropy_rate),
            e_text
        )?;
        let counts: Vec<String> = m
            .state_counts
            .iter()
            .map(|(s, n)| format!("{s} states in {n}"))
            .collect();
        writeln!(out, "  replicates: {}", counts.join(", "))?;
    }
    Ok(())
}
