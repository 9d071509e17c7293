//! The data commands: `count` (data to a count shard), `merge` (shards to one) and `reconstruct`
//! (data or shards to an epsilon-machine).

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{anyhow, bail, Context, Result};
use clap::builder::{PossibleValue, PossibleValuesParser};
use clap::Args;
use cmech_core::reconstruct::{
    holdout, CountWindow, Method, Plan, ReconstructOptions, Request, Test,
};
use cmech_io::shard::check_free;
use cmech_io::{
    are_shards, count_held_out, count_sources, load_shards, write_shard, Hint, ReadOptions, Shard,
    Source, Warning,
};
use indicatif::{ProgressBar, ProgressStyle};

use crate::args::ReadArgs;
use crate::files::{create, refuse_to_clobber};
use crate::output;

fn method_parser() -> PossibleValuesParser {
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

#[derive(Args)]
pub struct CountArgs {
    /// Data files ("-" for stdin), each its own sequence (or set of lines).
    #[arg(required = true, value_name = "FILE")]
    inputs: Vec<String>,
    #[command(flatten)]
    read: ReadArgs,
    /// Count for this maximum history length: words of up to the window the method needs
    /// (L + 1 for cssr). Default, with no --method: what `cmech reconstruct` needs to select a
    /// machine.
    #[arg(short = 'L', long, value_name = "L", conflicts_with = "window")]
    max_history: Option<usize>,
    /// Reconstruction method the counts are for (it sets the window with --max-history).
    #[arg(long, value_parser = method_parser(), conflicts_with = "window")]
    method: Option<String>,
    /// Count words of up to M symbols (instead of --max-history).
    #[arg(long, value_name = "M")]
    window: Option<usize>,
    /// Count only the windows that start in bytes [A, B) of the (one) file; ranges that tile the
    /// file give shards that merge into the whole file's counts.
    #[arg(long, value_name = "A..B")]
    range: Option<String>,
    /// The shard to write (its sidecar goes to SHARD.json).
    #[arg(short = 'o', long = "output", value_name = "SHARD", required = true)]
    output: PathBuf,
    /// Overwrite the shard and its sidecar if they exist.
    #[arg(long)]
    force: bool,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
}

#[derive(Args)]
pub struct MergeArgs {
    /// Shards written by `cmech count` or `cmech merge`.
    #[arg(required = true, value_name = "SHARD")]
    shards: Vec<PathBuf>,
    /// The merged shard (its sidecar goes to OUT.json).
    #[arg(short = 'o', long = "output", value_name = "OUT", required = true)]
    output: PathBuf,
    /// Overwrite the output and its sidecar if they exist.
    #[arg(long)]
    force: bool,
}

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
    /// Also write the machine as Graphviz DOT to this file.
    #[arg(long, value_name = "FILE")]
    dot: Option<PathBuf>,
    /// Also write the machine in the cmech presentation JSON format (for `cmech measures`,
    /// `cmech sample`, `cmech process show`).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// Overwrite the output files if they exist.
    #[arg(long)]
    force: bool,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
}

pub const COUNT_HELP: &str = "Examples:\n  \
    cmech count gm.txt -L 10 -o gm.cnt\n  \
    cmech count big.txt --alphabet 01 -L 16 --range 0..500000000 -o part1.cnt\n  \
    cmech count big.txt --alphabet 01 -L 16 --range 500000000..1000000000 -o part2.cnt\n  \
    cmech count spikes.npy --window 12 -o spikes.cnt\n  \
    cmech count words.txt --tokens --lines -L 3 -o words.cnt\n\n\
    A shard holds the counts of every word up to the window (L + 1 for cssr), never across\n\
    sequences; its sidecar SHARD.json names the alphabet, window, sources and ranges. Shards of\n\
    the same alphabet and window add up with `cmech merge`. With --range, give --alphabet (or\n\
    the alphabet is inferred from the whole file) so that every part agrees. The format is in\n\
    docs/count-format.md.";

pub const MERGE_HELP: &str = "Examples:\n  \
    cmech merge part1.cnt part2.cnt -o big.cnt\n  \
    cmech reconstruct big.cnt -L 16\n\n\
    The shards must have the same alphabet (names, in order) and window.";

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
    likelihood of all the data; the chosen one is then refined by merging, splitting,\n\
    redirecting and pruning while the BIC falls, the smallest of the tied best is returned and\n\
    every candidate's score is listed. Any of those options runs that method exactly as asked.\n\
    Inputs are one character per symbol unless --tokens, --bytes or --npy (.npy is detected).\n\
    Each file is its own sequence; with --lines each line is. The table shows the states,\n\
    C_mu, h_mu, the log-likelihood of the data, and the number of states at each history length\n\
    (a count that keeps growing signals structure no finite L captures). Warnings (L too long\n\
    for the data, a one-symbol alphabet) go to stderr.";

/// A progress bar on stderr for passes over more than 64 MiB, only on a terminal.
pub(crate) struct Bar(Mutex<Option<ProgressBar>>);

impl Bar {
    pub(crate) fn new() -> Bar {
        Bar(Mutex::new(None))
    }
}

impl cmech_io::Progress for Bar {
    fn begin(&self, what: &str, total: u64, _unit: &str) {
        let mut slot = self.0.lock().expect("not poisoned");
        if let Some(old) = slot.take() {
            old.finish_and_clear();
        }
        if io::stderr().is_terminal() && (total == 0 || total >= 64 << 20) {
            let bar = if total == 0 {
                ProgressBar::new_spinner()
            } else {
                ProgressBar::new(total)
            };
            bar.set_style(
                ProgressStyle::with_template(
                    "{msg:9} {bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
                )
                .expect("valid template"),
            );
            bar.set_message(what.to_string());
            *slot = Some(bar);
        }
    }
    fn advance(&self, n: u64) {
        if let Some(bar) = self.0.lock().expect("not poisoned").as_ref() {
            bar.inc(n);
        }
    }
    fn end(&self) {
        if let Some(bar) = self.0.lock().expect("not poisoned").take() {
            bar.finish_and_clear();
        }
    }
}

