//! End-to-end tests of `cmech te`, `ais`, `mi`, `ca` and `boundary`: values against PyInform
//! and the library, local values as .npy, pictures, and one clear line for each bad input.
//!
//! Reference numbers are PyInform 0.2.0 on the same data (see crates/cmech-core/tests/infoflow.rs
//! for how the data are generated in both languages).

mod common;

use common::{assert_close, fails_alone, floats, json, npy, read_npy, run_ok};

struct SplitMix(u64);
impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E3779B97F4A7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
        z ^ (z >> 31)
    }
}

/// X a fair coin, Y_t = X_{t-1} XOR N_t, N ~ Bernoulli(0.1) (as in the core tests).
fn coupled(n: usize, seed: u64) -> (Vec<u8>, Vec<u8>) {
    let mut g = SplitMix(seed);
    let mut x = Vec::with_capacity(n);
    let mut y = vec![0u8];
    for i in 0..n {
        x.push((g.next() >> 63) as u8);
        let noise = (g.next() < 1844674407370955161) as u8;
        if i > 0 {
            y.push(x[i - 1] ^ noise);
        }
    }
    (x, y)
}

fn chars(v: &[u8]) -> String {
    let mut s: String = v.iter().map(|&b| (b'0' + b) as char).collect();
    s.push('\n');
    s
}

fn tokens(v: &[u8]) -> String {
    let s: Vec<String> = v.iter().map(|b| b.to_string()).collect();
    s.join(" ") + "\n"
}

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let (x, y) = coupled(10000, 1);
    std::fs::write(dir.path().join("x.txt"), chars(&x)).unwrap();
    std::fs::write(dir.path().join("y.txt"), chars(&y)).unwrap();
    std::fs::write(dir.path().join("xt.txt"), tokens(&x)).unwrap();
    std::fs::write(dir.path().join("yt.txt"), tokens(&y)).unwrap();
    std::fs::write(dir.path().join("x.npy"), npy("|u1", &[10000], &x)).unwrap();
    let y64: Vec<u8> = y.iter().flat_map(|&v| (v as i64).to_le_bytes()).collect();
    std::fs::write(dir.path().join("y.npy"), npy("<i8", &[10000], &y64)).unwrap();
    std::fs::write(dir.path().join("X.npy"), npy("|u1", &[5, 2000], &x)).unwrap();
    std::fs::write(dir.path().join("Y.npy"), npy("|u1", &[5, 2000], &y)).unwrap();
    dir
}

#[test]
fn te_from_text_and_npy_agrees_with_pyinform() {
    let dir = setup();
    let d = dir.path();
    // PyInform: transfer_entropy(x, y, 2) = 0.5116391610418864.
    for (s, t) in [("x.txt", "y.txt"), ("x.npy", "y.npy"), ("x.txt", "y.npy")] {
        let doc = json(d, &["te", s, t, "-k", "2", "--json"]);
        assert_close(doc["value"].as_f64().unwrap(), 0.5116391610418864, 1e-12);
        assert_eq!(doc["observations"], 9998);
        assert_eq!(doc["local_offset"], 2);
    }
    // Tokens, as every command reads them.
    let doc = json(
        d,
        &["te", "xt.txt", "yt.txt", "-k", "2", "--tokens", "--json"],
    );
    assert_close(doc["value"].as_f64().unwrap(), 0.5116391610418864, 1e-12);
    let text = run_ok(d, &["te", "y.txt", "x.txt", "-k", "4"]);
    assert!(
        text.starts_with("TE(y.txt -> x.txt) = 0.001281 bits"),
        "{text}"
    );
    // 2-D .npy: one trial per row; PyInform on the (5, 2000) arrays gives 0.5115589773670134.
    let doc = json(d, &["te", "X.npy", "Y.npy", "-k", "3", "--json"]);
    assert_close(doc["value"].as_f64().unwrap(), 0.5115589773670134, 1e-12);
    assert_eq!(doc["trials"], 5);
    // The same series as lines of a text file.
    let (x, y) = coupled(10000, 1);
    let lines = |v: &[u8]| v.chunks(2000).map(chars).collect::<String>();
    std::fs::write(d.join("xl.txt"), lines(&x)).unwrap();
    std::fs::write(d.join("yl.txt"), lines(&y)).unwrap();
    let doc = json(
        d,
        &["te", "xl.txt", "yl.txt", "-k", "3", "--lines", "--json"],
    );
    assert_close(doc["value"].as_f64().unwrap(), 0.5115589773670134, 1e-12);
    // Source history and delay (brute-force reference, as in the core tests).
    let doc = json(d, &["te", "x.npy", "y.npy", "-k", "2", "-l", "2", "--json"]);
    assert_close(doc["value"].as_f64().unwrap(), 0.5122854441140842, 1e-12);
    let doc = json(
        d,
        &["te", "x.npy", "y.npy", "-k", "2", "--delay", "2", "--json"],
    );
    assert_close(doc["value"].as_f64().unwrap(), 0.0004751582466989283, 1e-12);
}

