//! The counting engine shared by every estimator: observations are triples of integer codes
//! (x, y, z), counted into a dense array when their joint space is small and into a hash map
//! otherwise, then turned into a plug-in conditional mutual information I(X; Y | Z) or a conditional
//! entropy H(X | Z), globally and at every observation.
//!
//! Counts are integers and are added in any order, so results do not depend on the number of
//! threads: the global value is summed over count cells in a fixed order (the dense index, or the
//! sorted keys of the hash map).

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::Bias;
use crate::error::{CmechError, Result};

/// Joint spaces up to this many cells are counted in dense arrays.
pub(crate) const DENSE_MAX: u64 = 1 << 22;
/// ... but only when the array is not much larger than the data.
const DENSE_MIN: u64 = 1 << 16;

/// A source of observations, split into blocks that are visited independently (in parallel).
/// Observations are ordered: block after block, and in each block in the order `visit` emits them.
pub(crate) trait Observations: Sync {
    /// Number of values each of x, y, z can take (codes are below these).
    fn cards(&self) -> [u64; 3];
    fn num_blocks(&self) -> usize;
    fn block_len(&self, block: usize) -> usize;
    /// Calls `f(x, y, z)` for every observation of the block, in order.
    fn visit<F: FnMut(u64, u64, u64)>(&self, block: usize, f: F);

    fn total(&self) -> usize {
        (0..self.num_blocks()).map(|b| self.block_len(b)).sum()
    }

    /// Where the observations can be produced as their dense indices (z * cx + x) * cy + y
    /// (`[cx, cy, _] = cards()`), calls `f` with them a batch at a time, in the order of `visit`,
    /// and returns true; returns false without calling `f` otherwise. Used when the counts are
    /// dense: a field computes a whole row of indices with vector instructions, where `visit`
    /// pays a call and two multiplications per observation.
    fn visit_dense<F: FnMut(&[u32])>(&self, _block: usize, _f: F) -> bool {
        false
    }
}

/// What is estimated from the counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// I(X; Y | Z): local value log2 [c(xyz) c(z) / (c(xz) c(yz))].
    Cmi,
    /// H(X | Z) (y is ignored): local value log2 [c(z) / c(xz)].
    CondEntropy,
}

/// Counts of the joint (x, y, z) and of the marginals the estimators need.
pub(crate) enum Table {
    Dense {
        cx: u64,
        cy: u64,
        /// Index (z * cx + x) * cy + y.
        xyz: Vec<u64>,
        xz: Vec<u64>,
        yz: Vec<u64>,
        z: Vec<u64>,
    },
    Sparse {
        xyz: FxHashMap<(u64, u64, u64), u64>,
        xz: FxHashMap<(u64, u64), u64>,
        yz: FxHashMap<(u64, u64), u64>,
        z: FxHashMap<u64, u64>,
    },
}

/// The local value of every dense count cell (none for sparse counts): see
/// [`Counted::local_table`].
pub(crate) struct LocalTable(Option<Vec<f64>>);

/// Counts with their total and what they estimate.
pub(crate) struct Counted {
    pub table: Table,
    pub n: u64,
    pub kind: Kind,
}

fn threads() -> usize {
    rayon::current_num_threads().max(1)
}

/// Up to this many observations are counted on the calling thread: handing them to rayon's
/// workers costs more than it saves, and on a loaded machine waiting for a descheduled worker
/// cost milliseconds (10^5 samples took 2 ms in parallel, 0.4 ms alone).
const SERIAL_MAX: u64 = 1 << 20;

/// Runs `f` over `items`, in parallel unless `serial`, keeping their order.
fn map_items<T: Send, R: Send>(
    items: Vec<T>,
    serial: bool,
    f: impl Fn(T) -> R + Sync + Send,
) -> Vec<R> {
    if serial {
        items.into_iter().map(f).collect()
    } else {
        items.into_par_iter().map(f).collect()
    }
}

