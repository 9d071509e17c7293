//! `cmech te`, `ais` and `mi`: measures between series read from files.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use clap::{Args, ValueEnum};
use cmech_core::infoflow::{
    self, Bias, ChiSquareTest, Evaluation, Local, Measure, Series, SurrogateTest, TeOptions, Test,
    Tested,
};
use cmech_io::{Input, NoProgress, Source};
use serde_json::{json, Value};

use crate::args::ReadArgs;
use crate::report::{io_error, warn, warn_io};

use super::core;
use crate::files::refuse_to_clobber;

pub const TE_HELP: &str = "Examples:\n  \
    cmech te x.txt y.txt                         # TE(x -> y), target history k = 1\n  \
    cmech te x.txt y.txt -k 4 -l 2 --delay 1     # longer target and source histories\n  \
    cmech te x.npy y.npy --cond z.npy --json     # conditional TE, conditioned on z at t-1\n  \
    cmech te x.txt y.txt --surrogates 1000 --seed 7 --chi-square\n  \
    cmech te x.npy y.npy -k 2 --local te.npy     # the local TE at every step, as .npy\n  \
    cmech te x.txt y.txt -k 4 --bias miller-madow # a bias-corrected average\n\n\
    TE(Y -> X) = I(Y_{t-d-l+1..t-d} ; X_t | X_{t-k..t-1}), plug-in, in bits (PyInform's and JIDT's\n\
    convention: with l = d = 1 the source value is at t-1). Conditioning series enter at t-1.\n\
    --bias miller-madow adds (m - 1) / (2 N ln2) to each entropy of the sum (m: nonzero cells);\n\
    it corrects the average only, so it goes without --local and tests (which are plug-in).\n\
    Local values exist from step max(k, d+l-1) of every trial on; --local writes them one row per\n\
    trial (1-D for one trial), like PyInform; --pad aligns them with the data, NaN where none.\n\
    --surrogates permutes source histories (p = (1 + #surrogates >= observed) / (1 + N)) and\n\
    reports the effective TE (observed minus the surrogate mean); --chi-square uses\n\
    2 N ln2 TE ~ chi2((|A_y|^l - 1)(|A_x| - 1)|A_x|^k).\n\n\
    Series files are read as `cmech reconstruct` reads data: text with one character per symbol\n\
    (line endings are not symbols), whitespace-separated tokens with --tokens, or an integer or\n\
    bool .npy (1-D: one trial; 2-D: one trial per row). |A| is the number of symbols present (or\n\
    listed by --alphabet), so 0/1 and 0/2 spell the same binary series. --lines makes each line\n\
    of a text file its own trial.\n\
    Windows never cross from one trial into the next; counts are pooled over trials.";

pub const AIS_HELP: &str = "Examples:\n  \
    cmech ais x.txt -k 4\n  \
    cmech ais runs.npy -k 8 --local ais.npy --json\n  \
    cmech ais x.txt -k 2 --surrogates 500 --seed 1\n\n\
    AIS = I(X_{t-k..t-1} ; X_t), plug-in, in bits; local values from step k of every trial on.\n\
    Series files as for `cmech te`.";

pub const MI_HELP: &str = "Examples:\n  \
    cmech mi x.txt y.txt\n  \
    cmech mi x.txt y.txt --lag 1                 # I(X_{t-1} ; Y_t)\n  \
    cmech mi x.npy y.npy --cond z.npy            # I(X_t ; Y_t | Z_t)\n  \
    cmech mi x.txt y.txt --surrogates 1000 --seed 3 --local mi.npy\n\n\
    Plug-in mutual information in bits (conditional with --cond), counted over every step of\n\
    every trial. Series files as for `cmech te`.";

