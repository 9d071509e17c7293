//! `cmech transducer`: named transducers, their documents, driving them with an input process or
//! sequence, their measures under an input, and their reconstruction from paired streams.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use cmech_core::measures::MeasureOptions;
use cmech_core::presentation::format_prob;
use cmech_core::reconstruct::{reconstruct_transducer, Method, ReconstructOptions};
use cmech_core::transducer::{named_transducer, TransducerMeasures, TRANSDUCERS};
use cmech_core::Transducer;
use cmech_io::{check_text_output, count_paired, symbol_separator, Input, Source as DataSource};
use serde_json::json;

use crate::args::{ReadArgs, SaveArgs};

use crate::files::refuse_to_clobber;
use crate::output::{diagnostics_rows, quantity_row};
use crate::{file_or_named, load, Source};

pub const HELP: &str = "Examples:\n  \
    cmech transducer list\n  \
    cmech transducer show bsc --param q=0.2 --dot | dot -Tpng -o bsc.png\n  \
    cmech transducer drive delay --input golden-mean -n 1000000 --seed 1 --input-out x.txt --output-out y.txt\n  \
    cmech transducer measures xor --input golden-mean\n  \
    cmech transducer reconstruct x.txt y.txt -L 3 --json -o delay.json\n\n\
    A transducer reads an input symbol and emits an output symbol at every step; its states are\n\
    the causal states of the joint past. The JSON format is in docs/transducer-format.md.";

#[derive(Subcommand)]
pub enum TransducerCommand {
    /// List the named transducers with their parameters and defaults.
    #[command(after_help = "Examples:\n  cmech transducer list\n  cmech transducer list --json")]
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show a transducer: a summary, its JSON document, or Graphviz DOT (edges y|x:p).
    #[command(after_help = "Examples:\n  cmech transducer show delay\n  \
        cmech transducer show feedback-xor --param e=0.05 --json > fx.json\n  \
        cmech transducer show fx.json --minimize --dot")]
    Show {
        #[command(flatten)]
        transducer: TransducerSource,
        /// Merge states with the same output futures given every future input first.
        #[arg(long)]
        minimize: bool,
        /// Print Graphviz DOT.
        #[arg(long, conflicts_with = "json")]
        dot: bool,
        /// Print the transducer in the cmech transducer JSON format.
        #[arg(long)]
        json: bool,
    },
    /// Drive a transducer with an input process (or an input sequence file) and record both streams.
    #[command(after_help = DRIVE_HELP)]
    Drive(DriveArgs),
    /// C_mu, h(Y|X) and the mutual information rate of a transducer under an input process.
    #[command(after_help = MEASURES_HELP)]
    Measures(MeasuresArgs),
    /// Reconstruct the epsilon-transducer from paired input and output streams (CSSR on joint symbols).
    #[command(after_help = RECONSTRUCT_HELP)]
    Reconstruct(ReconstructArgs),
}

/// A named transducer with parameters, or a transducer JSON file.
#[derive(Args)]
pub struct TransducerSource {
    /// Transducer name (see `cmech transducer list`) or path to a transducer JSON file.
    transducer: String,
    /// Parameter of a named transducer, as name=value (repeatable).
    #[arg(long = "param", short = 'p', value_name = "NAME=VALUE")]
    params: Vec<String>,
}

const DRIVE_HELP: &str = "Examples:\n  \
    cmech transducer drive bsc --param q=0.1 --input biased-coin -n 20 --seed 1\n  \
    cmech transducer drive delay --input golden-mean -n 1000000 --seed 1 --input-out x.txt --output-out y.txt\n  \
    cmech transducer drive t.json --input gm.json -n 1000 --seed 2\n  \
    cmech transducer drive xor --input x.txt --seed 3 --output-out y.txt   # a given input sequence\n\n\
    The input is a named process (with --input-param), a presentation JSON file, or a data file of\n\
    input symbols (read as `cmech reconstruct` reads data: --tokens, --npy, --lines, ...), whose\n\
    symbols are matched to the transducer's inputs by name. A process drives n steps from the\n\
    joint stationary distribution; a file drives each of its sequences from state 0 (sequence k\n\
    with seed + k). Without --input-out / --output-out, the inputs and then the outputs are\n\
    written to stdout, a line each per sequence. The same seed gives the same streams.";

