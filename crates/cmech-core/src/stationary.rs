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
    /// well-conditioned chains, periodic ones included, since it is a linear solve, not an iteration.
    pub fn stationary_distribution(&self) -> Result<Vec<f64>> {
        let class = self.recurrent_class()?;
        let mut index = vec![usize::MAX; self.num_states()];
        for (k, &i) in class.iter().enumerate() {
            index[i] = k;
        }
        let m = class.len();
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
}