#[derive(Args, Clone)]
pub struct TestOpts {
    /// Surrogate test with this many permutations of the source.
    #[arg(long, value_name = "N")]
    surrogates: Option<usize>,
    /// Seed of the surrogate permutations.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Analytic chi-square test.
    #[arg(long)]
    chi_square: bool,
    /// Bias correction of the average (not with --local or a test: those are plug-in).
    #[arg(long, value_enum, default_value_t = BiasArg::PlugIn)]
    bias: BiasArg,
}

/// `--bias`: how the average is estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BiasArg {
    /// The plug-in (maximum-likelihood) estimate.
    PlugIn,
    /// Miller-Madow: each entropy gains (cells - 1) / (2 N ln 2).
    MillerMadow,
}

impl From<BiasArg> for Bias {
    fn from(b: BiasArg) -> Bias {
        match b {
            BiasArg::PlugIn => Bias::PlugIn,
            BiasArg::MillerMadow => Bias::MillerMadow,
        }
    }
}

#[derive(Args, Clone)]
pub struct LocalOpts {
    /// Write the local values as .npy (float64): one row per trial (1-D for one trial).
    #[arg(long, value_name = "FILE")]
    local: Option<PathBuf>,
    /// With --local: align the values with the data (NaN where there is none).
    #[arg(long, requires = "local")]
    pad: bool,
    /// Overwrite output files that exist.
    #[arg(long)]
    force: bool,
}

impl LocalOpts {
    /// Refuses, before reading, a --local file that exists (unless --force) or is an input.
    fn refuse_to_clobber(&self, inputs: &[&Path]) -> Result<()> {
        refuse_to_clobber(&[("--local", &self.local)], inputs, self.force)
    }
}

