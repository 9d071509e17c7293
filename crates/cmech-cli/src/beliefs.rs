//! `cmech beliefs`: the mixed-state presentation, belief trajectories along data, belief tables,
//! their arrays and their pictures.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Args;
use cmech_core::belief::{belief_table, project, BeliefTracker, Projection};
use cmech_core::mixed_state::{ExploreLimits, Identify, MixedStatePresentation, Stop, NO_SYMBOL};
use cmech_core::Hmm;
use cmech_io::npy_write::{self, NpyType, NpyWriter};
use cmech_io::{Format, Input, NoProgress, ReadOptions};
use serde_json::json;

use crate::files::refuse_to_clobber;
use crate::picture::beliefs::{class_color, render, scale_color, Coloring, Figure};
use crate::picture::is_svg;
use crate::report::{io_error, Bar};
use crate::Source;

pub const HELP: &str = "Examples:\n  \
    cmech beliefs mess3 --depth 10 --png mess3.png          # the Mess3 fractal\n  \
    cmech beliefs even --tol 1e-6                            # explore until new mass < 1e-6\n  \
    cmech beliefs mess3 --depth 8 --npy b.npy --probs p.npy  # beliefs (N x states), probabilities\n  \
    cmech beliefs rrxor --json                               # the whole MSP: nodes and edges\n  \
    cmech beliefs mess3 --sequence data.txt --npy traj.npy   # the belief after every symbol\n  \
    cmech beliefs mess3 --table 10 --npy t.npy --words w.npy --probs p.npy\n\n\
    Three modes. By default the mixed-state presentation (MSP): beliefs reached from the stationary\n\
    distribution by every word, breadth-first, until --depth, until the probability newly reached\n\
    at a depth is below --tol, until it closes, or until --max-nodes. Beliefs that round to the same\n\
    multiple of --resolution are one node. With --sequence FILE, the belief after every symbol of the\n\
    file, read as every command reads data: one character per symbol (line endings are not symbols,\n\
    spaces are), or whitespace-separated tokens with --tokens or when a symbol's name is longer\n\
    than one character. With --table L, every word of length L that the process\n\
    can produce, in lexicographic order, with the belief after each of its prefixes\n\
    (words x L x states), as used to regress network activations on belief states.\n\n\
    Pictures: --png (any size) or --svg (small sets), in the 2-simplex for three states,\n\
    the first two principal components for more (or --projection A,B,C: three named states),\n\
    the segment for two; the projection is written on the figure.";

const DEFAULT_DEPTH: usize = 10;

#[derive(Args)]
pub struct BeliefsArgs {
    #[command(flatten)]
    source: Source,
    /// MSP: deepest word length explored (default 10 unless --tol is given).
    #[arg(long, conflicts_with_all = ["sequence", "table"])]
    depth: Option<usize>,
    /// MSP: stop once the probability newly reached at a depth falls below this.
    #[arg(long, value_name = "T", conflicts_with_all = ["sequence", "table"])]
    tol: Option<f64>,
    /// MSP: most nodes held.
    #[arg(long, default_value_t = ExploreLimits::default().max_nodes)]
    max_nodes: usize,
    /// MSP: beliefs whose components round to the same multiple of this are one node.
    #[arg(long, default_value_t = ExploreLimits::default().resolution)]
    resolution: f64,
    /// The belief after every symbol of this file.
    #[arg(long, value_name = "FILE", conflicts_with = "table")]
    sequence: Option<PathBuf>,
    /// With --sequence: the file holds whitespace-separated tokens, each a symbol (default: one
    /// character per symbol when every symbol's name is one character, or an integer .npy array
    /// of the symbols' names, detected by its magic or extension).
    #[arg(long, requires = "sequence")]
    tokens: bool,
    /// Every word of this length with the belief after each prefix.
    #[arg(long, value_name = "L")]
    table: Option<usize>,
    /// Write the beliefs as .npy (float64): nodes x states, symbols x states, or words x L x states.
    #[arg(long, value_name = "FILE")]
    npy: Option<PathBuf>,
    /// Write the probabilities as .npy: of each MSP node at its depth, or of each table word.
    #[arg(long, value_name = "FILE", conflicts_with = "sequence")]
    probs: Option<PathBuf>,
    /// Table: write the words as .npy (int64 symbol indices, words x L).
    #[arg(long, value_name = "FILE", requires = "table")]
    words: Option<PathBuf>,
    /// Draw the beliefs as PNG.
    #[arg(long, value_name = "FILE")]
    png: Option<PathBuf>,
    /// Draw the beliefs as SVG (at most 20,000 points).
    #[arg(long, value_name = "FILE")]
    svg: Option<PathBuf>,
    /// How points are coloured.
    #[arg(long, value_enum, default_value = "last-symbol")]
    color: Coloring,
    /// simplex, pca, or three state names A,B,C (default: simplex for 3 states, pca above).
    #[arg(long, value_name = "P")]
    projection: Option<String>,
    /// Width of the picture in pixels.
    #[arg(long, default_value_t = 900)]
    size: u32,
    /// Print JSON: the MSP's nodes and edges, or a summary of a trajectory or table.
    #[arg(long)]
    json: bool,
    /// Overwrite output files that exist.
    #[arg(long)]
    force: bool,
}

