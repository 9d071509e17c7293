//! `cmech te`, `ais`, `mi`, `ca` and `boundary`: information flow between series, cellular
//! automata and their local fields, and the leaks of a proposed boundary.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Once;

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, ValueEnum};
use cmech_core::ca::{self, Field, LocalField};
use cmech_core::infoflow::{
    self, boundary_scores, Bias, ChiSquareTest, Evaluation, Local, Measure, Series, Split,
    SurrogateTest, TeOptions, Test, Tested,
};
use cmech_core::CmechError;
use cmech_io::{read_cells, read_grids, Input, NoProgress, Source};
use plotters::prelude::*;
use serde_json::{json, Value};

use crate::args::ReadArgs;
use crate::data::{io_error, warn_io};

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
    local values and tests stay plug-in.\n\
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

pub const CA_HELP: &str = "Examples:\n  \
    cmech ca 54 --width 10000 --steps 600 --seed 1 -k 16          # averages of local AIS and TE\n  \
    cmech ca 54 --width 2000 --steps 600 --local-te te.png --local-ais ais.png\n  \
    cmech ca 110 --width 600 --steps 400 --png field.png --npy field.npy\n  \
    cmech ca 30 --width 101 --steps 50 --single --png rule30.png\n  \
    cmech ca life --width 64 --steps 300 --pattern gosper-gun --png gun.png --local-te gun-te.png\n\n\
    RULE is an elementary CA rule, 0 to 255 (Wolfram numbering, periodic ring), or `life`\n\
    (Conway's Game of Life on a torus). The initial row is random (density 1/2, from --seed), a\n\
    single live cell (--single), or read from a file (--init: a row of 0s and 1s; for Life a grid,\n\
    one line per row). The field has --steps rows, the first being the initial condition.\n\n\
    Local AIS and local TE are computed as Lizier, Prokopenko & Zomaya (2008): probabilities pooled\n\
    over all cells and steps, target history k (default 16), the value at every cell from step k\n\
    on. Channel -j 1 takes the source from the left neighbour (information moving right), -j -1\n\
    from the right. For Life --channel DY,DX takes the source of (y, x) from (y-DY, x-DX).\n\
    Pictures show --view-cells and --view-steps of the field (default: up to 600 cells, the last\n\
    400 steps); local values in red (positive) and blue (negative), white at 0. Local values are\n\
    computed --block-rows rows at a time and written or drawn as they come, so memory holds the\n\
    field (1 byte a cell) and a block, not the float64 values of every cell.";

pub const BOUNDARY_HELP: &str = "Examples:\n  \
    cmech boundary data.npy --inside 0,1 --active 2 --passive 3      # E: every other column\n  \
    cmech ca 110 --width 400 --steps 300 --npy f.npy\n  \
    cmech boundary f.npy --translate --inside 0,1 --active -1,2 --passive -2,3 --environment -3,4\n  \
    cmech ca life --width 32 --steps 129 --pattern glider --npy glider.npy\n  \
    cmech boundary glider.npy --origin 2,2 --velocity 0.25,0.25 --inside box:1 --active ring:2 \
        --environment ring:3 --surrogates 200    # a frame that moves with the glider\n\n\
    Infiltration I((V,A)_{t+1} ; E_t | (V,A,P)_t) and exfiltration I((E,P)_{t+1} ; V_t | (A,P,E)_t)\n\
    of a split into inside V, active boundary A, passive boundary P and environment E (Critch,\n\
    \"Boundaries, Part 3a\", 2022): plug-in, on the joint symbol of each group, in bits. Both are 0\n\
    when the boundary is a directed Markov blanket.\n\n\
    DATA: .npy files (2-D: steps x variables; 3-D: steps x height x width, a Life field) or text\n\
    (one line per step, one symbol per character, or whitespace-separated tokens with --tokens);\n\
    each file is a trial with the same variables, and one alphabet serves them all. Groups are comma-separated variable indices (ranges a..b\n\
    include both ends; Y:X for a cell of a 3-D field; box:R and ring:R for the cells within and\n\
    at distance R of 0 in the max norm). With --translate the indices are offsets\n\
    (may be negative) and the split is pooled over every position of the ring or torus, as local\n\
    measures are; --origin Y,X places a single frame there instead, moving with --velocity\n\
    VY,VX cells per step (floor of velocity x step). The joint states of a group must fit in\n\
    64 bits (64 binary variables).";

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
    /// Bias correction of the average (local values and tests stay plug-in).
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