#[derive(Args)]
pub struct DriveArgs {
    #[command(flatten)]
    transducer: TransducerSource,
    /// The input: a process name, a presentation JSON file, or a data file of input symbols.
    #[arg(long, value_name = "PROCESS|FILE")]
    input: String,
    /// Parameter of a named input process, as name=value (repeatable).
    #[arg(long = "input-param", value_name = "NAME=VALUE")]
    input_params: Vec<String>,
    /// Number of steps (for an input process).
    #[arg(short = 'n', long = "length", value_name = "N")]
    length: Option<usize>,
    /// Seed of the random number generator.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Write the input stream to this file.
    #[arg(long, value_name = "FILE")]
    input_out: Option<PathBuf>,
    /// Write the output stream to this file.
    #[arg(long, value_name = "FILE")]
    output_out: Option<PathBuf>,
    /// Overwrite the output files if they exist.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    read: ReadArgs,
}

const MEASURES_HELP: &str = "Examples:\n  \
    cmech transducer measures bsc --param q=0.1 --input biased-coin\n  \
    cmech transducer measures xor --input golden-mean --json\n  \
    cmech transducer measures t.json --input gm.json --max-depth 16\n\n\
    The transducer is minimised, then composed with the input into the joint input-output\n\
    process: C_mu is the entropy of the stationary distribution over the transducer's states,\n\
    h(Y|X) = h(X,Y) - h(X) and I = h(X) + h(Y) - h(X,Y). Each value says how it was obtained:\n\
    h(Y), of a nonunifilar output process in general, may only be approached, with bounds.";

