//! The recovery study of issue 13 in full, and the random machines as JSON for
//! `benches/random_machines.py`.
//!
//! ```sh
//! # every random machine (2 to 10 states, 2 to 4 symbols, machine seeds 1 to 5) and every named
//! # process (20 seeds), reconstructed with no options; prints the tables of tests/random_machines.rs
//! cargo run --release -p cmech-core --example random_machines -- study --seeds 1-5 --named-seeds 20
//! # only some machines: states, symbols and seeds as ranges or lists
//! cargo run --release -p cmech-core --example random_machines -- study --states 8-10 --symbols 2 --seeds 1-3
//! # the machines as cmech presentation JSON files, with manifest.json (truth, N, data seed)
//! cargo run --release -p cmech-core --example random_machines -- write DIR --seeds 1-5
//! ```
#[path = "../tests/recovery/mod.rs"]
mod recovery;

use std::path::PathBuf;

use cmech_core::random::epsilon_machine;
use recovery::*;

fn range(s: &str) -> Vec<u64> {
    s.split(',')
        .flat_map(|part| match part.split_once('-') {
            Some((a, b)) => {
                let (a, b): (u64, u64) =
                    (a.parse().expect("a number"), b.parse().expect("a number"));
                (a..=b).collect::<Vec<_>>()
            }
            None => vec![part.parse().expect("a number")],
        })
        .collect()
}

struct Args {
    command: String,
    dir: Option<PathBuf>,
    states: Vec<u64>,
    symbols: Vec<u64>,
    seeds: Vec<u64>,
    named_seeds: u64,
    samples: Option<usize>,
}

fn args() -> Args {
    let mut a = Args {
        command: String::new(),
        dir: None,
        states: (2..=10).collect(),
        symbols: (2..=4).collect(),
        seeds: (1..=5).collect(),
        named_seeds: 20,
        samples: None,
    };
    let mut it = std::env::args().skip(1);
    a.command = it.next().unwrap_or_else(|| {
        eprintln!("usage: random_machines study|write [DIR] [--states R] [--symbols R] [--seeds R] [--named-seeds N] [-n N]");
        std::process::exit(2)
    });
    while let Some(arg) = it.next() {
        let mut value = || it.next().expect("a value after the option");
        match arg.as_str() {
            "--states" => a.states = range(&value()),
            "--symbols" => a.symbols = range(&value()),
            "--seeds" => a.seeds = range(&value()),
            "--named-seeds" => a.named_seeds = value().parse().expect("a number"),
            "-n" => a.samples = Some(value().parse::<f64>().expect("a number") as usize),
            other if a.dir.is_none() && !other.starts_with('-') => a.dir = Some(other.into()),
            other => panic!("unknown argument {other}"),
        }
    }
    a
}

fn machines(a: &Args) -> Vec<(usize, usize, u64)> {
    let mut v = Vec::new();
    for &states in &a.states {
        for &symbols in &a.symbols {
            for &seed in &a.seeds {
                v.push((states as usize, symbols as usize, seed));
            }
        }
    }
    v
}

fn main() {
    let a = args();
    match a.command.as_str() {
        "study" => {
            let mut outcomes = Vec::new();
            for (states, symbols, seed) in machines(&a) {
                let truth = epsilon_machine(states, symbols, MIN_P, seed).unwrap();
                let n = a.samples.unwrap_or(samples_for(states));
                let o = recover(
                    &format!("random {states}x{symbols} #{seed}"),
                    &truth,
                    n,
                    data_seed(seed),
                );
                eprintln!(
                    "{}: {} states, found {}, {} ({:.1} s)",
                    o.label,
                    o.true_states,
                    o.found_states,
                    if o.exact {
                        "recovered"
                    } else {
                        "NOT recovered"
                    },
                    o.seconds
                );
                outcomes.push(o);
            }
            if !outcomes.is_empty() {
                report("random machines, no options", &outcomes);
            }
            if a.named_seeds > 0 {
                let mut named = Vec::new();
                for (name, params) in NAMED {
                    let process = cmech_core::named(name, params).unwrap();
                    for seed in 1..=a.named_seeds {
                        named.push(recover(
                            &named_label(name, params, seed),
                            &process,
                            a.samples.unwrap_or(NAMED_SAMPLES),
                            seed,
                        ));
                    }
                }
                report("named processes, no options", &named);
            }
        }
        "write" => {
            let dir = a.dir.clone().expect("write needs a folder");
            std::fs::create_dir_all(&dir).unwrap();
            let mut manifest = Vec::new();
            for (states, symbols, seed) in machines(&a) {
                let truth = epsilon_machine(states, symbols, MIN_P, seed).unwrap();
                let m = cmech_core::measures(&truth, &Default::default()).unwrap();
                let file = format!("random-{states}x{symbols}-{seed}.json");
                std::fs::write(dir.join(&file), truth.to_json()).unwrap();
                manifest.push(serde_json::json!({
                    "file": file,
                    "states": states,
                    "symbols": symbols,
                    "seed": seed,
                    "n": a.samples.unwrap_or(samples_for(states)),
                    "data_seed": data_seed(seed),
                    "h_mu": m.entropy_rate.value,
                    "c_mu": m.statistical_complexity.value,
                    "markov_order": m.markov_order.value,
                    "gap": gap(&truth),
                }));
            }
            std::fs::write(
                dir.join("manifest.json"),
                serde_json::to_string_pretty(&manifest).unwrap(),
            )
            .unwrap();
            eprintln!("{} machines written to {}", manifest.len(), dir.display());
        }
        other => panic!("unknown command {other} (study or write)"),
    }
}
