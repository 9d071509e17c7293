//! The library of named processes, each with its parameters and their defaults.

use std::collections::BTreeMap;

use crate::error::{CmechError, Result};
use crate::presentation::Hmm;
use crate::sources::{Logistic, LOGISTIC_MAP, LOGISTIC_TRANSIENT};

/// One parameter of a named process.
#[derive(Debug, Clone)]
pub struct ParamSpec {
    /// The parameter's name, as users give it (`p`).
    pub name: &'static str,
    /// The value taken when none is given, as text.
    pub default: &'static str,
    /// What the parameter means, in a few words.
    pub help: &'static str,
}

/// A named process: how to build its presentation, or the source of its symbols, from parameters.
pub struct NamedProcess {
    /// The name users give (`golden-mean`); `_` may stand for `-`.
    pub name: &'static str,
    /// One line: what the process is, often with its presentation's edges.
    pub summary: &'static str,
    /// Where the definition comes from.
    pub reference: &'static str,
    /// The parameters, with their defaults.
    pub params: &'static [ParamSpec],
    build: Build,
}

/// How a named process is built.
enum Build {
    /// A hidden Markov model presents it.
    Presentation(fn(&Params) -> Result<Hmm>),
    /// A source of symbols that no finite hidden Markov model presents in general (the symbolic
    /// dynamics of a map): its symbols can be sampled, its structure reconstructed from them.
    Source(fn(&Params) -> Result<NamedSource>),
}

impl NamedProcess {
    /// Whether a hidden Markov model presents the process (so [`named`] builds it); the others are
    /// sources of symbols, built by [`named_source`].
    pub fn has_presentation(&self) -> bool {
        matches!(self.build, Build::Presentation(_))
    }
}

/// What a named process gives: a presentation, or a source of symbols without one.
#[derive(Debug, Clone)]
pub enum NamedSource {
    /// A hidden Markov model that presents the process.
    Presentation(Hmm),
    /// The symbolic logistic map.
    LogisticMap(Logistic),
}

/// Parameter values by name, as given by a user (text), checked by the process that reads them.
pub struct Params<'a> {
    process: &'static str,
    values: BTreeMap<&'static str, &'a str>,
}

impl Params<'_> {
    pub(crate) fn err(&self, message: String) -> CmechError {
        CmechError::InvalidParameter {
            process: self.process.into(),
            message,
        }
    }

    fn text(&self, name: &str) -> &str {
        self.values[name]
    }

    /// The parameter's value as a number, its range not yet checked: the typed constructors
    /// check it.
    pub(crate) fn value(&self, name: &str) -> Result<f64> {
        let raw = self.text(name);
        crate::presentation::parse_probability(raw)
            .ok_or_else(|| self.err(format!("{name} = '{raw}' is not a number")))
    }

    pub(crate) fn number(&self, name: &str, lo: f64, hi: f64) -> Result<f64> {
        in_range(self.process, name, self.value(name)?, lo, hi)
    }

    pub(crate) fn probability(&self, name: &str) -> Result<f64> {
        self.number(name, 0.0, 1.0)
    }

    fn word(&self, name: &str) -> Result<Vec<String>> {
        let raw = self.text(name);
        let w: Vec<String> = if raw.contains(',') {
            raw.split(',').map(|s| s.trim().to_string()).collect()
        } else {
            raw.chars().map(|c| c.to_string()).collect()
        };
        if w.is_empty() || w.iter().any(|s| s.is_empty()) {
            return Err(self.err(format!("{name} = '{raw}' is not a word of symbols")));
        }
        Ok(w)
    }
}

/// `v`, the value of `process`'s parameter `name`, if it lies in [lo, hi]; NaN never does.
fn in_range(process: &str, name: &str, v: f64, lo: f64, hi: f64) -> Result<f64> {
    if (lo..=hi).contains(&v) {
        Ok(v)
    } else {
        Err(CmechError::InvalidParameter {
            process: process.into(),
            message: format!("{name} = {v} is outside [{lo}, {hi}]"),
        })
    }
}