/// Beliefs to draw, with what colours them.
struct Cloud {
    beliefs: Vec<f64>,
    last_symbols: Vec<u32>,
    probabilities: Option<Vec<f64>>,
    depths: Vec<u32>,
    what: String,
}

pub fn run(args: BeliefsArgs, out: &mut impl Write) -> Result<()> {
    let hmm = crate::load(&args.source)?;
    refuse_to_clobber(
        &[
            ("--npy", &args.npy),
            ("--probs", &args.probs),
            ("--words", &args.words),
            ("--png", &args.png),
            ("--svg", &args.svg),
        ],
        &[Path::new(&args.source.process)]
            .into_iter()
            .chain(args.sequence.as_deref())
            .collect::<Vec<_>>(),
        args.force,
    )?;
    if args.size < 200 || args.size > 10_000 {
        bail!("--size {} is out of range (200 to 10000 pixels)", args.size);
    }
    // A name that says no picture format is refused before the beliefs are computed, not after.
    for path in [&args.png, &args.svg].into_iter().flatten() {
        is_svg(path)?;
    }
    let projection = parse_projection(args.projection.as_deref(), &hmm)?;
    let cloud = if let Some(path) = &args.sequence {
        trajectory(&args, &hmm, path, out)?
    } else if let Some(l) = args.table {
        table(&args, &hmm, l, out)?
    } else {
        msp(&args, &hmm, out)?
    };
    if let Some(cloud) = cloud {
        for path in [&args.png, &args.svg].into_iter().flatten() {
            draw(
                &hmm,
                &cloud,
                &projection,
                args.color,
                path,
                args.size,
                args.force,
            )?;
        }
    }
    Ok(())
}

fn wants_picture(args: &BeliefsArgs) -> bool {
    args.png.is_some() || args.svg.is_some()
}

fn parse_projection(text: Option<&str>, hmm: &Hmm) -> Result<Projection> {
    let n = hmm.num_states();
    Ok(match text {
        None => Projection::natural(n),
        Some("simplex") if n == 3 => Projection::Simplex([0, 1, 2]),
        Some("simplex") => bail!(
            "--projection simplex needs exactly three states ({} has {n}); name three, as \
             --projection A,B,C, or use pca",
            hmm.name()
        ),
        Some("pca") => Projection::Pca,
        Some(list) => {
            let names: Vec<&str> = list.split(',').map(str::trim).collect();
            if names.len() != 3 {
                bail!("--projection '{list}' is not simplex, pca or three state names A,B,C");
            }
            let mut ix = [0; 3];
            for (slot, name) in ix.iter_mut().zip(&names) {
                *slot = hmm.state_index(name).with_context(|| {
                    format!(
                        "--projection: unknown state '{name}' (states: {})",
                        hmm.states().join(", ")
                    )
                })?;
            }
            if ix[0] == ix[1] || ix[1] == ix[2] || ix[0] == ix[2] {
                bail!("--projection '{list}' names a state twice");
            }
            Projection::Simplex(ix)
        }
    })
}

