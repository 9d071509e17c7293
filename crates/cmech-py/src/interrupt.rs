//! Long native loops in chunks: the GIL is released while a chunk runs and Python's signals are
//! checked between chunks, so that Ctrl-C stops a sample of 10^10 symbols within a moment instead
//! of when it returns.

use pyo3::prelude::*;

/// Items a chunk takes: small enough that Ctrl-C is answered within a few milliseconds, large
/// enough that releasing the GIL costs nothing beside the work.
const CHUNK: usize = 1 << 20;

/// Hands the first `n` items of `items` to `take`, a chunk at a time without the GIL, raising
/// `KeyboardInterrupt` (or whatever a signal handler raises) between chunks.
pub(crate) fn in_chunks<I, F>(py: Python<'_>, n: usize, mut items: I, mut take: F) -> PyResult<()>
where
    I: Iterator + Send,
    F: FnMut(I::Item) + Send,
{
    let mut left = n;
    while left > 0 {
        let now = left.min(CHUNK);
        py.detach(|| items.by_ref().take(now).for_each(&mut take));
        left -= now;
        py.check_signals()?;
    }
    Ok(())
}
