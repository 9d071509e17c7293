//! End-to-end tests of `cmech estimate`: values and intervals against exact measures, the same
//! answer for any thread count and spelling, and bad input.

mod common;

use common::{fails, json, run_ok};
use serde_json::Value;

fn inside(i: &Value, truth: f64) -> bool {
    i["lower"].as_f64().unwrap() <= truth && truth <= i["upper"].as_f64().unwrap()
}

#[test]
fn golden_mean_estimates_hold_the_exact_values() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run_ok(
        d,
        &[
            "sample",
            "golden-mean",
            "-n",
            "20000",
            "--seed",
            "4",
            "-o",
            "gm.txt",
        ],
    );
    let args = [
        "estimate",
        "gm.txt",
        "--replicates",
        "200",
        "--machine-replicates",
        "30",
        "--json",
    ];
    let doc = json(d, &args);
    let b = &doc["blocks"];
    assert_eq!(b["estimator"], "grassberger");
    assert_eq!(b["symbols"], 20000);
    // Golden mean: h_mu = 2/3, E = log2(3) - 4/3 * ... = 0.2516291673878229, H(8) = log2 48.
    let (hmu, e) = (2.0 / 3.0, 0.2516291673878229);
    assert!(inside(&b["entropy_rate"], hmu), "{}", b["entropy_rate"]);
    assert!(inside(&b["excess_entropy"], e), "{}", b["excess_entropy"]);
    assert!(inside(&b["lengths"][7]["block_entropy"], 48f64.log2()));
    assert_eq!(b["rate_length"], 2);
    // CTW weighs contexts up to the longest usable length; its mean code length is near 2/3.
    assert!(inside(&b["ctw"]["entropy_rate"], hmu), "{}", b["ctw"]);
    let m = &doc["machine"];
    assert_eq!(m["states"], 2);
    assert!(inside(&m["entropy_rate"], hmu), "{m}");
    assert!(
        inside(&m["statistical_complexity"], 0.9182958340544896),
        "{m}"
    );
    // The same seed gives the same document on one thread or two, and the table says it too.
    let one = json(d, &[&args[..], &["--threads", "1"]].concat());
    assert_eq!(one, doc);
    let text = run_ok(
        d,
        &[
            "estimate",
            "gm.txt",
            "--replicates",
            "50",
            "--machine-replicates",
            "0",
        ],
    );
    assert!(text.contains("h_mu = 0.6"), "{text}");
    assert!(text.contains("Politis-White"), "{text}");
    assert!(!text.contains("reconstructed machine"), "{text}");
}