/// Contiguous groups of blocks, one per task.
fn groups(num_blocks: usize, max_groups: usize) -> Vec<std::ops::Range<usize>> {
    let g = num_blocks.min(max_groups).max(1);
    (0..g)
        .map(|i| (i * num_blocks / g)..((i + 1) * num_blocks / g))
        .filter(|r| !r.is_empty())
        .collect()
}

fn dense_size(cards: [u64; 3], n: u64) -> Option<u64> {
    let size = cards[0].checked_mul(cards[1])?.checked_mul(cards[2])?;
    // A dense cell costs a few nanoseconds to sweep, a hashed observation tens: dense wins
    // until the array is about 16 times the data.
    (size <= DENSE_MAX && size <= DENSE_MIN.max(16 * n)).then_some(size)
}

/// Counts every observation.
pub(crate) fn count<O: Observations>(obs: &O, kind: Kind) -> Result<Counted> {
    let [cx, cy, cz] = obs.cards();
    let n = obs.total() as u64;
    if n == 0 {
        return Err(CmechError::InvalidArgument(
            "no complete window in the data".into(),
        ));
    }
    let blocks = obs.num_blocks();
    let serial = n <= SERIAL_MAX;
    let table = if let Some(size) = dense_size([cx, cy, cz], n) {
        // Each task holds one array: bound the memory of all of them together.
        let max_groups = if serial { 1 } else { threads() }
            .min((1usize << 26) / (size as usize).max(1))
            .max(1);
        let parts = groups(blocks, max_groups);
        let xyz = map_items(parts, serial, |range| {
            // 32-bit counts halve the array the increments hit; they are added into 64-bit
            // totals before they could overflow.
            let mut total = vec![0u64; size as usize];
            let mut c = vec![0u32; size as usize];
            let mut held = 0usize;
            for b in range {
                let len = obs.block_len(b);
                if held + len > u32::MAX as usize {
                    total.iter_mut().zip(c.iter_mut()).for_each(|(t, c)| {
                        *t += *c as u64;
                        *c = 0;
                    });
                    held = 0;
                }
                held += len;
                let rows = obs.visit_dense(b, |idx| {
                    for &i in idx {
                        c[i as usize] += 1;
                    }
                });
                if !rows {
                    obs.visit(b, |x, y, z| {
                        c[((z * cx + x) * cy + y) as usize] += 1;
                    });
                }
            }
            total.iter_mut().zip(&c).for_each(|(t, &c)| *t += c as u64);
            total
        })
        .into_iter()
        .reduce(|mut a, b| {
            a.iter_mut().zip(&b).for_each(|(a, b)| *a += b);
            a
        })
        .unwrap_or_else(|| vec![0; size as usize]);
        let mut xz = vec![0u64; (cz * cx) as usize];
        let mut yz = vec![0u64; (cz * cy) as usize];
        let mut zc = vec![0u64; cz as usize];
        for z in 0..cz {
            for x in 0..cx {
                for y in 0..cy {
                    let c = xyz[((z * cx + x) * cy + y) as usize];
                    xz[(z * cx + x) as usize] += c;
                    yz[(z * cy + y) as usize] += c;
                    zc[z as usize] += c;
                }
            }
        }
        Table::Dense {
            cx,
            cy,
            xyz,
            xz,
            yz,
            z: zc,
        }
    } else {
        let parts = groups(blocks, if serial { 1 } else { threads() * 4 });
        let xyz = map_items(parts, serial, |range| {
            let mut m: FxHashMap<(u64, u64, u64), u64> = FxHashMap::default();
            for b in range {
                obs.visit(b, |x, y, z| *m.entry((x, y, z)).or_insert(0) += 1);
            }
            m
        })
        .into_iter()
        .reduce(|a, b| {
            let (mut a, b) = if a.len() >= b.len() { (a, b) } else { (b, a) };
            for (k, v) in b {
                *a.entry(k).or_insert(0) += v;
            }
            a
        })
        .unwrap_or_default();
        let mut xz: FxHashMap<(u64, u64), u64> = FxHashMap::default();
        let mut yz: FxHashMap<(u64, u64), u64> = FxHashMap::default();
        let mut zc: FxHashMap<u64, u64> = FxHashMap::default();
        for (&(x, y, z), &c) in &xyz {
            *xz.entry((x, z)).or_insert(0) += c;
            *yz.entry((y, z)).or_insert(0) += c;
            *zc.entry(z).or_insert(0) += c;
        }
        Table::Sparse { xyz, xz, yz, z: zc }
    };
    Ok(Counted { table, n, kind })
}

