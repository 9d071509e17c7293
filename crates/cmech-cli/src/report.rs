//! What the terminal shows besides results: progress bars, warnings, and the errors of cmech-io
//! worded in the command line's terms (its hints name flags).

use std::io::{self, IsTerminal, Write};
use std::sync::Mutex;

use anyhow::anyhow;
use cmech_core::CmechError;
use cmech_io::{Hint, Warning};
use indicatif::{ProgressBar, ProgressStyle};

use crate::args::flag;

/// A progress bar on stderr for passes over more than 64 MiB, only on a terminal.
pub(crate) struct Bar(Mutex<Option<ProgressBar>>);

impl Bar {
    pub(crate) fn new() -> Bar {
        Bar(Mutex::new(None))
    }
}

impl cmech_io::Progress for Bar {
    fn begin(&self, what: &str, total: u64, _unit: &str) {
        let mut slot = self.0.lock().expect("not poisoned");
        if let Some(old) = slot.take() {
            old.finish_and_clear();
        }
        if io::stderr().is_terminal() && (total == 0 || total >= 64 << 20) {
            let bar = if total == 0 {
                ProgressBar::new_spinner()
            } else {
                ProgressBar::new(total)
            };
            bar.set_style(
                ProgressStyle::with_template(
                    "{msg:9} {bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
                )
                .expect("valid template"),
            );
            bar.set_message(what.to_string());
            *slot = Some(bar);
        }
    }
    fn advance(&self, n: u64) {
        if let Some(bar) = self.0.lock().expect("not poisoned").as_ref() {
            bar.inc(n);
        }
    }
    fn end(&self) {
        if let Some(bar) = self.0.lock().expect("not poisoned").take() {
            bar.finish_and_clear();
        }
    }
}

/// What to do about a problem or warning of `cmech_io`, in terms of this command's flags.
fn hint_text(hint: Hint) -> String {
    match hint {
        Hint::Overwrite => "use --force to overwrite it".into(),
        Hint::SameAlphabet => "count every part with the same --alphabet".into(),
        Hint::SameWindow => "count every part with the same --max-history or --window".into(),
        Hint::CountAgain {
            max_history,
            window,
        } => format!("count again with --max-history {max_history} (or --window {window})"),
        Hint::Lines => "leave out --lines".into(),
        Hint::Range => "leave out --range".into(),
        Hint::Tokens | Hint::TokenList => "for symbols separated by spaces use --tokens".into(),
        Hint::TokensOrBytes => "use --tokens (symbols separated by spaces) or --bytes".into(),
    }
}

/// A `cmech_io` error with its hint in this command's terms.
pub(crate) fn io_error(e: cmech_io::Error) -> anyhow::Error {
    match e.hint() {
        Some(h) => anyhow!("{e}; {}", hint_text(h)),
        None => e.into(),
    }
}

/// A line for the user on stderr. A stderr that cannot be written (`2>/dev/full`, a closed
/// pipe) loses the line but not the run: `eprintln!` would panic after the results were written,
/// turning a success into exit code 101.
pub(crate) fn say(line: std::fmt::Arguments) {
    let _ = writeln!(io::stderr(), "{line}");
}

pub(crate) fn warn(message: &str) {
    say(format_args!("warning: {message}"));
}

pub(crate) fn warn_io(w: &Warning) {
    match w.hint {
        Some(h) => warn(&format!("{w}; {}", hint_text(h))),
        None => warn(&w.message),
    }
}

pub(crate) fn plural(n: u64, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// A progress bar on a terminal for a long sample of `length` symbols.
pub(crate) fn progress_bar(length: u64) -> Option<ProgressBar> {
    (length >= 50_000_000 && io::stderr().is_terminal()).then(|| {
        let bar = ProgressBar::new(length);
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {percent}% {per_sec} eta {eta}")
                .expect("valid template"),
        );
        bar
    })
}

/// A progress bar on a terminal for `total` replicates of `what`, each a reconstruction.
pub(crate) fn replicate_bar(total: u64, what: &str) -> Option<ProgressBar> {
    (total > 0 && io::stderr().is_terminal()).then(|| {
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} eta {eta}")
                .expect("valid template"),
        );
        bar.set_message(what.to_string());
        bar
    })
}

/// Clears a bar, if there is one, before the results are written.
pub(crate) fn finish(bar: &Option<ProgressBar>) {
    if let Some(b) = bar {
        b.finish_and_clear();
    }
}

/// An error as one line for the terminal, a parameter of the library named by its flag, and an
/// io error that reached here unworded given its remedy in this command's terms.
pub(crate) fn error_line(e: &anyhow::Error) -> String {
    let mut line = format!("{e:#}");
    if let Some(hint) = e
        .chain()
        .find_map(|c| c.downcast_ref::<cmech_io::Error>())
        .and_then(cmech_io::Error::hint)
    {
        line = format!("{line}; {}", hint_text(hint));
    }
    let out_of_range = e
        .chain()
        .find_map(|c| match c.downcast_ref::<CmechError>() {
            Some(CmechError::OutOfRange {
                parameter,
                value,
                rule,
            }) => Some((c.to_string(), flag(parameter), value, rule)),
            _ => None,
        });
    match out_of_range {
        Some((library, flag, value, rule)) => {
            line.replace(&library, &format!("{flag} must be {rule}, not {value}"))
        }
        None => line,
    }
}