/// `v` if it is a probability.
fn probability(process: &str, name: &str, v: f64) -> Result<f64> {
    in_range(process, name, v, 0.0, 1.0)
}

const P_HALF: ParamSpec = ParamSpec {
    name: "p",
    default: "0.5",
    help: "probability of the first branch (see the definition)",
};

/// Every named process: the library that [`named`] and [`named_source`] build from.
pub static PROCESSES: &[NamedProcess] = &[
    NamedProcess {
        name: "biased-coin",
        summary: "independent, identically distributed coin flips: A -1|p-> A, A -0|1-p-> A",
        reference: "the i.i.d. (biased coin) process of Crutchfield & Feldman, Chaos 13, 25 (2003); \
                    h_mu = H_b(p) (Cover & Thomas, Elements of Information Theory, 2nd ed. (2006), \
                    Sec. 2.1), C_mu = E = 0",
        params: &[ParamSpec { name: "p", default: "0.5", help: "probability of emitting 1" }],
        build: Build::Presentation(|ps| biased_coin(ps.value("p")?)),
    },
    NamedProcess {
        name: "golden-mean",
        summary: "no two consecutive 0s: A -1|p-> A, A -0|1-p-> B, B -1|1-> A",
        reference: "Crutchfield & Feldman, Chaos 13, 25 (2003)",
        params: &[ParamSpec { help: "probability of emitting 1 from A", ..P_HALF }],
        build: Build::Presentation(|ps| golden_mean(ps.value("p")?)),
    },
    NamedProcess {
        name: "even",
        summary: "1s come in blocks of even length: A -0|p-> A, A -1|1-p-> B, B -1|1-> A",
        reference: "Crutchfield & Feldman, Chaos 13, 25 (2003)",
        params: &[ParamSpec { help: "probability of emitting 0 from A", ..P_HALF }],
        build: Build::Presentation(|ps| even(ps.value("p")?)),
    },
    NamedProcess {
        name: "period",
        summary: "repeats a word forever: one state per position of the word",
        reference: "period-N processes, Crutchfield & Feldman, Chaos 13, 25 (2003)",
        params: &[ParamSpec {
            name: "word",
            default: "001",
            help: "the repeated word: one character per symbol, or comma-separated symbols",
        }],
        build: Build::Presentation(|ps| periodic("period", &ps.word("word")?, 0.0)),
    },
    NamedProcess {
        name: "noisy-period",
        summary: "a period-N word whose every symbol is replaced, with probability eps, by another symbol \
                  of the word's alphabet chosen uniformly; the phase advances regardless",
        reference: "noisy period-N, Crutchfield & Feldman, Chaos 13, 25 (2003)",
        params: &[
            ParamSpec { name: "word", default: "01", help: "the underlying periodic word" },
            ParamSpec { name: "eps", default: "0.1", help: "probability of a substituted symbol" },
        ],
        build: Build::Presentation(|ps| {
            let eps = probability("noisy-period", "eps", ps.value("eps")?)?;
            periodic("noisy-period", &ps.word("word")?, eps)
        }),
    },
    NamedProcess {
        name: "rrxor",
        summary: "random, random, XOR: two fair bits then their exclusive or",
        reference: "Crutchfield & Feldman, Chaos 13, 25 (2003); James, Ellison & Crutchfield, Chaos 21, 037109 (2011)",
        params: &[
            ParamSpec { name: "p1", default: "0.5", help: "probability that the first random bit is 0" },
            ParamSpec { name: "p2", default: "0.5", help: "probability that the second random bit is 0" },
        ],
        build: Build::Presentation(|ps| rrxor(ps.value("p1")?, ps.value("p2")?)),
    },
    NamedProcess {
        name: "z1r",
        summary: "zero, one, random: the word 01 then a fair bit, repeated",
        reference: "Z1R, Mahoney, Ellison & Crutchfield, J. Phys. A 42, 362002 (2009)",
        params: &[],
        build: Build::Presentation(|_| z1r()),
    },
    NamedProcess {
        name: "nemo",
        summary: "Nemo: A -1|p-> A, A -0|1-p-> B, B -0|1-> C, C -1|q-> A, C -0|1-q-> A; infinite Markov and \
                  cryptic orders; a 1 always leaves it in A, and 101 never occurs",
        reference: "the Nemo process of Mahoney, Ellison & Crutchfield, J. Phys. A 42, 362002 (2009); \
                    symbols as in the Crutchfield lab's cmpy (cmech before issue 13 swapped 0 and 1: the \
                    same measures, mirror-image words)",
        params: &[
            ParamSpec { name: "p", default: "0.5", help: "probability of A -1-> A" },
            ParamSpec { name: "q", default: "0.5", help: "probability of C -1-> A" },
        ],
        build: Build::Presentation(|ps| nemo(ps.value("p")?, ps.value("q")?)),
    },
    NamedProcess {
        name: "sns",
        summary: "simple nonunifilar source: A -1|p-> A, A -1|1-p-> B, B -1|q-> B, B -0|1-q-> A",
        reference: "Crutchfield, Physica D 75, 11 (1994); Marzen & Crutchfield, PRE 95, 051301 (2017)",
        params: &[
            ParamSpec { name: "p", default: "0.5", help: "probability of A -1-> A" },
            ParamSpec { name: "q", default: "0.5", help: "probability of B -1-> B" },
        ],
        build: Build::Presentation(|ps| sns(ps.value("p")?, ps.value("q")?)),
    },
    NamedProcess {
        name: "mess3",
        summary: "Mess3(x, alpha): 3 states, 3 symbols, nonunifilar; its beliefs form a fractal in the simplex",
        reference: "Marzen & Crutchfield, PRE 95, 051301 (2017); parameters of Shai et al., 'Transformers represent belief \
                    state geometry in their residual stream' (2024), App. A.3",
        params: &[
            ParamSpec { name: "x", default: "0.05", help: "probability mass of each state switch, in [0, 1/2]" },
            ParamSpec { name: "alpha", default: "0.85", help: "probability of emitting the symbol of the destination state" },
        ],
        build: Build::Presentation(|ps| mess3(ps.value("x")?, ps.value("alpha")?)),
    },
    NamedProcess {
        name: LOGISTIC_MAP,
        summary: "symbolic logistic map x' = r x (1 - x): 1 when x > cut, else 0; x0 drawn from the seed, \
                  the first 10,000 iterates dropped; a source of symbols with no finite presentation in \
                  general (sample it, then reconstruct)",
        reference: "Crutchfield & Young, PRL 63, 105 (1989) (statistical complexity of the logistic map, \
                    binary partition at the critical point); the partition at x = 1/2 is generating \
                    (Collet & Eckmann, Iterated Maps on the Interval as Dynamical Systems, 1980)",
        params: &[
            ParamSpec { name: "r", default: "4", help: "the map's parameter, in (0, 4]; 4 is full chaos (a fair coin)" },
            ParamSpec {
                name: "cut",
                default: "0.5",
                help: "the symbolisation: symbol 1 when x > cut, in (0, 1); 1/2, the critical point, is generating",
            },
        ],
        build: Build::Source(|ps| {
            logistic_map(ps.value("r")?, ps.value("cut")?).map(NamedSource::LogisticMap)
        }),
    },
];