#[inline]
fn local_value(kind: Kind, cxyz: u64, cxz: u64, cyz: u64, cz: u64) -> f64 {
    match kind {
        Kind::Cmi => ((cxyz as f64 * cz as f64) / (cxz as f64 * cyz as f64)).log2(),
        Kind::CondEntropy => (cz as f64 / cxz as f64).log2(),
    }
}

impl Counted {
    /// The global (average) plug-in value.
    pub fn value(&self) -> f64 {
        let v = self.plug_in_sum() / self.n as f64;
        // A conditional mutual information is never negative; rounding can leave -1e-17.
        if self.kind == Kind::Cmi && v < 0.0 && v > -1e-12 {
            0.0
        } else {
            v
        }
    }

    /// N times the plug-in value: the local values summed over the count cells.
    fn plug_in_sum(&self) -> f64 {
        let mut sum = 0.0;
        match &self.table {
            Table::Dense {
                cx,
                cy,
                xyz,
                xz,
                yz,
                z,
            } => {
                let (cx, cy) = (*cx as usize, *cy as usize);
                for (i, &c) in xyz.iter().enumerate() {
                    if c == 0 {
                        continue;
                    }
                    let y = i % cy;
                    let x = (i / cy) % cx;
                    let zz = i / (cy * cx);
                    sum += c as f64
                        * local_value(self.kind, c, xz[zz * cx + x], yz[zz * cy + y], z[zz]);
                }
            }
            Table::Sparse { xyz, xz, yz, z } => {
                let mut cells: Vec<(&(u64, u64, u64), &u64)> = xyz.iter().collect();
                cells.sort_unstable_by_key(|(k, _)| (k.2, k.0, k.1));
                for (&(x, y, zz), &c) in cells {
                    sum += c as f64 * local_value(self.kind, c, xz[&(x, zz)], yz[&(y, zz)], z[&zz]);
                }
            }
        }
        sum
    }

    /// The average with the bias correction `bias` (the plug-in value for [`Bias::PlugIn`]).
    pub fn value_with(&self, bias: Bias) -> f64 {
        match bias {
            Bias::PlugIn => self.value(),
            // Not clamped at 0: a corrected CMI may be slightly negative when the plug-in
            // value is all bias, and hiding that would hide the correction.
            Bias::MillerMadow => self.plug_in_sum() / self.n as f64 + self.miller_madow(),
        }
    }

    /// Miller-Madow correction of the average in bits: each entropy H of a table with m
    /// nonzero cells gains (m - 1) / (2 N ln 2), and the estimate is the same sum of entropies as
    /// the plug-in one (I(X;Y|Z) = H(XZ) + H(YZ) - H(XYZ) - H(Z), H(X|Z) = H(XZ) - H(Z)), so the
    /// -1s cancel in a CMI and leave (m_xz - m_z) in a conditional entropy.
    pub fn miller_madow(&self) -> f64 {
        let [m_xyz, m_xz, m_yz, m_z] = self.nonzero_cells();
        let cells = match self.kind {
            Kind::Cmi => m_xz as f64 + m_yz as f64 - m_xyz as f64 - m_z as f64,
            Kind::CondEntropy => m_xz as f64 - m_z as f64,
        };
        cells / (2.0 * self.n as f64 * std::f64::consts::LN_2)
    }

    /// Numbers of nonzero cells of the joint xyz and of the marginals xz, yz and z.
    pub fn nonzero_cells(&self) -> [usize; 4] {
        let nz = |v: &[u64]| v.iter().filter(|&&c| c > 0).count();
        match &self.table {
            Table::Dense { xyz, xz, yz, z, .. } => [nz(xyz), nz(xz), nz(yz), nz(z)],
            Table::Sparse { xyz, xz, yz, z } => [xyz.len(), xz.len(), yz.len(), z.len()],
        }
    }