#[derive(Args)]
pub struct CaArgs {
    /// Elementary CA rule (0 to 255) or `life`.
    rule: String,
    /// Cells per row (Life: columns).
    #[arg(long)]
    width: Option<usize>,
    /// Life: rows of the torus (default: the width).
    #[arg(long)]
    height: Option<usize>,
    /// Rows of the field, the first being the initial condition.
    #[arg(long)]
    steps: usize,
    /// Seed of the random initial condition.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Run this many steps first and keep only what follows (drops the transient).
    #[arg(long, default_value_t = 0)]
    skip: usize,
    /// Density of live cells in a random initial condition.
    #[arg(long, default_value_t = 0.5)]
    density: f64,
    /// Start from a single live cell in the middle (elementary CAs).
    #[arg(long, conflicts_with_all = ["init", "pattern"])]
    single: bool,
    /// Start from this file: a row of 0s and 1s (Life: one line per row).
    #[arg(long, value_name = "FILE", conflicts_with = "pattern")]
    init: Option<PathBuf>,
    /// Life: start from a named pattern on an empty torus: glider, gosper-gun.
    #[arg(long)]
    pattern: Option<String>,
    /// Target history length of local AIS and TE.
    #[arg(short = 'k', long = "history")]
    k: Option<usize>,
    /// Elementary CAs: channel of the local TE picture and .npy (1: source on the left).
    #[arg(
        short = 'j',
        long = "channel-j",
        default_value_t = 1,
        allow_hyphen_values = true
    )]
    j: isize,
    /// Life: channel DY,DX of local TE (source of (y, x) at (y-DY, x-DX)).
    #[arg(
        long,
        value_name = "DY,DX",
        default_value = "1,1",
        allow_hyphen_values = true
    )]
    channel: String,
    /// Write the field as .npy (uint8; steps x width, or steps x height x width).
    #[arg(long, value_name = "FILE")]
    npy: Option<PathBuf>,
    /// Draw the field.
    #[arg(long, value_name = "FILE")]
    png: Option<PathBuf>,
    /// Draw the local transfer entropy.
    #[arg(long, value_name = "FILE")]
    local_te: Option<PathBuf>,
    /// Draw the local active information storage.
    #[arg(long, value_name = "FILE")]
    local_ais: Option<PathBuf>,
    /// Write the local TE as .npy (float64, (steps - k) x cells).
    #[arg(long, value_name = "FILE")]
    te_npy: Option<PathBuf>,
    /// Write the local AIS as .npy (float64, (steps - k) x cells).
    #[arg(long, value_name = "FILE")]
    ais_npy: Option<PathBuf>,
    /// Rows of local values computed, written and drawn at a time (default: as many as make
    /// 16 MiB of float64): memory holds the field and one block, never all the local values.
    #[arg(long, value_name = "N")]
    block_rows: Option<usize>,
    /// Pictures: the cells shown, A..B (from A to B - 1).
    #[arg(long, value_name = "A..B")]
    view_cells: Option<String>,
    /// Pictures: the steps shown, A..B (from A to B - 1).
    #[arg(long, value_name = "A..B")]
    view_steps: Option<String>,
    /// Life pictures: the step drawn (default: the last).
    #[arg(long)]
    frame: Option<usize>,
    /// Pixels per cell (default: as many as fit 1200 pixels).
    #[arg(long)]
    scale: Option<u32>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Overwrite output files that exist.
    #[arg(long)]
    force: bool,
}

#[derive(Args)]
pub struct BoundaryArgs {
    /// Data files, one trial each.
    #[arg(required = true)]
    data: Vec<PathBuf>,
    /// V: the inside.
    #[arg(long, value_name = "LIST", allow_hyphen_values = true)]
    inside: String,
    /// A: the active boundary.
    #[arg(
        long,
        value_name = "LIST",
        default_value = "",
        allow_hyphen_values = true
    )]
    active: String,
    /// P: the passive boundary.
    #[arg(
        long,
        value_name = "LIST",
        default_value = "",
        allow_hyphen_values = true
    )]
    passive: String,
    /// E: the environment (default: every other variable; required with --translate/--origin).
    #[arg(long, value_name = "LIST", allow_hyphen_values = true)]
    environment: Option<String>,
    /// Indices are offsets, pooled over every position of the ring or torus.
    #[arg(long, conflicts_with = "origin")]
    translate: bool,
    /// Indices are offsets from a single frame at Y,X (X alone for 2-D data).
    #[arg(long, value_name = "Y,X", allow_hyphen_values = true)]
    origin: Option<String>,
    /// The frame moves VY,VX cells per step (VX alone for 2-D data).
    #[arg(long, value_name = "VY,VX", allow_hyphen_values = true)]
    velocity: Option<String>,
    #[command(flatten)]
    read: ReadArgs,
    /// Surrogate tests with this many permutations.
    #[arg(long, value_name = "N")]
    surrogates: Option<usize>,
    /// Seed of the surrogate permutations.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// A core error as one line, without the "invalid argument: " prefix.