const _: () = assert!(
    LOGISTIC_TRANSIENT == 10_000,
    "the logistic map's summary says 10,000"
);

// ---------------------------------------------------------------------------------------------
// Typed constructors: the catalogue builds every process through these, so a Rust caller and
// a name with text parameters get the same machine and the same checks.

/// Independent coin flips, 1 with probability `p`: one state.
pub fn biased_coin(p: f64) -> Result<Hmm> {
    let p = probability("biased-coin", "p", p)?;
    machine(
        "biased-coin",
        &["0", "1"],
        &["A"],
        &[("A", "1", "A", p), ("A", "0", "A", 1.0 - p)],
    )
}

/// The golden mean process: no two consecutive 0s; A emits 1 with probability `p`.
pub fn golden_mean(p: f64) -> Result<Hmm> {
    let p = probability("golden-mean", "p", p)?;
    machine(
        "golden-mean",
        &["0", "1"],
        &["A", "B"],
        &[
            ("A", "1", "A", p),
            ("A", "0", "B", 1.0 - p),
            ("B", "1", "A", 1.0),
        ],
    )
}

/// The even process: 1s in blocks of even length; A emits 0 with probability `p`.
pub fn even(p: f64) -> Result<Hmm> {
    let p = probability("even", "p", p)?;
    machine(
        "even",
        &["0", "1"],
        &["A", "B"],
        &[
            ("A", "0", "A", p),
            ("A", "1", "B", 1.0 - p),
            ("B", "1", "A", 1.0),
        ],
    )
}

