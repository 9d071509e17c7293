//! `cmech boundary`: infiltration and exfiltration of a split of a grid's variables.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{anyhow, bail, Result};
use clap::Args;
use cmech_core::ca::Field;
use cmech_core::infoflow::{boundary_scores, Series, Split};
use cmech_io::{read_grids, Source};
use serde_json::json;

use crate::args::ReadArgs;
use crate::report::io_error;

use super::core;
use super::series::{print_tests, trials_text};

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

// ---------------------------------------------------------------------------------------------
// boundary.

/// The variables of a group: indices, ranges a..b (both ends), Y:X cells, and box:R / ring:R
/// (the cells within, or exactly at, distance R of 0 in the max norm). An item naming more
/// variables than the data's `cells` per step is refused before it is spelt out: none of them
/// could be more than that many distinct ones, and `0..100000000000` would take 1.6 TB.
fn parse_group(text: &str, what: &str, two_d: bool, cells: usize) -> Result<Vec<(isize, isize)>> {
    let mut out = Vec::new();
    let at_most = |item: &str, named: u128| -> Result<()> {
        if named > cells as u128 {
            bail!("{what}: '{item}' names {named} variables; the data have {cells} per step");
        }
        Ok(())
    };
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
            let side = |r: isize| (2 * r as u128 + 1).pow(if two_d { 2 } else { 1 });
            at_most(
                item,
                if ring && r > 0 {
                    side(r) - side(r - 1)
                } else {
                    side(r)
                },
            )?;
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
            at_most(item, (b as i128 - a as i128) as u128 + 1)?;
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
            Some(t) => parse_group(t, flag, two_d, h * w)?,
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