fn core(e: CmechError) -> anyhow::Error {
    match e {
        CmechError::InvalidArgument(m) => anyhow!(m),
        e => anyhow!(e),
    }
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

fn check_new(path: &Option<PathBuf>, flag: &str, force: bool) -> Result<()> {
    if let Some(p) = path {
        if p.exists() && !force {
            bail!(
                "{flag}: {} exists; use --force to overwrite it",
                p.display()
            );
        }
    }
    Ok(())
}

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

fn print_tests(
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
    check_new(&local.local, "--local", local.force)?;
    let eval = infoflow::evaluate(measure, series, test.bias.into(), local.local.is_some())
        .map_err(core)?;
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

fn trials_text(s: &Series) -> String {
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

pub fn te(args: TeArgs, out: &mut impl Write) -> Result<()> {
    let source = read_series(&args.source, &args.read)?;
    let target = read_series(&args.target, &args.read)?;
    let conds = args
        .cond
        .iter()
        .map(|p| read_series(p, &args.read))
        .collect::<Result<Vec<_>>>()?;
    // Checks parameters with the flags' names before any counting.
    for (name, v) in [("-k", args.k), ("-l", args.l), ("--delay", args.delay)] {
        if v == 0 {
            bail!("{name} must be at least 1");
        }
    }
    let mut files = vec![(&args.source, &source), (&args.target, &target)];
    files.extend(args.cond.iter().zip(conds.iter()));
    same_shape(&files)?;
    let mut all = vec![&source, &target];
    all.extend(conds.iter());
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
            trials_text(&target)
        )?;
        e.print_rest(out, "TE", &args.local)?;
    }
    Ok(())
}

pub fn ais(args: AisArgs, out: &mut impl Write) -> Result<()> {
    let series = read_series(&args.series_file, &args.read)?;
    if args.k == 0 {
        bail!("-k must be at least 1");
    }
    let measure = Measure::ActiveInformation { k: args.k };
    let e = estimate(&measure, &[&series], &args.test, &args.local)?;
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
            trials_text(&series)
        )?;
        e.print_rest(out, "AIS", &args.local)?;
    }
    Ok(())
}

pub fn mi(args: MiArgs, out: &mut impl Write) -> Result<()> {
    let x = read_series(&args.x, &args.read)?;
    let y = read_series(&args.y, &args.read)?;
    let conds = args
        .cond
        .iter()
        .map(|p| read_series(p, &args.read))
        .collect::<Result<Vec<_>>>()?;
    let mut files = vec![(&args.x, &x), (&args.y, &y)];
    files.extend(args.cond.iter().zip(conds.iter()));
    same_shape(&files)?;
    let mut all = vec![&x, &y];
    all.extend(conds.iter());
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
            trials_text(&x)
        )?;
        e.print_rest(out, "MI", &args.local)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// ca.

fn parse_range(text: &str, what: &str, len: usize) -> Result<(usize, usize)> {
    let bad = || anyhow!("{what} '{text}' is not of the form A..B (0 <= A < B <= {len})");
    let (a, b) = text.split_once("..").ok_or_else(bad)?;
    let a = if a.trim().is_empty() {
        0
    } else {
        a.trim().parse().map_err(|_| bad())?
    };
    let b = if b.trim().is_empty() {
        len
    } else {
        b.trim().parse().map_err(|_| bad())?
    };
    if a >= b || b > len {
        return Err(bad());
    }
    Ok((a, b))
}

fn parse_pair(text: &str, what: &str) -> Result<(isize, isize)> {
    let bad = || anyhow!("{what} '{text}' is not of the form DY,DX (two integers)");
    let (a, b) = text.split_once(',').ok_or_else(bad)?;
    Ok((
        a.trim().parse().map_err(|_| bad())?,
        b.trim().parse().map_err(|_| bad())?,
    ))
}

fn skipped(n: usize) -> String {
    if n > 0 {
        format!(", first {n} steps dropped")
    } else {
        String::new()
    }
}

