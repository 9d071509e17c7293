//! Stationary distributions of presentations.

use crate::error::{CmechError, Result};
use crate::linalg;
use crate::presentation::Hmm;

impl Hmm {
    /// The unique recurrent class, or an error naming the classes when there are several (the
    /// process is then a mixture of ergodic components and has no single stationary measure).
    pub fn recurrent_class(&self) -> Result<Vec<usize>> {
        let mut classes = self.recurrent_classes();
        if classes.len() == 1 {
            return Ok(classes.pop().expect("one class"));
        }
        let names: Vec<String> = classes
            .iter()
            .map(|c| {
                let n: Vec<&str> = c.iter().map(|&i| self.states()[i].as_str()).collect();
                format!("{{{}}}", n.join(", "))
            })
            .collect();
        Err(CmechError::Unsupported(format!(
            "presentation '{}' is not ergodic: it has {} recurrent classes {}",
            self.name(),
            classes.len(),
            names.join(" ")
        )))
    }

    /// The stationary state distribution (zero on transient states). Exact to about 1e-15 for
    /// well-conditioned chains, periodic ones included: a linear solve up to
    /// [`DENSE_STATIONARY_STATES`] recurrent states, Gauss-Seidel sweeps over the edges beyond
    /// (reconstructions from data can have thousands of states, and a dense solve is cubic).
    pub fn stationary_distribution(&self) -> Result<Vec<f64>> {
        let class = self.recurrent_class()?;
        let mut index = vec![usize::MAX; self.num_states()];
        for (k, &i) in class.iter().enumerate() {
            index[i] = k;
        }
        let m = class.len();
        if m > DENSE_STATIONARY_STATES {
            return self.stationary_by_sweeps(&class, &index);
        }
        let mut p = vec![vec![0.0; m]; m];
        for (k, &i) in class.iter().enumerate() {
            for e in self.edges(i) {
                p[k][index[e.to]] += e.p;
            }
        }
        let pi = linalg::stationary(&p).ok_or_else(|| {
            CmechError::Unsupported("stationary distribution: singular system".into())
        })?;
        let mut full = vec![0.0; self.num_states()];
        for (k, &i) in class.iter().enumerate() {
            full[i] = pi[k];
        }
        Ok(full)
    }

    /// Gauss-Seidel on pi_j (1 - P_jj) = sum over i != j of pi_i P_ij, normalised after each sweep,
    /// until no entry moves by more than 1e-15 of the largest.
    fn stationary_by_sweeps(&self, class: &[usize], index: &[usize]) -> Result<Vec<f64>> {
        let m = class.len();
        let mut incoming: Vec<Vec<(usize, f64)>> = vec![Vec::new(); m];
        let mut stay = vec![0.0; m];
        for (k, &i) in class.iter().enumerate() {
            for e in self.edges(i) {
                let j = index[e.to];
                if j == k {
                    stay[k] += e.p;
                } else {
                    incoming[j].push((k, e.p));
                }
            }
        }
        let mut pi = vec![1.0 / m as f64; m];
        for _ in 0..MAX_SWEEPS {
            let mut change = 0.0f64;
            for j in 0..m {
                let new =
                    incoming[j].iter().map(|&(i, p)| pi[i] * p).sum::<f64>() / (1.0 - stay[j]);
                change = change.max((new - pi[j]).abs());
                pi[j] = new;
            }
            let total: f64 = pi.iter().sum();
            pi.iter_mut().for_each(|v| *v /= total);
            let top = pi.iter().cloned().fold(0.0, f64::max);
            if change <= 1e-15 * top * total {
                let mut full = vec![0.0; self.num_states()];
                for (k, &i) in class.iter().enumerate() {
                    full[i] = pi[k];
                }
                return Ok(full);
            }
        }
        Err(CmechError::Unsupported(format!(
            "stationary distribution of {m} states did not converge in {MAX_SWEEPS} sweeps"
        )))
    }
}

/// Recurrent classes up to this size are solved densely.
pub const DENSE_STATIONARY_STATES: usize = 600;

/// Gauss-Seidel sweeps allowed before giving up on a large chain.
const MAX_SWEEPS: usize = 100_000;

#[cfg(test)]
mod tests {
    use crate::presentation::{Edge, Hmm};

    /// A cycle of n states with a shortcut: slow to mix, periodic-looking, and known in closed form
    /// only through the dense solve it is checked against.
    #[test]
    fn sweeps_agree_with_the_dense_solve() {
        let n = 200;
        let edges: Vec<Vec<Edge>> = (0..n)
            .map(|i| {
                vec![
                    Edge {
                        symbol: 0,
                        to: (i + 1) % n,
                        p: 0.7,
                    },
                    Edge {
                        symbol: 1,
                        to: (i * 7 + 3) % n,
                        p: 0.3,
                    },
                ]
            })
            .collect();
        let h = Hmm::from_parts(
            "cycle".into(),
            vec!["0".into(), "1".into()],
            (0..n).map(|i| format!("S{i}")).collect(),
            edges,
        );
        let dense = h.stationary_distribution().unwrap();
        let class = h.recurrent_class().unwrap();
        let index: Vec<usize> = (0..n).collect();
        let swept = h.stationary_by_sweeps(&class, &index).unwrap();
        for (a, b) in dense.iter().zip(&swept) {
            assert!((a - b).abs() < 1e-12, "{a} {b}");
        }
    }
}