#[test]
fn local_te_is_written_like_pyinform_and_padded_on_request() {
    let dir = setup();
    let d = dir.path();
    run_ok(d, &["te", "x.npy", "y.npy", "-k", "2", "--local", "l.npy"]);
    let (shape, v) = floats(&d.join("l.npy"));
    assert_eq!(shape, vec![9998]);
    // PyInform: transfer_entropy(x, y, 2, local=True)[0][[0, 997, 9997]].
    assert_close(v[0], 0.8664008862855545, 1e-12);
    assert_close(v[997], 0.8087113726279633, 1e-12);
    assert_close(v[9997], 0.8664008862855545, 1e-12);
    assert_close(v.iter().sum::<f64>() / 9998.0, 0.5116391610418864, 1e-12);
    run_ok(
        d,
        &[
            "te", "x.npy", "y.npy", "-k", "2", "--local", "p.npy", "--pad",
        ],
    );
    let (shape, p) = floats(&d.join("p.npy"));
    assert_eq!(shape, vec![10000]);
    assert!(p[0].is_nan() && p[1].is_nan());
    assert_eq!(p[2], v[0]);
    run_ok(d, &["te", "X.npy", "Y.npy", "-k", "3", "--local", "r.npy"]);
    let (shape, v) = floats(&d.join("r.npy"));
    assert_eq!(shape, vec![5, 1997]);
    // PyInform local[2, 0] and local[4, -1].
    assert_close(v[2 * 1997], 0.8224483332694701, 1e-12);
    assert_close(v[5 * 1997 - 1], 0.8588023044325682, 1e-12);
    // Never overwritten without --force.
    let e = fails_alone(d, &["te", "x.npy", "y.npy", "--local", "r.npy"]);
    assert!(e.contains("r.npy exists; use --force"), "{e}");
    run_ok(d, &["te", "x.npy", "y.npy", "--local", "r.npy", "--force"]);
}

#[test]
fn significance_rejects_the_coupling_and_is_seeded() {
    let dir = setup();
    let d = dir.path();
    let doc = json(
        d,
        &[
            "te",
            "x.npy",
            "y.npy",
            "--surrogates",
            "99",
            "--seed",
            "3",
            "--chi-square",
            "--json",
        ],
    );
    let s = &doc["surrogate_test"];
    assert_eq!(s["at_least"], 0);
    assert_close(s["p_value"].as_f64().unwrap(), 0.01, 1e-15);
    assert_eq!(doc["chi_square_test"]["df"], 2.0);
    let back = |seed: &str| {
        json(
            d,
            &[
                "te",
                "y.npy",
                "x.npy",
                "--surrogates",
                "99",
                "--seed",
                seed,
                "--json",
            ],
        )["surrogate_test"]
            .clone()
    };
    let a = back("3");
    assert!(a["p_value"].as_f64().unwrap() > 0.05, "{a}");
    assert_eq!(a, back("3"));
    assert_ne!(a["mean"], back("4")["mean"]);
    let text = run_ok(d, &["te", "x.txt", "y.txt", "--surrogates", "9"]);
    assert!(
        text.contains("p = 0.100000 (0 of 9 at least as large, seed 0)"),
        "{text}"
    );
}

