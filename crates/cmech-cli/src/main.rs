//! The `cmech` command-line tool: a thin face over `cmech-core`. Data goes to stdout, messages to
//! stderr; exit code 0 on success, 1 on bad input, 2 on bad usage (clap's own code).

// Messages go through `report::say`, which survives a stderr that cannot be written.
#![warn(clippy::print_stderr, clippy::print_stdout)]

mod args;
mod beliefs;
mod count;
mod estimate;
mod files;
mod flow;
mod output;
mod picture;
mod reconstruct;
mod report;
mod sample;
mod transducer;

use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use cmech_core::measures::MeasureOptions;
use cmech_core::{named, Hmm};

#[derive(Parser)]
#[command(
    name = "cmech",
    version,
    about = "Computational mechanics: processes, epsilon-machines and their information measures",
    after_help = "Examples:\n  cmech process list\n  cmech process show even --dot > even.dot\n  \
                  cmech measures rrxor\n  cmech sample golden-mean -n 1000000 --seed 7 -o gm.txt\n  \
                  cmech reconstruct gm.txt --max-history 4\n  \
                  cmech beliefs mess3 --depth 10 --png mess3.png\n\n\
                  Every subcommand has its own --help with examples."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the named processes or show one presentation.
    #[command(subcommand)]
    Process(ProcessCommand),
    /// Sample a symbol sequence from a process, streamed to stdout or a file.
    #[command(after_help = "Examples:\n  cmech sample even -n 20 --seed 1\n  \
        cmech sample golden-mean --param p=0.3 -n 1000000000 --seed 7 -o gm.txt\n  \
        cmech sample machine.json -n 1000 --start B\n  \
        cmech sample logistic-map --param r=3.7 -n 1000000 --seed 1 -o logistic.txt\n\n\
        Symbols that are single characters are written one after another with a final newline;\n\
        longer symbol names are written separated by spaces. The same seed gives the same sequence.\n\
        logistic-map is the symbolic logistic map x' = r x (1 - x), 1 when x > cut (r in (0, 4],\n\
        default 4; cut default 1/2; x0 drawn from the seed, 10,000 iterates dropped): a source of\n\
        symbols without a presentation, listed with the others by `cmech process list`.")]
    Sample(sample::SampleArgs),
    /// Exact information measures of a process (h_mu, E, C_mu, chi, T, S, Markov and cryptic orders).
    #[command(after_help = "Examples:\n  cmech measures golden-mean\n  \
        cmech measures even --param p=0.25 --json\n  cmech measures mess3 --max-depth 12\n  \
        cmech measures machine.json --block-length 20\n\n\
        Each value says how it was obtained: 'exact' (closed form or an exact linear solve on the\n\
        epsilon-machine), 'approached' (a limit evaluated to the stated depth; bounds where known),\n\
        'infinite', or 'unknown'. Processes without a finite epsilon-machine (mess3, sns) are approached,\n\
        except what theory gives in closed form: the C_mu of sns is exact, its Markov order infinite.")]
    Measures(MeasuresArgs),
    /// Reconstruct the epsilon-machine of a process from data (or count shards): CSSR and more.
    #[command(after_help = reconstruct::RECONSTRUCT_HELP)]
    Reconstruct(reconstruct::ReconstructArgs),
    /// Estimate block entropies, h_mu and E from data, with intervals, beside the measures of
    /// the reconstructed machine with theirs.
    #[command(after_help = estimate::ESTIMATE_HELP)]
    Estimate(estimate::EstimateArgs),
    /// Count the words of data into a shard file, for reconstruction later or elsewhere.
    #[command(after_help = count::COUNT_HELP)]
    Count(count::CountArgs),
    /// Add count shards (same alphabet and window) into one.
    #[command(after_help = count::MERGE_HELP)]
    Merge(count::MergeArgs),
    /// Beliefs about hidden states: the mixed-state presentation, trajectories, tables, pictures.
    #[command(after_help = beliefs::HELP)]
    Beliefs(beliefs::BeliefsArgs),
    /// Transfer entropy TE(source -> target), conditional TE, local values, significance.
    #[command(after_help = flow::TE_HELP)]
    Te(flow::TeArgs),
    /// Active information storage of a series, average and local.
    #[command(after_help = flow::AIS_HELP)]
    Ais(flow::AisArgs),
    /// Mutual information (lagged, conditional) of two series, average and local.
    #[command(after_help = flow::MI_HELP)]
    Mi(flow::MiArgs),
    /// Cellular automata (elementary, Life): fields, local AIS and TE, pictures.
    #[command(after_help = flow::CA_HELP)]
    Ca(flow::CaArgs),
    /// Infiltration and exfiltration of a split into inside, boundary and environment.
    #[command(after_help = flow::BOUNDARY_HELP)]
    Boundary(flow::BoundaryArgs),
    /// Epsilon-transducers: named ones, driving them, their measures, reconstruction from pairs.
    #[command(subcommand, after_help = transducer::HELP)]
    Transducer(transducer::TransducerCommand),
}

