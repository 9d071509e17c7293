//! `cmech count` (data to a count shard) and `cmech merge` (shards to one).

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;
use cmech_core::reconstruct::CountWindow;
use cmech_io::shard::{check_free, sidecar_path};
use cmech_io::{count_sources, load_shards, write_shard, ReadOptions, Shard, Source};

use crate::args::{method_parser, set_threads, ReadArgs};
use crate::files::refuse_to_clobber;
use crate::reconstruct::request;
use crate::report::{io_error, plural, warn_io, Bar};

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
    /// Count words of up to M symbols (instead of --max-history): 2 to 64, with k^M at most
    /// 2^63 for an alphabet of k symbols (63 for two).
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

/// Opens and counts data inputs into a shard, with the progress bar and warnings.
pub(crate) fn count_inputs(
    inputs: &[Source],
    read: ReadOptions,
    window: &CountWindow,
) -> Result<Shard> {
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
    // The output may never be an input, --force or not.
    let inputs: Vec<&Path> = args
        .inputs
        .iter()
        .filter(|s| *s != "-")
        .map(Path::new)
        .collect();
    refuse_to_clobber_shard(&args.output, &inputs)?;
    check_free(&args.output, args.force).map_err(io_error)?;
    let sources: Vec<Source> = args.inputs.iter().map(|s| Source::from_arg(s)).collect();
    let shard = count_inputs(&sources, args.read.options(range), &window)?;
    write_shard(&args.output, &shard, args.force).map_err(io_error)?;
    // A range holds the end of none, one or several sequences: "in 0 sequences" read as if its
    // symbols belonged to none.
    let sequences = match range {
        Some((a, b)) => format!(
            "of bytes {a}..{b}, where {} end (each is counted in the range holding its end, so \
             merged ranges add up)",
            plural(shard.info.sequences, "sequence")
        ),
        None => format!("in {}", plural(shard.info.sequences, "sequence")),
    };
    crate::report::say(format_args!(
        "counted {} {sequences} (alphabet {{{}}}, window {}) into {}",
        plural(shard.info.symbols, "symbol"),
        shard.info.alphabet.join(", "),
        shard.info.window,
        args.output.display()
    ));
    Ok(())
}

/// Reads shards and adds them up, saying which bytes of a file their ranges leave out.
pub(crate) fn read_shards(paths: &[PathBuf]) -> Result<Shard> {
    let shard = load_shards(paths).map_err(io_error)?;
    shard.info.gaps().iter().for_each(warn_io);
    Ok(shard)
}

/// Refuses a shard output at `path` whose file or sidecar is one of the `inputs` (whether they
/// exist is `check_free`'s, as the sidecar is written too).
fn refuse_to_clobber_shard(path: &Path, inputs: &[&Path]) -> Result<()> {
    refuse_to_clobber(
        &[
            ("-o", &Some(path.to_path_buf())),
            ("-o (its sidecar)", &Some(sidecar_path(path))),
        ],
        inputs,
        true,
    )
}

pub fn merge(args: MergeArgs) -> Result<()> {
    let inputs: Vec<&Path> = args.shards.iter().map(PathBuf::as_path).collect();
    refuse_to_clobber_shard(&args.output, &inputs)?;
    check_free(&args.output, args.force).map_err(io_error)?;
    let merged = read_shards(&args.shards)?;
    write_shard(&args.output, &merged, args.force).map_err(io_error)?;
    crate::report::say(format_args!(
        "merged {} shards: {} in {} (window {}) into {}",
        args.shards.len(),
        plural(merged.info.symbols, "symbol"),
        plural(merged.info.sequences, "sequence"),
        merged.info.window,
        args.output.display()
    ));
    Ok(())
}
