//! The surrogate test's engine: the observations as compact ids sorted by (z, x), the estimate
//! recomputed for each arrangement of y (dense counts or radix-sorted keys, or drawn from an urn
//! when y has few values), and the seeded parallel permutations, free or within each z.

use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::{Permutation, SurrogateTest};
use crate::draw::{below, stream};
use crate::error::Result;
use crate::infoflow::bad;
use crate::infoflow::engine::{self, Kind, Observations};

/// Dense remapping of codes to 0, 1, 2, ... in order of first appearance.
enum Compact {
    Dense(Vec<u32>),
    Sparse(FxHashMap<u64, u32>),
}

impl Compact {
    fn new(card: u64) -> Compact {
        if card <= 1 << 24 {
            Compact::Dense(vec![u32::MAX; card as usize])
        } else {
            Compact::Sparse(FxHashMap::default())
        }
    }
    /// The id of `code`, and whether it is new.
    fn id(&mut self, code: u64, next: u32) -> (u32, bool) {
        match self {
            Compact::Dense(v) => {
                let e = &mut v[code as usize];
                if *e == u32::MAX {
                    *e = next;
                    (next, true)
                } else {
                    (*e, false)
                }
            }
            Compact::Sparse(m) => {
                let mut new = false;
                let id = *m.entry(code).or_insert_with(|| {
                    new = true;
                    next
                });
                (id, new)
            }
        }
    }
}

/// The observations as compact ids: (z, x) joint and y per observation.
struct Ids {
    zx: Vec<u32>,
    y: Vec<u32>,
    zx_to_z: Vec<u32>,
    nz: usize,
    ny: usize,
}

fn ids<O: Observations>(obs: &O) -> Result<Ids> {
    let [_, cy, cz] = obs.cards();
    let n = obs.total();
    if n >= u32::MAX as usize {
        return Err(bad(format!(
            "{n} observations are too many for a surrogate test (at most 2^32 - 1)"
        )));
    }
    let mut zs = Compact::new(cz);
    let mut ys = Compact::new(cy);
    let mut zxs: FxHashMap<(u32, u64), u32> = FxHashMap::default();
    let (mut nz, mut ny) = (0u32, 0u32);
    let mut zx = Vec::with_capacity(n);
    let mut y = Vec::with_capacity(n);
    let mut zx_to_z = Vec::new();
    for b in 0..obs.num_blocks() {
        obs.visit(b, |xc, yc, zc| {
            let (zi, new) = zs.id(zc, nz);
            nz += new as u32;
            let (yi, new) = ys.id(yc, ny);
            ny += new as u32;
            let key = (zi, xc);
            let next = zx_to_z.len() as u32;
            let id = *zxs.entry(key).or_insert_with(|| {
                zx_to_z.push(zi);
                next
            });
            zx.push(id);
            y.push(yi);
        });
    }
    // Permutation tests do not depend on the order of the observations: sort them by (z, x), so
    // that counting walks the count arrays in order instead of jumping about.
    let nzx = zx_to_z.len();
    let mut by_z: Vec<u32> = (0..nzx as u32).collect();
    by_z.sort_unstable_by_key(|&i| (zx_to_z[i as usize], i));
    let mut rank = vec![0u32; nzx];
    for (new, &old) in by_z.iter().enumerate() {
        rank[old as usize] = new as u32;
    }
    let zx_to_z: Vec<u32> = by_z.iter().map(|&old| zx_to_z[old as usize]).collect();
    let mut start = vec![0usize; nzx + 1];
    for &old in &zx {
        start[rank[old as usize] as usize + 1] += 1;
    }
    for i in 0..nzx {
        start[i + 1] += start[i];
    }
    let mut sorted_zx = vec![0u32; n];
    let mut sorted_y = vec![0u32; n];
    for (&old, &yy) in zx.iter().zip(&y) {
        let id = rank[old as usize];
        let at = &mut start[id as usize];
        sorted_zx[*at] = id;
        sorted_y[*at] = yy;
        *at += 1;
    }
    Ok(Ids {
        zx: sorted_zx,
        y: sorted_y,
        zx_to_z,
        nz: nz as usize,
        ny: ny as usize,
    })
}