#[derive(Subcommand)]
enum ProcessCommand {
    /// List the named processes with their parameters and defaults.
    #[command(after_help = "Examples:\n  cmech process list\n  cmech process list --json")]
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show a presentation: a summary, its JSON document, or Graphviz DOT.
    #[command(after_help = "Examples:\n  cmech process show even\n  \
        cmech process show mess3 --param x=0.15 --param alpha=0.6 --json > mess3.json\n  \
        cmech process show mess3.json --dot | dot -Tpng -o mess3.png\n  \
        cmech process show machine.json --minimize --json > eps.json")]
    Show {
        #[command(flatten)]
        source: Source,
        /// Show the epsilon-machine instead: recurrent part, identical futures merged, nonunifilar
        /// presentations determinised.
        #[arg(long)]
        minimize: bool,
        /// Print Graphviz DOT (edges labelled symbol|probability).
        #[arg(long, conflicts_with = "json")]
        dot: bool,
        /// Print the presentation in the cmech JSON format.
        #[arg(long)]
        json: bool,
    },
}

/// A named process with parameters, or a presentation JSON file.
#[derive(Args)]
pub(crate) struct Source {
    /// Process name (see `cmech process list`) or path to a presentation JSON file.
    process: String,
    /// Parameter of a named process, as name=value (repeatable).
    #[arg(long = "param", short = 'p', value_name = "NAME=VALUE")]
    params: Vec<String>,
}

#[derive(Args)]
struct MeasuresArgs {
    #[command(flatten)]
    source: Source,
    /// Longest block for the block entropies H(0..=L).
    #[arg(long, default_value_t = MeasureOptions::default().block_length)]
    block_length: usize,
    /// Deepest word length for values that are only approached.
    #[arg(long, default_value_t = MeasureOptions::default().max_depth)]
    max_depth: usize,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            report::say(format_args!("error: {}", report::error_line(&e)));
            ExitCode::from(1)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<cmech_core::CmechError>().is_some_and(|ce| {
                matches!(ce, cmech_core::CmechError::Io(io) if io.kind() == io::ErrorKind::BrokenPipe)
            })
    })
}

/// Standard output, or the refusal to write to one the shell closed (`cmech ... >&-`).
enum Stdout {
    Open(io::StdoutLock<'static>),
    Closed,
}

impl Stdout {
    fn new() -> Stdout {
        if stdout_was_closed() {
            Stdout::Closed
        } else {
            Stdout::Open(io::stdout().lock())
        }
    }
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stdout::Open(s) => s.write(buf),
            Stdout::Closed => Err(io::Error::other(
                "standard output is closed (>&-): the results have nowhere to go; redirect them \
                 to a file or to /dev/null",
            )),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stdout::Open(s) => s.flush(),
            Stdout::Closed => Ok(()),
        }
    }
}