fn make_field(args: &CaArgs) -> Result<(Field, String)> {
    if args.steps == 0 {
        bail!("--steps must be at least 1");
    }
    if args.rule.eq_ignore_ascii_case("life") {
        let (grid, h, w, what) = if let Some(path) = &args.init {
            let c = read_cells(&Source::Path(path.clone())).map_err(io_error)?;
            (
                c.cells,
                c.height,
                c.width,
                format!("from {}", path.display()),
            )
        } else {
            let w = args.width.context("--width is required (or --init FILE)")?;
            let h = args.height.unwrap_or(w);
            if let Some(p) = &args.pattern {
                let g = ca::pattern_grid(p, h, w, (1, 1)).map_err(core)?;
                (g, h, w, format!("pattern {p}"))
            } else {
                let g = ca::random_cells(h * w, args.density, args.seed).map_err(core)?;
                (
                    g,
                    h,
                    w,
                    format!("random, density {}, seed {}", args.density, args.seed),
                )
            }
        };
        let grid = if args.skip > 0 {
            let t = ca::life(&grid, h, w, args.skip + 1).map_err(core)?;
            t.step(args.skip).to_vec()
        } else {
            grid
        };
        let f = ca::life(&grid, h, w, args.steps).map_err(core)?;
        return Ok((
            f,
            format!("Life on a {h} x {w} torus, {what}{}", skipped(args.skip)),
        ));
    }
    let rule: u32 = args.rule.parse().map_err(|_| {
        anyhow!(
            "unknown CA rule '{}' (an elementary rule 0 to 255, or life)",
            args.rule
        )
    })?;
    if args.pattern.is_some() || args.height.is_some() {
        bail!("--pattern and --height apply to life, not to elementary CAs");
    }
    let (row, what) = if let Some(path) = &args.init {
        let c = read_cells(&Source::Path(path.clone())).map_err(io_error)?;
        if c.height != 1 {
            bail!(
                "{}: an elementary CA starts from one row, the file has {}",
                path.display(),
                c.height
            );
        }
        (c.cells, format!("from {}", path.display()))
    } else {
        let w = args.width.context("--width is required (or --init FILE)")?;
        if args.single {
            let mut r = vec![0u8; w];
            r[w / 2] = 1;
            (r, "a single live cell".to_string())
        } else {
            (
                ca::random_cells(w, args.density, args.seed).map_err(core)?,
                format!("random, density {}, seed {}", args.density, args.seed),
            )
        }
    };
    let w = row.len();
    let row = if args.skip > 0 {
        let t = ca::elementary(rule, &row, args.skip + 1).map_err(core)?;
        t.step(args.skip).to_vec()
    } else {
        row
    };
    let f = ca::elementary(rule, &row, args.steps).map_err(core)?;
    Ok((
        f,
        format!("rule {rule}, {w} cells, {what}{}", skipped(args.skip)),
    ))
}

pub fn ca_cmd(args: CaArgs, out: &mut impl Write) -> Result<()> {
    for (flag, p) in [
        ("--npy", &args.npy),
        ("--png", &args.png),
        ("--local-te", &args.local_te),
        ("--local-ais", &args.local_ais),
        ("--te-npy", &args.te_npy),
        ("--ais-npy", &args.ais_npy),
    ] {
        check_new(p, flag, args.force)?;
    }
    let life = args.rule.eq_ignore_ascii_case("life");
    let channel = if life {
        parse_pair(&args.channel, "--channel")?
    } else {
        (0, args.j)
    };
    let (field, what) = make_field(&args)?;
    if let Some(p) = &args.npy {
        let shape = if life {
            vec![field.steps(), field.height(), field.width()]
        } else {
            vec![field.steps(), field.width()]
        };
        cmech_io::npy_write::write_u8(p, &shape, field.cells(), args.force)?;
    }
    let wants_local = args.local_te.is_some()
        || args.local_ais.is_some()
        || args.te_npy.is_some()
        || args.ais_npy.is_some();
    let k = args.k.unwrap_or(16);
    if k == 0 {
        bail!("-k must be at least 1");
    }
    if args.block_rows == Some(0) {
        bail!("--block-rows must be at least 1");
    }
    if k >= field.steps() && (args.k.is_some() || wants_local) {
        bail!(
            "history k = {k} leaves no complete window in a field of {} steps",
            field.steps()
        );
    }
    let view = View::new(&args, &field, life)?;
    if let Some(p) = &args.png {
        draw_field(&field, &view, &what, p)?;
    }
    let mut doc = json!({
        "field": what,
        "steps": field.steps(),
        "height": field.height(),
        "width": field.width(),
    });
    let mut lines = vec![format!(
        "{what}: {} steps{}",
        field.steps(),
        if let Some(p) = &args.npy {
            format!(" (field in {})", p.display())
        } else {
            String::new()
        }
    )];
    if k < field.steps() {
        let ais = if args.local_ais.is_some() || args.ais_npy.is_some() {
            let local = LocalField::active_information(&field, k).map_err(core)?;
            let shown = stream_local(&local, &view, life, args.ais_npy.as_deref(), &args)?;
            if let Some(p) = &args.local_ais {
                draw_local(
                    &shown,
                    &view,
                    field.height(),
                    &format!("local AIS, k = {k}\n{what}"),
                    p,
                )?;
            }
            local.average()
        } else {
            ca::active_information(&field, k).map_err(core)?
        };
        lines.push(format!("  k = {k}: AIS {ais:.6} bits"));
        doc["k"] = json!(k);
        doc["ais"] = json!(ais);
        let channels: Vec<(isize, isize)> = if life {
            vec![channel]
        } else if args.j == 1 || args.j == -1 {
            vec![(0, 1), (0, -1)]
        } else {
            vec![(0, 1), (0, -1), channel]
        };
        let mut te = serde_json::Map::new();
        for ch in channels {
            let wanted = ch == channel && (args.local_te.is_some() || args.te_npy.is_some());
            let average = if wanted {
                let local = LocalField::transfer_entropy(&field, k, ch).map_err(core)?;
                let label = if life {
                    format!("local TE from (y-{}, x-{})", ch.0, ch.1)
                } else {
                    format!("local TE, j = {}", ch.1)
                };
                let shown = stream_local(&local, &view, life, args.te_npy.as_deref(), &args)?;
                if let Some(p) = &args.local_te {
                    draw_local(
                        &shown,
                        &view,
                        field.height(),
                        &format!("{label}, k = {k}\n{what}"),
                        p,
                    )?;
                }
                local.average()
            } else {
                ca::transfer_entropy_2d(&field, k, ch).map_err(core)?
            };
            let name = if life {
                format!("{},{}", ch.0, ch.1)
            } else {
                ch.1.to_string()
            };
            lines.push(format!(
                "  k = {k}: TE channel {} {average:.6} bits",
                if life {
                    format!("(dy, dx) = ({}, {})", ch.0, ch.1)
                } else {
                    format!("j = {}", ch.1)
                },
            ));
            te.insert(name, json!(average));
        }
        doc["te"] = Value::Object(te);
    }
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        for l in lines {
            writeln!(out, "{l}")?;
        }
    }
    Ok(())
}

