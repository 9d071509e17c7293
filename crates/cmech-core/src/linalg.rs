//! Small dense linear algebra: the exact solves behind stationary distributions and the
//! expected-visit sums of transient mixed states.

/// Solves `a x = b` by Gaussian elimination with partial pivoting and one step of iterative
/// refinement. Returns None when `a` is singular to working precision.
pub fn solve(a: &[Vec<f64>], b: &[f64]) -> Option<Vec<f64>> {
    let lu = Lu::new(a)?;
    let mut x = lu.solve(b);
    // One refinement step recovers the last digits lost to elimination (needed for 1e-12 accuracy).
    let r: Vec<f64> = (0..b.len())
        .map(|i| b[i] - a[i].iter().zip(&x).map(|(aij, xj)| aij * xj).sum::<f64>())
        .collect();
    let dx = lu.solve(&r);
    for (xi, d) in x.iter_mut().zip(dx) {
        *xi += d;
    }
    Some(x)
}

struct Lu {
    m: Vec<Vec<f64>>,
    perm: Vec<usize>,
}

impl Lu {
    fn new(a: &[Vec<f64>]) -> Option<Lu> {
        let n = a.len();
        let mut m = a.to_vec();
        let mut perm: Vec<usize> = (0..n).collect();
        let scale = a
            .iter()
            .flat_map(|r| r.iter())
            .fold(0.0f64, |s, v| s.max(v.abs()))
            .max(f64::MIN_POSITIVE);
        for k in 0..n {
            let p = (k..n).max_by(|&i, &j| m[i][k].abs().total_cmp(&m[j][k].abs()))?;
            if m[p][k].abs() <= 1e-13 * scale {
                return None;
            }
            m.swap(k, p);
            perm.swap(k, p);
            let (top, bottom) = m.split_at_mut(k + 1);
            let pivot_row = &top[k];
            for row in bottom.iter_mut() {
                let f = row[k] / pivot_row[k];
                row[k] = f;
                if f != 0.0 {
                    for j in k + 1..n {
                        row[j] -= f * pivot_row[j];
                    }
                }
            }
        }
        Some(Lu { m, perm })
    }

    fn solve(&self, b: &[f64]) -> Vec<f64> {
        let n = b.len();
        let mut y: Vec<f64> = self.perm.iter().map(|&p| b[p]).collect();
        for i in 0..n {
            let s: f64 = (0..i).map(|j| self.m[i][j] * y[j]).sum();
            y[i] -= s;
        }
        for i in (0..n).rev() {
            let s: f64 = (i + 1..n).map(|j| self.m[i][j] * y[j]).sum();
            y[i] = (y[i] - s) / self.m[i][i];
        }
        y
    }
}

/// Stationary distribution of an irreducible stochastic matrix `p` (rows sum to one), periodic or
/// not: solves `pi (P - I) = 0` with the normalisation replacing one equation.
pub fn stationary(p: &[Vec<f64>]) -> Option<Vec<f64>> {
    let n = p.len();
    let mut a = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..n {
            a[j][i] = p[i][j] - if i == j { 1.0 } else { 0.0 };
        }
    }
    a[n - 1] = vec![1.0; n];
    let mut b = vec![0.0; n];
    b[n - 1] = 1.0;
    let mut pi = solve(&a, &b)?;
    for v in pi.iter_mut() {
        *v = v.max(0.0);
    }
    let s: f64 = pi.iter().sum();
    pi.iter_mut().for_each(|v| *v /= s);
    Some(pi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_small_system() {
        let x = solve(&[vec![2.0, 1.0], vec![1.0, 3.0]], &[3.0, 5.0]).unwrap();
        assert!((x[0] - 0.8).abs() < 1e-15 && (x[1] - 1.4).abs() < 1e-15);
    }

    #[test]
    fn stationary_of_periodic_chain() {
        let p = vec![
            vec![0.0, 1.0, 0.0],
            vec![0.0, 0.0, 1.0],
            vec![1.0, 0.0, 0.0],
        ];
        let pi = stationary(&p).unwrap();
        assert!(pi.iter().all(|v| (v - 1.0 / 3.0).abs() < 1e-15));
    }
}