/// Whether descriptor 1 was closed when cmech started. The Rust runtime then opens /dev/null
/// read-write on it, so writes would vanish and a run whose results went nowhere would exit 0;
/// a shell's `>/dev/null` opens it write-only, so the access mode tells the two apart.
#[cfg(target_os = "linux")]
fn stdout_was_closed() -> bool {
    let null = std::fs::read_link("/proc/self/fd/1").is_ok_and(|p| p == Path::new("/dev/null"));
    let read_write = std::fs::read_to_string("/proc/self/fdinfo/1")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|l| l.strip_prefix("flags:"))
                .and_then(|f| u32::from_str_radix(f.trim(), 8).ok())
        })
        .is_some_and(|flags| flags & 0o3 == 0o2);
    null && read_write
}

#[cfg(not(target_os = "linux"))]
fn stdout_was_closed() -> bool {
    false
}

fn run(cli: Cli) -> Result<()> {
    let mut out = BufWriter::new(Stdout::new());
    match cli.command {
        Command::Process(ProcessCommand::List { json }) => output::process_list(&mut out, json)?,
        Command::Process(ProcessCommand::Show {
            source,
            minimize,
            dot,
            json,
        }) => {
            let hmm = load(&source)?;
            let hmm = if minimize { hmm.minimize()? } else { hmm };
            if dot {
                out.write_all(hmm.to_dot().as_bytes())?;
            } else if json {
                writeln!(out, "{}", hmm.to_json())?;
            } else {
                output::process_summary(&mut out, &hmm)?;
            }
        }
        Command::Sample(args) => sample::sample(args, &mut out)?,
        Command::Reconstruct(args) => reconstruct::reconstruct_cmd(args, &mut out)?,
        Command::Estimate(args) => estimate::run(args, &mut out)?,
        Command::Count(args) => count::count(args)?,
        Command::Merge(args) => count::merge(args)?,
        Command::Beliefs(args) => beliefs::run(args, &mut out)?,
        Command::Te(args) => flow::te(args, &mut out)?,
        Command::Ais(args) => flow::ais(args, &mut out)?,
        Command::Mi(args) => flow::mi(args, &mut out)?,
        Command::Ca(args) => flow::ca_cmd(args, &mut out)?,
        Command::Boundary(args) => flow::boundary(args, &mut out)?,
        Command::Transducer(cmd) => transducer::run(cmd, &mut out)?,
        Command::Measures(args) => {
            let hmm = load(&args.source)?;
            let opts = MeasureOptions {
                block_length: args.block_length,
                max_depth: args.max_depth,
                ..MeasureOptions::default()
            };
            let m = cmech_core::measures(&hmm, &opts)?;
            if args.json {
                writeln!(out, "{}", serde_json::to_string_pretty(&m)?)?;
            } else {
                output::measures_table(&mut out, &m)?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

/// Reads a presentation file, or builds a named process.
pub(crate) fn load(source: &Source) -> Result<Hmm> {
    file_or_named(
        &source.process,
        &source.params,
        ("presentation", "processes"),
        Hmm::from_json,
        named,
    )
}

/// Reads the JSON file `name` when it is one, else builds the named object from `params`
/// (each `name=value`). `kind` words the errors: what the file holds, and the plural of what
/// has a name.
pub(crate) fn file_or_named<T>(
    name: &str,
    params: &[String],
    kind: (&str, &str),
    from_json: impl FnOnce(&str) -> cmech_core::Result<T>,
    build: impl FnOnce(&str, &[(&str, &str)]) -> cmech_core::Result<T>,
) -> Result<T> {
    let (file_kind, named_kind) = kind;
    let path = Path::new(name);
    // Any existing path that is not a folder: a pipe such as `<(cat m.json)` too.
    if name.ends_with(".json") || (path.exists() && !path.is_dir()) {
        if !params.is_empty() {
            bail!(
                "--param applies to named {named_kind}, not to the file {}",
                path.display()
            );
        }
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {file_kind} file {}", path.display()))?;
        return from_json(&text).with_context(|| format!("in {}", path.display()));
    }
    let params = params
        .iter()
        .map(|kv| {
            kv.split_once('=')
                .map(|(k, v)| (k.trim(), v.trim()))
                .with_context(|| format!("--param '{kv}' is not of the form name=value"))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(build(name, &params)?)
}