/// Local values are computed, written and drawn this many at a time (16 MiB of float64).
const LOCAL_BLOCK: usize = 1 << 21;

/// The local values a picture shows: `missing` leading rows without values (steps before k),
/// then rows of `cols` values.
struct Shown {
    missing: usize,
    cols: usize,
    values: Vec<f64>,
}

impl Shown {
    fn at(&self, r: usize, c: usize) -> Option<f64> {
        (r >= self.missing).then(|| self.values[(r - self.missing) * self.cols + c])
    }
}

/// Computes the local values of `l` a block of rows at a time, writing them to `npy` (float64,
/// (steps - k) x cells) if asked and keeping only the cells `view` shows, so that the whole
/// float64 field (8 bytes a cell) is never held: memory stays near the field's own plus a
/// block. Rows that neither the file nor the picture needs are not computed.
fn stream_local(
    l: &LocalField,
    view: &View,
    life: bool,
    npy: Option<&Path>,
    args: &CaArgs,
) -> Result<Shown> {
    let (k, rows, cells) = (l.offset(), l.rows(), l.cells_per_row());
    // The picture's rows of local values v0..v1, columns c0..c1 of each.
    let (c0, c1) = if life { (0, cells) } else { (view.c0, view.c1) };
    let missing = k.saturating_sub(view.t0).min(view.t1 - view.t0);
    let (v0, v1) = (view.t0.max(k) - k, view.t1.max(k) - k);
    let mut shown = Shown {
        missing,
        cols: c1 - c0,
        values: Vec::with_capacity((v1 - v0) * (c1 - c0)),
    };
    let mut writer = match npy {
        Some(p) => {
            let row = if life {
                vec![l.height(), l.width()]
            } else {
                vec![cells]
            };
            Some(cmech_io::NpyWriter::create(
                p,
                cmech_io::NpyType::F64,
                &row,
                args.force,
            )?)
        }
        None => None,
    };
    let block = args.block_rows.unwrap_or(LOCAL_BLOCK / cells.max(1)).max(1);
    let mut buf = vec![0.0f64; block.min(rows) * cells];
    for r0 in (0..rows).step_by(block) {
        let r1 = (r0 + block).min(rows);
        if writer.is_none() && (r1 <= v0 || r0 >= v1) {
            continue;
        }
        let out = &mut buf[..(r1 - r0) * cells];
        l.values_into(r0..r1, out).map_err(core)?;
        if let Some(w) = &mut writer {
            w.write_f64(out)?;
        }
        for r in r0.max(v0)..r1.min(v1) {
            let row = &out[(r - r0) * cells..][..cells];
            shown.values.extend_from_slice(&row[c0..c1]);
        }
    }
    if let Some(w) = writer {
        w.finish()?;
    }
    Ok(shown)
}

// ---------------------------------------------------------------------------------------------
// Pictures.

/// What part of a field is drawn, and how large.
struct View {
    life: bool,
    /// Elementary: cells c0..c1 and steps t0..t1. Life: the frame t0.
    c0: usize,
    c1: usize,
    t0: usize,
    t1: usize,
    scale: u32,
}

