//! Context-tree weighting (Willems, Shtarkov & Tjalkens 1995, "The context-tree weighting method:
//! basic properties", IEEE Trans. Inf. Theory 41, 653), over k letters: a sequential predictor
//! whose mean code length -log2 P(x_t | past) estimates the entropy rate h_mu without choosing a
//! word length, so that it checks the block-entropy estimates by a different route.
//!
//! Every context s (the last |s| <= D symbols, most recent first) holds the counts c_a of the
//! letters that followed it and their Krichevsky-Trofimov probability, the Dirichlet(1/2)
//! mixture over the k-letter distributions:
//!
//! - sequentially, P_e(a | counts) = (c_a + 1/2) / (n + k/2);
//! - as a block, P_e = prod_a Gamma(c_a + 1/2) / Gamma(1/2) * Gamma(k/2) / Gamma(n + k/2),
//!   within ((k - 1)/2) log2 n + O(1) bits of the best fixed distribution for those counts.
//!
//! The weighted probability mixes, at every node, "this context is a leaf" with "split it by one
//! more symbol": P_w^s = 1/2 P_e^s + 1/2 prod_b P_w^{bs}, and P_w^s = P_e^s at depth D. The root's
//! P_w is then a mixture over every tree model of depth <= D, each weighted by 2^-(its description
//! length), with KT parameters inside: the data choose how much memory each context needs,
//! where a block entropy H(L) uses L symbols of memory everywhere.
//!
//! A symbol's code length is log2 P_w(root) before it minus after it. A symbol changes only the
//! nodes on its context path, each by a factor: P_e^s by its KT prediction, prod_b P_w^{bs} by
//! the one child's factor. So a node need not keep log2 P_e, log2 P_w and log2 prod_b P_w^{bs},
//! which grow like n bits and whose differences would lose digits as they grow (10^7 bits
//! leave 1e-9 of a bit), but only their ratio beta = P_e^s / prod_b P_w^{bs}, as log2: the
//! factor by which P_w^s changes is built from the leaf up,
//!
//! ```text
//! P_w^s(a) = (beta P_e^s(a) + P_w^child(a)) / (beta + 1),  then  beta *= P_e^s(a) / P_w^child(a),
//! ```
//!
//! and the code length is -log2 P_w^root(a). This is the same number, computed to full
//! precision whatever n; no factor underflows, every one being a mixture of KT predictions, at
//! least 1/(2n + k); and a node holds one float instead of three. Nodes never visited have
//! P_e = P_w = 1 (beta = 1) and are not stored.
//!
//! Each sequence's first D symbols are its past (as in the paper's example, where the past
//! symbols are given): they are not coded, so every coded symbol has a full context, and a tree
//! carries what it learned from one sequence into the next.
//!
//! The estimate is biased upward. The code length exceeds the ideal by the model cost, the
//! description of the best tree (about 2 bits a leaf) plus (k - 1)/2 log2 n bits for each of its
//! contexts' parameters: about (number of parameters / 2) log2 n / n bits a symbol, which vanishes
//! as n grows. And a process whose memory is longer than D (the Even process) is estimated at
//! H[X_0 | D past symbols], which exceeds h_mu by what the longer past would tell.

use rustc_hash::FxHashMap;

use crate::error::{at_least_one, CmechError, Result};

/// Alphabets up to this size keep each node in one row of an array, its children and letter
/// counts dense; larger ones keep the (node, letter) pairs that occur in a hash map. Measured
/// on 10^6 uniform i.i.d. symbols at depth 6 (the worst case for the map: every context sees
/// many letters; the `ctw_memory` test), dense rows at k = 8 take 0.3 s and 72 bytes a node, the
/// map at k = 9 0.8 s and 73 bytes; at k = 16 dense rows took 0.6 s and 136 bytes, the map 1.3 s
/// and 89. Up to 8 letters rows are faster at no more memory; beyond, they would buy speed with
/// memory, the more so for data whose contexts see few letters.
const DENSE_MAX: usize = 8;