#[test]
fn ais_mi_and_conditional_forms() {
    let dir = setup();
    let d = dir.path();
    // PyInform: active_info(y, 8) = 0.020913782931204782.
    let doc = json(d, &["ais", "y.txt", "-k", "8", "--json"]);
    assert_close(doc["value"].as_f64().unwrap(), 0.020913782931204782, 1e-12);
    assert_eq!(doc["measure"], "active_information_storage");
    // PyInform: mutual_info(x, y) and mutual_info(x[:-1], y[1:]).
    let doc = json(d, &["mi", "x.txt", "y.txt", "--json"]);
    assert_close(doc["value"].as_f64().unwrap(), 6.589616192931302e-06, 1e-12);
    let doc = json(d, &["mi", "x.txt", "y.txt", "--lag", "1", "--json"]);
    assert_close(doc["value"].as_f64().unwrap(), 0.5114680297406196, 1e-12);
    // Conditioning on the target itself leaves no information.
    let doc = json(d, &["mi", "x.txt", "y.txt", "--cond", "y.npy", "--json"]);
    assert_close(doc["value"].as_f64().unwrap(), 0.0, 1e-15);
    let doc = json(d, &["te", "x.npy", "y.npy", "--cond", "x.npy", "--json"]);
    assert_eq!(doc["measure"], "conditional_transfer_entropy");
    assert_close(doc["value"].as_f64().unwrap(), 0.0, 1e-15);
    run_ok(d, &["ais", "Y.npy", "-k", "4", "--local", "a.npy"]);
    let (shape, _) = floats(&d.join("a.npy"));
    assert_eq!(shape, vec![5, 1996]);
}

#[test]
fn rule_54_averages_agree_with_pyinform_and_pictures_are_drawn() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let doc = json(
        d,
        &[
            "ca",
            "54",
            "--width",
            "2000",
            "--steps",
            "300",
            "--seed",
            "1",
            "-k",
            "16",
            "--npy",
            "f.npy",
            "--png",
            "f.png",
            "--local-te",
            "te.png",
            "--local-ais",
            "ais.png",
            "--te-npy",
            "te.npy",
            "--json",
        ],
    );
    // PyInform on f.npy (see the core tests).
    assert_close(doc["ais"].as_f64().unwrap(), 0.706797727572095, 1e-12);
    assert_close(doc["te"]["1"].as_f64().unwrap(), 0.0874981579457124, 1e-12);
    assert_close(
        doc["te"]["-1"].as_f64().unwrap(),
        0.08455606060592245,
        1e-12,
    );
    let (h, shape, cells) = read_npy(&d.join("f.npy"));
    assert!(h.contains("|u1"), "{h}");
    assert_eq!(shape, vec![300, 2000]);
    assert_eq!(cells.iter().map(|&c| c as u32).sum::<u32>(), 284767);
    let (shape, te) = floats(&d.join("te.npy"));
    assert_eq!(shape, vec![284, 2000]);
    assert_close(te[(271 - 16) * 2000 + 10], 1.5749246739240035, 1e-12);
    for png in ["f.png", "te.png", "ais.png"] {
        let img = image::open(d.join(png)).unwrap();
        // 600 cells and 300 steps at 2 pixels each, with margins.
        assert!(img.width() >= 1200 && img.height() > 600, "{png}");
    }
    let text = run_ok(
        d,
        &[
            "ca", "110", "--width", "64", "--steps", "40", "-k", "4", "--single",
        ],
    );
    assert!(
        text.starts_with("rule 110, 64 cells, a single live cell: 40 steps"),
        "{text}"
    );
    let doc = json(
        d,
        &[
            "ca",
            "life",
            "--width",
            "40",
            "--steps",
            "60",
            "--pattern",
            "gosper-gun",
            "-k",
            "8",
            "--local-te",
            "gun.png",
            "--npy",
            "gun.npy",
            "--json",
        ],
    );
    assert!(doc["te"]["1,1"].as_f64().unwrap() > 0.0);
    let (_, shape, _) = read_npy(&d.join("gun.npy"));
    assert_eq!(shape, vec![60, 40, 40]);
}