/// The period-N process repeating `word` (its symbols, in order) forever.
pub fn period(word: &[&str]) -> Result<Hmm> {
    periodic("period", &symbols_of(word), 0.0)
}

/// The period-N process of `word` whose every symbol is replaced, with probability `eps`, by
/// another symbol of the word's alphabet chosen uniformly.
pub fn noisy_period(word: &[&str], eps: f64) -> Result<Hmm> {
    let eps = probability("noisy-period", "eps", eps)?;
    periodic("noisy-period", &symbols_of(word), eps)
}

fn symbols_of(word: &[&str]) -> Vec<String> {
    word.iter().map(|s| s.to_string()).collect()
}

/// Random, random, XOR: two random bits (0 with probabilities `p1` and `p2`), then their XOR.
pub fn rrxor(p1: f64, p2: f64) -> Result<Hmm> {
    let (p1, p2) = (
        probability("rrxor", "p1", p1)?,
        probability("rrxor", "p2", p2)?,
    );
    machine(
        "rrxor",
        &["0", "1"],
        &["S", "s0", "s1", "T", "F"],
        &[
            ("S", "0", "s0", p1),
            ("S", "1", "s1", 1.0 - p1),
            ("s0", "0", "F", p2),
            ("s0", "1", "T", 1.0 - p2),
            ("s1", "0", "T", p2),
            ("s1", "1", "F", 1.0 - p2),
            ("T", "1", "S", 1.0),
            ("F", "0", "S", 1.0),
        ],
    )
}

/// Zero, one, random: the word 01 then a fair bit, repeated.
pub fn z1r() -> Result<Hmm> {
    machine(
        "z1r",
        &["0", "1"],
        &["Z", "O", "R"],
        &[
            ("Z", "0", "O", 1.0),
            ("O", "1", "R", 1.0),
            ("R", "0", "Z", 0.5),
            ("R", "1", "Z", 0.5),
        ],
    )
}

/// The Nemo process: A -1|p-> A, A -0|1-p-> B, B -0|1-> C, C -1|q-> A, C -0|1-q-> A.
pub fn nemo(p: f64, q: f64) -> Result<Hmm> {
    let (p, q) = (probability("nemo", "p", p)?, probability("nemo", "q", q)?);
    machine(
        "nemo",
        &["0", "1"],
        &["A", "B", "C"],
        &[
            ("A", "1", "A", p),
            ("A", "0", "B", 1.0 - p),
            ("B", "0", "C", 1.0),
            ("C", "1", "A", q),
            ("C", "0", "A", 1.0 - q),
        ],
    )
}

/// The simple nonunifilar source: A -1|p-> A, A -1|1-p-> B, B -1|q-> B, B -0|1-q-> A.
pub fn sns(p: f64, q: f64) -> Result<Hmm> {
    let (p, q) = (probability("sns", "p", p)?, probability("sns", "q", q)?);
    machine(
        "sns",
        &["0", "1"],
        &["A", "B"],
        &[
            ("A", "1", "A", p),
            ("A", "1", "B", 1.0 - p),
            ("B", "1", "B", q),
            ("B", "0", "A", 1.0 - q),
        ],
    )
}

