//! End-to-end tests of the bounds issue 23 asks for: sizes a user gives that no machine holds are
//! refused by name before anything is allocated, under an address-space limit so that a regression
//! fails the test rather than the machine; streams that cannot be written are said, or ignored
//! where only messages are lost.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::{npy, run_ok};

/// The address space a run under [`limited`] gets: ample for every refusal here, far below what
/// the requests would take.
const LIMIT_KIB: u64 = 2 << 20;

/// Runs cmech in `dir` under [`LIMIT_KIB`] of address space (the shell's `ulimit -v`).
fn limited(dir: &Path, args: &[&str]) -> Output {
    limited_to(LIMIT_KIB, dir, args)
}

fn limited_to(kib: u64, dir: &Path, args: &[&str]) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {kib} && exec \"$0\" \"$@\""))
        .arg(assert_cmd::cargo::cargo_bin("cmech"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// Runs `args` under the limit and asserts exit code 1 with the one line of stderr, an error
/// that contains `want`; no panic and no allocation failure reached the user.
fn refused(dir: &Path, args: &[&str], want: &str) {
    let out = limited(dir, args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
    assert!(
        stderr.starts_with("error: ") && stderr.contains(want),
        "{args:?}: {stderr}"
    );
}

#[test]
fn fields_and_groups_too_large_are_refused_by_their_size() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let row: Vec<u8> = (0..64 * 4).map(|i| (i % 3 == 0) as u8).collect();
    std::fs::write(d.join("f.npy"), npy("|u1", &[4, 64], &row)).unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["ca", "110", "--width", "1000000000000", "--steps", "2"],
            "a field of 2 steps of 1 x 1000000000000 cells needs 2000000000000 elements (1.8 TiB)",
        ),
        (
            &[
                "ca",
                "110",
                "--width",
                "18446744073709551615",
                "--steps",
                "2",
            ],
            "a field (steps x height x width) of 2 x 1 x 18446744073709551615 elements has more \
             than a machine can address",
        ),
        (
            &[
                "ca",
                "110",
                "--width",
                "100",
                "--steps",
                "10",
                "--skip",
                "18446744073709551615",
            ],
            "more than a machine can address",
        ),
        (
            &["ca", "110", "--single", "--width", "0", "--steps", "3"],
            "a field of 3 x 1 x 0 cells is empty",
        ),
        (
            &[
                "ca",
                "life",
                "--width",
                "4294967297",
                "--height",
                "4294967296",
                "--steps",
                "2",
            ],
            "2 x 4294967296 x 4294967297 elements has more than a machine can address",
        ),
        (
            &[
                "ca", "life", "--width", "100000", "--height", "100000", "--steps", "2",
            ],
            "a field of 2 steps of 100000 x 100000 cells needs 20000000000 elements (18.6 GiB)",
        ),
        (
            &["boundary", "f.npy", "--inside", "0..100000000000"],
            "--inside: '0..100000000000' names 100000000001 variables; the data have 64 per step",
        ),
        (
            &[
                "boundary",
                "f.npy",
                "--inside",
                "0",
                "--active",
                "box:4000000000",
            ],
            "--active: 'box:4000000000' names 8000000001 variables",
        ),
        (
            &["reconstruct", "f.npy", "--threads", "18446744073709551615"],
            "--threads must be from 1 to 1024, not 18446744073709551615",
        ),
    ];
    for (args, want) in cases {
        refused(d, args, want);
    }
}