#[test]
fn local_fields_written_by_blocks_of_rows_are_those_of_one_block() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = |tag: &str, base: &[&str], rows: &str| -> Vec<Vec<u8>> {
        let names = ["te.npy", "ais.npy", "te.png", "ais.png"].map(|n| format!("{tag}-{n}"));
        let mut args: Vec<&str> = base.to_vec();
        args.extend([
            "--te-npy",
            &names[0],
            "--ais-npy",
            &names[1],
            "--local-te",
            &names[2],
            "--local-ais",
            &names[3],
            "--block-rows",
            rows,
        ]);
        run_ok(d, &args);
        names
            .iter()
            .map(|n| std::fs::read(d.join(n)).unwrap())
            .collect()
    };
    // 92 rows of local values: blocks of 1, 7 and 13 rows do not divide them (but 1); 1000
    // computes the whole field at once. The picture's steps 3..60 start before k.
    let elementary = [
        "ca",
        "54",
        "--width",
        "300",
        "--steps",
        "100",
        "--seed",
        "4",
        "-k",
        "8",
        "--view-steps",
        "3..60",
        "--view-cells",
        "20..250",
    ];
    let whole = out("e1000", &elementary, "1000");
    for rows in ["1", "7", "13"] {
        assert!(
            whole == out(&format!("e{rows}"), &elementary, rows),
            "{rows}"
        );
    }
    let (shape, te) = floats(&d.join("e7-te.npy"));
    assert_eq!(shape, vec![92, 300]);
    assert!(te.iter().any(|&v| v > 0.5));
    let life = [
        "ca", "life", "--width", "20", "--height", "15", "--steps", "40", "--seed", "2", "-k", "3",
        "--frame", "17",
    ];
    let whole = out("l1000", &life, "1000");
    for rows in ["1", "5"] {
        assert!(whole == out(&format!("l{rows}"), &life, rows), "{rows}");
    }
    let (shape, _) = floats(&d.join("l5-ais.npy"));
    assert_eq!(shape, vec![37, 15, 20]);
    let e = fails_alone(
        d,
        &[
            "ca",
            "54",
            "--width",
            "30",
            "--steps",
            "20",
            "--te-npy",
            "x.npy",
            "--block-rows",
            "0",
        ],
    );
    assert!(e.contains("--block-rows must be at least 1"), "{e}");
}

#[test]
fn boundaries_of_a_ca_field() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run_ok(
        d,
        &[
            "ca", "110", "--width", "400", "--steps", "300", "--seed", "3", "--npy", "f.npy",
        ],
    );
    let thick = json(
        d,
        &[
            "boundary",
            "f.npy",
            "--translate",
            "--inside",
            "0,1",
            "--active",
            "-1,2",
            "--passive",
            "-2,3",
            "--environment",
            "-3,4",
            "--json",
        ],
    );
    assert_eq!(thick["infiltration"], 0.0);
    assert_eq!(thick["observations"], 400 * 299);
    let thin = json(
        d,
        &[
            "boundary",
            "f.npy",
            "--translate",
            "--inside",
            "0..1",
            "--active",
            "-1,2",
            "--environment",
            "-2,3",
            "--surrogates",
            "20",
            "--json",
        ],
    );
    assert!(thin["infiltration"].as_f64().unwrap() > 0.1);
    assert_eq!(thin["infiltration_test"]["at_least"], 0);
    // Columns as variables; E defaults to every other column.
    let text = run_ok(
        d,
        &[
            "boundary",
            "f.npy",
            "--inside",
            "0",
            "--active",
            "1",
            "--environment",
            "2,3",
        ],
    );
    assert!(
        text.contains("|V| = 1, |A| = 1, |P| = 0, |E| = 2; 299 observations in 1 trial"),
        "{text}"
    );
    // A glider in a frame that moves with it.
    run_ok(
        d,
        &[
            "ca",
            "life",
            "--width",
            "32",
            "--steps",
            "129",
            "--pattern",
            "glider",
            "--npy",
            "g.npy",
        ],
    );
    let doc = json(
        d,
        &[
            "boundary",
            "g.npy",
            "--origin",
            "2,2",
            "--velocity",
            "0.25,0.25",
            "--inside",
            "box:1",
            "--active",
            "ring:2",
            "--passive",
            "ring:3",
            "--environment",
            "ring:4",
            "--json",
        ],
    );
    assert_eq!(
        (doc["infiltration"].as_f64(), doc["exfiltration"].as_f64()),
        (Some(0.0), Some(0.0))
    );
    assert_eq!(doc["variables"], 81);
}

