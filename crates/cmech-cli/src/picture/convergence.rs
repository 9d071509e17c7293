//! The convergence picture of `cmech estimate`: H(L) and h(L) against L with their intervals,
//! the length h_mu is read at marked, and the reconstructed machine's h_mu as a band.

use std::path::Path;

use anyhow::{anyhow, Result};
use cmech_core::estimate::{Estimates, Interval};
use plotters::coord::Shift;
use plotters::prelude::*;

use super::save;

/// What the picture shows.
pub struct Convergence<'a> {
    /// The title: the data's name.
    pub title: String,
    /// The block estimates.
    pub estimates: &'a Estimates,
    /// The machine's h_mu, when one was reconstructed.
    pub machine_rate: Option<Interval>,
}

const SIZE: (u32, u32) = (900, 760);
const BLUE: RGBColor = RGBColor(31, 119, 180);
const ORANGE: RGBColor = RGBColor(214, 95, 14);

/// Writes the picture to `path` (SVG for `.svg`, PNG otherwise).
pub fn render(c: &Convergence, path: &Path, overwrite: bool) -> Result<()> {
    save(
        path,
        overwrite,
        SIZE,
        |root| draw(c, root),
        |root| draw(c, root),
    )
}

fn draw<DB: DrawingBackend>(c: &Convergence, root: &DrawingArea<DB, Shift>) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let e = c.estimates;
    root.fill(&WHITE).map_err(|x| anyhow!("{x}"))?;
    let root = root
        .titled(&c.title, ("sans-serif", 22))
        .map_err(|x| anyhow!("{x}"))?;
    let (top, bottom) = root.split_vertically(SIZE.1 / 2 - 20);
    let at = |f: fn(&cmech_core::estimate::AtLength) -> Interval| {
        e.lengths
            .iter()
            .map(|a| (a.length, f(a)))
            .collect::<Vec<_>>()
    };
    panel(
        &top,
        "H(L), bits",
        &at(|a| a.block_entropy),
        None,
        None,
        e.level,
        SeriesLabelPosition::UpperLeft,
    )?;
    panel(
        &bottom,
        "h(L) = H(L) - H(L-1), bits",
        &at(|a| a.entropy_rate),
        Some(e.rate_length),
        c.machine_rate,
        e.level,
        SeriesLabelPosition::UpperRight,
    )?;
    Ok(())
}

fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    label: &str,
    points: &[(usize, Interval)],
    chosen: Option<usize>,
    band: Option<Interval>,
    level: f64,
    legend: SeriesLabelPosition,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let err = |x: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("{x}");
    let last = points.last().map_or(1, |p| p.0);
    let mut lo = points
        .iter()
        .map(|p| p.1.lower)
        .fold(f64::INFINITY, f64::min);
    let mut hi = points
        .iter()
        .map(|p| p.1.upper)
        .fold(f64::NEG_INFINITY, f64::max);
    if let Some(b) = band {
        lo = lo.min(b.lower);
        hi = hi.max(b.upper);
    }
    let pad = ((hi - lo) * 0.08).max(1e-3);
    let mut chart = ChartBuilder::on(area)
        .margin(14)
        .x_label_area_size(40)
        .y_label_area_size(64)
        .build_cartesian_2d(0.5f64..last as f64 + 0.5, (lo - pad)..(hi + pad))
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("word length L")
        .y_desc(label)
        .x_labels(last.min(20))
        .x_label_formatter(&|x| format!("{x:.0}"))
        .light_line_style(WHITE)
        .draw()
        .map_err(err)?;
    if let Some(b) = band {
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(0.5, b.lower), (last as f64 + 0.5, b.upper)],
                ORANGE.mix(0.25).filled(),
            )))
            .map_err(err)?
            .label(format!(
                "reconstructed machine's h_mu, {:.0}% interval",
                100.0 * level
            ))
            .legend(|(x, y)| {
                Rectangle::new([(x, y - 5), (x + 16, y + 5)], ORANGE.mix(0.4).filled())
            });
    }
    chart
        .draw_series(LineSeries::new(
            points.iter().map(|(l, i)| (*l as f64, i.value)),
            BLUE.stroke_width(1),
        ))
        .map_err(err)?;
    chart
        .draw_series(points.iter().map(|(l, i)| {
            ErrorBar::new_vertical(
                *l as f64,
                i.lower,
                i.value,
                i.upper,
                BLUE.stroke_width(2),
                8,
            )
        }))
        .map_err(err)?
        .label(format!("estimate, {:.0}% interval", 100.0 * level))
        .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], BLUE.stroke_width(2)));
    if let Some(l) = chosen {
        if let Some((_, i)) = points.iter().find(|p| p.0 == l) {
            chart
                .draw_series(std::iter::once(Circle::new(
                    (l as f64, i.value),
                    6,
                    ORANGE.filled(),
                )))
                .map_err(err)?
                .label(format!("h_mu read at L = {l}"))
                .legend(|(x, y)| Circle::new((x + 8, y), 5, ORANGE.filled()));
        }
    }
    chart
        .configure_series_labels()
        .position(legend)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .label_font(("sans-serif", 14))
        .draw()
        .map_err(err)?;
    Ok(())
}