/// Mess3(x, alpha): three states and symbols; each step switches state with probability `x` per
/// other state (`x` in [0, 1/2]) and emits the destination's symbol with probability `alpha`.
pub fn mess3(x: f64, alpha: f64) -> Result<Hmm> {
    let x = in_range("mess3", "x", x, 0.0, 0.5)?;
    let alpha = probability("mess3", "alpha", alpha)?;
    let (b, y) = ((1.0 - alpha) / 2.0, 1.0 - 2.0 * x);
    let names = ["A", "B", "C"];
    let mut ts = Vec::new();
    for (a, sym) in names.iter().enumerate() {
        for i in 0..3 {
            for j in 0..3 {
                let emit = if j == a { alpha } else { b };
                let hop = if i == j { y } else { x };
                ts.push((names[i], *sym, names[j], emit * hop));
            }
        }
    }
    machine("mess3", &names, &names, &ts)
}

/// The symbolic logistic map x' = r x (1 - x), symbol 1 when x > `cut`: `r` in (0, 4], `cut` in
/// (0, 1). A source of symbols with no finite presentation in general.
pub fn logistic_map(r: f64, cut: f64) -> Result<Logistic> {
    let err = |message: String| CmechError::InvalidParameter {
        process: LOGISTIC_MAP.into(),
        message,
    };
    if !(r > 0.0 && r <= 4.0) {
        return Err(err(format!("r = {r} is outside (0, 4]")));
    }
    if !(cut > 0.0 && cut < 1.0) {
        return Err(err(format!("cut = {cut} is outside (0, 1)")));
    }
    Ok(Logistic { r, cut })
}

fn machine(
    name: &str,
    alphabet: &[&str],
    states: &[&str],
    ts: &[(&str, &str, &str, f64)],
) -> Result<Hmm> {
    let idx = |list: &[&str], s: &str| list.iter().position(|t| *t == s).expect("known name");
    Hmm::new(
        name,
        alphabet.iter().map(|s| s.to_string()).collect(),
        states.iter().map(|s| s.to_string()).collect(),
        ts.iter()
            .map(|&(f, x, t, p)| (idx(states, f), idx(alphabet, x), idx(states, t), p)),
    )
}

/// One state per position of `word`; at each position the word's symbol is emitted with probability
/// 1 - eps and each other symbol of the word's alphabet with eps / (|A| - 1).
fn periodic(name: &str, word: &[String], eps: f64) -> Result<Hmm> {
    let mut alphabet: Vec<String> = word.to_vec();
    alphabet.sort();
    alphabet.dedup();
    if eps > 0.0 && alphabet.len() < 2 {
        return Err(CmechError::InvalidParameter {
            process: name.into(),
            message: "a noisy word needs at least two distinct symbols".into(),
        });
    }
    let n = word.len();
    let states: Vec<String> = (0..n).map(|i| format!("P{i}")).collect();
    let mut ts = Vec::new();
    for (i, w) in word.iter().enumerate() {
        for (x, s) in alphabet.iter().enumerate() {
            let p = if s == w {
                1.0 - eps
            } else {
                eps / (alphabet.len() - 1) as f64
            };
            ts.push((i, x, (i + 1) % n, p));
        }
    }
    Hmm::new(name, alphabet, states, ts)
}

/// The presentation of the named process, built with `params` over its defaults; an error for
/// a named source without one (the logistic map: see [`named_source`]).
pub fn named(name: &str, params: &[(&str, &str)]) -> Result<Hmm> {
    let (spec, ps) = spec_and_params(name, params)?;
    match spec.build {
        Build::Presentation(build) => build(&ps),
        Build::Source(_) => Err(CmechError::Unsupported(format!(
            "{} is a source of symbols with no finite presentation: sample it (cmech sample {}) \
             and reconstruct its epsilon-machine from the data",
            spec.name, spec.name
        ))),
    }
}

/// The named process built with `params` over its defaults: its presentation, or for a source
/// without one (the logistic map), the source.
pub fn named_source(name: &str, params: &[(&str, &str)]) -> Result<NamedSource> {
    let (spec, ps) = spec_and_params(name, params)?;
    match spec.build {
        Build::Presentation(build) => build(&ps).map(NamedSource::Presentation),
        Build::Source(build) => build(&ps),
    }
}