#[test]
fn bad_options_and_thin_data_are_said() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("short.txt"), "0110101101").unwrap();
    let e = fails(d, &["estimate", "short.txt", "--level", "2"]);
    assert!(e.contains("level") && e.contains("in (0, 1)"), "{e}");
    // Each refusal names the flag that sets the value, before anything is read.
    for (args, want) in [
        (
            ["--block", "0.5"],
            "--block must be a number at least 1, not 0.5",
        ),
        (
            ["--machine-replicates", "1"],
            "--machine-replicates must be 0 (no machine) or from 2 to 100000",
        ),
        (
            ["--replicates", "1"],
            "--replicates must be from 2 to 1000000",
        ),
        (
            ["--replicates", "18446744073709551615"],
            "--replicates must be from 2 to 1000000",
        ),
        (
            ["--machine-replicates", "100000000000"],
            "--machine-replicates must be 0 (no machine) or from 2 to 100000",
        ),
    ] {
        let e = fails(d, &[&["estimate", "missing.txt"][..], &args].concat());
        assert!(e.contains(want), "{args:?}: {e}");
    }
    let out = common::cmech()
        .current_dir(d)
        .args(["estimate", "short.txt", "--estimator", "jackknife"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(e.contains("jackknife") && e.contains("grassberger"), "{e}");
    let out = common::cmech()
        .current_dir(d)
        .args([
            "estimate",
            "short.txt",
            "-L",
            "8",
            "--replicates",
            "10",
            "--machine-replicates",
            "0",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("longest usable length is"), "{err}");
    std::fs::write(d.join("const.txt"), "1111111111").unwrap();
    let doc = json(
        d,
        &[
            "estimate",
            "const.txt",
            "--replicates",
            "10",
            "--machine-replicates",
            "0",
            "--json",
        ],
    );
    assert_eq!(doc["blocks"]["entropy_rate"]["value"], 0.0);
    assert_eq!(doc["blocks"]["entropy_rate"]["upper"], 0.0);
}

#[test]
fn the_convergence_picture_is_a_png_or_an_svg_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run_ok(
        d,
        &["sample", "even", "-n", "5000", "--seed", "2", "-o", "e.txt"],
    );
    let quick = [
        "estimate",
        "e.txt",
        "--replicates",
        "20",
        "--machine-replicates",
        "10",
    ];
    run_ok(d, &[&quick[..], &["--picture", "c.png"]].concat());
    let png = image::open(d.join("c.png")).unwrap();
    assert_eq!((png.width(), png.height()), (900, 760));
    run_ok(d, &[&quick[..], &["--picture", "c.svg"]].concat());
    let svg = std::fs::read_to_string(d.join("c.svg")).unwrap();
    assert!(
        svg.starts_with("<svg") && svg.contains("h_mu read at L"),
        "{}",
        &svg[..80]
    );
    // An existing picture is kept without --force; a name that says no format is refused.
    let e = fails(d, &[&quick[..], &["--picture", "c.png"]].concat());
    assert!(e.contains("exists"), "{e}");
    let e = fails(d, &[&quick[..], &["--picture", "c.jpg"]].concat());
    assert!(e.contains(".png or .svg"), "{e}");
    assert!(!d.join("c.jpg").exists());
    let left: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
        .collect();
    assert!(left.is_empty());
}

#[test]
fn count_shards_are_estimated_through_their_machine() {
    // Counts hold no order to resample: the values are the data's, and the intervals come from
    // samples of the machine, as the data's second set does.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run_ok(
        d,
        &[
            "sample", "even", "-n", "20000", "--seed", "9", "-o", "even.txt",
        ],
    );
    run_ok(d, &["count", "even.txt", "-o", "even.cnt"]);
    let common = ["-L", "8", "--machine-replicates", "40", "--json"];
    let data = json(d, &[&["estimate", "even.txt"][..], &common].concat());
    let counts = json(d, &[&["estimate", "even.cnt"][..], &common].concat());
    assert_eq!(counts["blocks"]["resampling"]["kind"], "machine");
    assert_eq!(counts["blocks"]["resampling"]["states"], 2);
    assert_eq!(data["blocks"]["resampling"]["kind"], "words");
    assert_eq!(counts["machine"], data["machine"]);
    assert_eq!(counts["blocks"], data["machine"]["block_entropies"]);
    for l in 0..8 {
        assert_eq!(
            counts["blocks"]["lengths"][l]["block_entropy"]["value"],
            data["blocks"]["lengths"][l]["block_entropy"]["value"]
        );
    }
    // Even: C_mu = 0.9183, h_mu = 2/3, from its two-state machine.
    let m = &counts["machine"];
    assert!(inside(&m["entropy_rate"], 2.0 / 3.0), "{m}");
    assert!(
        inside(&m["statistical_complexity"], 0.9182958340544896),
        "{m}"
    );
    let e = fails(d, &["estimate", "even.cnt", "--machine-replicates", "0"]);
    assert!(
        e.contains("--machine-replicates") && e.contains("at least 2"),
        "{e}"
    );
    let e = fails(d, &["estimate", "even.cnt", "--block", "5"]);
    assert!(
        e.contains("--block must be left out for counts (they hold no order"),
        "{e}"
    );
    let text = run_ok(d, &["estimate", "even.cnt", "--machine-replicates", "20"]);
    assert!(
        text.contains("samples of the reconstructed 2-state machine"),
        "{text}"
    );
}

#[test]
fn words_and_machine_that_disagree_are_said() {
    // RRXOR (h_mu = 2/3): h(L) is still well above 2/3 at the longest length 10^5 symbols
    // resolve, while the 5-state machine measures it; the two intervals are apart, and the user
    // is told which way and why.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run_ok(
        d,
        &[
            "sample", "rrxor", "-n", "100000", "--seed", "5", "-o", "rr.txt",
        ],
    );
    let args = [
        "estimate",
        "rr.txt",
        "--replicates",
        "100",
        "--machine-replicates",
        "20",
        "--json",
    ];
    let doc = json(d, &args);
    let (b, m) = (&doc["blocks"], &doc["machine"]);
    assert!(
        !inside(&b["entropy_rate"], 2.0 / 3.0),
        "{}",
        b["entropy_rate"]
    );
    assert!(
        inside(&m["entropy_rate"], 2.0 / 3.0),
        "{}",
        m["entropy_rate"]
    );
    assert_eq!(m["states"], 5);
    let warned = b["warnings"].as_array().unwrap().iter().any(|w| {
        w.as_str()
            .unwrap()
            .contains("disagree: h(L) approaches h_mu from above")
    });
    assert!(warned, "{}", b["warnings"]);
    // Counts of the same data: their block estimates against their machine, the same warning.
    run_ok(d, &["count", "rr.txt", "-o", "rr.cnt"]);
    let counted = json(d, &[&["estimate", "rr.cnt"][..], &args[2..]].concat());
    let warned = counted["blocks"]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w.as_str().unwrap().contains("disagree"));
    assert!(warned, "{}", counted["blocks"]["warnings"]);
}
