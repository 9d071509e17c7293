//! The number of worker threads a caller may ask for: one rule for every face.

use crate::error::{CmechError, Result};

/// The most worker threads a computation is given. Far more than any machine runs usefully; a
/// larger request is a typo (or `usize::MAX`), and honouring it would start threads until the
/// machine stalls.
pub const MAX_THREADS: usize = 1024;
const _: () = assert!(MAX_THREADS == 1024, "the rule of check_threads says 1024");

/// Checks a requested number of worker threads: 1 to [`MAX_THREADS`].
pub fn check_threads(threads: usize) -> Result<usize> {
    if (1..=MAX_THREADS).contains(&threads) {
        Ok(threads)
    } else {
        Err(CmechError::OutOfRange {
            parameter: "threads",
            value: threads.to_string(),
            rule: "from 1 to 1024",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_from_1_to_the_cap_are_taken() {
        assert_eq!(check_threads(1).unwrap(), 1);
        assert_eq!(check_threads(MAX_THREADS).unwrap(), MAX_THREADS);
        for bad in [0, MAX_THREADS + 1, usize::MAX] {
            let e = check_threads(bad).unwrap_err().to_string();
            assert!(e.contains("threads must be from 1 to 1024, not"), "{e}");
        }
    }
}