#[test]
fn bad_input_gets_one_line() {
    let dir = setup();
    let d = dir.path();
    let (x, _) = coupled(100, 1);
    std::fs::write(d.join("short.txt"), chars(&x)).unwrap();
    std::fs::write(d.join("abc.txt"), "0 1 2 3 1\n").unwrap();
    let many: Vec<String> = (0..300).map(|i| i.to_string()).collect();
    std::fs::write(d.join("many.txt"), many.join(" ")).unwrap();
    let mut nan = Vec::new();
    for v in [0.0f64, 1.0, f64::NAN, 1.0] {
        nan.extend_from_slice(&v.to_le_bytes());
    }
    std::fs::write(d.join("nan.npy"), npy("<f8", &[4], &nan)).unwrap();
    std::fs::write(d.join("float.npy"), npy("<f8", &[1], &1.0f64.to_le_bytes())).unwrap();
    std::fs::write(d.join("cut.npy"), npy("<i8", &[100], &[0u8; 16])).unwrap();
    std::fs::write(d.join("empty.txt"), "\n").unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["te", "x.txt", "short.txt"],
            "unequal lengths: x.txt has 10000 symbols, short.txt has 100",
        ),
        (
            &["te", "x.txt", "X.npy"],
            "x.txt has 1 trial and X.npy has 5 trials",
        ),
        (
            &[
                "mi",
                "abc.txt",
                "abc.txt",
                "--tokens",
                "--alphabet",
                "0,1,2",
            ],
            "abc.txt: token '3' at byte 6 (line 1, column 7) is not in the alphabet",
        ),
        (
            &["ais", "many.txt", "--tokens"],
            "many.txt holds 300 distinct symbols; information-flow measures take at most 256",
        ),
        (
            &["te", "x.txt", "y.txt", "-k", "10000"],
            "no complete window",
        ),
        (&["ais", "short.txt", "-k", "100"], "no complete window"),
        (
            &["te", "nan.npy", "nan.npy"],
            "nan.npy: .npy of dtype float64 ('<f8') is not a symbol sequence",
        ),
        (
            &["ais", "float.npy"],
            "convert it, e.g. with np.digitize or astype",
        ),
        (&["ais", "cut.npy"], "cut.npy: the .npy file is truncated"),
        (&["ais", "empty.txt"], "no symbols in empty.txt"),
        (&["ais", "missing.txt"], "cannot open missing.txt"),
        (
            &["te", "x.txt", "y.txt", "-k", "0"],
            "-k must be at least 1",
        ),
        (
            &["te", "x.txt", "y.txt", "--surrogates", "0"],
            "at least 1 surrogate",
        ),
        (
            &["ca", "300", "--width", "10", "--steps", "5"],
            "unknown elementary CA rule 300 (rules are numbered 0 to 255)",
        ),
        (
            &["ca", "rule54", "--width", "10", "--steps", "5"],
            "unknown CA rule 'rule54'",
        ),
        (
            &["ca", "54", "--width", "10", "--steps", "5", "-k", "5"],
            "no complete window",
        ),
        (
            &[
                "ca",
                "life",
                "--width",
                "10",
                "--steps",
                "5",
                "--pattern",
                "gosper-gun",
            ],
            "does not fit a 10 x 10 torus",
        ),
        (
            &[
                "ca",
                "life",
                "--width",
                "10",
                "--steps",
                "5",
                "--pattern",
                "ship",
            ],
            "unknown Life pattern 'ship'",
        ),
        (
            &[
                "ca",
                "54",
                "--width",
                "10",
                "--steps",
                "5",
                "--view-cells",
                "5..50",
                "--png",
                "a.png",
            ],
            "--view-cells '5..50'",
        ),
        (
            &["boundary", "X.npy", "--inside", "0", "--active", "0"],
            "variable 0 is in both the inside and the active boundary",
        ),
        (
            &["boundary", "X.npy", "--inside", "0", "--active", "1,1"],
            "variable 1 is listed twice in the active boundary",
        ),
        (
            &["boundary", "X.npy", "--inside", "5000"],
            "variable 5000 is beyond the 2000 variables",
        ),
        (
            &["boundary", "X.npy", "--inside", "0", "--translate"],
            "--environment is required",
        ),
        (
            &["boundary", "X.npy", "--inside", "0,x"],
            "--inside: 'x' is not an index",
        ),
        (
            &["boundary", "X.npy", "--inside", "0"],
            "the environment E has 1999 variables",
        ),
    ];
    for (args, want) in cases {
        let e = fails_alone(d, args);
        assert!(e.contains(want), "{args:?}: {e}");
    }
}