impl View {
    fn new(args: &CaArgs, f: &Field, life: bool) -> Result<View> {
        if life {
            if args.view_cells.is_some() || args.view_steps.is_some() {
                bail!(
                    "--view-cells and --view-steps apply to elementary CAs; use --frame for life"
                );
            }
            let t = args.frame.unwrap_or(f.steps() - 1);
            if t >= f.steps() {
                bail!("--frame {t} is beyond the {} steps of the field", f.steps());
            }
            let big = f.width().max(f.height()) as u32;
            let scale = args.scale.unwrap_or((1000 / big).clamp(1, 16));
            return Ok(View {
                life,
                c0: 0,
                c1: f.width(),
                t0: t,
                t1: t + 1,
                scale,
            });
        }
        if args.frame.is_some() {
            bail!("--frame applies to life; use --view-steps for elementary CAs");
        }
        let (c0, c1) = match &args.view_cells {
            Some(t) => parse_range(t, "--view-cells", f.width())?,
            None => (0, f.width().min(600)),
        };
        let (t0, t1) = match &args.view_steps {
            Some(t) => parse_range(t, "--view-steps", f.steps())?,
            None => (f.steps().saturating_sub(400), f.steps()),
        };
        let scale = args.scale.unwrap_or((1200 / (c1 - c0) as u32).clamp(1, 16));
        let (w, h) = (
            (c1 - c0) as u64 * scale as u64,
            (t1 - t0) as u64 * scale as u64,
        );
        if w > 16_000 || h > 16_000 {
            bail!(
                "a picture of {w} x {h} pixels is too large; choose --view-cells, --view-steps or --scale"
            );
        }
        Ok(View {
            life,
            c0,
            c1,
            t0,
            t1,
            scale,
        })
    }

    /// (columns, rows) of cells drawn.
    fn dims(&self, f_height: usize) -> (usize, usize) {
        if self.life {
            (self.c1 - self.c0, f_height)
        } else {
            (self.c1 - self.c0, self.t1 - self.t0)
        }
    }
}

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bundled font is valid TrueType; a failure would only lose the text.
        let _ = plotters::style::register_font(
            "sans-serif",
            FontStyle::Normal,
            dejavu::sans::regular(),
        );
    });
}

/// Red for positive, blue for negative, white at 0; `v` in [-1, 1].
fn diverging(v: f64) -> RGBColor {
    let v = v.clamp(-1.0, 1.0);
    let mix = |a: u8, t: f64| (255.0 + (a as f64 - 255.0) * t).round() as u8;
    if v >= 0.0 {
        RGBColor(mix(178, v), mix(24, v), mix(43, v))
    } else {
        RGBColor(mix(33, -v), mix(102, -v), mix(172, -v))
    }
}

fn draw_error<E: std::error::Error + Send + Sync>(
    path: &Path,
    e: DrawingAreaErrorKind<E>,
) -> anyhow::Error {
    anyhow!("cannot draw {}: {e}", path.display())
}

/// Draws a grid of cells with a title and an optional colour bar from -max to max.
fn draw_cells(
    path: &Path,
    cols: usize,
    rows: usize,
    scale: u32,
    title: &str,
    bar: Option<f64>,
    color: impl Fn(usize, usize) -> RGBColor,
) -> Result<()> {
    register_font();
    let (w, h) = (cols as u32 * scale, rows as u32 * scale);
    let lines: Vec<&str> = title.split('\n').collect();
    let top = 10 + 18 * lines.len() as u32;
    let bottom = if bar.is_some() { 44 } else { 8 };
    let width = w.max(360) + 16;
    let root = BitMapBackend::new(path, (width, h + top + bottom)).into_drawing_area();
    let err = |e| draw_error(path, e);
    root.fill(&WHITE).map_err(err)?;
    let font = ("sans-serif", 14).into_font().color(&BLACK);
    for (i, line) in lines.iter().enumerate() {
        root.draw(&Text::new(
            line.to_string(),
            (8, 6 + 18 * i as i32),
            font.clone(),
        ))
        .map_err(err)?;
    }
    let x0 = 8 + (width - 16 - w) / 2;
    for r in 0..rows {
        for c in 0..cols {
            let col = color(r, c);
            let (px, py) = (x0 + c as u32 * scale, top + r as u32 * scale);
            if scale == 1 {
                root.draw_pixel((px as i32, py as i32), &col).map_err(err)?;
            } else {
                root.draw(&Rectangle::new(
                    [
                        (px as i32, py as i32),
                        ((px + scale) as i32, (py + scale) as i32),
                    ],
                    col.filled(),
                ))
                .map_err(err)?;
            }
        }
    }
    if let Some(max) = bar {
        let y = (top + h + 8) as i32;
        let bw = 240i32;
        let bx = 8i32;
        for i in 0..bw {
            let v = 2.0 * i as f64 / (bw - 1) as f64 - 1.0;
            root.draw(&Rectangle::new(
                [(bx + i, y), (bx + i + 1, y + 12)],
                diverging(v).filled(),
            ))
            .map_err(err)?;
        }
        let small = ("sans-serif", 12).into_font().color(&BLACK);
        for (text, x) in [
            (format!("≤ {:.2}", -max), bx),
            ("0".to_string(), bx + bw / 2 - 3),
            (format!("≥ {max:.2} bits"), bx + bw - 30),
        ] {
            root.draw(&Text::new(text, (x, y + 16), small.clone()))
                .map_err(err)?;
        }
    }
    root.present()
        .map_err(|e| anyhow!("cannot write {}: {e}", path.display()))?;
    Ok(())
}

