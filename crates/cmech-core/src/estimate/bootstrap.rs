//! The stationary block bootstrap (Politis & Romano 1994) of a symbol stream's overlapping words.
//!
//! What is resampled is the series of word indices (the word of the longest length starting at
//! each step), not the symbols: blocks of symbols glued together would create words the process
//! never makes at every join, while blocks of word indices only reorder words it made. Blocks
//! start at uniform positions (circularly) and have geometric lengths of a given mean, so the
//! resampled series is stationary; the mean block length is chosen by Politis & White (2004,
//! corrected by Patton, Politis & White 2009) on the series of local surprisals -log2 p(word),
//! whose autocorrelation carries the dependence an entropy estimate feels.
//!
//! A replicate is a recount: the longest words' counts from the resampled indices, then every
//! shorter length's by adding up the counts of the longer words that share a prefix. Replicate
//! r draws from its own stream of the seed, so the intervals are the same for any number of
//! threads.

use rustc_hash::FxHashMap;

use crate::draw::{below, unit};
use crate::error::{CmechError, Result};
use rand_chacha::ChaCha8Rng;

/// The words of the longest length of a set of sequences, as compact indices.
pub(crate) struct Words {
    /// The index of the word starting at each step where a whole word fits, sequence after
    /// sequence.
    pub ids: Vec<u32>,
    /// `prefix[l - 1][id]`: the index among the words of length l of word `id`'s first l
    /// symbols.
    pub prefix: Vec<Vec<u32>>,
    /// Distinct words of each length 1..=longest among the prefixes.
    pub distinct: Vec<usize>,
}

impl Words {
    /// The words of length `longest` of `sequences` over `alphabet` symbols.
    pub fn new(sequences: &[Vec<u32>], alphabet: usize, longest: usize) -> Result<Words> {
        let k = alphabet as u64;
        let top = k
            .checked_pow(longest as u32 - 1)
            .filter(|t| t.checked_mul(k).is_some())
            .ok_or_else(|| {
                CmechError::InvalidArgument(format!(
                    "words of {longest} symbols over {alphabet} letters do not fit 64-bit codes"
                ))
            })?;
        let mut index: FxHashMap<u64, u32> = FxHashMap::default();
        let mut codes: Vec<u64> = Vec::new();
        let mut ids = Vec::new();
        for seq in sequences {
            if seq.len() < longest {
                continue;
            }
            let mut code = 0u64;
            for (t, &x) in seq.iter().enumerate() {
                code = (code % top) * k + x as u64;
                if t + 1 >= longest {
                    let next = codes.len() as u32;
                    let id = *index.entry(code).or_insert_with(|| {
                        codes.push(code);
                        next
                    });
                    ids.push(id);
                }
            }
        }
        if ids.len() >= u32::MAX as usize {
            return Err(CmechError::InvalidArgument(format!(
                "{} words are more than the bootstrap holds (2^32)",
                ids.len()
            )));
        }
        let mut prefix = Vec::with_capacity(longest);
        let mut distinct = Vec::with_capacity(longest);
        for l in 1..=longest {
            let shift = k.pow((longest - l) as u32);
            let mut of: FxHashMap<u64, u32> = FxHashMap::default();
            let table: Vec<u32> = codes
                .iter()
                .map(|&c| {
                    let next = of.len() as u32;
                    *of.entry(c / shift).or_insert(next)
                })
                .collect();
            distinct.push(of.len());
            prefix.push(table);
        }
        Ok(Words {
            ids,
            prefix,
            distinct,
        })
    }

    /// The counts of the longest words in the data itself.
    pub fn counts(&self) -> Vec<u64> {
        let mut c = vec![0u64; self.prefix.last().map_or(0, Vec::len)];
        for &id in &self.ids {
            c[id as usize] += 1;
        }
        c
    }

    /// The counts of the words of length `l` from those of the longest words.
    pub fn marginal(&self, longest: &[u64], l: usize, out: &mut Vec<u64>) {
        out.clear();
        out.resize(self.distinct[l - 1], 0);
        for (&p, &c) in self.prefix[l - 1].iter().zip(longest) {
            out[p as usize] += c;
        }
    }

    /// The counts of the longest words in a stationary-bootstrap resample with mean block length
    /// `mean_block`, drawn from `rng`, written over `counts`.
    pub fn resample(&self, mean_block: f64, rng: &mut ChaCha8Rng, counts: &mut [u64]) {
        counts.fill(0);
        let n = self.ids.len();
        if n == 0 {
            return;
        }
        // P(a block goes on) = 1 - 1 / mean: the block's length is geometric with that mean.
        let go_on = (1.0 - 1.0 / mean_block.max(1.0)).max(0.0);
        let ln_go_on = go_on.ln();
        let mut taken = 0;
        while taken < n {
            let start = below(rng, n as u32) as usize;
            let len = if go_on > 0.0 {
                1 + (unit(rng).ln() / ln_go_on).floor().min(n as f64) as usize
            } else {
                1
            };
            let len = len.min(n - taken);
            let first = len.min(n - start);
            for &id in &self.ids[start..start + first] {
                counts[id as usize] += 1;
            }
            for &id in &self.ids[..len - first] {
                counts[id as usize] += 1;
            }
            taken += len;
        }
    }

