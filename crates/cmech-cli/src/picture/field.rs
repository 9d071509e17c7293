//! Pictures of cellular-automaton fields and their local values: cells in black and white,
//! local values in red (positive) and blue (negative).

use std::path::Path;

use anyhow::{anyhow, Result};
use cmech_core::ca::Field;
use plotters::prelude::*;

use plotters::coord::Shift;

use super::save_png;

/// What part of a field is drawn, and how large.
pub(crate) struct View {
    pub(crate) life: bool,
    /// Elementary: cells c0..c1 and steps t0..t1. Life: the frame t0.
    pub(crate) c0: usize,
    pub(crate) c1: usize,
    pub(crate) t0: usize,
    pub(crate) t1: usize,
    pub(crate) scale: u32,
}

/// The local values a picture shows: `missing` leading rows without values (steps before k),
/// then rows of `cols` values.
pub(crate) struct Shown {
    pub(crate) missing: usize,
    pub(crate) cols: usize,
    pub(crate) values: Vec<f64>,
}

impl Shown {
    pub(crate) fn at(&self, r: usize, c: usize) -> Option<f64> {
        (r >= self.missing).then(|| self.values[(r - self.missing) * self.cols + c])
    }
}

impl View {
    /// (columns, rows) of cells drawn.
    pub(crate) fn dims(&self, f_height: usize) -> (usize, usize) {
        if self.life {
            (self.c1 - self.c0, f_height)
        } else {
            (self.c1 - self.c0, self.t1 - self.t0)
        }
    }
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

/// Where a picture goes: its name, and whether it may replace a file there.
pub(crate) struct Canvas<'a> {
    pub(crate) path: &'a Path,
    pub(crate) overwrite: bool,
}

/// Draws a grid of cells with a title and an optional colour bar from -max to max, as a PNG (a
/// field has too many cells for an SVG) that takes its name only when complete.
fn draw_cells(
    canvas: &Canvas,
    cols: usize,
    rows: usize,
    scale: u32,
    title: &str,
    bar: Option<f64>,
    color: impl Fn(usize, usize) -> RGBColor,
) -> Result<()> {
    let path = canvas.path;
    let (w, h) = (cols as u32 * scale, rows as u32 * scale);
    let lines: Vec<&str> = title.split('\n').collect();
    let top = 10 + 18 * lines.len() as u32;
    let bottom = if bar.is_some() { 44 } else { 8 };
    let width = w.max(360) + 16;
    save_png(path, canvas.overwrite, (width, h + top + bottom), |root| {
        cells_on(root, (w, h, top, width), scale, &lines, bar, &color, path)
    })
}

fn cells_on(
    root: &DrawingArea<BitMapBackend, Shift>,
    (w, h, top, width): (u32, u32, u32, u32),
    scale: u32,
    lines: &[&str],
    bar: Option<f64>,
    color: &impl Fn(usize, usize) -> RGBColor,
    path: &Path,
) -> Result<()> {
    let (cols, rows) = ((w / scale) as usize, (h / scale) as usize);
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
    Ok(())
}

pub(crate) fn draw_field(f: &Field, view: &View, what: &str, canvas: &Canvas) -> Result<()> {
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
    draw_cells(canvas, cols, rows, view.scale, &title, None, |r, c| {
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

pub(crate) fn draw_local(
    l: &Shown,
    view: &View,
    height: usize,
    title: &str,
    canvas: &Canvas,
) -> Result<()> {
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
        canvas,
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