#[derive(Args)]
pub struct MeasuresArgs {
    #[command(flatten)]
    transducer: TransducerSource,
    /// The input process: a process name or a presentation JSON file.
    #[arg(long, value_name = "PROCESS")]
    input: String,
    /// Parameter of a named input process, as name=value (repeatable).
    #[arg(long = "input-param", value_name = "NAME=VALUE")]
    input_params: Vec<String>,
    /// Deepest word length for values that are only approached.
    #[arg(long, default_value_t = MeasureOptions::default().max_depth)]
    max_depth: usize,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

const RECONSTRUCT_HELP: &str = "Examples:\n  \
    cmech transducer drive delay --input biased-coin -n 100000 --seed 1 --input-out x.txt --output-out y.txt\n  \
    cmech transducer reconstruct x.txt y.txt -L 3\n  \
    cmech transducer reconstruct x.txt y.txt -L 3 --json -o delay.json --dot delay.dot\n  \
    cmech transducer reconstruct x.npy y.npy --test ks --alpha 0.01\n  \
    cmech transducer reconstruct xs.txt ys.txt --lines --input-alphabet 01 --output-alphabet abc\n\n\
    INPUT and OUTPUT are read as `cmech reconstruct` reads data (one character per symbol unless\n\
    --tokens, --bytes or --npy; --lines for one sequence per line) and paired symbol by symbol:\n\
    they must hold as many sequences, of the same lengths. The states are the causal states of\n\
    joint (input, output) histories of up to L pairs, split when their next-output distributions\n\
    given the next input differ; C_mu and h(Y|X) are those of the data's input.";

#[derive(Args)]
pub struct ReconstructArgs {
    /// The input stream (a data file, "-" for stdin).
    #[arg(value_name = "INPUT")]
    x: String,
    /// The output stream, paired with the input symbol by symbol.
    #[arg(value_name = "OUTPUT")]
    y: String,
    #[command(flatten)]
    read: ReadArgs,
    /// The input alphabet, in symbol order (as --alphabet, for the input alone).
    #[arg(long, value_name = "SYMBOLS")]
    input_alphabet: Option<String>,
    /// The output alphabet, in symbol order (as --alphabet, for the output alone).
    #[arg(long, value_name = "SYMBOLS")]
    output_alphabet: Option<String>,
    /// Maximum history length L (of joint pairs).
    #[arg(short = 'L', long, value_name = "L", default_value_t = ReconstructOptions::default().max_history)]
    max_history: usize,
    /// Significance level of the tests that split states.
    #[arg(long, value_name = "A", default_value_t = ReconstructOptions::default().alpha)]
    alpha: f64,
    /// The test deciding whether two histories predict alike.
    #[arg(long, value_parser = crate::args::test_parser(), default_value = ReconstructOptions::default().test.name())]
    test: String,
    /// Print the transducer and the diagnostics as JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    save: SaveArgs,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
}

pub fn run(cmd: TransducerCommand, out: &mut impl Write) -> Result<()> {
    match cmd {
        TransducerCommand::List { json } => list(out, json),
        TransducerCommand::Show {
            transducer,
            minimize,
            dot,
            json,
        } => {
            let t = load_transducer(&transducer)?;
            let t = if minimize { t.minimize() } else { t };
            if dot {
                out.write_all(t.to_dot().as_bytes())?;
            } else if json {
                writeln!(out, "{}", t.to_json())?;
            } else {
                summary(out, &t)?;
            }
            Ok(())
        }
        TransducerCommand::Drive(args) => drive(args, out),
        TransducerCommand::Measures(args) => {
            let t = load_transducer(&args.transducer)?;
            let input = load(&Source {
                process: args.input.clone(),
                params: args.input_params.clone(),
            })?;
            let opts = MeasureOptions {
                max_depth: args.max_depth,
                ..MeasureOptions::default()
            };
            let m = t.measures(&input, &opts)?;
            if args.json {
                writeln!(out, "{}", serde_json::to_string_pretty(&m)?)?;
            } else {
                measures_table(out, &m)?;
            }
            Ok(())
        }
        TransducerCommand::Reconstruct(args) => reconstruct(args, out),
    }
}

/// Reads a transducer file, or builds a named transducer.
fn load_transducer(source: &TransducerSource) -> Result<Transducer> {
    file_or_named(
        &source.transducer,
        &source.params,
        ("transducer", "transducers"),
        Transducer::from_json,
        named_transducer,
    )
}

fn list(out: &mut impl Write, as_json: bool) -> Result<()> {
    if as_json {
        let list: Vec<_> = TRANSDUCERS
            .iter()
            .map(|t| {
                json!({
                    "name": t.name,
                    "summary": t.summary,
                    "reference": t.reference,
                    "params": t.params.iter().map(|s| json!({
                        "name": s.name, "default": s.default, "help": s.help
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&list)?)?;
        return Ok(());
    }
    for t in TRANSDUCERS {
        let params: Vec<String> = t
            .params
            .iter()
            .map(|s| format!("{}={}", s.name, s.default))
            .collect();
        writeln!(out, "{:<19} {:<7} {}", t.name, params.join(" "), t.summary)?;
    }
    Ok(())
}

fn summary(out: &mut impl Write, t: &Transducer) -> Result<()> {
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    writeln!(out, "transducer   {}", t.name())?;
    writeln!(out, "inputs       {}", t.inputs().join(" "))?;
    writeln!(out, "outputs      {}", t.outputs().join(" "))?;
    writeln!(out, "states       {}", t.states().join(" "))?;
    writeln!(out, "unifilar     {}", yes_no(t.is_unifilar()))?;
    writeln!(out, "complete     {}", yes_no(t.is_complete()))?;
    writeln!(out, "transitions  (from -output|input:p-> to)")?;
    for i in 0..t.num_states() {
        for e in t.edges(i) {
            writeln!(
                out,
                "  {} -{}|{}:{}-> {}",
                t.states()[i],
                t.outputs()[e.output],
                t.inputs()[e.input],
                format_prob(e.p),
                t.states()[e.to]
            )?;
        }
    }
    Ok(())
}

fn measures_table(out: &mut impl Write, m: &TransducerMeasures) -> Result<()> {
    writeln!(
        out,
        "{} driven by {}: {} states after minimisation, {}",
        m.transducer,
        m.input,
        m.transducer_states.len(),
        if m.unifilar {
            "unifilar"
        } else {
            "nonunifilar"
        }
    )?;
    let parts: Vec<String> = m
        .transducer_states
        .iter()
        .zip(&m.state_distribution)
        .map(|(s, p)| format!("{s}={}", format_prob(*p)))
        .collect();
    writeln!(out, "stationary   {}", parts.join(" "))?;
    for (name, q) in [
        ("C_mu", &m.statistical_complexity),
        ("h(Y|X)", &m.conditional_entropy_rate),
        ("I", &m.mutual_information_rate),
        ("h(X)", &m.input_entropy_rate),
        ("h(Y)", &m.output_entropy_rate),
        ("h(X,Y)", &m.joint_entropy_rate),
    ] {
        quantity_row(out, name, 6, q)?;
    }
    Ok(())
}

fn drive(args: DriveArgs, stdout: &mut impl Write) -> Result<()> {
    let t = load_transducer(&args.transducer)?;
    refuse_to_clobber(
        &[
            ("--input-out", &args.input_out),
            ("--output-out", &args.output_out),
        ],
        &[Path::new(&args.input)],
        args.force,
    )?;
    // Both streams' forms and names are checked before the drive, not after it.
    for path in [&args.input_out, &args.output_out].into_iter().flatten() {
        check_text_output(path)?;
    }
    let seps = [
        symbol_separator(t.inputs())?,
        symbol_separator(t.outputs())?,
    ];
    let path = Path::new(&args.input);
    let data_file = !args.input.ends_with(".json") && (path.is_file() || args.input == "-");
    let runs = if data_file {
        if !args.input_params.is_empty() {
            bail!(
                "--input-param applies to named input processes, not to the data file {}",
                args.input
            );
        }
        if args.length.is_some() {
            bail!("-n applies to input processes; a data file is driven whole");
        }
        let sources = [DataSource::from_arg(&args.input)];
        let bar = crate::report::Bar::new();
        let input = Input::open(&sources, &args.read.options(None), &bar)
            .map_err(crate::report::io_error)?;
        for w in input.warnings() {
            crate::report::warn_io(w);
        }
        // The file's symbols, by name, as the transducer's inputs.
        let to_input: Vec<usize> = input
            .alphabet()
            .iter()
            .map(|s| {
                t.inputs().iter().position(|x| x == s).with_context(|| {
                    format!(
                        "symbol '{s}' of {} is not an input of transducer '{}' (inputs: {})",
                        args.input,
                        t.name(),
                        t.inputs().join(", ")
                    )
                })
            })
            .collect::<Result<_>>()?;
        input
            .sequences()
            .map_err(crate::report::io_error)?
            .iter()
            .enumerate()
            .map(|(k, seq)| {
                let xs: Vec<usize> = seq.iter().map(|&c| to_input[c as usize]).collect();
                let ys = t.drive_sequence(&xs, args.seed.wrapping_add(k as u64))?;
                Ok((xs, ys))
            })
            .collect::<Result<_>>()
            .map(Runs::Data)?
    } else {
        let n = args
            .length
            .context("give the number of steps with -n for an input process")?;
        let process = load(&Source {
            process: args.input.clone(),
            params: args.input_params.clone(),
        })?;
        // Checked here, before an output file is begun.
        t.driver(&process, args.seed)?;
        Runs::Process(process, n)
    };
    // Each stream (side 0: the inputs, side 1: the outputs) in a pass of its own: a process is
    // driven again from the same seed for the second, so no step is held (10^8 steps took 1.6 GB).
    let write_side = |out: &mut dyn Write, side: usize| -> Result<()> {
        let names = if side == 0 { t.inputs() } else { t.outputs() };
        match &runs {
            Runs::Data(runs) => {
                for (xs, ys) in runs {
                    let seq = if side == 0 { xs } else { ys };
                    crate::output::write_symbols(
                        out,
                        names,
                        seps[side],
                        seq.iter().copied(),
                        None,
                    )?;
                }
            }
            Runs::Process(process, n) => {
                let steps = t.driver(process, args.seed)?.take(*n);
                let pick = |(x, y): (usize, usize)| if side == 0 { x } else { y };
                crate::output::write_symbols(out, names, seps[side], steps.map(pick), None)?;
            }
        }
        Ok(())
    };
    for (side, path) in [(0, &args.input_out), (1, &args.output_out)] {
        if let Some(p) = path {
            let mut f = cmech_io::OutputFile::create(p, args.force)?;
            write_side(&mut f, side).with_context(|| format!("cannot write {}", p.display()))?;
            f.commit()?;
        }
    }
    if args.input_out.is_none() && args.output_out.is_none() {
        match &runs {
            // Each run's inputs, then its outputs.
            Runs::Data(runs) => {
                for (xs, ys) in runs {
                    crate::output::write_symbols(
                        stdout,
                        t.inputs(),
                        seps[0],
                        xs.iter().copied(),
                        None,
                    )?;
                    crate::output::write_symbols(
                        stdout,
                        t.outputs(),
                        seps[1],
                        ys.iter().copied(),
                        None,
                    )?;
                }
            }
            Runs::Process(..) => {
                write_side(stdout, 0)?;
                write_side(stdout, 1)?;
            }
        }
    }
    Ok(())
}

/// What `transducer drive` writes: the runs over the sequences of a data file, or `n` steps
/// driven by an input process.
enum Runs {
    Data(Vec<(Vec<usize>, Vec<usize>)>),
    Process(cmech_core::Hmm, usize),
}

fn reconstruct(args: ReconstructArgs, out: &mut impl Write) -> Result<()> {
    crate::args::set_threads(args.threads)?;
    let opts = crate::reconstruct::options(
        Method::Cssr.name(),
        args.max_history,
        args.alpha,
        &args.test,
        None,
    )?;
    let inputs: Vec<&Path> = [&args.x, &args.y]
        .into_iter()
        .filter(|s| *s != "-")
        .map(Path::new)
        .collect();
    args.save.refuse_to_clobber(&inputs)?;
    if args.x == "-" && args.y == "-" {
        bail!("stdin (-) can be read only once: give the input or the output as a file");
    }
    let bar = crate::report::Bar::new();
    let open = |arg: &str, alphabet: &Option<String>| -> Result<Input<'static>> {
        let mut read = args.read.options(None);
        if alphabet.is_some() {
            read.alphabet = alphabet.clone();
        }
        let input = Input::open(&[DataSource::from_arg(arg)], &read, &bar)
            .map_err(crate::report::io_error)?;
        for w in input.warnings() {
            crate::report::warn_io(w);
        }
        Ok(input)
    };
    let inputs = open(&args.x, &args.input_alphabet)?;
    let outputs = open(&args.y, &args.output_alphabet)?;
    let table = count_paired(
        &inputs,
        &outputs,
        opts.window(inputs.alphabet().len() * outputs.alphabet().len()),
    )
    .map_err(crate::report::io_error)?;
    let rec = reconstruct_transducer(
        &table,
        inputs.alphabet().to_vec(),
        outputs.alphabet().to_vec(),
        &opts,
    )?;
    for w in &rec.diagnostics.warnings {
        crate::report::warn(w);
    }
    let t = rec
        .transducer
        .with_name(format!("{} -> {}", args.x, args.y));
    args.save.write(|| t.to_json(), || t.to_dot())?;
    if args.json {
        let transducer: serde_json::Value = serde_json::from_str(&t.to_json())?;
        let doc = json!({ "transducer": transducer, "diagnostics": rec.diagnostics });
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        diagnostics_rows(out, &rec.diagnostics, "h(Y|X)")?;
        summary(out, &t)?;
    }
    Ok(())
}
