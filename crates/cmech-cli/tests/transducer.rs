//! End-to-end tests of `cmech transducer`: list, show, drive, measures and reconstruct, and bad
//! input (one line, exit code 1, never a panic).

mod common;

use common::{fails, json, run_ok, value};

#[test]
fn list_and_show() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let list = run_ok(d, &["transducer", "list"]);
    for name in [
        "identity",
        "bsc",
        "delay",
        "xor",
        "feedback-xor",
        "golden-mean-output",
    ] {
        assert!(list.contains(name), "{list}");
    }
    let l = json(d, &["transducer", "list", "--json"]);
    assert_eq!(l[1]["name"], "bsc");
    assert_eq!(l[1]["params"][0]["default"], "0.1");
    let doc = run_ok(
        d,
        &["transducer", "show", "bsc", "--param", "q=0.25", "--json"],
    );
    std::fs::write(d.join("bsc.json"), &doc).unwrap();
    let dot = run_ok(d, &["transducer", "show", "bsc.json", "--dot"]);
    assert!(dot.contains(r#"[label="1|0:0.25"]"#), "{dot}");
    let summary = run_ok(d, &["transducer", "show", "delay"]);
    assert!(summary.contains("L1 -1|0:1-> L0"), "{summary}");
    assert!(summary.contains("unifilar     yes"), "{summary}");
}

#[test]
fn drive_is_seeded_and_writes_both_streams() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let args = [
        "transducer",
        "drive",
        "delay",
        "--input",
        "golden-mean",
        "-n",
        "5000",
        "--seed",
        "3",
    ];
    let a = run_ok(d, &args);
    assert_eq!(a, run_ok(d, &args));
    let lines: Vec<&str> = a.lines().collect();
    let (x, y) = (lines[0], lines[1]);
    assert_eq!((x.len(), y.len()), (5000, 5000));
    assert!(!x.contains("00"), "golden-mean input");
    assert_eq!(&y[1..], &x[..4999], "the output is the input delayed");
    let mut with_files = args.to_vec();
    with_files.extend(["--input-out", "x.txt", "--output-out", "y.txt"]);
    assert_eq!(run_ok(d, &with_files), "");
    assert_eq!(
        std::fs::read_to_string(d.join("x.txt")).unwrap(),
        format!("{x}\n")
    );
    assert_eq!(
        std::fs::read_to_string(d.join("y.txt")).unwrap(),
        format!("{y}\n")
    );
    let e = fails(d, &with_files);
    assert!(
        e.contains("x.txt exists; use --force to overwrite it"),
        "{e}"
    );
    with_files.push("--force");
    run_ok(d, &with_files);
}

#[test]
fn drive_a_given_input_sequence() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("in.txt"), "0110100\n").unwrap();
    let out = run_ok(d, &["transducer", "drive", "xor", "--input", "in.txt"]);
    // From L0: y_t = x_t xor x_{t-1} with x_{-1} = 0.
    assert_eq!(out, "0110100\n0101110\n");
    std::fs::write(d.join("lines.txt"), "01\n10\n").unwrap();
    let out = run_ok(
        d,
        &[
            "transducer",
            "drive",
            "identity",
            "--input",
            "lines.txt",
            "--lines",
        ],
    );
    assert_eq!(out, "01\n01\n10\n10\n");
    let e = fails(
        d,
        &["transducer", "drive", "xor", "--input", "in.txt", "-n", "5"],
    );
    assert!(e.contains("-n applies to input processes"), "{e}");
    std::fs::write(d.join("abc.txt"), "abc").unwrap();
    let e = fails(d, &["transducer", "drive", "xor", "--input", "abc.txt"]);
    assert!(
        e.contains("symbol 'a' of abc.txt is not an input of transducer 'xor'"),
        "{e}"
    );
}

#[test]
fn measures_give_exact_values() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let m = json(
        d,
        &[
            "transducer",
            "measures",
            "xor",
            "--input",
            "golden-mean",
            "--json",
        ],
    );
    let h_third = -(1.0f64 / 3.0 * (1.0f64 / 3.0).log2() + 2.0 / 3.0 * (2.0f64 / 3.0).log2());
    assert!((value(&m, "C_mu") - h_third).abs() < 1e-9);
    assert!(value(&m, "h_Y_given_X").abs() < 1e-12);
    assert!((value(&m, "I") - 2.0 / 3.0).abs() < 1e-9);
    assert_eq!(m["I"]["status"], "exact");
    let m = json(
        d,
        &[
            "transducer",
            "measures",
            "bsc",
            "-p",
            "q=0.5",
            "--input",
            "biased-coin",
            "--json",
        ],
    );
    assert!((value(&m, "h_Y_given_X") - 1.0).abs() < 1e-12);
    assert!(value(&m, "I").abs() < 1e-12);
    let table = run_ok(
        d,
        &[
            "transducer",
            "measures",
            "identity",
            "--input",
            "biased-coin",
        ],
    );
    let row: Vec<&str> = table
        .lines()
        .find(|l| l.starts_with("I "))
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(row[..3], ["I", "1.000000000", "exact"], "{table}");
}