fn draw_field(f: &Field, view: &View, what: &str, path: &Path) -> Result<()> {
    let (cols, rows) = view.dims(f.height());
    let w = f.width();
    let title = if view.life {
        format!("{what}, step {}", view.t0)
    } else {
        format!(
            "{what}\ncells {}..{}, steps {}..{}",
            view.c0, view.c1, view.t0, view.t1
        )
    };
    draw_cells(path, cols, rows, view.scale, &title, None, |r, c| {
        let v = if view.life {
            f.step(view.t0)[r * w + c]
        } else {
            f.step(view.t0 + r)[view.c0 + c]
        };
        if v > 0 {
            BLACK
        } else {
            WHITE
        }
    })
}

fn draw_local(l: &Shown, view: &View, height: usize, title: &str, path: &Path) -> Result<()> {
    // Steps before k have no values (drawn grey).
    let (cols, rows) = view.dims(height);
    let at = |r: usize, c: usize| -> Option<f64> {
        if view.life {
            l.at(0, r * cols + c)
        } else {
            l.at(r, c)
        }
    };
    // Colours saturate at the 99.5th percentile of |value| among the cells that are not ~0, so
    // that a few extreme cells do not wash out the gliders.
    let mut mags: Vec<f64> = (0..rows)
        .flat_map(|r| (0..cols).filter_map(move |c| at(r, c)))
        .map(f64::abs)
        .filter(|v| *v > 1e-9)
        .collect();
    let max = if mags.is_empty() {
        1.0
    } else {
        let i = ((mags.len() - 1) as f64 * 0.995) as usize;
        *mags.select_nth_unstable_by(i, |a, b| a.total_cmp(b)).1
    };
    let title = if view.life {
        format!("{title}, step {}", view.t0)
    } else {
        format!(
            "{title}\ncells {}..{}, steps {}..{}",
            view.c0, view.c1, view.t0, view.t1
        )
    };
    draw_cells(
        path,
        cols,
        rows,
        view.scale,
        &title,
        Some(max),
        |r, c| match at(r, c) {
            Some(v) => diverging(v / max),
            None => RGBColor(200, 200, 200),
        },
    )
}

// ---------------------------------------------------------------------------------------------
// boundary.

/// The variables of a group: indices, ranges a..b (both ends), Y:X cells, and box:R / ring:R
/// (the cells within, or exactly at, distance R of 0 in the max norm).
fn parse_group(text: &str, what: &str, two_d: bool) -> Result<Vec<(isize, isize)>> {
    let mut out = Vec::new();
    for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let bad = || {
            anyhow!(
                "{what}: '{item}' is not {}, box:R or ring:R",
                if two_d {
                    "a cell Y:X"
                } else {
                    "an index, a range a..b"
                }
            )
        };
        let shape = item
            .strip_prefix("box:")
            .map(|r| (r, false))
            .or_else(|| item.strip_prefix("ring:").map(|r| (r, true)));
        if let Some((r, ring)) = shape {
            let r: isize = r.trim().parse().map_err(|_| bad())?;
            if r < 0 {
                return Err(bad());
            }
            let ys = if two_d { -r..=r } else { 0..=0 };
            for y in ys {
                for x in -r..=r {
                    if !ring || y.abs().max(x.abs()) == r {
                        out.push((y, x));
                    }
                }
            }
        } else if two_d {
            let (y, x) = item.split_once(':').ok_or_else(bad)?;
            out.push((
                y.trim().parse().map_err(|_| bad())?,
                x.trim().parse().map_err(|_| bad())?,
            ));
        } else if let Some((a, b)) = item.split_once("..") {
            let a: isize = a.trim().parse().map_err(|_| bad())?;
            let b: isize = b.trim().parse().map_err(|_| bad())?;
            if a > b {
                return Err(bad());
            }
            out.extend((a..=b).map(|i| (0, i)));
        } else {
            out.push((0, item.parse().map_err(|_| bad())?));
        }
    }
    Ok(out)
}

fn parse_floats(text: &str, what: &str, n: usize) -> Result<Vec<f64>> {
    let v: Vec<f64> = text
        .split(',')
        .map(|s| s.trim().parse::<f64>())
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| anyhow!("{what} '{text}' is not {n} comma-separated numbers"))?;
    if v.len() != n || v.iter().any(|x| !x.is_finite()) {
        bail!("{what} '{text}' is not {n} comma-separated numbers");
    }
    Ok(v)
}

