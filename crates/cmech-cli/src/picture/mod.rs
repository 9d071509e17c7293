//! Pictures: beliefs in the plane, and cellular-automaton fields with their local values. The
//! font is bundled (DejaVu Sans), so figures render on machines with no fonts installed.

pub mod beliefs;
pub mod field;

use std::sync::Once;

use plotters::style::FontStyle;

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