#[test]
fn npy_shapes_whose_element_count_overflows_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Headers written by hand: numpy would not make these arrays.
    for (name, shape, text) in [
        ("a.npy", [(1usize << 63) + 1, 2], "(9223372036854775809, 2)"),
        ("b.npy", [2, (1 << 63) + 1], "(2, 9223372036854775809)"),
        ("c.npy", [1 << 32, 1 << 32], "(4294967296, 4294967296)"),
    ] {
        std::fs::write(d.join(name), npy("<i8", &shape, &[0; 64])).unwrap();
        let want = format!("{name}: the .npy shape {text} holds more elements than any file can");
        for command in [&["reconstruct", name, "-L", "2"][..], &["ais", name]] {
            refused(d, command, &want);
        }
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_stderr_that_cannot_be_written_loses_messages_not_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("x.txt"), "0110101101".repeat(20)).unwrap();
    let full = || {
        std::fs::File::options()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    // A success whose message goes to stderr.
    let out = Command::new(assert_cmd::cargo::cargo_bin("cmech"))
        .current_dir(d)
        .args(["count", "x.txt", "-L", "3", "-o", "x.cnt"])
        .stderr(full())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(d.join("x.cnt").exists());
    // A failure: its message is lost, its exit code is not.
    let out = Command::new(assert_cmd::cargo::cargo_bin("cmech"))
        .args(["measures", "no-such-process"])
        .stderr(full())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[cfg(target_os = "linux")]
#[test]
fn a_closed_stdout_is_an_error_and_dev_null_is_not() {
    let run = |redirect: &str, args: &str| {
        Command::new("sh")
            .arg("-c")
            .arg(format!("exec \"$0\" {args} {redirect}"))
            .arg(assert_cmd::cargo::cargo_bin("cmech"))
            .stderr(Stdio::piped())
            .output()
            .unwrap()
    };
    let out = run(">&-", "measures even");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.starts_with("error: standard output is closed (>&-)"),
        "{stderr}"
    );
    let out = run(">/dev/null", "measures even");
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty());
}

#[test]
fn computations_bounded_by_design_refuse_before_the_work() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sample = run_ok(d, &["sample", "even", "-n", "10000", "--seed", "1"]);
    std::fs::write(d.join("even.txt"), sample).unwrap();
    let cases: &[(&[&str], &str)] = &[
        // 3^13 words of Mess3 already make 71,744,535 beliefs at length 15: refused there, not
        // after 5.2 GB.
        (
            &["beliefs", "mess3", "--table", "15"],
            "a belief table of words of length 15 (at least 1594323 words) would hold 71744535 \
             numbers (547.4 MiB), more than the 67108864 (512.0 MiB) it is allowed; use a shorter \
             length",
        ),
        (
            &["beliefs", "mess3", "--table", "30"],
            "a belief table of words of length 30 (at least 1594323 words)",
        ),
        // Dense futures of 30 symbols: 2^30 counts a history.
        (
            &[
                "reconstruct",
                "even.txt",
                "--method",
                "forward",
                "-L",
                "10",
                "--future",
                "30",
            ],
            "each with futures of 30 symbols over 2) would hold",
        ),
    ];
    for (args, want) in cases {
        refused(d, args, want);
    }
}

#[test]
fn transducer_drive_streams_its_steps() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let n = 100_000_000;
    let args = |n: usize, x: &str, y: &str| {
        [
            "transducer",
            "drive",
            "xor",
            "--input",
            "even",
            "--seed",
            "3",
            "-n",
            &n.to_string(),
            "--input-out",
            x,
            "--output-out",
            y,
        ]
        .map(String::from)
    };
    // Held whole, 10^8 steps took 1.6 GB; streamed, they fit in 1 GiB.
    let long = args(n, "x.txt", "y.txt");
    let long: Vec<&str> = long.iter().map(String::as_str).collect();
    let out = limited_to(1 << 20, d, &long);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let short = args(1000, "x1.txt", "y1.txt");
    let short: Vec<&str> = short.iter().map(String::as_str).collect();
    run_ok(d, &short);
    for (long, short) in [("x.txt", "x1.txt"), ("y.txt", "y1.txt")] {
        let long = std::fs::read(d.join(long)).unwrap();
        let short = std::fs::read(d.join(short)).unwrap();
        assert_eq!(long.len(), n + 1);
        assert_eq!(long[..1000], short[..1000], "the same seed, the same steps");
    }
    // On stdout, the inputs' line and then the outputs' line, as in the files.
    let both = run_ok(d, &short[..9]);
    let x1 = std::fs::read_to_string(d.join("x1.txt")).unwrap();
    let y1 = std::fs::read_to_string(d.join("y1.txt")).unwrap();
    assert_eq!(both, x1 + &y1);
}