/// c log2 c for small c, and its increments, computed once.
struct XLogX {
    f: Vec<f64>,
    /// (c + 1) log2 (c + 1) - c log2 c.
    delta: Vec<f64>,
}

fn xlogx(c: u32) -> f64 {
    if c == 0 {
        0.0
    } else {
        c as f64 * (c as f64).log2()
    }
}

impl XLogX {
    fn new(n: usize) -> XLogX {
        let m = n.min(1 << 20) + 1;
        let f: Vec<f64> = (0..=m as u32).map(xlogx).collect();
        let delta = f.windows(2).map(|w| w[1] - w[0]).collect();
        XLogX { f, delta }
    }
    #[inline]
    fn get(&self, c: u32) -> f64 {
        self.f.get(c as usize).copied().unwrap_or_else(|| xlogx(c))
    }
    #[inline]
    fn step(&self, c: u32) -> f64 {
        self.delta
            .get(c as usize)
            .copied()
            .unwrap_or_else(|| xlogx(c + 1) - xlogx(c))
    }
}

/// Counts of (zx, y) and (z, y) for one arrangement of y: dense arrays, or keys that are
/// sorted and counted by runs when the joint spaces are large.
enum JointCounts {
    Dense {
        zxy: Vec<u32>,
        zy: Vec<u32>,
    },
    Sorted {
        a: Vec<u64>,
        b: Vec<u64>,
        tmp: Vec<u64>,
    },
}

/// Sorts keys below 2^bits (LSD radix sort, 11 bits a pass).
fn radix_sort(keys: &mut Vec<u64>, tmp: &mut Vec<u64>, bits: u32) {
    const DIGIT: u32 = 11;
    tmp.resize(keys.len(), 0);
    for pass in 0..bits.div_ceil(DIGIT) {
        let shift = pass * DIGIT;
        let mut count = [0usize; 1 << DIGIT];
        for &k in keys.iter() {
            count[((k >> shift) & ((1 << DIGIT) - 1)) as usize] += 1;
        }
        let mut sum = 0;
        for c in count.iter_mut() {
            let t = *c;
            *c = sum;
            sum += t;
        }
        for &k in keys.iter() {
            let d = ((k >> shift) & ((1 << DIGIT) - 1)) as usize;
            tmp[count[d]] = k;
            count[d] += 1;
        }
        std::mem::swap(keys, tmp);
    }
}

/// Sum of c log2 c over the runs of equal sorted keys.
fn runs(keys: &[u64], table: &XLogX) -> f64 {
    let mut s = 0.0;
    let mut i = 0;
    while i < keys.len() {
        let mut j = i + 1;
        while j < keys.len() && keys[j] == keys[i] {
            j += 1;
        }
        s += table.get((j - i) as u32);
        i = j;
    }
    s
}

struct Stat<'a> {
    ids: &'a Ids,
    table: XLogX,
    /// Sum over z of c log c minus the sum over (z, x): fixed under permutations of y.
    fixed: f64,
    dense: bool,
}