fn msp(args: &BeliefsArgs, hmm: &Hmm, out: &mut impl Write) -> Result<Option<Cloud>> {
    let limits = ExploreLimits {
        max_depth: match (args.depth, args.tol) {
            (None, None) => Some(DEFAULT_DEPTH),
            (d, _) => d,
        },
        min_new_mass: args.tol.unwrap_or(0.0),
        max_nodes: args.max_nodes,
        resolution: args.resolution,
    };
    let pi = hmm.stationary_distribution()?;
    let m = MixedStatePresentation::explore(hmm, &pi, &limits, Identify::Distribution)?;
    if m.stop() == Stop::NodeLimit {
        crate::report::warn(&format!(
            "stopped at the node limit ({} nodes, depth {}): the last depth is partial; \
             raise --max-nodes or give --depth",
            m.len(),
            m.depths().last().copied().unwrap_or(0)
        ));
    }
    let n = m.num_states();
    if let Some(p) = &args.npy {
        npy_write::write_f64(p, &[m.len(), n], m.beliefs(), args.force)?;
    }
    if let Some(p) = &args.probs {
        npy_write::write_f64(p, &[m.len()], m.probabilities(), args.force)?;
    }
    let depth = m.depths().last().copied().unwrap_or(0) as usize;
    if args.json {
        let edges: Vec<_> = (0..m.expanded())
            .flat_map(|k| {
                m.edges(k)
                    .iter()
                    .map(move |e| json!([k, hmm.alphabet()[e.symbol as usize], e.to, e.p]))
            })
            .collect();
        let doc = json!({
            "process": hmm.name(),
            "states": hmm.states(),
            "alphabet": hmm.alphabet(),
            "stop": m.stop(),
            "depth": depth,
            "nodes": m.len(),
            "expanded": m.expanded(),
            "new_mass": m.new_mass(),
            "beliefs": m.beliefs().chunks(n).collect::<Vec<_>>(),
            "probabilities": m.probabilities(),
            "depths": m.depths(),
            "edges_columns": ["from", "symbol", "to", "p"],
            "edges": edges,
        });
        writeln!(out, "{}", serde_json::to_string(&doc)?)?;
    } else {
        let stop = match m.stop() {
            Stop::Closed => "closed: every node expanded (a finite presentation)".to_string(),
            Stop::Depth => format!("depth limit {depth}"),
            Stop::Tolerance => format!(
                "newly reached probability {:.3e} below --tol",
                m.new_mass().last().unwrap_or(&0.0)
            ),
            Stop::NodeLimit => format!("node limit {}", args.max_nodes),
        };
        writeln!(out, "process     {}", hmm.name())?;
        writeln!(out, "states      {} ({})", n, hmm.states().join(", "))?;
        writeln!(out, "nodes       {} ({} expanded)", m.len(), m.expanded())?;
        writeln!(out, "stopped     {stop}")?;
        writeln!(out, "\ndepth  new nodes  newly reached probability")?;
        for (d, mass) in m.new_mass().iter().enumerate() {
            let count = m.depths().iter().filter(|&&x| x as usize == d).count();
            writeln!(out, "{d:>5}  {count:>9}  {mass:.6e}")?;
        }
    }
    Ok(wants_picture(args).then(|| Cloud {
        beliefs: m.beliefs().to_vec(),
        last_symbols: m.arrivals().to_vec(),
        probabilities: Some(m.probabilities().to_vec()),
        depths: m.depths().to_vec(),
        what: format!("mixed states to depth {depth}, {} nodes", m.len()),
    }))
}

/// Most points a trajectory picture draws (evenly spaced along the sequence).
const MAX_DRAWN: usize = 2_000_000;

