//! Memory the library takes on large presentations stays within its stated bounds (issue 23).

use cmech_core::measures::Status;
use cmech_core::{measures, Hmm, MeasureOptions};

/// The most memory this test process has held (Linux's VmHWM), in bytes.
fn peak_resident() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse::<u64>()
        .ok()?;
    Some(kib << 10)
}

#[test]
fn a_period_of_ten_thousand_states_is_measured_in_bounded_memory() {
    // A cycle emitting a 1 once a period. Its mixed states hold a belief of 10,000 numbers each,
    // and the families of supports that decide its orders grew with every word length: 4.3 GB.
    let n = 10_000;
    let hmm = Hmm::new(
        "period",
        vec!["0".into(), "1".into()],
        (0..n).map(|i| format!("s{i}")).collect(),
        (0..n).map(|i| (i, (i == 0) as usize, (i + 1) % n, 1.0)),
    )
    .unwrap();
    let m = measures(&hmm, &MeasureOptions::default()).unwrap();
    let c_mu = m.statistical_complexity;
    assert_eq!(c_mu.status, Status::Exact);
    assert!((c_mu.value.unwrap() - (n as f64).log2()).abs() < 1e-9);
    assert!(m.entropy_rate.value.unwrap().abs() < 1e-12);
    if let Some(peak) = peak_resident() {
        assert!(peak < 1 << 30, "peak resident memory {peak} bytes");
    }
}