#[test]
fn reconstruct_recovers_the_delay_channel() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run_ok(
        d,
        &[
            "transducer",
            "drive",
            "delay",
            "--input",
            "biased-coin",
            "-n",
            "100000",
            "--seed",
            "1",
            "--input-out",
            "x.txt",
            "--output-out",
            "y.txt",
        ],
    );
    let r = json(
        d,
        &[
            "transducer",
            "reconstruct",
            "x.txt",
            "y.txt",
            "-L",
            "2",
            "--json",
            "-o",
            "t.json",
            "--dot",
            "t.dot",
        ],
    );
    assert_eq!(r["diagnostics"]["recurrent_states"], 2, "{r}");
    assert_eq!(r["transducer"]["states"].as_array().unwrap().len(), 2);
    assert!((r["diagnostics"]["c_mu"].as_f64().unwrap() - 1.0).abs() < 0.01);
    // The file works with the other transducer commands.
    let m = json(
        d,
        &[
            "transducer",
            "measures",
            "t.json",
            "--input",
            "biased-coin",
            "--json",
        ],
    );
    assert!((value(&m, "I") - 1.0).abs() < 1e-6, "{m}");
    assert!(std::fs::read_to_string(d.join("t.dot"))
        .unwrap()
        .contains("|"));
    let table = run_ok(
        d,
        &["transducer", "reconstruct", "x.txt", "y.txt", "-L", "2"],
    );
    assert!(table.contains("h(Y|X)"), "{table}");
}

#[test]
fn bad_input_gets_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("x.txt"), "0101").unwrap();
    std::fs::write(d.join("y.txt"), "011").unwrap();
    std::fs::write(d.join("y2.txt"), "0120").unwrap();
    std::fs::write(d.join("xl.txt"), "01\n10\n").unwrap();
    std::fs::write(d.join("yl.txt"), "01\n").unwrap();
    let e = fails(
        d,
        &["transducer", "reconstruct", "x.txt", "y.txt", "-L", "1"],
    );
    assert!(
        e.contains("the inputs (x.txt) have 4 symbols but the outputs (y.txt) have 3"),
        "{e}"
    );
    let e = fails(
        d,
        &[
            "transducer",
            "reconstruct",
            "xl.txt",
            "yl.txt",
            "--lines",
            "-L",
            "1",
        ],
    );
    assert!(
        e.contains("the inputs (xl.txt) hold 2 sequences but the outputs (yl.txt) hold 1"),
        "{e}"
    );
    let e = fails(
        d,
        &[
            "transducer",
            "reconstruct",
            "x.txt",
            "y2.txt",
            "--output-alphabet",
            "01",
            "-L",
            "1",
        ],
    );
    assert!(e.contains("y2.txt: '2' at byte 2"), "{e}");
    assert!(e.contains("is not in the alphabet {0, 1}"), "{e}");
    let e = fails(d, &["transducer", "reconstruct", "x.txt", "missing.txt"]);
    assert!(e.contains("cannot open missing.txt"), "{e}");
    let e = fails(d, &["transducer", "show", "nope"]);
    assert!(e.contains("unknown transducer 'nope'"), "{e}");
    std::fs::write(d.join("bad.json"), r#"{"inputs": ["0"]}"#).unwrap();
    let e = fails(d, &["transducer", "show", "bad.json"]);
    assert!(
        e.contains("in bad.json") && e.contains("not a transducer JSON document"),
        "{e}"
    );
    let e = fails(
        d,
        &["transducer", "drive", "delay", "--input", "golden-mean"],
    );
    assert!(e.contains("give the number of steps with -n"), "{e}");
    let e = fails(
        d,
        &[
            "transducer",
            "drive",
            "delay",
            "--input",
            "mess3",
            "-n",
            "3",
        ],
    );
    assert!(
        e.contains("emits 'A', which is not an input of transducer 'delay'"),
        "{e}"
    );
    let e = fails(
        d,
        &[
            "transducer",
            "measures",
            "bsc",
            "-p",
            "q=7",
            "--input",
            "biased-coin",
        ],
    );
    assert!(e.contains("q = 7 is outside [0, 1]"), "{e}");
    let e = fails(d, &["transducer", "reconstruct", "-", "-"]);
    assert!(e.contains("stdin (-) can be read only once"), "{e}");
}