fn spec_and_params<'a>(
    name: &str,
    params: &[(&str, &'a str)],
) -> Result<(&'static NamedProcess, Params<'a>)> {
    let spec = PROCESSES
        .iter()
        .find(|p| p.name == name || p.name.replace('-', "_") == name.replace('-', "_"))
        .ok_or_else(|| CmechError::UnknownProcess {
            name: name.into(),
            known: PROCESSES
                .iter()
                .map(|p| p.name)
                .collect::<Vec<_>>()
                .join(", "),
        })?;
    Ok((spec, params_over_defaults(spec.name, spec.params, params)?))
}

/// `params` checked against `specs` and laid over their defaults, for the model `model`.
pub(crate) fn params_over_defaults<'a>(
    model: &'static str,
    specs: &'static [ParamSpec],
    params: &[(&str, &'a str)],
) -> Result<Params<'a>> {
    let mut values: BTreeMap<&'static str, &str> =
        specs.iter().map(|p| (p.name, p.default)).collect();
    for (k, v) in params {
        let key =
            specs
                .iter()
                .find(|p| p.name == *k)
                .ok_or_else(|| CmechError::InvalidParameter {
                    process: model.into(),
                    message: format!(
                        "unknown parameter '{k}' (parameters: {})",
                        if specs.is_empty() {
                            "none".to_string()
                        } else {
                            specs.iter().map(|p| p.name).collect::<Vec<_>>().join(", ")
                        }
                    ),
                })?;
        values.insert(key.name, v);
    }
    Ok(Params {
        process: model,
        values,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_constructors_build_what_the_catalogue_builds() {
        let by_name = |name: &str, ps: &[(&str, &str)]| named(name, ps).unwrap();
        let pairs = [
            (
                biased_coin(0.3).unwrap(),
                by_name("biased-coin", &[("p", "0.3")]),
            ),
            (
                golden_mean(0.4).unwrap(),
                by_name("golden-mean", &[("p", "0.4")]),
            ),
            (even(0.5).unwrap(), by_name("even", &[])),
            (
                period(&["0", "1", "1"]).unwrap(),
                by_name("period", &[("word", "011")]),
            ),
            (
                noisy_period(&["a", "b"], 0.2).unwrap(),
                by_name("noisy-period", &[("word", "a,b"), ("eps", "0.2")]),
            ),
            (
                rrxor(0.5, 0.25).unwrap(),
                by_name("rrxor", &[("p2", "0.25")]),
            ),
            (z1r().unwrap(), by_name("z1r", &[])),
            (nemo(0.5, 0.7).unwrap(), by_name("nemo", &[("q", "0.7")])),
            (sns(0.6, 0.5).unwrap(), by_name("sns", &[("p", "0.6")])),
            (mess3(0.05, 0.85).unwrap(), by_name("mess3", &[])),
        ];
        for (typed, named) in pairs {
            assert_eq!(typed, named, "{}", typed.name());
        }
        assert_eq!(
            logistic_map(3.7, 0.5).unwrap(),
            Logistic { r: 3.7, cut: 0.5 }
        );
    }

    #[test]
    fn typed_constructors_refuse_what_the_catalogue_refuses_with_its_words() {
        let typed = golden_mean(1.5).unwrap_err().to_string();
        let named = named("golden-mean", &[("p", "1.5")])
            .unwrap_err()
            .to_string();
        assert_eq!(typed, named);
        assert!(typed.contains("p = 1.5 is outside [0, 1]"), "{typed}");
        assert!(golden_mean(f64::NAN).is_err());
        let e = mess3(0.6, 0.85).unwrap_err().to_string();
        assert!(e.contains("x = 0.6 is outside [0, 0.5]"), "{e}");
        assert!(logistic_map(4.5, 0.5).is_err() && logistic_map(4.0, 1.0).is_err());
    }
}
