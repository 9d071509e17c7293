//! `cmech te`, `ais`, `mi`, `ca` and `boundary`: information flow between series, cellular
//! automata and their local fields, and the leaks of a proposed boundary. One module per kind of
//! input: series (te, ais, mi), automata (ca), grids split into parts (boundary).

mod boundary;
mod ca;
mod series;

pub use boundary::{boundary, BoundaryArgs, BOUNDARY_HELP};
pub use ca::{ca_cmd, CaArgs, CA_HELP};
pub use series::{ais, mi, te, AisArgs, MiArgs, TeArgs, AIS_HELP, MI_HELP, TE_HELP};

use anyhow::anyhow;
use cmech_core::CmechError;

/// A core error as one line, without the "invalid argument: " prefix.
pub(crate) fn core(e: CmechError) -> anyhow::Error {
    match e {
        CmechError::InvalidArgument(m) => anyhow!(m),
        e => anyhow!(e),
    }
}
