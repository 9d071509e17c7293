//! Information measures of a transducer under a given input process, in bits, each saying how it
//! was obtained. Everything comes from the joint input-output process ([`JointProcess`]) through the
//! presentations' own measures: the joint is unifilar when the input's presentation and the
//! transducer are, so h(X,Y) is then exact; the output alone is nonunifilar in general, and h(Y) is
//! exact when its mixed states close and approached with bounds otherwise.

use serde::{Deserialize, Serialize};

use crate::entropy::entropy;
use crate::error::Result;
use crate::measures::{measures, MeasureOptions, Quantity, Status};
use crate::presentation::Hmm;
use crate::transducer::Transducer;

#[cfg(doc)]
use crate::transducer::JointProcess;

/// The measures of a transducer driven by an input process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransducerMeasures {
    /// The transducer's name.
    pub transducer: String,
    /// The input process's name.
    pub input: String,
    /// States of the minimised transducer the measures refer to.
    pub transducer_states: Vec<String>,
    /// Stationary probability of each of those states under the input.
    pub state_distribution: Vec<f64>,
    /// Whether the minimised transducer is unifilar: C_mu is known only then.
    pub unifilar: bool,
    /// Statistical complexity C_mu = H[transducer state] under the input.
    #[serde(rename = "C_mu")]
    pub statistical_complexity: Quantity,
    /// Entropy rate of the input, h(X).
    #[serde(rename = "h_X")]
    pub input_entropy_rate: Quantity,
    /// Entropy rate of the output, h(Y).
    #[serde(rename = "h_Y")]
    pub output_entropy_rate: Quantity,
    /// Entropy rate of the joint process, h(X,Y).
    #[serde(rename = "h_XY")]
    pub joint_entropy_rate: Quantity,
    /// Conditional entropy rate h(Y|X) = h(X,Y) - h(X).
    #[serde(rename = "h_Y_given_X")]
    pub conditional_entropy_rate: Quantity,
    /// Mutual information rate I = h(X) + h(Y) - h(X,Y).
    #[serde(rename = "I")]
    pub mutual_information_rate: Quantity,
}

impl Transducer {
    /// The measures of this transducer driven by `input`, an HMM over (some of) its inputs.
    ///
    /// The transducer is minimised first, so C_mu is the entropy of the stationary distribution
    /// over its causal states (marginal of the joint chain's); it is exact for a unifilar
    /// transducer, and only an upper bound otherwise (a nonunifilar presentation's states are not
    /// causal states), reported as unknown. The joint process must have one recurrent class.
    pub fn measures(&self, input: &Hmm, opts: &MeasureOptions) -> Result<TransducerMeasures> {
        let t = self.minimize();
        let joint = t.joint_process(input)?;
        let pi = joint.hmm.stationary_distribution()?;
        let mut marginal = vec![0.0; t.num_states()];
        for (k, &(_, s)) in joint.states.iter().enumerate() {
            marginal[s] += pi[k];
        }
        // A one-state transducer's entropy comes out as -0.
        let h_states = entropy(marginal.iter().copied()).max(0.0) + 0.0;
        let statistical_complexity = if t.is_unifilar() {
            Quantity::exact(
                h_states,
                format!(
                    "entropy of the stationary distribution over the {} states of the minimised \
                     unifilar transducer driven by the input",
                    t.num_states()
                ),
            )
        } else {
            Quantity {
                bounds: Some([0.0, h_states]),
                ..Quantity::without_value(
                    Status::Unknown,
                    format!(
                        "the transducer is nonunifilar: the entropy over its states, {h_states:.6} \
                         bits, only bounds C_mu from above"
                    ),
                )
            }
        };
        let h_x = measures(input, opts)?.entropy_rate;
        let h_xy = measures(&joint.hmm, opts)?.entropy_rate;
        let h_y = measures(&joint.output_process(), opts)?.entropy_rate;
        let conditional_entropy_rate = combine(&[(1.0, &h_xy), (-1.0, &h_x)], "h(X,Y) - h(X)");
        let mutual_information_rate = combine(
            &[(1.0, &h_x), (1.0, &h_y), (-1.0, &h_xy)],
            "h(X) + h(Y) - h(X,Y)",
        );
        Ok(TransducerMeasures {
            transducer: self.name().to_string(),
            input: input.name().to_string(),
            transducer_states: t.states().to_vec(),
            state_distribution: marginal,
            unifilar: t.is_unifilar(),
            statistical_complexity,
            input_entropy_rate: h_x,
            output_entropy_rate: h_y,
            joint_entropy_rate: h_xy,
            conditional_entropy_rate,
            mutual_information_rate,
        })
    }
}

/// A signed sum of entropy rates, which is a nonnegative quantity (a conditional entropy or a
/// mutual information rate): exact when every term is, otherwise approached with the bounds the
/// terms' bounds give.
fn combine(terms: &[(f64, &Quantity)], formula: &str) -> Quantity {
    let values: Option<Vec<f64>> = terms.iter().map(|(_, q)| q.value).collect();
    let Some(values) = values else {
        return Quantity::without_value(Status::Unknown, format!("{formula}: a term is unknown"));
    };
    // Exact terms still differ from the true values by rounding; a difference within it is zero.
    let value = terms
        .iter()
        .zip(&values)
        .map(|((sign, _), v)| sign * v)
        .sum::<f64>();
    let value = if value < 1e-12 { 0.0 } else { value };
    if terms.iter().all(|(_, q)| q.status == Status::Exact) {
        return Quantity::exact(value, format!("{formula}, each exact"));
    }
    let (mut lo, mut hi) = (0.0, 0.0);
    for ((sign, q), v) in terms.iter().zip(&values) {
        let [a, b] = q.bounds.unwrap_or([*v, *v]);
        if *sign > 0.0 {
            lo += a;
            hi += b;
        } else {
            lo -= b;
            hi -= a;
        }
    }
    let approached: Vec<&Quantity> = terms
        .iter()
        .map(|(_, q)| *q)
        .filter(|q| q.status != Status::Exact)
        .collect();
    Quantity {
        bounds: Some([lo.max(0.0), hi.max(0.0)]),
        ..Quantity::approached(
            value,
            approached.iter().filter_map(|q| q.depth).max().unwrap_or(0),
            approached
                .iter()
                .filter_map(|q| q.last_change)
                .map(f64::abs)
                .sum(),
            format!(
                "{formula} with {} approached (see their methods); bounds from theirs",
                if approached.len() == 1 {
                    "one term"
                } else {
                    "several terms"
                }
            ),
        )
    }
}