#[derive(Args)]
pub struct TeArgs {
    /// The source series file.
    source: PathBuf,
    /// The target series file.
    target: PathBuf,
    /// Target history length.
    #[arg(short = 'k', long = "history", default_value_t = 1)]
    k: usize,
    /// Source history length.
    #[arg(short = 'l', long = "source-history", default_value_t = 1)]
    l: usize,
    /// Source-target delay: the newest source value is at t - delay.
    #[arg(long, default_value_t = 1)]
    delay: usize,
    /// Condition on this series (at t - 1); repeatable.
    #[arg(long = "cond", value_name = "FILE")]
    cond: Vec<PathBuf>,
    #[command(flatten)]
    read: ReadArgs,
    #[command(flatten)]
    test: TestOpts,
    #[command(flatten)]
    local: LocalOpts,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct AisArgs {
    /// The series file.
    series_file: PathBuf,
    /// History length.
    #[arg(short = 'k', long = "history", default_value_t = 1)]
    k: usize,
    #[command(flatten)]
    read: ReadArgs,
    #[command(flatten)]
    test: TestOpts,
    #[command(flatten)]
    local: LocalOpts,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct MiArgs {
    /// First series file.
    x: PathBuf,
    /// Second series file.
    y: PathBuf,
    /// I(X_{t-lag} ; Y_t).
    #[arg(long, default_value_t = 0)]
    lag: usize,
    /// Condition on this series (at t); repeatable.
    #[arg(long = "cond", value_name = "FILE")]
    cond: Vec<PathBuf>,
    #[command(flatten)]
    read: ReadArgs,
    #[command(flatten)]
    test: TestOpts,
    #[command(flatten)]
    local: LocalOpts,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

// ---------------------------------------------------------------------------------------------
// Reading series.

/// Reads a series file through cmech-io, as every command reads data.
fn read_series(path: &Path, read: &ReadArgs) -> Result<Series> {
    let source = [Source::Path(path.to_path_buf())];
    let input = Input::open(&source, &read.options(None), &NoProgress).map_err(io_error)?;
    input.warnings().iter().for_each(warn_io);
    input.series().map_err(io_error)
}

// ---------------------------------------------------------------------------------------------
// Output.

/// Writes local values as .npy: one row per trial, NaN-padded to the longest.
fn write_local(local: &Local, opts: &LocalOpts, data_lengths: &[usize]) -> Result<Vec<usize>> {
    let Some(path) = &opts.local else {
        return Ok(vec![]);
    };
    let rows: Vec<Vec<f64>> = (0..local.lengths.len())
        .map(|r| {
            let v = local.trial(r);
            if opts.pad {
                let mut row = vec![f64::NAN; data_lengths[r]];
                row[data_lengths[r] - v.len()..].copy_from_slice(v);
                row
            } else {
                v.to_vec()
            }
        })
        .collect();
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    let shape = if rows.len() == 1 {
        vec![width]
    } else {
        vec![rows.len(), width]
    };
    let mut flat = Vec::with_capacity(rows.len() * width);
    for r in &rows {
        flat.extend_from_slice(r);
        flat.extend(std::iter::repeat_n(f64::NAN, width - r.len()));
    }
    cmech_io::npy_write::write_f64(path, &shape, &flat, opts.force)?;
    Ok(shape)
}

fn surrogate_json(t: &SurrogateTest) -> Value {
    serde_json::to_value(t).unwrap_or(Value::Null)
}

fn chi_json(t: &ChiSquareTest) -> Value {
    serde_json::to_value(t).unwrap_or(Value::Null)
}

pub(super) fn print_tests(
    out: &mut impl Write,
    name: &str,
    s: Option<&SurrogateTest>,
    c: Option<&ChiSquareTest>,
) -> Result<()> {
    if let Some(t) = s {
        writeln!(
            out,
            "  surrogates: p = {:.6} ({} of {} at least as large, seed {}); surrogate mean {:.6} \
             ± {:.6} bits; effective {name} {:.6} bits",
            t.p_value, t.at_least, t.surrogates, t.seed, t.mean, t.std, t.effective
        )?;
        if t.within_condition {
            writeln!(
                out,
                "    (permuted among observations with the same condition: {} can move)",
                t.exchangeable
            )?;
        }
    }
    if let Some(t) = c {
        writeln!(
            out,
            "  chi-square: 2 N ln2 {name} = {:.4}, df = {}, p = {:.6e}",
            t.statistic, t.df, t.p_value
        )?;
    }
    Ok(())
}

/// A measure run on series: its average, local values, tests, output.
struct Estimate {
    eval: Evaluation,
    surrogate: Option<SurrogateTest>,
    chi: Option<ChiSquareTest>,
    local_shape: Vec<usize>,
}

fn estimate(
    measure: &Measure,
    series: &[&Series],
    test: &TestOpts,
    local: &LocalOpts,
) -> Result<Estimate> {
    let eval = infoflow::evaluate(measure, series, test.bias.into(), local.local.is_some())
        .map_err(core)?;
    if let Some(w) = eval.undersampled() {
        warn(&w);
    }
    let run = |t: Test| infoflow::test(measure, series, t).map_err(core);
    let surrogate = match test.surrogates {
        Some(surrogates) => match run(Test::Surrogates {
            surrogates,
            seed: test.seed,
        })? {
            Tested::Surrogates(t) => Some(t),
            Tested::ChiSquare(_) => None,
        },
        None => None,
    };
    let chi = if test.chi_square {
        match run(Test::ChiSquare)? {
            Tested::ChiSquare(t) => Some(t),
            Tested::Surrogates(_) => None,
        }
    } else {
        None
    };
    let local_shape = match &eval.local {
        Some(values) => write_local(values, local, &series[0].trial_lengths())?,
        None => vec![],
    };
    Ok(Estimate {
        eval,
        surrogate,
        chi,
        local_shape,
    })
}

impl Estimate {
    /// "= 0.123456 bits", with the plug-in value beside a corrected one.
    fn value_text(&self) -> String {
        match self.eval.bias {
            Bias::PlugIn => format!("{:.6} bits", self.eval.value),
            Bias::MillerMadow => format!(
                "{:.6} bits (Miller-Madow; plug-in {:.6})",
                self.eval.value, self.eval.plug_in
            ),
        }
    }

    /// The lines after the value: tests and where the local values went.
    fn print_rest(&self, out: &mut impl Write, name: &str, local: &LocalOpts) -> Result<()> {
        print_tests(out, name, self.surrogate.as_ref(), self.chi.as_ref())?;
        if let Some(p) = &local.local {
            writeln!(
                out,
                "  local values (plug-in): {} (shape {:?}; the first {} steps of each trial have \
                 none{})",
                p.display(),
                self.local_shape,
                self.eval.offset,
                if local.pad { ", NaN" } else { "" }
            )?;
        }
        Ok(())
    }
}

/// " | a.txt, b.txt" for conditioning files, "" for none.
fn given_text(conds: &[PathBuf]) -> String {
    if conds.is_empty() {
        return String::new();
    }
    let names: Vec<String> = conds.iter().map(|p| p.display().to_string()).collect();
    format!(" | {}", names.join(", "))
}

/// Series read together must have the same trials.
fn same_shape(files: &[(&PathBuf, &Series)]) -> Result<()> {
    let (p0, s0) = files[0];
    for &(p, s) in &files[1..] {
        if s.num_trials() != s0.num_trials() {
            bail!(
                "{} has {} and {} has {}: the series must have the same trials",
                p0.display(),
                trials_text(s0),
                p.display(),
                trials_text(s)
            );
        }
        let (a, b) = (s0.trial_lengths(), s.trial_lengths());
        if let Some(r) = (0..a.len()).find(|&r| a[r] != b[r]) {
            let which = if a.len() == 1 {
                String::new()
            } else {
                format!(" in trial {r}")
            };
            bail!(
                "unequal lengths{which}: {} has {} symbols, {} has {}",
                p0.display(),
                a[r],
                p.display(),
                b[r]
            );
        }
    }
    Ok(())
}

pub(super) fn trials_text(s: &Series) -> String {
    match s.num_trials() {
        1 => "1 trial".into(),
        n => format!("{n} trials"),
    }
}

fn estimate_json(e: &Estimate, measure: &str, extra: Value) -> Value {
    let mut doc = json!({
        "measure": measure,
        "value": e.eval.value,
        "bias": e.eval.bias.name(),
        "plug_in": e.eval.plug_in,
        "units": "bits",
        "observations": e.eval.observations,
        "local_offset": e.eval.offset,
    });
    if let (Value::Object(d), Value::Object(x)) = (&mut doc, extra) {
        d.extend(x);
    }
    if let Some(t) = &e.surrogate {
        doc["surrogate_test"] = surrogate_json(t);
    }
    if let Some(t) = &e.chi {
        doc["chi_square_test"] = chi_json(t);
    }
    if !e.local_shape.is_empty() {
        doc["local_shape"] = json!(e.local_shape);
    }
    doc
}

// ---------------------------------------------------------------------------------------------
// te, ais, mi.

/// Reads the series of a measure (`main` then the conditioning `conds`) after refusing what
/// cannot be done (a correction with local values or a test, a --local file that is an input),
/// and checks that they share their trials.
fn read_all(
    main: &[&PathBuf],
    conds: &[PathBuf],
    read: &ReadArgs,
    test: &TestOpts,
    local: &LocalOpts,
) -> Result<Vec<Series>> {
    let tested = test.surrogates.is_some() || test.chi_square;
    Bias::from(test.bias)
        .check_with(local.local.is_some(), tested)
        .map_err(core)?;
    let paths: Vec<&PathBuf> = main.iter().copied().chain(conds).collect();
    let inputs: Vec<&Path> = paths.iter().map(|p| p.as_path()).collect();
    local.refuse_to_clobber(&inputs)?;
    let series = paths
        .iter()
        .map(|p| read_series(p, read))
        .collect::<Result<Vec<_>>>()?;
    let files: Vec<(&PathBuf, &Series)> = paths.iter().copied().zip(series.iter()).collect();
    same_shape(&files)?;
    Ok(series)
}

pub fn te(args: TeArgs, out: &mut impl Write) -> Result<()> {
    let read = read_all(
        &[&args.source, &args.target],
        &args.cond,
        &args.read,
        &args.test,
        &args.local,
    )?;
    let all: Vec<&Series> = read.iter().collect();
    let (target, conds) = (&read[1], &read[2..]);
    let measure = Measure::TransferEntropy {
        opts: TeOptions {
            k: args.k,
            l: args.l,
            delay: args.delay,
        },
        conditions: conds.len(),
    };
    let e = estimate(&measure, &all, &args.test, &args.local)?;
    let (s, t) = (args.source.display(), args.target.display());
    if args.json {
        let doc = estimate_json(
            &e,
            if conds.is_empty() {
                "transfer_entropy"
            } else {
                "conditional_transfer_entropy"
            },
            json!({
                "source": s.to_string(),
                "target": t.to_string(),
                "conditions": args.cond.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
                "k": args.k, "l": args.l, "delay": args.delay,
                "trials": target.num_trials(),
            }),
        );
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        let given = given_text(&args.cond);
        writeln!(out, "TE({s} -> {t}{given}) = {}", e.value_text())?;
        writeln!(
            out,
            "  k = {}, l = {}, delay = {}; {} observations in {}",
            args.k,
            args.l,
            args.delay,
            e.eval.observations,
            trials_text(target)
        )?;
        e.print_rest(out, "TE", &args.local)?;
    }
    Ok(())
}

pub fn ais(args: AisArgs, out: &mut impl Write) -> Result<()> {
    let read = read_all(
        &[&args.series_file],
        &[],
        &args.read,
        &args.test,
        &args.local,
    )?;
    let series = &read[0];
    let measure = Measure::ActiveInformation { k: args.k };
    let e = estimate(&measure, &[series], &args.test, &args.local)?;
    let name = args.series_file.display();
    if args.json {
        let doc = estimate_json(
            &e,
            "active_information_storage",
            json!({"series": name.to_string(), "k": args.k, "trials": series.num_trials()}),
        );
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        writeln!(out, "AIS({name}) = {}", e.value_text())?;
        writeln!(
            out,
            "  k = {}; {} observations in {}",
            args.k,
            e.eval.observations,
            trials_text(series)
        )?;
        e.print_rest(out, "AIS", &args.local)?;
    }
    Ok(())
}

pub fn mi(args: MiArgs, out: &mut impl Write) -> Result<()> {
    let read = read_all(
        &[&args.x, &args.y],
        &args.cond,
        &args.read,
        &args.test,
        &args.local,
    )?;
    let all: Vec<&Series> = read.iter().collect();
    let (x, conds) = (&read[0], &read[2..]);
    let measure = Measure::MutualInformation {
        lag: args.lag,
        conditions: conds.len(),
    };
    let e = estimate(&measure, &all, &args.test, &args.local)?;
    let (xn, yn) = (args.x.display(), args.y.display());
    if args.json {
        let doc = estimate_json(
            &e,
            if conds.is_empty() {
                "mutual_information"
            } else {
                "conditional_mutual_information"
            },
            json!({
                "x": xn.to_string(), "y": yn.to_string(), "lag": args.lag,
                "conditions": args.cond.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
                "trials": x.num_trials(),
            }),
        );
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        let xs = if args.lag > 0 {
            format!("{xn}[t-{}]", args.lag)
        } else {
            xn.to_string()
        };
        let given = given_text(&args.cond);
        writeln!(out, "I({xs} ; {yn}{given}) = {}", e.value_text())?;
        writeln!(
            out,
            "  {} observations in {}",
            e.eval.observations,
            trials_text(x)
        )?;
        e.print_rest(out, "MI", &args.local)?;
    }
    Ok(())
}