/// A context tree of depth D over k letters, weighting every tree model of depth <= D.
///
/// Memory grows with the distinct contexts seen (at most D new nodes a symbol), never with
/// the k^D possible ones, and never beyond (k^(D+1) - 1) / (k - 1) nodes however long the data.
/// A node costs
///
/// - for k <= 8, one row of 8 + 8k bytes (24 for binary): log2 beta, and for each letter a u32
///   count and a u32 child index, in one row so that a node on the path is one cache miss;
/// - for larger k, 12 bytes (log2 beta and the total count) plus a 16-byte hash entry (and
///   hashbrown's control byte, the table at most 7/8 full) for each letter that followed the
///   context or preceded it: 52 to 89 bytes a node measured, slack included.
///
/// Arrays grow by doubling, so up to twice that is held. Measured (release, 2 cores): binary at
/// depth 20 on 10^7 i.i.d. symbols, 2.1 * 10^6 nodes in 50 MB (9 s); 75 letters at depth 6 on
/// 10^5 symbols of an order-1 Markov chain, 3.3 * 10^5 nodes in 22 MB.
#[derive(Debug, Clone)]
pub struct Ctw {
    k: usize,
    depth: usize,
    links: Links,
}

/// The two storages of the nodes.
#[derive(Debug, Clone)]
enum Links {
    Dense(Dense),
    Sparse(Sparse),
}

/// Rows of k + 1 words per node: the bits of log2 beta, then for each letter its count (low
/// half) and the child by it (high half; 0, the root, which is no one's child, for none).
#[derive(Debug, Clone)]
struct Dense {
    k: usize,
    /// Rows held: kept rather than divided out of `words.len()` on every step.
    nodes: usize,
    words: Vec<u64>,
}

/// The (node, letter) pairs that occur, for alphabets whose dense rows would be mostly zeros
/// (text: 75 letters, of which a deep context sees one or two).
#[derive(Debug, Clone)]
struct Sparse {
    k: u64,
    log_beta: Vec<f64>,
    /// n of each node.
    totals: Vec<u32>,
    /// Keyed by node * k + letter: the count of the letter after the node's context, and the
    /// child for the letter before it (0 for none). One map for both, as the dense row does: a
    /// letter that both follows and precedes a context takes one entry.
    slots: FxHashMap<u64, Slot>,
}

#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    count: u32,
    child: u32,
}

/// What the coding loop asks of the nodes, so that it is compiled once for each storage with
/// no dispatch inside it.
trait Store {
    fn nodes(&self) -> usize;
    /// (c_a, n) of `node`, then counts `a` there.
    fn bump(&mut self, node: u32, a: u32) -> (u32, u32);
    /// The child of `node` by letter `b`, made (as node `nodes()`) if it does not exist.
    fn child(&mut self, node: u32, b: u32) -> u32;
    fn log_beta(&self, node: u32) -> f64;
    fn set_log_beta(&mut self, node: u32, value: f64);
}

const LOW: u64 = u32::MAX as u64;

impl Dense {
    #[inline]
    fn row(&mut self, node: u32) -> &mut [u64] {
        let width = self.k + 1;
        &mut self.words[node as usize * width..][..width]
    }
}

impl Store for Dense {
    fn nodes(&self) -> usize {
        self.nodes
    }

    #[inline]
    fn bump(&mut self, node: u32, a: u32) -> (u32, u32) {
        let row = self.row(node);
        let n = row[1..].iter().map(|&w| (w & LOW) as u32).sum();
        let c = (row[1 + a as usize] & LOW) as u32;
        // Counts stay below 2^32 - 1 (checked before coding), so this never carries into the
        // child.
        row[1 + a as usize] += 1;
        (c, n)
    }

    #[inline]
    fn child(&mut self, node: u32, b: u32) -> u32 {
        let fresh = self.nodes() as u32;
        let word = &mut self.row(node)[1 + b as usize];
        let child = (*word >> 32) as u32;
        if child != 0 {
            return child;
        }
        *word |= (fresh as u64) << 32;
        // Zero bits: log2 beta = 0, no counts, no children.
        self.words.resize(self.words.len() + self.k + 1, 0);
        self.nodes += 1;
        fresh
    }

    #[inline]
    fn log_beta(&self, node: u32) -> f64 {
        f64::from_bits(self.words[node as usize * (self.k + 1)])
    }

    #[inline]
    fn set_log_beta(&mut self, node: u32, value: f64) {
        self.row(node)[0] = value.to_bits();
    }
}

impl Store for Sparse {
    fn nodes(&self) -> usize {
        self.log_beta.len()
    }