    /// The local value of every observation, in observation order.
    pub fn locals<O: Observations>(&self, obs: &O) -> Vec<f64> {
        let mut out = vec![0.0f64; obs.total()];
        self.locals_into(obs, &mut out);
        out
    }

    /// [`Counted::locals`] written into `out`, which holds one value per observation: a buffer
    /// the caller allocated (a block of rows of a field written as it is computed, or an array
    /// handed to numpy).
    pub fn locals_into<O: Observations>(&self, obs: &O, out: &mut [f64]) {
        self.fill_locals(&self.local_table(), obs, out);
    }

    /// What [`Counted::fill_locals`] looks local values up in: for dense counts, the value of
    /// every cell. Computed once, it serves any number of calls (a field written by blocks of
    /// rows).
    pub fn local_table(&self) -> LocalTable {
        let serial = self.n <= SERIAL_MAX;
        match &self.table {
            Table::Dense {
                cx,
                cy,
                xyz,
                xz,
                yz,
                z,
            } => {
                let (cx, cy) = (*cx, *cy);
                let value = |(i, &c): (usize, &u64)| {
                    if c == 0 {
                        return 0.0;
                    }
                    let i = i as u64;
                    let y = i % cy;
                    let x = (i / cy) % cx;
                    let zz = i / (cy * cx);
                    local_value(
                        self.kind,
                        c,
                        xz[(zz * cx + x) as usize],
                        yz[(zz * cy + y) as usize],
                        z[zz as usize],
                    )
                };
                LocalTable(Some(if serial {
                    xyz.iter().enumerate().map(value).collect()
                } else {
                    xyz.par_iter().enumerate().map(value).collect()
                }))
            }
            Table::Sparse { .. } => LocalTable(None),
        }
    }

    /// The local values of the observations of `obs` (counted by these counts, or a part of
    /// them) written into `out`, one per observation, blocks in parallel; `table` is
    /// [`Counted::local_table`].
    pub fn fill_locals<O: Observations>(&self, table: &LocalTable, obs: &O, out: &mut [f64]) {
        if matches!(self.table, Table::Dense { .. }) && table.0.is_none() {
            return self.fill_locals(&self.local_table(), obs, out);
        }
        let lens: Vec<usize> = (0..obs.num_blocks()).map(|b| obs.block_len(b)).collect();
        let serial = self.n <= SERIAL_MAX;
        let mut slices = Vec::with_capacity(lens.len());
        let mut rest: &mut [f64] = out;
        for &l in &lens {
            let (a, b) = rest.split_at_mut(l);
            slices.push(a);
            rest = b;
        }
        let items: Vec<_> = slices.into_iter().enumerate().collect();
        match (&self.table, &table.0) {
            (Table::Dense { cx, cy, .. }, Some(values)) => {
                let (cx, cy) = (*cx, *cy);
                // One value per cell, looked up per observation.
                map_items(items, serial, |(b, s)| {
                    let mut i = 0;
                    let rows = obs.visit_dense(b, |idx| {
                        for (o, &j) in s[i..i + idx.len()].iter_mut().zip(idx) {
                            *o = values[j as usize];
                        }
                        i += idx.len();
                    });
                    if !rows {
                        obs.visit(b, |x, y, zz| {
                            s[i] = values[((zz * cx + x) * cy + y) as usize];
                            i += 1;
                        });
                    }
                });
            }
            (Table::Sparse { xyz, xz, yz, z }, _) => {
                map_items(items, serial, |(b, s)| {
                    let mut i = 0;
                    obs.visit(b, |x, y, zz| {
                        s[i] = local_value(
                            self.kind,
                            xyz[&(x, y, zz)],
                            xz[&(x, zz)],
                            yz[&(y, zz)],
                            z[&zz],
                        );
                        i += 1;
                    });
                });
            }
            // Answered above.
            (Table::Dense { .. }, None) => {}
        }
    }
}
