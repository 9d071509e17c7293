//! Is an estimate of I(X; Y | Z) (TE, MI, AIS, ...) larger than chance?
//!
//! - [`surrogate_test`]: the Y windows (the whole source history, as JIDT permutes it) are
//!   shuffled over the observations, which keeps the distribution of source histories and the
//!   joint of X and Z but breaks any relation of Y to them; the estimate is recomputed on each
//!   surrogate. p = (1 + #{surrogates >= observed}) / (1 + surrogates). Seeded (ChaCha8, one
//!   stream per surrogate), parallel over surrogates, and the same for any number of threads.
//! - [`chi_square_test`]: under independence 2 N ln(2) I(X; Y | Z) is asymptotically chi-square
//!   with (|X| - 1)(|Y| - 1)|Z| degrees of freedom, the sizes of the state spaces of the windows
//!   (Barnett & Bossomaier 2012, Phys. Rev. Lett. 109, 138105; the degrees of freedom of JIDT's
//!   analytic test). Valid when every state is well sampled; with long histories prefer surrogates.

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF};

use super::engine::{self, Kind, Observations};
use super::{ais_query, bad, mi_query, te_query, te_series, Embedded, Query, Series, TeOptions};
use crate::error::Result;

/// The result of a surrogate test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurrogateTest {
    /// The estimate on the data.
    pub observed: f64,
    pub p_value: f64,
    pub surrogates: usize,
    /// Surrogates at least as large as the observed value.
    pub at_least: usize,
    /// Mean and standard deviation of the surrogate values.
    pub mean: f64,
    pub std: f64,
    /// observed - mean: the estimate with its bias under independence removed ("effective
    /// transfer entropy", Marschinski & Kantz 2002).
    pub effective: f64,
    pub seed: u64,
}

/// The result of the analytic chi-square test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChiSquareTest {
    pub observed: f64,
    /// 2 N ln(2) I.
    pub statistic: f64,
    pub df: f64,
    pub p_value: f64,
    pub observations: usize,
}

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
    Ok(Ids {
        zx,
        y,
        zx_to_z,
        nz: nz as usize,
        ny: ny as usize,
    })
}

/// c log2 c for small c, computed once.
struct XLogX(Vec<f64>);

impl XLogX {
    fn new(n: usize) -> XLogX {
        let m = n.min(1 << 20) + 1;
        XLogX(
            (0..m)
                .map(|c| {
                    if c == 0 {
                        0.0
                    } else {
                        c as f64 * (c as f64).log2()
                    }
                })
                .collect(),
        )
    }
    #[inline]
    fn get(&self, c: u32) -> f64 {
        self.0
            .get(c as usize)
            .copied()
            .unwrap_or_else(|| c as f64 * (c as f64).log2())
    }
}

/// Counts of (zx, y) and (z, y) for one arrangement of y.
enum JointCounts {
    Dense {
        zxy: Vec<u32>,
        zy: Vec<u32>,
    },
    Sparse {
        zxy: FxHashMap<u64, u32>,
        zy: FxHashMap<u64, u32>,
    },
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
            JointCounts::Sparse {
                zxy: FxHashMap::default(),
                zy: FxHashMap::default(),
            }
        }
    }

    /// The estimate with y in the given arrangement.
    fn value(&self, y: &[u32], buf: &mut JointCounts) -> f64 {
        let ny = self.ids.ny as u64;
        let mut s = self.fixed;
        match buf {
            JointCounts::Dense { zxy, zy } => {
                for (&zx, &yy) in self.ids.zx.iter().zip(y) {
                    zxy[(zx as u64 * ny + yy as u64) as usize] += 1;
                    let z = self.ids.zx_to_z[zx as usize] as u64;
                    zy[(z * ny + yy as u64) as usize] += 1;
                }
                for c in zxy.iter_mut() {
                    if *c != 0 {
                        s += self.table.get(*c);
                        *c = 0;
                    }
                }
                for c in zy.iter_mut() {
                    if *c != 0 {
                        s -= self.table.get(*c);
                        *c = 0;
                    }
                }
            }
            JointCounts::Sparse { zxy, zy } => {
                for (&zx, &yy) in self.ids.zx.iter().zip(y) {
                    *zxy.entry(zx as u64 * ny + yy as u64).or_insert(0) += 1;
                    let z = self.ids.zx_to_z[zx as usize] as u64;
                    *zy.entry(z * ny + yy as u64).or_insert(0) += 1;
                }
                let mut a: Vec<(u64, u32)> = zxy.drain().collect();
                a.sort_unstable();
                s += a.iter().map(|&(_, c)| self.table.get(c)).sum::<f64>();
                let mut b: Vec<(u64, u32)> = zy.drain().collect();
                b.sort_unstable();
                s -= b.iter().map(|&(_, c)| self.table.get(c)).sum::<f64>();
            }
        }
        s / y.len() as f64
    }
}

