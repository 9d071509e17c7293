//! `cmech reconstruct`: data or count shards to an epsilon-machine, by model selection unless the
//! options fix the method.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use clap::Args;
use cmech_core::reconstruct::{
    holdout, CountWindow, Method, Plan, ReconstructOptions, Request, Test,
};
use cmech_io::{are_shards, count_held_out, ReadOptions, Source};

use crate::args::{method_parser, set_threads, test_parser, ReadArgs, SaveArgs};
use crate::count::{count_inputs, read_shards};
use crate::output;
use crate::report::{io_error, warn, warn_io, Bar};

#[derive(Args)]
pub struct ReconstructArgs {
    /// Data files ("-" for stdin), or count shards written by `cmech count` / `cmech merge`.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<String>,
    #[command(flatten)]
    read: ReadArgs,
    /// Maximum history length L. Alone, it bounds the selection's history lengths; with any of
    /// --method, --alpha, --test, --future, it is the method's L (default 5).
    #[arg(short = 'L', long, value_name = "L")]
    max_history: Option<usize>,
    /// Significance level of the tests that split states (default 0.001). Giving it turns
    /// selection off.
    #[arg(long, value_name = "A")]
    alpha: Option<f64>,
    /// The test deciding whether two histories predict alike (default chi2). Giving it turns
    /// selection off.
    #[arg(long, value_parser = test_parser())]
    test: Option<String>,
    /// Reconstruction method (default: select among both methods and every history length by
    /// BIC; with only --alpha, --test or --future: cssr).
    #[arg(long, value_parser = method_parser())]
    method: Option<String>,
    /// Length of the futures that define states in the forward method (default: the shortest
    /// with at least 8 words).
    #[arg(long, value_name = "F")]
    future: Option<usize>,
    /// Held-out data (a file, repeatable, read as the inputs are and in their alphabet): report
    /// how well the machine predicts it, beside smoothed fixed-order Markov chains fitted to the
    /// same inputs.
    #[arg(long, value_name = "FILE")]
    holdout: Vec<String>,
    /// Print every transition of the machine even when it is large (more than 20 states).
    #[arg(long)]
    transitions: bool,
    /// Print the machine and the diagnostics as JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    save: SaveArgs,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
}

pub const RECONSTRUCT_HELP: &str = "Examples:\n  \
    cmech sample golden-mean -n 1000000 --seed 1 -o gm.txt\n  \
    cmech reconstruct gm.txt                       # the machine selected from the data\n  \
    cmech reconstruct gm.txt --json -o gm-machine.json --dot gm.dot\n  \
    cmech measures gm-machine.json\n  \
    cmech reconstruct rrxor.txt -L 6 --method forward\n  \
    cmech reconstruct runs/*.txt --alphabet 01 --test ks --alpha 0.01\n  \
    cmech reconstruct big.cnt -L 16                # from counts made by cmech count/merge\n  \
    python make_data.py | cmech reconstruct - --tokens --lines\n\n\
    With no --method, --alpha, --test or --future, the machine is selected: CSSR and forward at\n\
    every history length the data support (up to -L), each minimised and scored by BIC on the\n\
    likelihood of all the data; the chosen one is then collapsed (its states clustered by what\n\
    they predict) and refined by merging, splitting, redirecting and pruning while the BIC\n\
    falls, the smallest of the tied best is returned and every candidate's score is listed. Any of those options runs that method exactly as asked.\n\
    Inputs are one character per symbol unless --tokens, --bytes or --npy (.npy is detected).\n\
    Each file is its own sequence; with --lines each line is. The table shows the states,\n\
    C_mu, h_mu, the log-likelihood of the data, and the number of states at each history length\n\
    (a count that keeps growing signals structure no finite L captures). Warnings (L too long\n\
    for the data, a one-symbol alphabet) go to stderr.";

/// What the user asked of a reconstruction, each option given or not.
pub(crate) fn request(
    method: Option<&str>,
    max_history: Option<usize>,
    alpha: Option<f64>,
    test: Option<&str>,
    future: Option<usize>,
) -> Result<Request> {
    Ok(Request {
        method: method.map(str::parse::<Method>).transpose()?,
        max_history,
        alpha,
        test: test.map(str::parse::<Test>).transpose()?,
        future,
    })
}

/// Fixed options of a reconstruction, checked before any data is read.
pub(crate) fn options(
    method: &str,
    max_history: usize,
    alpha: f64,
    test: &str,
    future: Option<usize>,
) -> Result<ReconstructOptions> {
    let request = request(
        Some(method),
        Some(max_history),
        Some(alpha),
        Some(test),
        future,
    )?;
    match request.plan()? {
        Plan::Fixed(opts) => Ok(opts),
        Plan::Select(_) => unreachable!("a method is given"),
    }
}

pub fn reconstruct_cmd(args: ReconstructArgs, out: &mut impl Write) -> Result<()> {
    set_threads(args.threads)?;
    let plan = request(
        args.method.as_deref(),
        args.max_history,
        args.alpha,
        args.test.as_deref(),
        args.future,
    )?
    .plan()?;
    // Refuse to clobber before the (possibly long) counting; no output may be an input.
    let inputs: Vec<&Path> = args
        .inputs
        .iter()
        .chain(&args.holdout)
        .filter(|s| *s != "-")
        .map(Path::new)
        .collect();
    args.save.refuse_to_clobber(&inputs)?;
    let sources: Vec<Source> = args.inputs.iter().map(|s| Source::from_arg(s)).collect();
    let shards = are_shards(&sources).map_err(io_error)?;
    let shard = if shards {
        if args.read.any() {
            bail!("--tokens, --bytes, --npy, --chars, --lines and --alphabet apply to data files, not to count shards");
        }
        let paths: Vec<PathBuf> = args.inputs.iter().map(PathBuf::from).collect();
        read_shards(&paths)?
    } else {
        count_inputs(&sources, args.read.options(None), &CountWindow::For(plan))?
    };
    let rec = shard
        .reconstruct(&args.inputs.join(", "), &plan)
        .map_err(io_error)?;
    for w in &rec.diagnostics.warnings {
        warn(w);
    }
    let held_out = if args.holdout.is_empty() {
        None
    } else {
        let tests: Vec<Source> = args.holdout.iter().map(|s| Source::from_arg(s)).collect();
        let k = shard.info.alphabet.len();
        let window = holdout::test_window(k, shard.table.window());
        let read = if shards {
            ReadOptions::default()
        } else {
            args.read.options(None)
        };
        let bar = Bar::new();
        let (test, warnings) =
            count_held_out(&tests, &read, &shard.info.alphabet, window, &bar).map_err(io_error)?;
        for w in &warnings {
            warn_io(w);
        }
        Some(holdout::hold_out(&rec.machine, &shard.table, &test.table)?)
    };
    args.save
        .write(|| rec.machine.to_json(), || rec.machine.to_dot())?;
    if args.json {
        let machine: serde_json::Value = serde_json::from_str(&rec.machine.to_json())?;
        let mut doc = serde_json::json!({ "machine": machine, "diagnostics": rec.diagnostics });
        if let Some(h) = &held_out {
            doc["holdout"] = serde_json::to_value(h)?;
        }
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        output::reconstruction_table(out, &rec, args.transitions)?;
        if let Some(h) = &held_out {
            output::held_out_rows(out, h)?;
        }
    }
    Ok(())
}
