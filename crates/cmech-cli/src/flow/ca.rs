//! `cmech ca`: elementary automata and Life, their local storage and transfer fields, computed a
//! block of rows at a time and written or drawn as they come.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use clap::Args;
use cmech_core::ca::{self, Field, LocalField};
use cmech_io::{read_cells, Source};
use serde_json::{json, Value};

use crate::report::io_error;

use super::core;
use crate::files::refuse_to_clobber;
use crate::picture::field::{draw_field, draw_local, Canvas, Shown, View};
use crate::picture::is_svg;

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
            ca::check_size(args.steps.max(args.skip.saturating_add(1)), h, w).map_err(core)?;
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
            let t = ca::life(&grid, h, w, args.skip.saturating_add(1)).map_err(core)?;
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
        ca::check_size(args.steps.max(args.skip.saturating_add(1)), 1, w).map_err(core)?;
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
        let t = ca::elementary(rule, &row, args.skip.saturating_add(1)).map_err(core)?;
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
    refuse_to_clobber(
        &[
            ("--npy", &args.npy),
            ("--png", &args.png),
            ("--local-te", &args.local_te),
            ("--local-ais", &args.local_ais),
            ("--te-npy", &args.te_npy),
            ("--ais-npy", &args.ais_npy),
        ],
        &args.init.iter().map(PathBuf::as_path).collect::<Vec<_>>(),
        args.force,
    )?;
    for (flag, p) in [
        ("--png", &args.png),
        ("--local-te", &args.local_te),
        ("--local-ais", &args.local_ais),
    ] {
        if let Some(p) = p {
            if is_svg(p)? {
                bail!("{flag} {}: a field is drawn as PNG (an SVG would hold a rectangle per cell); give a .png name", p.display());
            }
        }
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
    let k = args.k.unwrap_or(ca::DEFAULT_HISTORY);
    if args.block_rows == Some(0) {
        bail!("--block-rows must be at least 1");
    }
    if k >= field.steps() && (args.k.is_some() || wants_local) {
        bail!(
            "history k = {k} leaves no complete window in a field of {} steps",
            field.steps()
        );
    }
    let view = view(&args, &field, life)?;
    if let Some(p) = &args.png {
        draw_field(&field, &view, &what, &canvas(p, &args))?;
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
        let local = LocalField::active_information(&field, k).map_err(core)?;
        if args.local_ais.is_some() || args.ais_npy.is_some() {
            let shown = stream_local(&local, &view, life, args.ais_npy.as_deref(), &args)?;
            if let Some(p) = &args.local_ais {
                draw_local(
                    &shown,
                    &view,
                    field.height(),
                    &format!("local AIS, k = {k}\n{what}"),
                    &canvas(p, &args),
                )?;
            }
        }
        let ais = local.average();
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
            let local = LocalField::transfer_entropy(&field, k, ch).map_err(core)?;
            if wanted {
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
                        &canvas(p, &args),
                    )?;
                }
            }
            let average = local.average();
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

/// The part of the field the pictures show, from the view options.
fn view(args: &CaArgs, f: &Field, life: bool) -> Result<View> {
    if life {
        if args.view_cells.is_some() || args.view_steps.is_some() {
            bail!("--view-cells and --view-steps apply to elementary CAs; use --frame for life");
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

/// Where a picture of the field goes.
fn canvas<'a>(path: &'a Path, args: &CaArgs) -> Canvas<'a> {
    Canvas {
        path,
        overwrite: args.force,
    }
}