pub(crate) fn set_threads(threads: Option<usize>) -> Result<()> {
    if let Some(n) = threads {
        use cmech_core::threads::{check_threads, MAX_THREADS};
        check_threads(n)
            .map_err(|_| anyhow!("--threads {n} is out of range (1 to {MAX_THREADS})"))?;
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .context("cannot start the worker threads")?;
    }
    Ok(())
}

/// What to do about a problem or warning of `cmech_io`, in terms of this command's flags.
fn hint_text(hint: Hint) -> String {
    match hint {
        Hint::Overwrite => "use --force to overwrite it".into(),
        Hint::SameAlphabet => "count every part with the same --alphabet".into(),
        Hint::SameWindow => "count every part with the same --max-history or --window".into(),
        Hint::CountAgain {
            max_history,
            window,
        } => format!("count again with --max-history {max_history} (or --window {window})"),
        Hint::Lines => "leave out --lines".into(),
        Hint::Range => "leave out --range".into(),
        Hint::Tokens | Hint::TokenList => "for symbols separated by spaces use --tokens".into(),
        Hint::TokensOrBytes => "use --tokens (symbols separated by spaces) or --bytes".into(),
    }
}

/// A `cmech_io` error with its hint in this command's terms.
pub(crate) fn io_error(e: cmech_io::Error) -> anyhow::Error {
    match e.hint() {
        Some(h) => anyhow!("{e}; {}", hint_text(h)),
        None => e.into(),
    }
}

pub(crate) fn warn(message: &str) {
    eprintln!("warning: {message}");
}

pub(crate) fn warn_io(w: &Warning) {
    match w.hint {
        Some(h) => warn(&format!("{w}; {}", hint_text(h))),
        None => warn(&w.message),
    }
}

fn plural(n: u64, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// Writes a reconstructed object to the files given to -o (its JSON document, `to_json`) and to
/// --dot (its Graphviz DOT, `to_dot`), each when given.
pub(crate) fn write_json_and_dot(
    output: Option<&Path>,
    dot: Option<&Path>,
    force: bool,
    to_json: impl FnOnce() -> String,
    to_dot: impl FnOnce() -> String,
) -> Result<()> {
    if let Some(path) = output {
        let mut f = create(path, force)?;
        writeln!(f, "{}", to_json()).with_context(|| format!("cannot write {}", path.display()))?;
    }
    if let Some(path) = dot {
        let mut f = create(path, force)?;
        f.write_all(to_dot().as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

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

/// Opens and counts data inputs into a shard, with the progress bar and warnings.
fn count_inputs(inputs: &[Source], read: ReadOptions, window: &CountWindow) -> Result<Shard> {
    let bar = Bar::new();
    let (shard, warnings) = count_sources(inputs, &read, window, &bar).map_err(io_error)?;
    for w in &warnings {
        warn_io(w);
    }
    Ok(shard)
}

pub fn count(args: CountArgs) -> Result<()> {
    set_threads(args.threads)?;
    let range = args
        .range
        .as_deref()
        .map(cmech_io::parse_range)
        .transpose()?;
    let window = match args.window {
        Some(w) => CountWindow::Fixed(w),
        None => CountWindow::For(
            request(args.method.as_deref(), args.max_history, None, None, None)?.plan()?,
        ),
    };
    window.validate()?;
    check_free(&args.output, args.force).map_err(io_error)?;
    let sources: Vec<Source> = args.inputs.iter().map(|s| Source::from_arg(s)).collect();
    let shard = count_inputs(&sources, args.read.options(range), &window)?;
    write_shard(&args.output, &shard, args.force).map_err(io_error)?;
    eprintln!(
        "counted {} in {} (alphabet {{{}}}, window {}) into {}",
        plural(shard.info.symbols, "symbol"),
        plural(shard.info.sequences, "sequence"),
        shard.info.alphabet.join(", "),
        shard.info.window,
        args.output.display()
    );
    Ok(())
}

pub fn merge(args: MergeArgs) -> Result<()> {
    let merged = load_shards(&args.shards).map_err(io_error)?;
    write_shard(&args.output, &merged, args.force).map_err(io_error)?;
    eprintln!(
        "merged {} shards: {} in {} (window {}) into {}",
        args.shards.len(),
        plural(merged.info.symbols, "symbol"),
        plural(merged.info.sequences, "sequence"),
        merged.info.window,
        args.output.display()
    );
    Ok(())
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
    // Refuse to clobber before the (possibly long) counting.
    refuse_to_clobber(&[("-o", &args.output), ("--dot", &args.dot)], args.force)?;
    let sources: Vec<Source> = args.inputs.iter().map(|s| Source::from_arg(s)).collect();
    let shards = are_shards(&sources).map_err(io_error)?;
    let shard = if shards {
        if args.read.any() {
            bail!("--tokens, --bytes, --npy, --chars, --lines and --alphabet apply to data files, not to count shards");
        }
        let paths: Vec<PathBuf> = args.inputs.iter().map(PathBuf::from).collect();
        load_shards(&paths).map_err(io_error)?
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
    write_json_and_dot(
        args.output.as_deref(),
        args.dot.as_deref(),
        args.force,
        || rec.machine.to_json(),
        || rec.machine.to_dot(),
    )?;
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
