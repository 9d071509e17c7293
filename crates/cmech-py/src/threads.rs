//! Worker threads: a computation on a pool of the size the caller asked for, checked by
//! `cmech_core::threads`, or on rayon's global pool.

use crate::errors::{quoting, size};

/// Runs `f` on `threads` worker threads (a pool of its own), or on rayon's global pool.
pub(crate) fn on_threads<T: Send>(
    threads: Option<i64>,
    f: impl FnOnce() -> T + Send,
) -> Result<T, String> {
    match threads.map(size) {
        None => Ok(f()),
        Some(n) => match cmech_core::threads::check_threads(n) {
            Err(e) => Err(quoting(e, &[("threads", threads)]).to_string()),
            Ok(n) => rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map(|pool| pool.install(f))
                .map_err(|e| format!("cannot start {n} worker threads: {e}")),
        },
    }
}
