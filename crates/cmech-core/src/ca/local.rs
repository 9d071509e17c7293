//! The local information dynamics of a field: active information storage and transfer entropy,
//! as averages and at every cell, with the counts kept apart from the values so that a large
//! field's values can be computed a block of rows at a time.

use serde::Serialize;
use std::sync::{Arc, OnceLock};

use super::field::FieldRef;
use super::obs::FieldObs;
use crate::error::Result;
use crate::infoflow::bad;
use crate::infoflow::engine::{self, Kind};

/// Local values over a field: `values` has (steps - offset) x height x width entries, the value
/// of cell c at step offset + t at index t * cells + c.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LocalValues {
    /// Average over all cells and steps: the global value of the pooled estimate.
    pub average: f64,
    /// The local values in bits, (steps - offset) x height x width, row-major.
    pub values: Vec<f64>,
    /// The first step with a value (k).
    pub offset: usize,
    /// Steps of the field the values come from (the values hold steps - offset of them).
    pub steps: usize,
    /// Rows of cells per step (1 for an elementary CA).
    pub height: usize,
    /// Cells per row.
    pub width: usize,
}

/// A field's AIS or TE, its average and its local values: the one way to compute them. The
/// counts are gathered once over the whole field; [`LocalField::average`] needs nothing more,
/// and [`LocalField::values_into`] fills a block of rows at a time, so that a caller can write
/// or draw the local values of a large field without holding all of them (10^8 cells make
/// 800 MB of float64). Every block's values are exactly those of the whole field's computation.
pub struct LocalField<'a> {
    obs: FieldObs<'a>,
    counted: Arc<engine::Counted>,
    /// The value of each joint state, made when local values are first asked for, so that an
    /// average costs only the count.
    table: OnceLock<Arc<engine::LocalTable>>,
}

/// A [`LocalField`]'s counts without the borrow of its field, for a holder that cannot keep
/// one (a Python object holding a numpy array): [`LocalCounts::attach`] takes the same field
/// again whenever values are wanted, without counting it again.
pub struct LocalCounts {
    k: usize,
    channel: Option<(isize, isize)>,
    /// Steps, height, width and alphabet of the field counted.
    shape: [usize; 4],
    counted: Arc<engine::Counted>,
    table: Arc<engine::LocalTable>,
}

impl LocalCounts {
    /// The local field of `field`, which must be the field these counts were taken from: its
    /// shape and alphabet are checked, its cells are not.
    pub fn attach<'a>(&self, field: impl Into<FieldRef<'a>>) -> Result<LocalField<'a>> {
        let f = field.into();
        let shape = [f.steps, f.height, f.width, f.alphabet];
        if shape != self.shape {
            return Err(bad(format!(
                "a field of {shape:?} (steps, height, width, alphabet) is not the {:?} counted",
                self.shape
            )));
        }
        Ok(LocalField {
            obs: FieldObs::new(f, self.k, self.channel)?,
            counted: Arc::clone(&self.counted),
            table: OnceLock::from(Arc::clone(&self.table)),
        })
    }
}

impl<'a> LocalField<'a> {
    /// Local active information storage with history k.
    pub fn active_information(field: impl Into<FieldRef<'a>>, k: usize) -> Result<LocalField<'a>> {
        LocalField::of(FieldObs::new(field.into(), k, None)?)
    }

    /// Local transfer entropy from cell (y - dy, x - dx) one step before to cell (y, x),
    /// target history k (an elementary CA's channel j is (0, j)).
    pub fn transfer_entropy(
        field: impl Into<FieldRef<'a>>,
        k: usize,
        channel: (isize, isize),
    ) -> Result<LocalField<'a>> {
        LocalField::of(FieldObs::new(field.into(), k, Some(channel))?)
    }

    fn of(obs: FieldObs<'a>) -> Result<LocalField<'a>> {
        let counted = engine::count(&obs, Kind::Cmi)?;
        Ok(LocalField {
            obs,
            counted: Arc::new(counted),
            table: OnceLock::new(),
        })
    }

    fn table(&self) -> &Arc<engine::LocalTable> {
        self.table
            .get_or_init(|| Arc::new(self.counted.local_table()))
    }

    /// The counts, to compute values later from the same field ([`LocalCounts::attach`]).
    pub fn detach(self) -> LocalCounts {
        let f = self.obs.f;
        let table = Arc::clone(self.table());
        LocalCounts {
            k: self.obs.k,
            channel: self.obs.src.as_ref().map(|s| s.channel),
            shape: [f.steps, f.height, f.width, f.alphabet],
            counted: self.counted,
            table,
        }
    }

    /// The average over all cells and steps: the global value of the pooled estimate.
    pub fn average(&self) -> f64 {
        self.counted.value()
    }
    /// The first step with a value (k): row r of the local values is step k + r.
    pub fn offset(&self) -> usize {
        self.obs.k
    }
    /// Rows of local values: steps - k.
    pub fn rows(&self) -> usize {
        self.obs.f.steps - self.obs.k
    }
    /// Values per row: height x width.
    pub fn cells_per_row(&self) -> usize {
        self.obs.f.cells_per_step()
    }
    /// The field's height (1 for an elementary CA).
    pub fn height(&self) -> usize {
        self.obs.f.height
    }
    /// The field's width: cells per row.
    pub fn width(&self) -> usize {
        self.obs.f.width
    }

    /// The values of rows `rows` (of [`LocalField::rows`]) written into `out`, which holds
    /// their rows x cells values in the layout of [`LocalValues::values`].
    pub fn values_into(&self, rows: std::ops::Range<usize>, out: &mut [f64]) -> Result<()> {
        if rows.start > rows.end || rows.end > self.rows() {
            return Err(bad(format!(
                "rows {}..{} are not among the {} rows of local values",
                rows.start,
                rows.end,
                self.rows()
            )));
        }
        let want = (rows.end - rows.start) * self.cells_per_row();
        if out.len() != want {
            return Err(bad(format!(
                "the local values of {} steps x {} cells need {want} places, not {}",
                rows.end - rows.start,
                self.cells_per_row(),
                out.len()
            )));
        }
        let k = self.obs.k;
        let part = self.obs.steps(k + rows.start, k + rows.end);
        self.counted.fill_locals(self.table(), &part, out);
        Ok(())
    }

    /// The values of rows `rows`, as [`LocalField::values_into`] writes them.
    pub fn values(&self, rows: std::ops::Range<usize>) -> Result<Vec<f64>> {
        let len = rows.end.saturating_sub(rows.start) * self.cells_per_row();
        let mut out = vec![0.0; len];
        self.values_into(rows, &mut out)?;
        Ok(out)
    }

    /// All values at once.
    pub fn into_local_values(self) -> Result<LocalValues> {
        let values = self.values(0..self.rows())?;
        Ok(LocalValues {
            average: self.average(),
            values,
            offset: self.offset(),
            steps: self.rows(),
            height: self.obs.f.height,
            width: self.obs.f.width,
        })
    }
}