    #[inline]
    fn bump(&mut self, node: u32, a: u32) -> (u32, u32) {
        let slot = self
            .slots
            .entry(node as u64 * self.k + a as u64)
            .or_default();
        let c = slot.count;
        slot.count += 1;
        let n = self.totals[node as usize];
        self.totals[node as usize] = n + 1;
        (c, n)
    }

    #[inline]
    fn child(&mut self, node: u32, b: u32) -> u32 {
        let fresh = self.log_beta.len() as u32;
        let slot = self
            .slots
            .entry(node as u64 * self.k + b as u64)
            .or_default();
        if slot.child != 0 {
            return slot.child;
        }
        slot.child = fresh;
        self.log_beta.push(0.0);
        self.totals.push(0);
        fresh
    }

    #[inline]
    fn log_beta(&self, node: u32) -> f64 {
        self.log_beta[node as usize]
    }

    #[inline]
    fn set_log_beta(&mut self, node: u32, value: f64) {
        self.log_beta[node as usize] = value;
    }
}

impl Ctw {
    /// An empty tree. Errors ([`CmechError::OutOfRange`]) if k == 0 or depth == 0: neither has
    /// a model to weight.
    pub fn new(alphabet: usize, depth: usize) -> Result<Ctw> {
        at_least_one("alphabet", alphabet)?;
        at_least_one("depth", depth)?;
        if alphabet > u32::MAX as usize {
            return Err(CmechError::OutOfRange {
                parameter: "alphabet",
                value: alphabet.to_string(),
                rule: "at most 2^32 - 1 letters (symbols are u32)",
            });
        }
        let links = if alphabet <= DENSE_MAX {
            Links::Dense(Dense {
                k: alphabet,
                nodes: 1,
                words: vec![0; alphabet + 1],
            })
        } else {
            Links::Sparse(Sparse {
                k: alphabet as u64,
                log_beta: vec![0.0],
                totals: vec![0],
                slots: FxHashMap::default(),
            })
        };
        Ok(Ctw {
            k: alphabet,
            depth,
            links,
        })
    }

    /// Codes one sequence, learning as it goes (the tree keeps what earlier sequences taught
    /// it), conditioning on its first `depth` symbols (they are not coded); pushes the code
    /// length in bits of every later symbol onto `out`. A symbol >= alphabet is an error.
    ///
    /// The sequence is checked before anything is coded, so that a bad symbol leaves the tree
    /// as it was. Past 2^32 - 1 nodes (which no memory would hold) coding stops with an error
    /// after the symbols whose lengths are in `out`, the tree consistent with them.
    pub fn code(&mut self, sequence: &[u32], out: &mut Vec<f64>) -> Result<()> {
        if let Some((i, &s)) = sequence
            .iter()
            .enumerate()
            .find(|&(_, &s)| s as usize >= self.k)
        {
            return Err(CmechError::InvalidArgument(format!(
                "symbol {s} at position {i} is outside the alphabet of {} letters",
                self.k
            )));
        }
        let coded = sequence.len().saturating_sub(self.depth);
        // The root counts every coded symbol, and every other node at most as many.
        let seen = self.root_total() as usize;
        if seen + coded >= u32::MAX as usize {
            return Err(CmechError::InvalidArgument(format!(
                "a context tree counts fewer than 2^32 - 1 symbols; it has coded {seen} and the \
                 sequence has {coded} more"
            )));
        }
        out.reserve(coded);
        match &mut self.links {
            Links::Dense(store) => code_with(store, self.k, self.depth, sequence, out),
            Links::Sparse(store) => code_with(store, self.k, self.depth, sequence, out),
        }
    }

    /// Nodes the tree holds (for memory reporting).
    pub fn nodes(&self) -> usize {
        match &self.links {
            Links::Dense(d) => d.nodes(),
            Links::Sparse(s) => s.nodes(),
        }
    }

    fn root_total(&self) -> u32 {
        match &self.links {
            Links::Dense(d) => d.words[1..=d.k].iter().map(|&w| (w & LOW) as u32).sum(),
            Links::Sparse(s) => s.totals[0],
        }
    }
}

/// (node, c_a, n) on a context path, the counts as they were before the symbol was counted.
type Path = Vec<(u32, u32, u32)>;

