//! End-to-end tests of the `cmech` binary: real values, reproducibility, and bad input.

mod common;

use common::{assert_close, cmech, run_ok, value};
use serde_json::Value;

fn measures_json(args: &[&str]) -> Value {
    let out = cmech()
        .arg("measures")
        .args(args)
        .arg("--json")
        .assert()
        .success();
    serde_json::from_slice(&out.get_output().stdout).unwrap()
}

/// Runs and returns (exit code, stderr), asserting that nothing panicked.
fn fails(args: &[&str]) -> (i32, String) {
    let out = cmech().args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (out.status.code().unwrap(), stderr)
}

#[test]
fn measures_of_named_processes() {
    let gm = measures_json(&["golden-mean"]);
    assert_close(value(&gm, "h_mu"), 2.0 / 3.0, 1e-12);
    assert_close(value(&gm, "C_mu"), 0.918296, 1e-6);
    assert_close(value(&gm, "E"), 0.251629, 1e-6);
    assert_close(value(&gm, "chi"), 2.0 / 3.0, 1e-9);
    assert_close(value(&gm, "T"), 0.251629, 1e-6);
    assert_close(value(&gm, "S"), 0.918296, 1e-6);
    assert_eq!(gm["markov_order"]["value"], 1);
    assert_eq!(gm["cryptic_order"]["value"], 1);

    let even = measures_json(&["even"]);
    assert_close(value(&even, "E"), 0.918296, 1e-6);
    assert_close(value(&even, "T"), 3.169925, 1e-6);
    assert_close(value(&even, "S"), 3.169925, 1e-6);
    assert_eq!(even["markov_order"]["status"], "infinite");
    assert_eq!(even["cryptic_order"]["value"], 0);

    let z1r = measures_json(&["z1r"]);
    assert_close(value(&z1r, "h_mu"), 1.0 / 3.0, 1e-12);
    assert_eq!(z1r["markov_order"]["value"], 3);
    assert_close(value(&measures_json(&["rrxor"]), "T"), 12.743093, 1e-6);

    let coin = measures_json(&["biased-coin", "--param", "p=0.25"]);
    assert_close(value(&coin, "h_mu"), 0.811278124459, 1e-9);
}

#[test]
fn the_table_reports_values_and_how_they_were_obtained() {
    let out = cmech()
        .args(["measures", "mess3", "--max-depth", "8"])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(text.contains("approached"), "{text}");
    assert!(text.contains("S               inf  infinite"), "{text}");
}

#[test]
fn a_file_gives_the_same_numbers_as_the_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gm.json");
    let doc = cmech()
        .args(["process", "show", "golden-mean", "--json"])
        .assert()
        .success();
    std::fs::write(&path, &doc.get_output().stdout).unwrap();
    let from_file = measures_json(&[path.to_str().unwrap()]);
    let from_name = measures_json(&["golden-mean"]);
    for key in ["h_mu", "E", "C_mu", "T", "S"] {
        assert_close(value(&from_file, key), value(&from_name, key), 1e-14);
    }
}

#[test]
fn dot_and_list() {
    let out = cmech()
        .args(["process", "show", "even", "--dot"])
        .assert()
        .success();
    let dot = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(dot.contains("label=\"0|0.5\""), "{dot}");
    let out = cmech()
        .args(["process", "list", "--json"])
        .assert()
        .success();
    let list: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for n in [
        "biased-coin",
        "golden-mean",
        "even",
        "period",
        "noisy-period",
        "rrxor",
        "z1r",
        "nemo",
        "sns",
        "mess3",
        "logistic-map",
    ] {
        assert!(names.contains(&n), "{n} missing");
    }
    for p in list.as_array().unwrap() {
        assert!(
            !p["summary"].as_str().unwrap().is_empty()
                && !p["reference"].as_str().unwrap().is_empty(),
            "{p}"
        );
    }
}

