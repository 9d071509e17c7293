//! How results look to a person on a terminal, and how symbols are written.

use std::io::{self, Write};

use anyhow::Result;
use cmech_core::measures::{Measures, Order, Quantity, Status};
use cmech_core::presentation::format_prob;
use cmech_core::{Hmm, PROCESSES};
use indicatif::ProgressBar;
use serde_json::json;

pub fn process_list(out: &mut impl Write, as_json: bool) -> Result<()> {
    if as_json {
        let list: Vec<_> = PROCESSES
            .iter()
            .map(|p| {
                json!({
                    "name": p.name,
                    "summary": p.summary,
                    "reference": p.reference,
                    "params": p.params.iter().map(|s| json!({
                        "name": s.name, "default": s.default, "help": s.help
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&list)?)?;
        return Ok(());
    }
    for p in PROCESSES {
        let params: Vec<String> = p
            .params
            .iter()
            .map(|s| format!("{}={}", s.name, s.default))
            .collect();
        writeln!(out, "{:<13} {:<22} {}", p.name, params.join(" "), p.summary)?;
    }
    Ok(())
}

pub fn process_summary(out: &mut impl Write, hmm: &Hmm) -> Result<()> {
    writeln!(out, "process      {}", hmm.name())?;
    writeln!(out, "alphabet     {}", hmm.alphabet().join(" "))?;
    writeln!(out, "states       {}", hmm.states().join(" "))?;
    writeln!(out, "unifilar     {}", yes_no(hmm.is_unifilar()))?;
    writeln!(
        out,
        "strongly connected {}",
        yes_no(hmm.is_strongly_connected())
    )?;
    stationary_and_transitions(out, hmm)
}

/// The stationary distribution over the states of `hmm` (or why it has none) and its
/// transitions, one a line.
fn stationary_and_transitions(out: &mut impl Write, hmm: &Hmm) -> Result<()> {
    match hmm.stationary_distribution() {
        Ok(pi) => {
            let parts: Vec<String> = hmm
                .states()
                .iter()
                .zip(&pi)
                .map(|(s, p)| format!("{s}={}", format_prob(*p)))
                .collect();
            writeln!(out, "stationary   {}", parts.join(" "))?;
        }
        Err(e) => writeln!(out, "stationary   none: {e}")?,
    }
    writeln!(out, "transitions")?;
    for i in 0..hmm.num_states() {
        for e in hmm.edges(i) {
            writeln!(
                out,
                "  {} -{}|{}-> {}",
                hmm.states()[i],
                hmm.alphabet()[e.symbol],
                format_prob(e.p),
                hmm.states()[e.to]
            )?;
        }
    }
    Ok(())
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn status(s: Status) -> &'static str {
    match s {
        Status::Exact => "exact",
        Status::Approached => "approached",
        Status::Infinite => "infinite",
        Status::Unknown => "unknown",
    }
}

/// One measure as a row: `name` padded to `width`, value, status, and how it was obtained.
pub fn quantity_row(
    out: &mut impl Write,
    name: &str,
    width: usize,
    q: &Quantity,
) -> io::Result<()> {
    let value = match (q.value, q.status) {
        (Some(v), _) => format!("{v:.9}"),
        (None, Status::Infinite) => "inf".into(),
        (None, _) => "-".into(),
    };
    let mut how = q.method.clone();
    if let Some([lo, hi]) = q.bounds {
        how.push_str(&format!("; bounds [{lo:.9}, {hi:.9}]"));
    }
    if let (Some(d), Some(c)) = (q.depth, q.last_change) {
        how.push_str(&format!("; depth {d}, last change {c:.2e}"));
    }
    writeln!(
        out,
        "{name:<width$} {value:>14}  {:<10} {how}",
        status(q.status)
    )
}

fn order_row(out: &mut impl Write, name: &str, o: &Order) -> io::Result<()> {
    let value = match (o.value, o.status) {
        (Some(v), _) => v.to_string(),
        (None, Status::Infinite) => "inf".into(),
        (None, _) => "-".into(),
    };
    writeln!(
        out,
        "{name:<4} {value:>14}  {:<10} {}",
        status(o.status),
        o.method
    )
}

pub fn measures_table(out: &mut impl Write, m: &Measures) -> Result<()> {
    let machine = match m.epsilon_machine_states {
        Some(n) => format!("{n}-state epsilon-machine"),
        None => "no finite epsilon-machine found".into(),
    };
    writeln!(
        out,
        "{}: {} states, {}, {machine}",
        m.process,
        m.presentation_states,
        if m.unifilar {
            "unifilar"
        } else {
            "nonunifilar"
        }
    )?;
    quantity_row(out, "h_mu", 4, &m.entropy_rate)?;
    quantity_row(out, "E", 4, &m.excess_entropy)?;
    quantity_row(out, "C_mu", 4, &m.statistical_complexity)?;
    quantity_row(out, "chi", 4, &m.crypticity)?;
    quantity_row(out, "T", 4, &m.transient_information)?;
    quantity_row(out, "S", 4, &m.synchronization_information)?;
    order_row(out, "R", &m.markov_order)?;
    order_row(out, "k", &m.cryptic_order)?;
    writeln!(
        out,
        "block entropies H(L){}",
        if m.block_entropies_exact {
            ""
        } else {
            " (cut short by the belief budget)"
        }
    )?;
    for (l, h) in m.block_entropies.iter().enumerate() {
        let step = if l > 0 {
            h - m.block_entropies[l - 1]
        } else {
            0.0
        };
        writeln!(out, "  L={l:<3} H={h:.9}  h={step:.9}")?;
    }
    Ok(())
}

/// Streams symbols (indices into `names`) as one line, separated by `sep` (from
/// `cmech_io::symbol_separator`, so that the text reads back as the same symbols).
pub fn write_symbols(
    out: &mut dyn Write,
    names: &[String],
    sep: &str,
    symbols: impl Iterator<Item = usize>,
    progress: Option<&ProgressBar>,
) -> Result<()> {
    const CHUNK: usize = 1 << 16;
    let mut buf: Vec<u8> = Vec::with_capacity(CHUNK * 2);
    let mut symbols = symbols.peekable();
    let mut written = 0u64;
    while symbols.peek().is_some() {
        buf.clear();
        for x in symbols.by_ref().take(CHUNK) {
            if written > 0 {
                buf.extend_from_slice(sep.as_bytes());
            }
            buf.extend_from_slice(names[x].as_bytes());
            written += 1;
        }
        out.write_all(&buf)?;
        if let Some(bar) = progress {
            bar.set_position(written);
        }
    }
    out.write_all(b"\n")?;
    Ok(())
}

/// A reconstructed machine for a person: its size, measures, diagnostics and transitions.
pub fn reconstruction_table(
    out: &mut impl Write,
    rec: &cmech_core::reconstruct::Reconstruction,
    transitions: bool,
) -> Result<()> {
    diagnostics_rows(out, &rec.diagnostics, "h_mu")?;
    if let Some(sel) = &rec.diagnostics.selection {
        selection_rows(out, sel)?;
    }
    let hmm = &rec.machine;
    writeln!(out, "alphabet     {}", hmm.alphabet().join(" "))?;
    if hmm.num_states() > SUMMARY_STATES && !transitions {
        writeln!(
            out,
            "transitions  {} states: not printed (--transitions prints them; -o writes the machine)",
            hmm.num_states()
        )?;
        return Ok(());
    }
    stationary_and_transitions(out, hmm)
}

/// The machine against the smoothed Markov chains on held-out data.
pub fn held_out_rows(out: &mut impl Write, h: &cmech_core::reconstruct::HeldOut) -> Result<()> {
    writeln!(
        out,
        "held out     {} symbols (each from at most {} before it; fitted on {})",
        h.test_symbols, h.context, h.train_symbols
    )?;
    writeln!(
        out,
        "             {:<24} {:>7} {:>7} {:>12} {:>9}",
        "predictor", "states", "params", "log-loss", "std err"
    )?;
    // The machine, then each order's better smoothing; the best chain marked.
    let mut rows = vec![(&h.machine, " ")];
    let mut i = 0;
    while i < h.markov.len() {
        let order = h.markov[i].order;
        let same = h.markov[i..]
            .iter()
            .take_while(|q| q.order == order)
            .count();
        let best = (i..i + same)
            .min_by(|&a, &b| h.markov[a].log_loss.total_cmp(&h.markov[b].log_loss))
            .expect("an order has a chain");
        rows.push((
            &h.markov[best],
            if best == h.best_markov { "*" } else { " " },
        ));
        i += same;
    }
    for (p, mark) in rows {
        writeln!(
            out,
            "           {mark} {:<24} {:>7} {:>7} {:>12.6} {:>9.6}",
            p.predictor, p.states, p.parameters, p.log_loss, p.standard_error
        )?;
    }
    writeln!(
        out,
        "             machine less best chain: {:+.6} bits/symbol, standard error {:.6} (the \
         symbols taken as independent: a floor for a dependent series)",
        h.advantage, h.advantage_standard_error
    )?;
    if h.machine_impossible > 0 {
        writeln!(
            out,
            "             the machine as fitted gives {} held-out symbols probability zero; they \
             are scored through its smoothing",
            h.machine_impossible
        )?;
    }
    writeln!(out, "verdict      {}", h.verdict)?;
    Ok(())
}

/// Machines with more states than this print a summary, not every transition, unless asked.
const SUMMARY_STATES: usize = 20;

/// Every candidate of a selection, the chosen one marked.
fn selection_rows(out: &mut impl Write, sel: &cmech_core::reconstruct::Selection) -> Result<()> {
    writeln!(out, "selected     {}", sel.reason)?;
    writeln!(
        out,
        "candidates   {:<8} {:>3} {:>7} {:>6} {:>14} {:>16}",
        "method", "L", "states", "params", "log-loss", "BIC (bits)"
    )?;
    for (i, c) in sel.candidates.iter().enumerate() {
        let method = c.method.map_or("iid", |m| m.name());
        let mark = if i == sel.chosen { "*" } else { " " };
        match &c.failure {
            Some(why) => writeln!(
                out,
                "           {mark} {method:<8} {:>3}  none: {why}",
                c.max_history
            )?,
            None => {
                let loss = c
                    .log_loss
                    .map_or_else(|| "impossible".into(), |l| format!("{l:.6}"));
                let bic = if c.score.is_finite() {
                    format!("{:.1}", c.score)
                } else {
                    "inf".into()
                };
                let refined = c.refined.map_or_else(String::new, |r| {
                    format!("  refined from candidate {}: {}", r.from + 1, r.summary())
                });
                writeln!(
                    out,
                    "           {mark} {method:<8} {:>3} {:>7} {:>6} {loss:>14} {bic:>16}{refined}",
                    c.max_history, c.states, c.parameters
                )?
            }
        }
    }
    Ok(())
}

/// The diagnostics of a reconstruction, `h_label` naming its entropy rate (h_mu of a machine,
/// h(Y|X) of a transducer).
pub fn diagnostics_rows(
    out: &mut impl Write,
    d: &cmech_core::reconstruct::Diagnostics,
    h_label: &str,
) -> Result<()> {
    let test = d.test.name();
    match &d.selection {
        Some(sel) if sel.candidates[sel.chosen].method.is_none() => writeln!(
            out,
            "method       selected by {}: independent symbols (no history)",
            sel.criterion.to_uppercase()
        )?,
        Some(sel) => writeln!(
            out,
            "method       selected by {}: {} (L = {}, alpha = {}, test {test})",
            sel.criterion.to_uppercase(),
            d.method.name(),
            d.max_history,
            d.alpha
        )?,
        None => writeln!(
            out,
            "method       {} (L = {}, alpha = {}, test {test})",
            d.method.name(),
            d.max_history,
            d.alpha
        )?,
    }
    writeln!(
        out,
        "data         {} symbols in {} sequence{}",
        d.symbols,
        d.sequences,
        if d.sequences == 1 { "" } else { "s" }
    )?;
    writeln!(
        out,
        "states       {} recurrent ({} transient dropped, {} found in all)",
        d.recurrent_states, d.transient_states, d.states_total
    )?;
    writeln!(out, "recurrent    {:.6} of the histories", d.recurrent_mass)?;
    writeln!(out, "C_mu         {:.9}", d.c_mu)?;
    writeln!(out, "{h_label:<12} {:.9}", d.h_mu)?;
    writeln!(
        out,
        "             (exact for this machine; as estimates of the process, with intervals: \
         cmech estimate)"
    )?;
    if d.log_likelihood.is_finite() {
        let per_symbol = if d.symbols > 0 {
            d.log_likelihood / d.symbols as f64
        } else {
            0.0
        };
        writeln!(
            out,
            "log-lik      {:.3} bits ({per_symbol:.6} per symbol)",
            d.log_likelihood
        )?;
    } else {
        writeln!(
            out,
            "log-lik      minus infinity: the machine gives {} symbols of the data probability zero",
            d.impossible
        )?;
    }
    let by: Vec<String> = d
        .states_by_history
        .iter()
        .map(|(l, s)| format!("{l}:{s}"))
        .collect();
    writeln!(
        out,
        "states by L  {}{}",
        by.join(" "),
        if d.still_growing {
            "  (still growing)"
        } else {
            ""
        }
    )?;
    if let Some(g) = &d.growth {
        writeln!(out, "growth       {}", g.statement)?;
    }
    if let Some(l) = d.supported_history {
        writeln!(out, "supported L  up to {l} (Marton-Shields)")?;
    }
    Ok(())
}