    /// The local surprisal -log2 p(word) of the longest word at every step.
    pub fn surprisals(&self, counts: &[u64]) -> Vec<f64> {
        let n = self.ids.len() as f64;
        let s: Vec<f64> = counts
            .iter()
            .map(|&c| if c > 0 { -(c as f64 / n).log2() } else { 0.0 })
            .collect();
        self.ids.iter().map(|&id| s[id as usize]).collect()
    }
}

/// The mean block length of the stationary bootstrap that minimises the mean squared error of
/// its variance estimate of the mean of `x` (Politis & White 2004 with the correction of Patton,
/// Politis & White 2009): a flat-top lag window estimate of the spectral density at zero and its
/// derivative, over the lags up to twice the first of `K_N` consecutive insignificant
/// autocorrelations. At least 1, at most min(3 sqrt(n), n / 3).
pub fn politis_white(x: &[f64]) -> f64 {
    let n = x.len();
    if n < 9 {
        return 1.0;
    }
    let nf = n as f64;
    let kn = (nf.log10().sqrt()).max(5.0).ceil() as usize;
    let m_max = (nf.sqrt().ceil() as usize + kn).min(n - 1);
    let b_max = (3.0 * nf.sqrt()).min(nf / 3.0).ceil();
    let mean = x.iter().sum::<f64>() / nf;
    let e: Vec<f64> = x.iter().map(|v| v - mean).collect();
    let acv = |k: usize| -> f64 {
        e[k..]
            .iter()
            .zip(&e[..n - k])
            .map(|(a, b)| a * b)
            .sum::<f64>()
            / nf
    };
    let var = acv(0);
    if var <= 0.0 {
        return 1.0;
    }
    let threshold = 2.0 * (nf.log10() / nf).sqrt();
    // Autocovariances as far as the search needs them.
    let mut acvs = vec![var];
    let mut run = 0;
    let mut m_hat = None;
    for k in 1..=m_max {
        acvs.push(acv(k));
        if (acvs[k] / var).abs() < threshold {
            run += 1;
            if run == kn {
                m_hat = Some(k - kn);
                break;
            }
        } else {
            run = 0;
        }
    }
    let m_hat = m_hat.unwrap_or_else(|| {
        // No run of insignificant lags: the largest significant one.
        (1..acvs.len())
            .rev()
            .find(|&k| (acvs[k] / var).abs() >= threshold)
            .unwrap_or(0)
    });
    let big_m = (2 * m_hat).min(m_max);
    if big_m == 0 {
        return 1.0;
    }
    while acvs.len() <= big_m {
        acvs.push(acv(acvs.len()));
    }
    let lambda = |t: f64| {
        let t = t.abs();
        if t < 0.5 {
            1.0
        } else if t <= 1.0 {
            2.0 * (1.0 - t)
        } else {
            0.0
        }
    };
    let (mut g, mut d) = (0.0, acvs[0]);
    for (k, &a) in acvs.iter().enumerate().take(big_m + 1).skip(1) {
        let w = lambda(k as f64 / big_m as f64);
        g += 2.0 * w * k as f64 * a;
        d += 2.0 * w * a;
    }
    let d_sb = 2.0 * d * d;
    if d_sb <= 0.0 {
        return 1.0;
    }
    ((2.0 * g * g / d_sb).cbrt() * nf.cbrt()).clamp(1.0, b_max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draw::stream;

    #[test]
    fn words_and_their_prefixes() {
        // 0110 1: words of 3 are 011, 110, and (second sequence too short) nothing more.
        let w = Words::new(&[vec![0, 1, 1, 0], vec![1]], 2, 3).unwrap();
        assert_eq!(w.ids, vec![0, 1]);
        assert_eq!(w.distinct, vec![2, 2, 2]);
        let c = w.counts();
        let mut m = Vec::new();
        w.marginal(&c, 1, &mut m);
        // prefixes 0 and 1: one each.
        assert_eq!(m, vec![1, 1]);
    }

    #[test]
    fn a_resample_has_as_many_words_as_the_data_and_only_its_words() {
        let seq: Vec<u32> = (0..1000u32).map(|i| (i * 7 % 13 < 5) as u32).collect();
        let w = Words::new(&[seq], 2, 4).unwrap();
        let mut c = vec![0; w.counts().len()];
        let mut rng = stream(3, 0);
        w.resample(7.5, &mut rng, &mut c);
        assert_eq!(c.iter().sum::<u64>(), w.ids.len() as u64);
        let mut again = vec![0; c.len()];
        w.resample(7.5, &mut stream(3, 0), &mut again);
        assert_eq!(c, again);
    }

    #[test]
    fn block_length_grows_with_the_dependence() {
        // An AR(1) series x_t = phi x_{t-1} + noise: the stronger phi, the longer the blocks.
        let ar = |phi: f64| {
            let mut rng = stream(1, 0);
            let mut x = 0.0;
            (0..20_000)
                .map(|_| {
                    x = phi * x + (unit(&mut rng) - 0.5);
                    x
                })
                .collect::<Vec<f64>>()
        };
        let (weak, strong) = (politis_white(&ar(0.1)), politis_white(&ar(0.9)));
        // Politis-White's rate for AR(1) at 20,000 values: (2 G^2 / D)^(1/3) n^(1/3), about 6 at
        // phi = 0.1 and over 100 at 0.9; independent values need no blocks to speak of.
        assert!(weak < 12.0 && strong > 5.0 * weak, "{weak} {strong}");
        let iid = politis_white(&ar(0.0));
        assert!(iid < 5.0, "{iid}");
    }
}