#[test]
fn bias_miller_madow_corrects_the_average_and_goes_without_locals_and_tests() {
    let dir = setup();
    let d = dir.path();
    // TE(x -> y), k = 2, on 9998 observations: every cell of (next, source, past) occurs, so
    // the cells are 8 + 8 - 16 - 4 = -4 and the correction -4 / (2 * 9998 ln 2).
    let plug = 0.5116391610418864;
    let want = plug - 4.0 / (2.0 * 9998.0 * std::f64::consts::LN_2);
    let mm = ["te", "x.txt", "y.txt", "-k", "2", "--bias", "miller-madow"];
    let doc = json(d, &[&mm[..], &["--json"]].concat());
    assert_close(doc["value"].as_f64().unwrap(), want, 1e-12);
    assert_close(doc["plug_in"].as_f64().unwrap(), plug, 1e-12);
    assert_eq!(doc["bias"], "miller-madow");
    let doc = json(d, &["te", "x.txt", "y.txt", "-k", "2", "--json"]);
    assert_eq!(doc["bias"], "plug-in");
    assert_close(doc["value"].as_f64().unwrap(), plug, 1e-12);
    let text = run_ok(d, &["ais", "y.txt", "-k", "2", "--bias", "miller-madow"]);
    assert!(text.contains("(Miller-Madow; plug-in "), "{text}");
    let text = run_ok(d, &["mi", "x.txt", "y.txt", "--bias", "miller-madow"]);
    assert!(text.contains("(Miller-Madow; plug-in "), "{text}");
    // Local values and tests are plug-in: a correction asked with them is refused, as Python
    // refuses it, before anything is read or written.
    for (extra, want) in [
        (&["--local", "l.npy"][..], "local values are plug-in"),
        (
            &["--surrogates", "10"][..],
            "significance tests are plug-in",
        ),
        (&["--chi-square"][..], "significance tests are plug-in"),
    ] {
        let e = fails_alone(d, &[&mm[..], extra].concat());
        assert!(
            e.contains(want) && e.contains("miller-madow"),
            "{extra:?}: {e}"
        );
    }
    assert!(!d.join("l.npy").exists());
}

