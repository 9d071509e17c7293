//! Pictures: beliefs in the plane, and cellular-automaton fields with their local values. The
//! font is bundled (DejaVu Sans), so figures render on machines with no fonts installed.

pub mod beliefs;
pub mod convergence;
pub mod field;

use std::path::Path;
use std::sync::Once;

use anyhow::{bail, Context, Result};
use cmech_io::OutputFile;
use plotters::coord::Shift;
use plotters::prelude::{BitMapBackend, DrawingArea, IntoDrawingArea, SVGBackend};
use plotters::style::FontStyle;

use crate::report::io_error;

/// Whether a picture's path asks for SVG rather than PNG: by its extension, which must be one
/// of the two (a `.jpg` or a name without extension would otherwise get bytes it does not say).
pub(crate) fn is_svg(path: &Path) -> Result<bool> {
    match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("svg") => Ok(true),
        Some(e) if e.eq_ignore_ascii_case("png") => Ok(false),
        _ => bail!(
            "{}: a picture's name must end in .png or .svg, which say its format",
            path.display()
        ),
    }
}

/// Draws a picture of `size` pixels with `svg` or `png`, as the path's extension asks, and
/// writes it to `path` through an output file that takes the name only when complete.
pub(crate) fn save(
    path: &Path,
    overwrite: bool,
    size: (u32, u32),
    svg: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Result<()>,
    png: impl FnOnce(&DrawingArea<BitMapBackend, Shift>) -> Result<()>,
) -> Result<()> {
    if is_svg(path)? {
        save_svg(path, overwrite, size, svg)
    } else {
        save_png(path, overwrite, size, png)
    }
}

/// [`save`] for an SVG.
fn save_svg(
    path: &Path,
    overwrite: bool,
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Result<()>,
) -> Result<()> {
    register_font();
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, size).into_drawing_area();
        draw(&root).with_context(|| cannot_draw(path))?;
        root.present()
            .map_err(|e| anyhow::anyhow!("{e}"))
            .with_context(|| cannot_draw(path))?;
    }
    write(path, overwrite, text.as_bytes())
}

/// [`save`] for a PNG, whatever the path's extension says (pictures too large for an SVG).
pub(crate) fn save_png(
    path: &Path,
    overwrite: bool,
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<BitMapBackend, Shift>) -> Result<()>,
) -> Result<()> {
    register_font();
    let mut pixels = vec![0u8; size.0 as usize * size.1 as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, size).into_drawing_area();
        draw(&root).with_context(|| cannot_draw(path))?;
        root.present()
            .map_err(|e| anyhow::anyhow!("{e}"))
            .with_context(|| cannot_draw(path))?;
    }
    let image = image::RgbImage::from_raw(size.0, size.1, pixels)
        .context("the picture's pixels do not fill it")?;
    let mut encoded = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut encoded, image::ImageOutputFormat::Png)
        .with_context(|| cannot_draw(path))?;
    write(path, overwrite, &encoded.into_inner())
}

fn cannot_draw(path: &Path) -> String {
    format!("cannot draw {}", path.display())
}

fn write(path: &Path, overwrite: bool, bytes: &[u8]) -> Result<()> {
    let mut out = OutputFile::create(path, overwrite).map_err(io_error)?;
    std::io::Write::write_all(&mut out, bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    out.commit().map_err(io_error)
}

pub(crate) fn register_font() {
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
