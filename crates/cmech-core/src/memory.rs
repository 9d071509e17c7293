//! Sizes checked before memory is taken. An allocation that fails aborts the process (and a
//! Python interpreter with it), and a size computed with wrapping arithmetic allocates the wrong
//! amount, so every size that follows from a user's numbers is multiplied with checks and reserved
//! with [`Vec::try_reserve_exact`]: a request that cannot be met is a
//! [`CmechError::TooLarge`] naming the size, never an abort.

use crate::error::{CmechError, Result};

/// `bytes` in the largest binary unit that keeps a leading digit: `512 B`, `1.5 KiB`, `4.8 GiB`.
pub fn human(bytes: u128) -> String {
    const UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// The product of `dims`, or [`CmechError::TooLarge`] saying that `what` (with those dimensions)
/// has more elements than a machine can address.
pub fn product(dims: &[usize], what: &str) -> Result<usize> {
    dims.iter()
        .try_fold(1usize, |n, &d| n.checked_mul(d))
        .ok_or_else(|| {
            let shape: Vec<String> = dims.iter().map(usize::to_string).collect();
            CmechError::TooLarge(format!(
                "{what} of {} elements has more than a machine can address",
                shape.join(" x ")
            ))
        })
}

/// An empty vector with room for `len` elements, or [`CmechError::TooLarge`] naming `what` and
/// the bytes it would take when the allocator cannot give them.
pub fn with_capacity<T>(len: usize, what: &str) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(len).map_err(|_| {
        let bytes = len as u128 * std::mem::size_of::<T>() as u128;
        CmechError::TooLarge(format!(
            "{what} needs {len} elements ({}), more memory than can be allocated",
            human(bytes)
        ))
    })?;
    Ok(v)
}

/// `len` copies of `value`, allocated as [`with_capacity`] does.
pub fn filled<T: Clone>(len: usize, value: T, what: &str) -> Result<Vec<T>> {
    let mut v = with_capacity(len, what)?;
    v.resize(len, value);
    Ok(v)
}

/// Refuses `what` when it would hold more than `limit` numbers of `width` bytes each, naming both
/// sizes and `remedy`: for computations whose memory is bounded by design, so that they stop
/// before the work rather than when the machine runs out.
pub fn within(what: &str, numbers: u128, limit: usize, width: usize, remedy: &str) -> Result<()> {
    if numbers <= limit as u128 {
        return Ok(());
    }
    Err(CmechError::TooLarge(format!(
        "{what} would hold {numbers} numbers ({}), more than the {limit} ({}) it is allowed; \
         {remedy}",
        human(numbers * width as u128),
        human(limit as u128 * width as u128)
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_said_in_binary_units() {
        assert_eq!(human(512), "512 B");
        assert_eq!(human(1536), "1.5 KiB");
        assert_eq!(human(5_165_606_520), "4.8 GiB");
        assert_eq!(
            human(u128::MAX),
            format!("{:.1} EiB", u128::MAX as f64 / 1024f64.powi(6))
        );
    }

    #[test]
    fn products_that_overflow_and_allocations_that_fail_are_errors() {
        assert_eq!(product(&[3, 4, 5], "a field").unwrap(), 60);
        let e = product(&[1 << 32, 1 << 32], "a field").unwrap_err();
        assert!(matches!(e, CmechError::TooLarge(_)));
        assert!(
            e.to_string().contains("4294967296 x 4294967296 elements"),
            "{e}"
        );
        let e = with_capacity::<u64>(usize::MAX / 8, "a sample").unwrap_err();
        assert!(e.to_string().starts_with("a sample needs"), "{e}");
        assert!(e.to_string().contains("EiB"), "{e}");
        assert_eq!(filled(3, 7u8, "x").unwrap(), vec![7, 7, 7]);
    }

    #[test]
    fn a_bounded_computation_names_its_size_and_its_bound() {
        within("a table", 10, 10, 8, "use less").unwrap();
        let e = within("a table", 1 << 30, 1 << 26, 8, "use less").unwrap_err();
        assert_eq!(
            e.to_string(),
            "a table would hold 1073741824 numbers (8.0 GiB), more than the 67108864 (512.0 MiB) \
             it is allowed; use less"
        );
    }
}