fn trajectory(
    args: &BeliefsArgs,
    hmm: &Hmm,
    path: &Path,
    out: &mut impl Write,
) -> Result<Option<Cloud>> {
    let n = hmm.num_states();
    // The symbols of the process, read through cmech-io in its alphabet, a block at a time.
    let names = hmm.alphabet();
    let chars = names.iter().all(|s| s.len() == 1);
    // One-character names: characters, or a .npy array as every command detects it.
    let read = ReadOptions {
        format: (args.tokens || !chars).then_some(Format::Tokens),
        mmap: crate::args::mmap(),
        ..ReadOptions::default()
    };
    let sources = [cmech_io::Source::Path(path.to_path_buf())];
    let input = Input::open_named(&sources, &read, names, &NoProgress).map_err(io_error)?;
    let bar = Bar::new();
    let mut tracker = BeliefTracker::new(hmm, None)?;
    let mut writer = match &args.npy {
        Some(p) => Some(NpyWriter::create(p, NpyType::F64, &[n], args.force)?),
        None => None,
    };
    // Every `stride`-th belief is kept for the picture; the stride doubles when the kept set fills.
    let mut stride = 1u64;
    let mut kept: Vec<f64> = Vec::new();
    let mut kept_symbols: Vec<u32> = Vec::new();
    let mut kept_positions: Vec<u32> = Vec::new();
    let picture = wants_picture(args);
    let mut rows = Vec::new();
    let result = input.for_each_block(&bar, |block| -> Result<()> {
        rows.resize(block.len() * n, 0.0);
        let start = tracker.position();
        tracker
            .run(block, &mut rows)
            .with_context(|| path.display().to_string())?;
        if let Some(w) = writer.as_mut() {
            w.write_f64(&rows)?;
        }
        if picture {
            for (j, (&x, b)) in block.iter().zip(rows.chunks(n)).enumerate() {
                let t = start + j as u64;
                if t.is_multiple_of(stride) {
                    kept.extend_from_slice(b);
                    kept_symbols.push(x);
                    kept_positions.push(t.min(u32::MAX as u64) as u32);
                    if kept_symbols.len() >= MAX_DRAWN {
                        stride *= 2;
                        let keep: Vec<usize> = (0..kept_symbols.len())
                            .filter(|&i| (kept_positions[i] as u64).is_multiple_of(stride))
                            .collect();
                        kept = keep
                            .iter()
                            .flat_map(|&i| kept[i * n..(i + 1) * n].to_vec())
                            .collect();
                        kept_symbols = keep.iter().map(|&i| kept_symbols[i]).collect();
                        kept_positions = keep.iter().map(|&i| kept_positions[i]).collect();
                    }
                }
            }
        }
        Ok(())
    });
    // Errors of the reading are worded for this command, with their hint.
    let result = result.map_err(|e| match e.downcast::<cmech_io::Error>() {
        Ok(e) => io_error(e),
        Err(e) => e,
    });
    // On an error the unfinished array is dropped: it never reaches --npy's path, and a file
    // that was there stays as it was.
    result?;
    let symbols = tracker.position();
    if symbols == 0 {
        bail!("{}: no symbols", path.display());
    }
    if let Some(w) = writer {
        w.finish()?;
    }
    let rate = -tracker.log2_probability() / symbols as f64;
    if args.json {
        let doc = json!({
            "process": hmm.name(),
            "states": hmm.states(),
            "symbols": symbols,
            "log2_probability": tracker.log2_probability(),
            "bits_per_symbol": rate,
            "final_belief": tracker.belief(),
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        writeln!(out, "process          {}", hmm.name())?;
        writeln!(out, "symbols          {symbols}")?;
        writeln!(out, "log2 probability {:.6}", tracker.log2_probability())?;
        writeln!(
            out,
            "bits per symbol  {rate:.6}  (-log2 P / N; h_mu for long typical data)"
        )?;
        let fin: Vec<String> = hmm
            .states()
            .iter()
            .zip(tracker.belief())
            .map(|(s, p)| format!("{s}={p:.6}"))
            .collect();
        writeln!(out, "final belief     {}", fin.join(" "))?;
    }
    Ok(picture.then(|| Cloud {
        beliefs: kept,
        last_symbols: kept_symbols,
        probabilities: None,
        depths: kept_positions,
        what: if stride > 1 {
            format!("{symbols} symbols, every {stride}th belief drawn")
        } else {
            format!("{symbols} symbols")
        },
    }))
}

fn table(args: &BeliefsArgs, hmm: &Hmm, l: usize, out: &mut impl Write) -> Result<Option<Cloud>> {
    let t = belief_table(hmm, l, None)?;
    let (m, n) = (t.words(), t.states);
    if let Some(p) = &args.npy {
        npy_write::write_f64(p, &[m, l, n], &t.beliefs, args.force)?;
    }
    if let Some(p) = &args.probs {
        npy_write::write_f64(p, &[m], &t.probabilities, args.force)?;
    }
    if let Some(p) = &args.words {
        let words: Vec<i64> = t.words.iter().map(|&x| x as i64).collect();
        npy_write::write_i64(p, &[m, l], &words, args.force)?;
    }
    let possible = (hmm.num_symbols() as f64).powi(l as i32);
    if args.json {
        let doc = json!({
            "process": hmm.name(),
            "states": hmm.states(),
            "alphabet": hmm.alphabet(),
            "length": l,
            "words": m,
            "shape": [m, l, n],
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        writeln!(out, "process    {}", hmm.name())?;
        writeln!(
            out,
            "words      {m} of length {l} with positive probability (of {possible} possible)"
        )?;
        writeln!(out, "beliefs    {m} x {l} x {n} (word, position, state)")?;
    }
    if !wants_picture(args) {
        return Ok(None);
    }
    let mut last_symbols = Vec::with_capacity(m * l);
    let mut depths = Vec::with_capacity(m * l);
    let mut probabilities = Vec::with_capacity(m * l);
    for w in 0..m {
        for pos in 0..l {
            last_symbols.push(t.words[w * l + pos]);
            depths.push(pos as u32 + 1);
            probabilities.push(t.probabilities[w]);
        }
    }
    Ok(Some(Cloud {
        beliefs: t.beliefs,
        last_symbols,
        probabilities: Some(probabilities),
        depths,
        what: format!("belief table: {m} words of length {l}, every position"),
    }))
}

fn draw(
    hmm: &Hmm,
    cloud: &Cloud,
    projection: &Projection,
    coloring: Coloring,
    path: &Path,
    size: u32,
    overwrite: bool,
) -> Result<()> {
    let n = hmm.num_states();
    let points = project(&cloud.beliefs, n, projection)?;
    let count = points.len();
    let mut legend = Vec::new();
    let colors = match coloring {
        Coloring::LastSymbol => {
            for (i, s) in hmm.alphabet().iter().enumerate().take(8) {
                legend.push((format!("last symbol {s}"), class_color(i)));
            }
            cloud
                .last_symbols
                .iter()
                .map(|&x| {
                    if x == NO_SYMBOL {
                        plotters::style::BLACK
                    } else {
                        class_color(x as usize)
                    }
                })
                .collect()
        }
        Coloring::Probability => {
            let Some(p) = &cloud.probabilities else {
                bail!("--color probability is not defined along a sequence; use last-symbol, depth or belief");
            };
            let logs: Vec<f64> = p.iter().map(|&q| q.max(1e-300).log10()).collect();
            let (lo, hi) = logs
                .iter()
                .fold((f64::MAX, f64::MIN), |(a, b), &x| (a.min(x), b.max(x)));
            legend.push((
                format!("log10 p from {lo:.1} (dark) to {hi:.1} (bright)"),
                scale_color(0.8),
            ));
            logs.iter()
                .map(|&x| scale_color(if hi > lo { (x - lo) / (hi - lo) } else { 1.0 }))
                .collect()
        }
        Coloring::Depth => {
            let hi = cloud.depths.iter().copied().max().unwrap_or(0).max(1) as f64;
            legend.push((format!("depth 0 (dark) to {hi} (bright)"), scale_color(0.8)));
            cloud
                .depths
                .iter()
                .map(|&d| scale_color(d as f64 / hi))
                .collect()
        }
        Coloring::Belief => cloud
            .beliefs
            .chunks(n)
            .map(|b| {
                let c = |i: usize| (b.get(i).copied().unwrap_or(0.0).clamp(0.0, 1.0) * 255.0) as u8;
                plotters::style::RGBColor(c(0), c(1), c(2))
            })
            .collect(),
    };
    let h = 3f64.sqrt() / 2.0;
    let (outline, labels) = match projection {
        Projection::Simplex(ix) => (
            vec![[0.0, 0.0], [1.0, 0.0], [0.5, h]],
            vec![
                (hmm.states()[ix[0]].clone(), [-0.05, -0.03]),
                (hmm.states()[ix[1]].clone(), [1.02, -0.03]),
                (hmm.states()[ix[2]].clone(), [0.49, h + 0.05]),
            ],
        ),
        Projection::Segment => (vec![[0.0, 0.0], [1.0, 0.0]], Vec::new()),
        Projection::Pca => (Vec::new(), Vec::new()),
    };
    let fig = Figure {
        title: format!("{}: {}", hmm.name(), cloud.what),
        caption: format!(
            "{count} beliefs; projection: {}",
            projection.describe(hmm.states())
        ),
        points,
        colors,
        outline,
        labels,
        legend,
    };
    render(&fig, path, size, overwrite)
}