#[test]
fn sampling_is_seeded_and_follows_the_process() {
    let run = |seed: &str| {
        cmech()
            .args(["sample", "golden-mean", "-n", "30000", "--seed", seed])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone()
    };
    let a = run("5");
    assert_eq!(a, run("5"));
    assert_ne!(a, run("6"));
    assert_eq!(a.len(), 30001);
    assert_eq!(a.last(), Some(&b'\n'));
    let s = &a[..30000];
    assert!(!s.windows(2).any(|w| w == b"00"), "golden mean forbids 00");
    let ones = s.iter().filter(|&&c| c == b'1').count() as f64 / 30000.0;
    assert!((ones - 2.0 / 3.0).abs() < 0.015, "{ones}");
}

/// Symbols are written in a form the readers read back as the same symbols, or refused before
/// any output: a name with a space or a line end in it would come back as other symbols.
#[test]
fn sampled_symbols_read_back_or_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let process = |names: [&str; 2]| {
        serde_json::json!({
            "alphabet": names,
            "states": ["A"],
            "transitions": [
                {"from": "A", "to": "A", "symbol": names[0], "p": 0.5},
                {"from": "A", "to": "A", "symbol": names[1], "p": 0.5},
            ],
        })
        .to_string()
    };
    for (names, shown) in [
        (["a b", "c"], r#""a b""#),
        (["\n", "c"], r#""\n""#),
        (["ab", " "], r#"" ""#),
    ] {
        std::fs::write(d.join("p.json"), process(names)).unwrap();
        let err = common::fails(d, &["sample", "p.json", "-n", "20", "-o", "s.txt"]);
        assert!(
            err.contains(&format!(
                "the symbol {shown} cannot be written as text that reads back"
            )),
            "{err}"
        );
        assert!(!d.join("s.txt").exists());
    }
    // Names of several characters are tokens, and read back as tokens.
    std::fs::write(d.join("p.json"), process(["up", "é"])).unwrap();
    let out = run_ok(d, &["sample", "p.json", "-n", "20"]);
    assert_eq!(out.split_whitespace().count(), 20, "{out}");
    std::fs::write(
        d.join("t.json"),
        r#"{"inputs": ["0", "1"], "outputs": ["o k", "no"], "states": ["S"], "transitions": [
            {"from": "S", "input": "0", "output": "o k", "to": "S", "p": 1},
            {"from": "S", "input": "1", "output": "no", "to": "S", "p": 1}]}"#,
    )
    .unwrap();
    let out = cmech()
        .current_dir(d)
        .args([
            "transducer",
            "drive",
            "t.json",
            "--input",
            "even",
            "-n",
            "10",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(r#"the symbol "o k" cannot be written as text that reads back"#),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn output_files_are_never_overwritten_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mine.txt");
    std::fs::write(&path, "precious").unwrap();
    let p = path.to_str().unwrap();
    let (code, err) = fails(&["sample", "even", "-n", "10", "-o", p]);
    assert_eq!(code, 1);
    assert!(err.contains("exists"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "precious");
    cmech()
        .args(["sample", "even", "-n", "10", "-o", p, "--force"])
        .assert()
        .success();
    assert_eq!(std::fs::read_to_string(&path).unwrap().trim().len(), 10);
}

#[test]
fn bad_input_gets_one_clear_line_and_a_nonzero_exit() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let good = r#"{"alphabet": ["0", "1"], "states": ["A", "B"], "transitions": [
        {"from": "A", "symbol": "0", "to": "A", "p": 0.5},
        {"from": "A", "symbol": "1", "to": "B", "p": 0.5},
        {"from": "B", "symbol": "1", "to": "A", "p": 1}]}"#;
    let cases = [
        (write("truncated.json", &good[..50]), "EOF while parsing"),
        (
            write("short.json", &good.replace("\"p\": 1}", "\"p\": 0.9}")),
            "sum to 0.9",
        ),
        (
            write("nan.json", &good.replace("\"p\": 1}", "\"p\": \"NaN\"}")),
            "not a number",
        ),
        (
            "/nonexistent/x.json".to_string(),
            "cannot read presentation file",
        ),
    ];
    for (path, needle) in &cases {
        let (code, err) = fails(&["measures", path]);
        assert_eq!(code, 1, "{err}");
        assert!(
            err.starts_with("error: ") && err.contains(needle),
            "{path}: {err}"
        );
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    }
    let (code, err) = fails(&["measures", "nope"]);
    assert_eq!(code, 1);
    assert!(err.contains("unknown process 'nope'"), "{err}");
    let (code, err) = fails(&["measures", "even", "--param", "p=2"]);
    assert_eq!(code, 1);
    assert!(err.contains("outside [0, 1]"), "{err}");
    assert_eq!(fails(&["sample", "even", "-n", "-5"]).0, 2);
    assert_eq!(fails(&["sample", "even", "-n", "abc"]).0, 2);
    assert_eq!(fails(&["frobnicate"]).0, 2);
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    use std::io::Read;
    use std::process::{Command as Std, Stdio};
    let mut child = Std::new(assert_cmd::cargo::cargo_bin("cmech"))
        .args(["sample", "even", "-n", "1000000000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut head = [0u8; 10];
    child.stdout.take().unwrap().read_exact(&mut head).unwrap();
    // Dropping our end of the pipe makes the next write fail with EPIPE.
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(status.success(), "{status:?} {err}");
    assert!(err.is_empty(), "{err}");
}

#[test]
fn minimize_shows_the_epsilon_machine() {
    // A period-4 word that repeats a period-2 one has a 2-state epsilon-machine.
    let out = cmech()
        .args([
            "process",
            "show",
            "period",
            "--param",
            "word=0101",
            "--minimize",
            "--json",
        ])
        .assert()
        .success();
    let doc: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(doc["states"].as_array().unwrap().len(), 2);
    let (code, err) = fails(&["process", "show", "mess3", "--minimize"]);
    assert_eq!(code, 1);
    assert!(err.contains("no finite epsilon-machine"), "{err}");
}

#[test]
fn logistic_map_symbols_follow_its_orbit() {
    let out = cmech()
        .args([
            "sample",
            "logistic-map",
            "--param",
            "r=3.83",
            "-n",
            "300",
            "--seed",
            "4",
        ])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let symbols = text.trim_end();
    assert_eq!(symbols.len(), 300);
    // The period-3 window: the orbit visits two points above 1/2 and one below.
    let cycle = &symbols[..3];
    assert_eq!(cycle.matches('1').count(), 2, "{symbols}");
    assert!(symbols.as_bytes().chunks(3).all(|c| c == cycle.as_bytes()));
    for bad in [["--param", "r=4.5"], ["--param", "q=1"]] {
        let (code, err) = fails(&["sample", "logistic-map", bad[0], bad[1], "-n", "5"]);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("r"), "{err}");
    }
}

/// The symbolic logistic map is listed like every other named source, with r and its
/// symbolisation (cut), and samples like them: parameters by -p, the same checks on them, a file.
#[test]
fn the_logistic_map_is_listed_and_sampled_like_the_other_named_sources() {
    let out = cmech().args(["process", "list"]).assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    let line = text
        .lines()
        .find(|l| l.starts_with("logistic-map "))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains("r=4 cut=0.5"), "{line}");
    let out = cmech()
        .args(["process", "list", "--json"])
        .assert()
        .success();
    let list: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let entry = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "logistic-map")
        .unwrap();
    assert_eq!(entry["params"][0]["name"], "r");
    assert_eq!(entry["params"][1]["name"], "cut");
    assert!(entry["reference"]
        .as_str()
        .unwrap()
        .contains("Crutchfield & Young"));

    // r = 3.83 has the period-3 orbit 0.957, 0.156, 0.505: cut at 0.6, one 1 per period.
    let run = |args: &[&str]| {
        let out = cmech().args(args).assert().success();
        String::from_utf8(out.get_output().stdout.clone()).unwrap()
    };
    let text = run(&[
        "sample",
        "logistic-map",
        "-p",
        "r=3.83",
        "-p",
        "cut=0.6",
        "-n",
        "300",
        "--seed",
        "4",
    ]);
    let s = text.trim_end();
    assert_eq!(s.len(), 300);
    assert_eq!(s[..3].matches('1').count(), 1, "{s}");
    assert!(s.as_bytes().chunks(3).all(|c| c == &s.as_bytes()[..3]));
    // Defaults r = 4, cut = 1/2: a fair coin, the same for the same seed, to a file as well.
    let a = run(&["sample", "logistic-map", "-n", "20000", "--seed", "9"]);
    assert_eq!(
        a,
        run(&[
            "sample",
            "logistic-map",
            "-p",
            "r=4",
            "-n",
            "20000",
            "--seed",
            "9"
        ])
    );
    assert_ne!(
        a,
        run(&["sample", "logistic-map", "-n", "20000", "--seed", "10"])
    );
    let ones = a.trim_end().matches('1').count() as f64 / 20000.0;
    assert!((ones - 0.5).abs() < 0.02, "{ones}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("logistic.txt");
    let p = path.to_str().unwrap();
    run(&[
        "sample",
        "logistic-map",
        "-n",
        "20000",
        "--seed",
        "9",
        "-o",
        p,
    ]);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), a);

    for (args, needle) in [
        (
            vec!["sample", "logistic-map", "-p", "cut=1", "-n", "5"],
            "cut",
        ),
        (
            vec!["sample", "logistic-map", "-p", "r=0", "-n", "5"],
            "(0, 4]",
        ),
        (
            vec!["sample", "logistic-map", "--start", "A", "-n", "5"],
            "--start",
        ),
        (
            vec!["measures", "logistic-map"],
            "cmech sample logistic-map",
        ),
        (
            vec!["process", "show", "logistic-map"],
            "no finite presentation",
        ),
    ] {
        let (code, err) = fails(&args);
        assert_eq!(code, 1, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

/// No output may be an input of its own run, nor two outputs one file: --force or not, the run
/// is refused before it starts and every file is left as it was.
#[test]
fn an_output_that_is_an_input_or_another_output_is_refused_even_with_force() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let data = "01101011011010110101101".repeat(40);
    std::fs::write(d.join("k.txt"), &data).unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "beliefs",
                "golden-mean",
                "--sequence",
                "k.txt",
                "--npy",
                "k.txt",
                "--force",
            ],
            "--npy: k.txt is an input of this command",
        ),
        (
            &["reconstruct", "k.txt", "-o", "k.txt", "--force"],
            "-o: k.txt is an input of this command",
        ),
        (
            &["reconstruct", "k.txt", "-o", "m.json", "--dot", "m.json"],
            "--dot and -o both name m.json",
        ),
        (
            &["count", "k.txt", "-L", "3", "-o", "k.txt", "--force"],
            "-o: k.txt is an input of this command",
        ),
        (
            &["ais", "k.txt", "-k", "2", "--local", "./k.txt", "--force"],
            "--local: ./k.txt is an input of this command",
        ),
        (
            &["merge", "k.cnt", "-o", "k.cnt", "--force"],
            "-o: k.cnt is an input of this command",
        ),
        // A shard's sidecar names its alphabet: the shard is lost with it.
        (
            &["reconstruct", "k.cnt", "-o", "k.cnt.json", "--force"],
            "-o: k.cnt.json is the sidecar of the input k.cnt",
        ),
        (
            &["merge", "k.cnt", "-o", "k.cnt.json", "--force"],
            "-o: k.cnt.json is the sidecar of the input k.cnt",
        ),
        (
            &["count", "k.cnt.json", "-L", "2", "-o", "k.cnt", "--force"],
            "-o (its sidecar): k.cnt.json is an input of this command",
        ),
    ];
    run_ok(d, &["count", "k.txt", "-L", "3", "-o", "k.cnt"]);
    let shard = std::fs::read(d.join("k.cnt")).unwrap();
    let sidecar = std::fs::read(d.join("k.cnt.json")).unwrap();
    for (args, want) in cases {
        let out = cmech().current_dir(d).args(*args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && err.contains(want),
            "{args:?}: {err}"
        );
        assert_eq!(
            std::fs::read_to_string(d.join("k.txt")).unwrap(),
            data,
            "{args:?}"
        );
        assert!(!d.join("m.json").exists());
        assert_eq!(std::fs::read(d.join("k.cnt")).unwrap(), shard, "{args:?}");
        assert_eq!(
            std::fs::read(d.join("k.cnt.json")).unwrap(),
            sidecar,
            "{args:?}"
        );
    }
}