impl<'a> Stat<'a> {
    fn new(ids: &'a Ids) -> Stat<'a> {
        let n = ids.y.len();
        let table = XLogX::new(n);
        let mut czx = vec![0u32; ids.zx_to_z.len()];
        for &i in &ids.zx {
            czx[i as usize] += 1;
        }
        let mut cz = vec![0u32; ids.nz];
        for (i, &c) in czx.iter().enumerate() {
            cz[ids.zx_to_z[i] as usize] += c;
        }
        let fixed = cz.iter().map(|&c| table.get(c)).sum::<f64>()
            - czx.iter().map(|&c| table.get(c)).sum::<f64>();
        let size = ids.zx_to_z.len() as u64 * ids.ny as u64;
        let dense = size <= (1 << 24) && size <= (4 * n as u64).max(1 << 16);
        Stat {
            ids,
            table,
            fixed,
            dense,
        }
    }

    fn buffers(&self) -> JointCounts {
        if self.dense {
            JointCounts::Dense {
                zxy: vec![0; self.ids.zx_to_z.len() * self.ids.ny],
                zy: vec![0; self.ids.nz * self.ids.ny],
            }
        } else {
            let n = self.ids.y.len();
            JointCounts::Sorted {
                a: Vec::with_capacity(n),
                b: Vec::with_capacity(n),
                tmp: Vec::with_capacity(n),
            }
        }
    }

    /// The estimate under a free permutation of few distinct values of y. The values are drawn
    /// one by one from an urn of those left, which arranges them uniformly at random, as a
    /// shuffle does, without its random memory accesses; the observations are sorted by (z, x),
    /// so each (z, x) and each z is a run, counted in a small histogram.
    fn urn_value(&self, urn: &[u32], rng: &mut ChaCha8Rng) -> f64 {
        let ny = urn.len();
        let mut left = [0u32; URN_MAX];
        left[..ny].copy_from_slice(urn);
        let mut total = self.ids.y.len() as u32;
        let mut s = 0.0;
        let mut hist_z = [0u32; URN_MAX];
        let mut cur_z = u32::MAX;
        let zx = &self.ids.zx;
        let mut i = 0;
        while i < zx.len() {
            let g = zx[i];
            let mut j = i + 1;
            while j < zx.len() && zx[j] == g {
                j += 1;
            }
            let z = self.ids.zx_to_z[g as usize];
            if z != cur_z {
                s -= hist_z[..ny].iter().map(|&c| self.table.get(c)).sum::<f64>();
                hist_z = [0; URN_MAX];
                cur_z = z;
            }
            let mut hist = [0u32; URN_MAX];
            for _ in i..j {
                let mut r = below(rng, total);
                let mut k = 0;
                while r >= left[k] {
                    r -= left[k];
                    k += 1;
                }
                left[k] -= 1;
                total -= 1;
                hist[k] += 1;
            }
            for k in 0..ny {
                s += self.table.get(hist[k]);
                hist_z[k] += hist[k];
            }
            i = j;
        }
        s -= hist_z[..ny].iter().map(|&c| self.table.get(c)).sum::<f64>();
        (self.fixed + s) / self.ids.y.len() as f64
    }

    /// The estimate with y in the given arrangement. The sums of c log c are accumulated as
    /// counts grow, in the order of the observations, so the value does not depend on how the
    /// counts are stored or on which thread computes it.
    fn value(&self, y: &[u32], buf: &mut JointCounts) -> f64 {
        let ny = self.ids.ny as u64;
        let mut s = 0.0;
        let key = |zx: u32, yy: u32| -> (u64, u64) {
            let z = self.ids.zx_to_z[zx as usize] as u64;
            (zx as u64 * ny + yy as u64, z * ny + yy as u64)
        };
        match buf {
            JointCounts::Dense { zxy, zy } => {
                for (&zx, &yy) in self.ids.zx.iter().zip(y) {
                    let (a, b) = key(zx, yy);
                    let c = &mut zxy[a as usize];
                    s += self.table.step(*c);
                    *c += 1;
                    let c = &mut zy[b as usize];
                    s -= self.table.step(*c);
                    *c += 1;
                }
                for (&zx, &yy) in self.ids.zx.iter().zip(y) {
                    let (a, b) = key(zx, yy);
                    zxy[a as usize] = 0;
                    zy[b as usize] = 0;
                }
            }
            JointCounts::Sorted { a, b, tmp } => {
                a.clear();
                b.clear();
                for (&zx, &yy) in self.ids.zx.iter().zip(y) {
                    let (ka, kb) = key(zx, yy);
                    a.push(ka);
                    b.push(kb);
                }
                let bits = |n: u64| 64 - n.saturating_sub(1).leading_zeros();
                radix_sort(a, tmp, bits(self.ids.zx_to_z.len() as u64 * ny));
                radix_sort(b, tmp, bits(self.ids.nz as u64 * ny));
                s = runs(a, &self.table) - runs(b, &self.table);
            }
        }
        (self.fixed + s) / y.len() as f64
    }
}

/// Free permutations of y with at most this many distinct values are drawn from an urn.
const URN_MAX: usize = 16;

pub(crate) fn test_observations<O: Observations>(
    obs: &O,
    surrogates: usize,
    seed: u64,
    permutation: Permutation,
) -> Result<SurrogateTest> {
    if surrogates == 0 {
        return Err(bad("a surrogate test needs at least 1 surrogate"));
    }
    let observed = engine::count(obs, Kind::Cmi)?.value();
    let ids = ids(obs)?;
    let stat = Stat::new(&ids);
    let mut buf = stat.buffers();
    let internal = stat.value(&ids.y, &mut buf);
    // Groups of observations that are permuted among themselves.
    let (order, groups): (Vec<u32>, Vec<(usize, usize)>) = match permutation {
        Permutation::Free => (vec![], vec![(0, ids.y.len())]),
        Permutation::WithinCondition => {
            let z = |i: usize| ids.zx_to_z[ids.zx[i] as usize] as usize;
            let mut start = vec![0usize; ids.nz + 1];
            for i in 0..ids.y.len() {
                start[z(i) + 1] += 1;
            }
            for k in 0..ids.nz {
                start[k + 1] += start[k];
            }
            let mut at = start.clone();
            let mut order = vec![0u32; ids.y.len()];
            for i in 0..ids.y.len() {
                order[at[z(i)]] = i as u32;
                at[z(i)] += 1;
            }
            let groups = start
                .windows(2)
                .map(|w| (w[0], w[1]))
                .filter(|(a, b)| b - a >= 2)
                .collect();
            (order, groups)
        }
    };
    let exchangeable = groups.iter().map(|(a, b)| b - a).sum();
    // Counts of each value of y, for drawing a free permutation from an urn.
    let mut urn = vec![0u32; ids.ny];
    for &v in &ids.y {
        urn[v as usize] += 1;
    }
    let values: Vec<f64> = (0..surrogates)
        .into_par_iter()
        .map_init(
            || (stat.buffers(), ids.y.clone()),
            |(buf, y), i| {
                let mut rng = stream(seed, i as u64);
                if order.is_empty() && urn.len() <= URN_MAX {
                    return stat.urn_value(&urn, &mut rng);
                }
                y.copy_from_slice(&ids.y);
                for &(a, b) in &groups {
                    for j in (a + 1..b).rev() {
                        let r = a + below(&mut rng, (j - a) as u32 + 1) as usize;
                        if order.is_empty() {
                            y.swap(j, r);
                        } else {
                            y.swap(order[j] as usize, order[r] as usize);
                        }
                    }
                }
                stat.value(y, buf)
            },
        )
        .collect();
    // A conditional mutual information is never negative; rounding can leave -1e-17.
    let clamp = |v: f64| if v < 0.0 && v > -1e-12 { 0.0 } else { v };
    let internal = clamp(internal);
    let values: Vec<f64> = values.into_iter().map(clamp).collect();
    let tol = 1e-12 * internal.abs().max(1.0);
    let at_least = values.iter().filter(|&&v| v >= internal - tol).count();
    let mean = values.iter().sum::<f64>() / surrogates as f64;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / surrogates as f64;
    Ok(SurrogateTest {
        observed,
        p_value: (1 + at_least) as f64 / (1 + surrogates) as f64,
        surrogates,
        at_least,
        mean,
        std: var.sqrt(),
        effective: observed - mean,
        seed,
        within_condition: permutation == Permutation::WithinCondition,
        exchangeable,
    })
}