#[test]
fn the_same_series_in_any_spelling_gives_the_same_answer() {
    // Once the CLI read digits as values, so 0/2 made a three-letter alphabet and the chi-square
    // test of TE had df = 12 where 0/1 had df = 2. Every spelling is now two symbols.
    let dir = setup();
    let d = dir.path();
    let (x, y) = coupled(10000, 1);
    let spell = |v: &[u8], a: char, b: char| -> String {
        v.iter()
            .map(|&s| if s == 0 { a } else { b })
            .collect::<String>()
            + "\n"
    };
    std::fs::write(d.join("x02.txt"), spell(&x, '0', '2')).unwrap();
    std::fs::write(d.join("yab.txt"), spell(&y, 'a', 'b')).unwrap();
    let y7: Vec<u8> = y.iter().map(|&s| s * 7).collect();
    std::fs::write(d.join("y07.npy"), npy("|u1", &[10000], &y7)).unwrap();
    let want = json(
        d,
        &["te", "x.txt", "y.txt", "-k", "2", "--chi-square", "--json"],
    );
    assert_eq!(want["chi_square_test"]["df"], 4.0, "{want}");
    for (s, t) in [("x02.txt", "yab.txt"), ("x02.txt", "y07.npy")] {
        let doc = json(d, &["te", s, t, "-k", "2", "--chi-square", "--json"]);
        assert_eq!(doc["value"], want["value"], "{s} {t}");
        assert_eq!(doc["chi_square_test"], want["chi_square_test"], "{s} {t}");
    }
    // Text with spaces is read as `reconstruct` reads it: spaces are symbols, with a warning.
    std::fs::write(d.join("words.txt"), "the gnu and the cat and the gnu\n").unwrap();
    let out = common::cmech()
        .current_dir(d)
        .args(["ais", "words.txt", "-k", "2"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("spaces or tabs are symbols"), "{err}");
    // A NUL byte in text becomes a symbol, and is said, as in a binary file.
    std::fs::write(d.join("nul.txt"), b"0110\x000110100\x0001").unwrap();
    let out = common::cmech()
        .current_dir(d)
        .args(["reconstruct", "nul.txt"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("control characters are symbols of this text (U+0000), as in a binary file; use --tokens (symbols separated by spaces) or --bytes"),
        "{err}"
    );
}

#[test]
fn non_ascii_text_is_refused_not_read_byte_by_byte() {
    // Once 16 characters such as é counted as 31 observations (their UTF-8 bytes).
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("acc.txt"), "éèéèéèéèéèéèéèéè\n").unwrap();
    let e = fails_alone(d, &["ais", "acc.txt", "-k", "1"]);
    assert!(e.contains("is not a one-byte character"), "{e}");
    assert!(e.contains("--tokens"), "{e}");
}

#[test]
fn an_undersampled_estimate_is_said() {
    // TE with k = 40 on 10^4 samples: nearly every joint state is seen once, and the plug-in
    // value is meaningless; once it was printed with no word of warning.
    let dir = setup();
    let d = dir.path();
    let out = common::cmech()
        .current_dir(d)
        .args(["te", "x.txt", "y.txt", "-k", "40"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("warning: undersampled:"), "{err}");
    let out = common::cmech()
        .current_dir(d)
        .args(["te", "x.txt", "y.txt", "-k", "2"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).is_empty());
}

#[test]
fn field_pictures_are_pngs_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run_ok(
        d,
        &[
            "ca", "54", "--width", "60", "--steps", "40", "--seed", "1", "--png", "f.png",
        ],
    );
    let png = image::open(d.join("f.png")).unwrap();
    assert!(png.width() >= 60 && png.height() >= 40);
    // A field has too many cells for an SVG, and a .jpg name would get PNG bytes: both refused
    // before any work, nothing written, no temporary file left.
    for name in ["f.svg", "f.jpg"] {
        let e = fails_alone(
            d,
            &["ca", "54", "--width", "60", "--steps", "40", "--png", name],
        );
        assert!(e.contains(".png"), "{name}: {e}");
        assert!(!d.join(name).exists());
    }
    let parts = std::fs::read_dir(d)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".part")
        })
        .count();
    assert_eq!(parts, 0);
}