/// A uniform integer below `n` (Lemire's method, unbiased).
#[inline]
fn below(rng: &mut ChaCha8Rng, n: u32) -> u32 {
    let mut m = rng.next_u32() as u64 * n as u64;
    if (m as u32) < n {
        let t = n.wrapping_neg() % n;
        while (m as u32) < t {
            m = rng.next_u32() as u64 * n as u64;
        }
    }
    (m >> 32) as u32
}

/// Surrogate test of a query: the Y windows are permuted over the observations.
pub fn surrogate_test(
    series: &[&Series],
    query: &Query,
    surrogates: usize,
    seed: u64,
) -> Result<SurrogateTest> {
    let e = Embedded::new(series, query)?;
    if e.lengths_total() == 0 {
        return Err(super::no_window("the surrogate test", &e));
    }
    test_observations(&e, surrogates, seed)
}

pub(crate) fn test_observations<O: Observations>(
    obs: &O,
    surrogates: usize,
    seed: u64,
) -> Result<SurrogateTest> {
    if surrogates == 0 {
        return Err(bad("a surrogate test needs at least 1 surrogate"));
    }
    let observed = engine::count(obs, Kind::Cmi)?.value();
    let ids = ids(obs)?;
    let stat = Stat::new(&ids);
    let mut buf = stat.buffers();
    let internal = stat.value(&ids.y, &mut buf);
    let values: Vec<f64> = (0..surrogates)
        .into_par_iter()
        .map_init(
            || (stat.buffers(), ids.y.clone()),
            |(buf, y), i| {
                y.copy_from_slice(&ids.y);
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                rng.set_stream(i as u64 + 1);
                for j in (1..y.len()).rev() {
                    let r = below(&mut rng, j as u32 + 1) as usize;
                    y.swap(j, r);
                }
                stat.value(y, buf)
            },
        )
        .collect();
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
    })
}

/// Analytic chi-square test of a query.
pub fn chi_square_test(series: &[&Series], query: &Query) -> Result<ChiSquareTest> {
    let e = Embedded::new(series, query)?;
    if e.lengths_total() == 0 {
        return Err(super::no_window("the chi-square test", &e));
    }
    chi_square_observations(&e)
}

pub(crate) fn chi_square_observations<O: Observations>(obs: &O) -> Result<ChiSquareTest> {
    let [cx, cy, cz] = obs.cards();
    let counted = engine::count(obs, Kind::Cmi)?;
    let observed = counted.value();
    let n = counted.n;
    let statistic = 2.0 * n as f64 * std::f64::consts::LN_2 * observed;
    let df = (cx as f64 - 1.0) * (cy as f64 - 1.0) * cz as f64;
    let p_value = if df <= 0.0 {
        1.0
    } else {
        ChiSquared::new(df)
            .map(|d| d.sf(statistic))
            .map_err(|e| bad(format!("chi-square with {df} degrees of freedom: {e}")))?
    };
    Ok(ChiSquareTest {
        observed,
        statistic,
        df,
        p_value,
        observations: n as usize,
    })
}

/// Surrogate test of TE(source -> target | conditions): source histories are permuted.
pub fn transfer_entropy_surrogates(
    source: &Series,
    target: &Series,
    conditions: &[&Series],
    opts: &TeOptions,
    surrogates: usize,
    seed: u64,
) -> Result<SurrogateTest> {
    opts.check()?;
    let s = te_series(source, target, conditions);
    surrogate_test(&s, &te_query(opts, conditions.len()), surrogates, seed)
}

/// Chi-square test of TE(source -> target | conditions), df = (|A_s|^l - 1)(|A_t| - 1)|A_t|^k
/// (times |A_c| for each condition).
pub fn transfer_entropy_chi_square(
    source: &Series,
    target: &Series,
    conditions: &[&Series],
    opts: &TeOptions,
) -> Result<ChiSquareTest> {
    opts.check()?;
    let s = te_series(source, target, conditions);
    chi_square_test(&s, &te_query(opts, conditions.len()))
}

/// Surrogate test of I(X; Y): Y is permuted.
pub fn mutual_information_surrogates(
    x: &Series,
    y: &Series,
    surrogates: usize,
    seed: u64,
) -> Result<SurrogateTest> {
    surrogate_test(&[x, y], &mi_query(), surrogates, seed)
}

/// Chi-square test of I(X; Y), df = (|A_x| - 1)(|A_y| - 1).
pub fn mutual_information_chi_square(x: &Series, y: &Series) -> Result<ChiSquareTest> {
    chi_square_test(&[x, y], &mi_query())
}

/// Surrogate test of AIS: the histories are permuted against the next values.
pub fn active_information_surrogates(
    x: &Series,
    k: usize,
    surrogates: usize,
    seed: u64,
) -> Result<SurrogateTest> {
    super::check_k(k)?;
    surrogate_test(&[x], &ais_query(k), surrogates, seed)
}

/// Chi-square test of AIS, df = (|A| - 1)(|A|^k - 1).
pub fn active_information_chi_square(x: &Series, k: usize) -> Result<ChiSquareTest> {
    super::check_k(k)?;
    chi_square_test(&[x], &ais_query(k))
}