pub fn boundary(args: BoundaryArgs, out: &mut impl Write) -> Result<()> {
    let sources: Vec<Source> = args.data.iter().cloned().map(Source::Path).collect();
    let grids = read_grids(&sources, &args.read.options(None)).map_err(io_error)?;
    let letters = grids[0].alphabet.len();
    let (h, w) = (grids[0].height, grids[0].width);
    for (g, p) in grids.iter().zip(&args.data).skip(1) {
        if (g.height, g.width) != (h, w) {
            bail!(
                "{} has {} x {} variables per step, {} has {h} x {w}",
                p.display(),
                g.height,
                g.width,
                args.data[0].display()
            );
        }
    }
    let two_d = h > 1;
    let framed = args.translate || args.origin.is_some();
    if args.velocity.is_some() && !framed {
        bail!("--velocity moves a frame: give --translate or --origin too");
    }
    let groups = [
        ("--inside", Some(&args.inside)),
        ("--active", Some(&args.active)),
        ("--passive", Some(&args.passive)),
        ("--environment", args.environment.as_ref()),
    ];
    let mut items: Vec<Vec<(isize, isize)>> = Vec::new();
    for (flag, text) in groups {
        items.push(match text {
            Some(t) => parse_group(t, flag, two_d)?,
            None => vec![],
        });
    }
    if framed && args.environment.is_none() {
        bail!("--environment is required with --translate or --origin");
    }
    let velocity = match &args.velocity {
        None => (0.0, 0.0),
        Some(v) if two_d => {
            let v = parse_floats(v, "--velocity", 2)?;
            (v[0], v[1])
        }
        Some(v) => (0.0, parse_floats(v, "--velocity", 1)?[0]),
    };
    let origin = match &args.origin {
        None => None,
        Some(o) if two_d => {
            let v = parse_floats(o, "--origin", 2)?;
            Some((v[0] as isize, v[1] as isize))
        }
        Some(o) => Some((0, parse_floats(o, "--origin", 1)?[0] as isize)),
    };
    // The distinct variables (cells or offsets) in the order they are named.
    let mut vars: Vec<(isize, isize)> = Vec::new();
    let mut split = [vec![], vec![], vec![], vec![]];
    for (g, list) in items.iter().enumerate() {
        for &v in list {
            let i = match vars.iter().position(|&u| u == v) {
                Some(i) => i,
                None => {
                    vars.push(v);
                    vars.len() - 1
                }
            };
            split[g].push(i);
        }
    }
    if !framed {
        for &(y, x) in &vars {
            if y < 0 || x < 0 || y as usize >= h || x as usize >= w {
                bail!(
                    "variable {} is beyond the {} variables of the data",
                    if two_d {
                        format!("{y}:{x}")
                    } else {
                        x.to_string()
                    },
                    if two_d {
                        format!("{h} x {w}")
                    } else {
                        w.to_string()
                    }
                );
            }
        }
        if args.environment.is_none() {
            for y in 0..h as isize {
                for x in 0..w as isize {
                    if !vars.contains(&(y, x)) {
                        vars.push((y, x));
                        split[3].push(vars.len() - 1);
                    }
                }
            }
        }
    }
    // Series: one per variable; trials: files (x positions with --translate).
    let positions: Vec<(isize, isize)> = if args.translate {
        (0..h as isize)
            .flat_map(|y| (0..w as isize).map(move |x| (y, x)))
            .collect()
    } else {
        vec![origin.unwrap_or((0, 0))]
    };
    // Per file, one series per variable with a trial per position; then the files' trials pooled.
    let frames = grids
        .into_iter()
        .map(|g| {
            let field = Field::new(g.cells, g.steps, g.height, g.width, letters).map_err(core)?;
            field
                .frame_series(
                    &vars,
                    &positions,
                    if framed { velocity } else { (0.0, 0.0) },
                )
                .map_err(core)
        })
        .collect::<Result<Vec<Vec<Series>>>>()?;
    let series = (0..vars.len())
        .map(|j| {
            let parts: Vec<Series> = frames.iter().map(|f| f[j].clone()).collect();
            Series::join(&parts).map_err(core)
        })
        .collect::<Result<Vec<Series>>>()?;
    let refs: Vec<&Series> = series.iter().collect();
    let [inside, active, passive, environment] = split;
    let split = Split {
        inside,
        active,
        passive,
        environment,
    };
    let scores =
        boundary_scores(&refs, &split, args.surrogates.unwrap_or(0), args.seed).map_err(core)?;
    if args.json {
        let mut doc = serde_json::to_value(&scores)?;
        doc["units"] = json!("bits");
        doc["variables"] = json!(vars.len());
        doc["trials"] = json!(refs[0].num_trials());
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        writeln!(
            out,
            "infiltration I((V,A)_t+1 ; E_t | (V,A,P)_t) = {:.6} bits",
            scores.infiltration
        )?;
        if let Some(t) = &scores.infiltration_test {
            print_tests(out, "infiltration", Some(t), None)?;
        }
        writeln!(
            out,
            "exfiltration I((E,P)_t+1 ; V_t | (A,P,E)_t) = {:.6} bits",
            scores.exfiltration
        )?;
        if let Some(t) = &scores.exfiltration_test {
            print_tests(out, "exfiltration", Some(t), None)?;
        }
        writeln!(
            out,
            "  |V| = {}, |A| = {}, |P| = {}, |E| = {}; {} observations in {}",
            split.inside.len(),
            split.active.len(),
            split.passive.len(),
            split.environment.len(),
            scores.observations,
            trials_text(refs[0])
        )?;
    }
    Ok(())
}
