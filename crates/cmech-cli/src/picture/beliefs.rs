//! Pictures of beliefs in the plane: PNG for any number of points, SVG for small sets.

use std::path::Path;

use super::{is_svg, save};

use anyhow::{bail, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::colors::colormaps::ViridisRGB;

/// Beyond this many points an SVG runs into megabytes: such figures are PNG only.
pub const MAX_SVG_POINTS: usize = 20_000;

/// What a figure shows.
pub struct Figure {
    pub title: String,
    /// Says how beliefs were put in the plane.
    pub caption: String,
    pub points: Vec<[f64; 2]>,
    pub colors: Vec<RGBColor>,
    /// Drawn under the points (the simplex's edges), closed.
    pub outline: Vec<[f64; 2]>,
    /// Text placed at points (state names at the vertices).
    pub labels: Vec<(String, [f64; 2])>,
    /// What the colours mean, as (text, colour) pairs.
    pub legend: Vec<(String, RGBColor)>,
}

/// How points are coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Coloring {
    /// By the last symbol seen.
    LastSymbol,
    /// By log probability (viridis: dark improbable, bright probable).
    Probability,
    /// By depth (word length).
    Depth,
    /// The belief itself as red, green, blue (first three states).
    Belief,
}

/// A colour per class, distinct on white.
pub fn class_color(i: usize) -> RGBColor {
    const PALETTE: [RGBColor; 8] = [
        RGBColor(31, 119, 180),
        RGBColor(214, 39, 40),
        RGBColor(44, 160, 44),
        RGBColor(255, 127, 14),
        RGBColor(148, 103, 189),
        RGBColor(140, 86, 75),
        RGBColor(227, 119, 194),
        RGBColor(23, 190, 207),
    ];
    PALETTE[i % PALETTE.len()]
}

/// Viridis at `t` in [0, 1].
pub fn scale_color(t: f64) -> RGBColor {
    ViridisRGB::get_color(t.clamp(0.0, 1.0) as f32)
}

/// Writes the figure as PNG (`size` pixels wide) or, for a path ending in `.svg`, as SVG,
/// replacing a file only with `overwrite`.
pub fn render(fig: &Figure, path: &Path, size: u32, overwrite: bool) -> Result<()> {
    let height = size.saturating_mul(9) / 10 + 60;
    if is_svg(path)? && fig.points.len() > MAX_SVG_POINTS {
        bail!(
            "{} points are too many for an SVG (at most {MAX_SVG_POINTS}: it would be \
             megabytes); write a .png instead",
            fig.points.len()
        );
    }
    save(
        path,
        overwrite,
        (size, height),
        |root| draw(fig, root, true),
        |root| draw(fig, root, false),
    )
}

fn draw<DB: DrawingBackend>(fig: &Figure, root: &DrawingArea<DB, Shift>, vector: bool) -> Result<()>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(|e| anyhow::anyhow!("{e}"))?;
    let (w, _) = root.dim_in_pixel();
    let finite = fig
        .points
        .iter()
        .chain(&fig.outline)
        .filter(|p| p[0].is_finite() && p[1].is_finite());
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for p in finite {
        x0 = x0.min(p[0]);
        x1 = x1.max(p[0]);
        y0 = y0.min(p[1]);
        y1 = y1.max(p[1]);
    }
    if x0 > x1 {
        (x0, x1, y0, y1) = (0.0, 1.0, 0.0, 1.0);
    }
    // Equal scales on both axes, so the simplex stays equilateral; a margin for labels.
    let span = (x1 - x0).max(y1 - y0).max(1e-12);
    let margin = 0.08 * span;
    let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
    let half = span / 2.0 + margin;
    let font = (w / 45).max(11);
    let mut chart = ChartBuilder::on(root)
        .caption(&fig.title, ("sans-serif", font + 4))
        .margin(10)
        .build_cartesian_2d(cx - half..cx + half, cy - half * 0.9..cy + half * 0.9)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow::anyhow!("{e}");
    if !fig.outline.is_empty() {
        let mut closed: Vec<(f64, f64)> = fig.outline.iter().map(|p| (p[0], p[1])).collect();
        closed.push(closed[0]);
        chart
            .draw_series(std::iter::once(PathElement::new(closed, BLACK.mix(0.6))))
            .map_err(err)?;
    }
    let points = fig
        .points
        .iter()
        .zip(&fig.colors)
        .filter(|(p, _)| p[0].is_finite() && p[1].is_finite());
    if vector {
        chart
            .draw_series(points.map(|(p, c)| Circle::new((p[0], p[1]), 2, c.filled())))
            .map_err(err)?;
    } else {
        chart
            .draw_series(points.map(|(p, c)| Pixel::new((p[0], p[1]), *c)))
            .map_err(err)?;
    }
    let style = ("sans-serif", font).into_font().color(&BLACK);
    for (text, p) in &fig.labels {
        chart
            .draw_series(std::iter::once(Text::new(
                text.clone(),
                (p[0], p[1]),
                style.clone(),
            )))
            .map_err(err)?;
    }
    let (_, h) = root.dim_in_pixel();
    let small = ("sans-serif", (font * 4 / 5).max(10)).into_font();
    root.draw(&Text::new(
        fig.caption.clone(),
        (12, h as i32 - 2 * font as i32),
        small.color(&BLACK.mix(0.8)),
    ))
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut x = 12i32;
    for (text, c) in &fig.legend {
        root.draw(&Rectangle::new(
            [(x, 12), (x + font as i32 / 2, 12 + font as i32 / 2)],
            c.filled(),
        ))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        root.draw(&Text::new(
            text.clone(),
            (x + font as i32 * 3 / 4, 8),
            small.color(&BLACK),
        ))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        x += font as i32 * (2 + text.len() as i32 / 2);
    }
    Ok(())
}