/// The coding loop: down the context path counting the symbol, then up it mixing the
/// conditional probabilities and updating each beta.
///
/// The walk down is a chain of dependent loads, a cache miss a level once the tree outgrows
/// the cache, and the walk up is arithmetic: so the walk down for the next symbol is done a
/// level at a time between the levels of this symbol's walk up, where the misses overlap the
/// arithmetic (4.4-4.8 s down to 3.2-3.7 s for 10^7 binary symbols at depth 16, 2 loaded
/// cores). The result is the same: the walk down reads only counts and children, which the
/// walk up does not touch, and the walk up uses the counts its own walk down recorded.
fn code_with<S: Store>(
    store: &mut S,
    k: usize,
    depth: usize,
    sequence: &[u32],
    out: &mut Vec<f64>,
) -> Result<()> {
    let len = sequence.len();
    if len <= depth {
        return Ok(());
    }
    // Checked before each walk down, so that the tree stays consistent with the symbols coded.
    let room = |store: &S| store.nodes() + depth <= u32::MAX as usize;
    let full = || CmechError::InvalidArgument("a context tree holds at most 2^32 - 1 nodes".into());
    let half_k = k as f64 / 2.0;
    let kt = |c: u32, n: u32| (c as f64 + 0.5) / (n as f64 + half_k);
    let mut path: Path = Vec::with_capacity(depth + 1);
    let mut next: Path = Vec::with_capacity(depth + 1);
    if !room(store) {
        return Err(full());
    }
    let mut node = 0;
    for &b in sequence[..depth].iter().rev() {
        let (c, n) = store.bump(node, sequence[depth]);
        path.push((node, c, n));
        node = store.child(node, b);
    }
    let (c, n) = store.bump(node, sequence[depth]);
    path.push((node, c, n));
    for t in depth..len {
        let walk = t + 1 < len && room(store);
        let a = if walk { sequence[t + 1] } else { 0 };
        let mut down = 0;
        next.clear();
        let (_, c, n) = path[depth];
        // At depth D, P_w = P_e.
        let mut p = kt(c, n);
        for j in 0..depth {
            if walk {
                let (c, n) = store.bump(down, a);
                next.push((down, c, n));
                down = store.child(down, sequence[t - j]);
            }
            let (s, c, n) = path[depth - 1 - j];
            if n == 0 {
                // A context met for the first time, and so everything below it: P_e = p = 1/k
                // and beta = 1, so P_w = 1/k and beta stays 1, bit for bit. Deep contexts of
                // text often are.
                continue;
            }
            let pe = kt(c, n);
            let lb = store.log_beta(s);
            // (beta pe + p) / (beta + 1), divided through by the larger weight so that nothing
            // overflows and the smaller weight keeps its digits.
            let e = (-lb.abs()).exp2();
            let (heavy, light) = if lb >= 0.0 { (pe, p) } else { (p, pe) };
            store.set_log_beta(s, lb + (pe / p).log2());
            p = (heavy + e * light) / (1.0 + e);
        }
        out.push(-p.log2());
        if walk {
            let (c, n) = store.bump(down, a);
            next.push((down, c, n));
            std::mem::swap(&mut path, &mut next);
        } else if t + 1 < len {
            return Err(full());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::named::{biased_coin, even, golden_mean};
    use proptest::prelude::*;
    use statrs::function::gamma::ln_gamma;
    use std::collections::HashMap;

    /// -log2 P_w(root) from the counts of every context, with no sequential update: the KT block
    /// probability of each context and the weighting recursion, as the paper defines them.
    fn oracle(sequences: &[Vec<u32>], k: usize, depth: usize) -> f64 {
        let mut counts: HashMap<Vec<u32>, Vec<u64>> = HashMap::new();
        for seq in sequences {
            for t in depth..seq.len() {
                for len in 0..=depth {
                    let context: Vec<u32> = (1..=len).map(|j| seq[t - j]).collect();
                    counts.entry(context).or_insert_with(|| vec![0; k])[seq[t] as usize] += 1;
                }
            }
        }
        let kt_block = |c: &[u64]| -> f64 {
            let n: u64 = c.iter().sum();
            let nats: f64 = c
                .iter()
                .map(|&ca| ln_gamma(ca as f64 + 0.5) - ln_gamma(0.5))
                .sum::<f64>()
                + ln_gamma(k as f64 / 2.0)
                - ln_gamma(n as f64 + k as f64 / 2.0);
            nats / std::f64::consts::LN_2
        };
        fn log_pw(
            s: &[u32],
            counts: &HashMap<Vec<u32>, Vec<u64>>,
            k: usize,
            depth: usize,
            kt_block: &dyn Fn(&[u64]) -> f64,
        ) -> f64 {
            let pe = kt_block(&counts[s]);
            if s.len() == depth {
                return pe;
            }
            let mut split = 0.0;
            for b in 0..k as u32 {
                let mut child = s.to_vec();
                child.push(b);
                if counts.contains_key(&child) {
                    split += log_pw(&child, counts, k, depth, kt_block);
                }
            }
            // log2(2^pe / 2 + 2^split / 2)
            let (hi, lo) = if pe > split { (pe, split) } else { (split, pe) };
            hi + (1.0 + (lo - hi).exp2()).log2() - 1.0
        }
        if !counts.contains_key(&Vec::new()) {
            return 0.0;
        }
        -log_pw(&[], &counts, k, depth, &kt_block)
    }

    fn code_all(ctw: &mut Ctw, sequences: &[Vec<u32>]) -> Vec<f64> {
        let mut out = Vec::new();
        for s in sequences {
            ctw.code(s, &mut out).unwrap();
        }
        out
    }

    fn total(sequences: &[Vec<u32>], k: usize, depth: usize) -> f64 {
        code_all(&mut Ctw::new(k, depth).unwrap(), sequences)
            .iter()
            .sum()
    }

    fn sample(hmm: &crate::presentation::Hmm, n: usize, seed: u64) -> Vec<u32> {
        hmm.sample(n, seed)
            .unwrap()
            .into_iter()
            .map(|s| s as u32)
            .collect()
    }

    fn mean_code_length(seq: &[u32], k: usize, depth: usize) -> f64 {
        let mut out = Vec::new();
        Ctw::new(k, depth).unwrap().code(seq, &mut out).unwrap();
        out.iter().sum::<f64>() / out.len() as f64
    }

    #[test]
    fn ctw_textbook_example_of_willems_shtarkov_tjalkens() {
        // Depth 3, past symbols ...010, then 0110100: P_w(root) = 95/32768 (Sec. V, Fig. 2).
        let seq = vec![0, 1, 0, 0, 1, 1, 0, 1, 0, 0];
        let bits = total(std::slice::from_ref(&seq), 2, 3);
        let expected = -(95.0f64 / 32768.0).log2();
        assert!((bits - expected).abs() < 1e-12, "{bits} vs {expected}");
        assert!((oracle(&[seq], 2, 3) - expected).abs() < 1e-12);
    }

    #[test]
    fn ctw_hand_computed_small_case() {
        // Depth 1, binary, past 0, then 0 0 1, all in context 0 (and at the root): KT gives
        // 1/2 * 3/4 * 1/6 = 1/16. Leaf "0": P_w = 1/16; leaf "1", never seen: 1.
        // Root: 1/2 * 1/16 + 1/2 * (1/16 * 1) = 1/16, 4 bits.
        let bits = total(&[vec![0, 0, 0, 1]], 2, 1);
        assert!((bits - 4.0).abs() < 1e-12, "{bits}");
        // Three letters, depth 1, past 2, then 2 2: KT 1/3 then (3/2)/(5/2) = 3/5, P_e = 1/5
        // at the root and at the leaf "2": P_w = 1/5.
        let bits = total(&[vec![2, 2, 2]], 3, 1);
        assert!((bits - 5f64.log2()).abs() < 1e-12, "{bits}");
    }

    #[test]
    fn ctw_agrees_with_the_block_oracle_on_hand_made_sequences() {
        let cases: Vec<(usize, usize, Vec<u32>)> = vec![
            (2, 1, vec![0, 1]),
            (2, 2, vec![0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1]),
            (2, 4, vec![1; 40]),
            (3, 2, vec![0, 1, 2, 0, 1, 2, 2, 2, 1, 0, 0, 0, 1]),
            (4, 3, (0..100).map(|i| (i * i % 7 % 4) as u32).collect()),
            (2, 3, vec![0, 0]),
        ];
        for (k, depth, seq) in cases {
            let seqs = vec![seq];
            let (a, b) = (total(&seqs, k, depth), oracle(&seqs, k, depth));
            assert!((a - b).abs() < 1e-9, "k {k} depth {depth}: {a} vs {b}");
        }
    }

    proptest! {
        #[test]
        fn ctw_agrees_with_the_block_oracle(
            k in 2usize..=4,
            depth in 1usize..=4,
            raw in proptest::collection::vec(
                proptest::collection::vec(0u32..4, 0..200), 1..4),
        ) {
            let seqs: Vec<Vec<u32>> = raw
                .into_iter()
                .map(|s| s.into_iter().map(|x| x % k as u32).collect())
                .collect();
            let (a, b) = (total(&seqs, k, depth), oracle(&seqs, k, depth));
            prop_assert!((a - b).abs() < 1e-9, "{} vs {}", a, b);
        }
    }

    #[test]
    fn ctw_carries_what_it_learned_into_the_next_sequence() {
        let first = sample(&golden_mean(0.5).unwrap(), 2000, 1);
        let second = sample(&golden_mean(0.5).unwrap(), 500, 2);
        let mut one = Ctw::new(2, 5).unwrap();
        let together = code_all(&mut one, &[first.clone(), second.clone()]);
        // The same as coding the second with a tree that has learned the first.
        let mut learned = Ctw::new(2, 5).unwrap();
        let mut out = Vec::new();
        learned.code(&first, &mut out).unwrap();
        let mut after = Vec::new();
        learned.code(&second, &mut after).unwrap();
        assert_eq!(together[..out.len()], out[..]);
        assert_eq!(together[out.len()..], after[..]);
        assert_eq!(one.nodes(), learned.nodes());
        // Learning helped: a fresh tree codes the second sequence longer.
        let fresh: f64 = code_all(&mut Ctw::new(2, 5).unwrap(), std::slice::from_ref(&second))
            .iter()
            .sum();
        assert!(after.iter().sum::<f64>() < fresh - 10.0);
        // Not one long sequence: the second's first 5 symbols are its past, not coded.
        assert_eq!(together.len(), first.len() + second.len() - 10);
    }

    #[test]
    fn ctw_refuses_what_it_cannot_code() {
        assert!(matches!(
            Ctw::new(0, 3),
            Err(CmechError::OutOfRange {
                parameter: "alphabet",
                ..
            })
        ));
        assert!(matches!(
            Ctw::new(2, 0),
            Err(CmechError::OutOfRange {
                parameter: "depth",
                ..
            })
        ));
        for k in [2, 20] {
            let mut ctw = Ctw::new(k, 2).unwrap();
            let mut out = Vec::new();
            ctw.code(&[0, 1, 1, 0], &mut out).unwrap();
            let (nodes, len) = (ctw.nodes(), out.len());
            let err = ctw.code(&[0, 1, k as u32, 0], &mut out).unwrap_err();
            assert!(err
                .to_string()
                .contains(&format!("symbol {k} at position 2")));
            // Nothing coded, nothing learned.
            assert_eq!((ctw.nodes(), out.len()), (nodes, len));
            let mut again = Vec::new();
            ctw.code(&[1, 0, 1], &mut again).unwrap();
            let mut fresh = Ctw::new(k, 2).unwrap();
            let mut expected = Vec::new();
            fresh.code(&[0, 1, 1, 0], &mut expected).unwrap();
            expected.clear();
            fresh.code(&[1, 0, 1], &mut expected).unwrap();
            assert_eq!(again, expected);
        }
        // Sequences no longer than the depth are all past.
        let mut out = Vec::new();
        Ctw::new(2, 3).unwrap().code(&[1, 0, 1], &mut out).unwrap();
        assert!(out.is_empty());
    }

    #[test]
    fn ctw_dense_and_sparse_storage_code_alike() {
        // 8 letters are stored densely, 9 sparsely: both agree with the oracle on a long
        // sequence that revisits its contexts.
        let seq: Vec<u32> = (0..3000u64)
            .map(|i| ((i * 2654435761) >> 7) as u32 % 8)
            .collect();
        for k in [8, 9] {
            let seqs = [seq.clone()];
            let (a, b) = (total(&seqs, k, 3), oracle(&seqs, k, 3));
            assert!((a - b).abs() < 1e-8, "k {k}: {a} vs {b}");
        }
    }

    #[test]
    fn ctw_converges_to_known_entropy_rates() {
        let coin = mean_code_length(&sample(&biased_coin(0.5).unwrap(), 100_000, 3), 2, 8);
        assert!((coin - 1.0).abs() < 0.01, "coin {coin}");
        let golden = mean_code_length(&sample(&golden_mean(0.5).unwrap(), 100_000, 4), 2, 10);
        assert!((golden - 2.0 / 3.0).abs() < 0.01, "golden mean {golden}");
        let even = mean_code_length(&sample(&even(0.5).unwrap(), 100_000, 5), 2, 20);
        assert!((even - 2.0 / 3.0).abs() < 0.02, "even {even}");
    }

    fn coin_flips(n: usize, seed: u64) -> Vec<u32> {
        use rand_chacha::rand_core::{RngCore, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        (0..n).map(|_| rng.next_u32() & 1).collect()
    }

    /// Timing by hand: `cargo test -p cmech-core --release ctw_speed -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn ctw_speed() {
        let coin = coin_flips(10_000_000, 1);
        let mut ctw = Ctw::new(2, 16).unwrap();
        let mut out = Vec::new();
        let t = std::time::Instant::now();
        ctw.code(&coin, &mut out).unwrap();
        println!(
            "binary depth 16, 10^7 i.i.d.: {:.2} s, {} nodes, {:.1} MB",
            t.elapsed().as_secs_f64(),
            ctw.nodes(),
            ctw.heap_bytes() as f64 / 1e6
        );
    }

    /// Memory by hand: `cargo test -p cmech-core --release ctw_memory -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn ctw_memory() {
        use rand_chacha::rand_core::{RngCore, SeedableRng};
        let report = |what: &str, ctw: &Ctw, t: std::time::Instant| {
            println!(
                "{what}: {:.2} s, {} nodes, {:.1} MB, {:.0} bytes a node",
                t.elapsed().as_secs_f64(),
                ctw.nodes(),
                ctw.heap_bytes() as f64 / 1e6,
                ctw.heap_bytes() as f64 / ctw.nodes() as f64
            )
        };
        let mut out = Vec::new();
        let coin = coin_flips(10_000_000, 2);
        let mut ctw = Ctw::new(2, 20).unwrap();
        let t = std::time::Instant::now();
        ctw.code(&coin, &mut out).unwrap();
        report("binary depth 20, 10^7 i.i.d.", &ctw, t);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        for k in [4, 8, 9, 16, 32, 75] {
            let seq: Vec<u32> = (0..1_000_000)
                .map(|_| (rng.next_u64() % k as u64) as u32)
                .collect();
            let mut ctw = Ctw::new(k, 6).unwrap();
            let t = std::time::Instant::now();
            ctw.code(&seq, &mut out).unwrap();
            report(&format!("k {k} depth 6, 10^6 i.i.d."), &ctw, t);
        }
        // Text-like: 75 letters, each drawn from a skewed distribution that depends on the
        // previous letter, so that contexts repeat as in text.
        let mut seq = vec![0u32];
        for _ in 1..100_000 {
            let prev = *seq.last().unwrap() as u64;
            let u = rng.next_u64() % 1000;
            // A geometric-like choice of one of 75 letters, shifted by the previous letter.
            let rank = (u as f64 / 1000.0).powi(4) * 75.0;
            seq.push(((prev * 7 + rank as u64) % 75) as u32);
        }
        let mut ctw = Ctw::new(75, 6).unwrap();
        let t = std::time::Instant::now();
        ctw.code(&seq, &mut out).unwrap();
        report("k 75 depth 6, 10^5 order-1 Markov", &ctw, t);
    }

    impl Ctw {
        /// Bytes the tree's arrays and map hold, capacity included.
        fn heap_bytes(&self) -> usize {
            match &self.links {
                Links::Dense(d) => 8 * d.words.capacity(),
                Links::Sparse(s) => {
                    8 * s.log_beta.capacity()
                        + 4 * s.totals.capacity()
                        + s.slots.capacity() * (std::mem::size_of::<(u64, Slot)>() + 1)
                }
            }
        }
    }
}
