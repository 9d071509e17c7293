//! End-to-end tests of `cmech beliefs`: the mixed-state presentation, trajectories and tables as
//! JSON and .npy, the pictures, and bad input.

mod common;

use cmech_core::belief::belief_trajectory;
use cmech_core::named;
use common::{cmech, fails, floats, ints, json, npy, run_ok};
use serde_json::Value;

#[test]
fn the_msp_of_rrxor_closes_with_its_36_mixed_states() {
    let dir = tempfile::tempdir().unwrap();
    let doc: Value =
        serde_json::from_str(&run_ok(dir.path(), &["beliefs", "rrxor", "--json"])).unwrap();
    assert_eq!(doc["stop"], "closed");
    assert_eq!(doc["nodes"], 36);
    let edges = doc["edges"].as_array().unwrap();
    let mut out = vec![0.0; 36];
    for e in edges {
        out[e[0].as_u64().unwrap() as usize] += e[3].as_f64().unwrap();
    }
    assert!(out.iter().all(|p| (p - 1.0).abs() < 1e-12));
    // The stationary belief of RRXOR: 1/3 on S, 1/6 on the others.
    let start: Vec<f64> = doc["beliefs"][0]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert!((start[0] - 1.0 / 3.0).abs() < 1e-12 && (start[1] - 1.0 / 6.0).abs() < 1e-12);
    let text = run_ok(dir.path(), &["beliefs", "golden-mean"]);
    assert!(text.contains("nodes       3"), "{text}");
    assert!(text.contains("closed"), "{text}");
}

#[test]
fn mess3_arrays_and_picture() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run_ok(
        d,
        &[
            "beliefs",
            "mess3",
            "--depth",
            "6",
            "--npy",
            "b.npy",
            "--probs",
            "p.npy",
            "--png",
            "mess3.png",
        ],
    );
    let (shape, b) = floats(&d.join("b.npy"));
    let nodes: usize = (0..=6).map(|k| 3usize.pow(k)).sum();
    assert_eq!(shape, vec![nodes, 3]);
    assert!(b.iter().all(|&x| x > 1e-3 && x < 1.0));
    let (_, p) = floats(&d.join("p.npy"));
    let deepest: f64 = p[nodes - 729..].iter().sum();
    assert!((deepest - 1.0).abs() < 1e-12);

    // The picture: a PNG of the stated width with a good share of its pixels drawn.
    let img = image::open(d.join("mess3.png")).unwrap().to_rgb8();
    assert_eq!(img.width(), 900);
    let drawn = img.pixels().filter(|px| px.0 != [255, 255, 255]).count();
    let share = drawn as f64 / (img.width() * img.height()) as f64;
    assert!(share > 0.01, "only {share} of the pixels are drawn");
    // Not a blot either: most of the triangle stays white at this depth.
    assert!(share < 0.5, "{share}");

    // Small sets also go to SVG; large ones are refused.
    run_ok(
        d,
        &[
            "beliefs",
            "rrxor",
            "--svg",
            "rrxor.svg",
            "--projection",
            "pca",
        ],
    );
    let svg = std::fs::read_to_string(d.join("rrxor.svg")).unwrap();
    assert!(svg.contains("<svg") && svg.contains("principal components"));
    let e = fails(
        d,
        &["beliefs", "mess3", "--depth", "10", "--svg", "big.svg"],
    );
    assert!(e.contains("too many for an SVG"), "{e}");
}

#[test]
fn trajectories_and_tables_match_the_library() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run_ok(
        d,
        &[
            "sample", "mess3", "-n", "5000", "--seed", "4", "-o", "x.txt",
        ],
    );
    let out = run_ok(
        d,
        &[
            "beliefs",
            "mess3",
            "--sequence",
            "x.txt",
            "--npy",
            "t.npy",
            "--json",
        ],
    );
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["symbols"], 5000);
    let rate = doc["bits_per_symbol"].as_f64().unwrap();
    assert!((rate - 1.1447).abs() < 0.05, "{rate}");
    let (shape, t) = floats(&d.join("t.npy"));
    assert_eq!(shape, vec![5000, 3]);
    let mess3 = named("mess3", &[]).unwrap();
    let text = std::fs::read_to_string(d.join("x.txt")).unwrap();
    let symbols: Vec<u32> = text
        .trim()
        .bytes()
        .map(|b| mess3.symbol_index(&(b as char).to_string()).unwrap() as u32)
        .collect();
    assert_eq!(t, belief_trajectory(&mess3, &symbols, None).unwrap());

    run_ok(
        d,
        &[
            "beliefs", "mess3", "--table", "4", "--npy", "tb.npy", "--words", "w.npy", "--probs",
            "tp.npy",
        ],
    );
    let (shape, tb) = floats(&d.join("tb.npy"));
    assert_eq!(shape, vec![81, 4, 3]);
    let (wshape, words) = ints(&d.join("w.npy"));
    assert_eq!(wshape, vec![81, 4]);
    // Word 5 in lexicographic order is 0012; its beliefs are its trajectory.
    assert_eq!(&words[20..24], &[0, 0, 1, 2]);
    assert_eq!(
        &tb[5 * 12..6 * 12],
        &belief_trajectory(&mess3, &[0, 0, 1, 2], None).unwrap()[..]
    );
    let (_, tp) = floats(&d.join("tp.npy"));
    assert!((tp.iter().sum::<f64>() - 1.0).abs() < 1e-12);
}

#[test]
fn bad_input_gets_one_line_naming_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("bad.txt"), "0101x01").unwrap();
    let e = fails(d, &["beliefs", "golden-mean", "--sequence", "bad.txt"]);
    assert!(e.contains("byte 4") && e.contains("'x'"), "{e}");
    std::fs::write(d.join("gm.txt"), "0100").unwrap();
    let e = fails(
        d,
        &[
            "beliefs",
            "golden-mean",
            "--sequence",
            "gm.txt",
            "--npy",
            "o.npy",
        ],
    );
    assert!(
        e.contains("position 3") && e.contains("probability zero"),
        "{e}"
    );
    assert!(!d.join("o.npy").exists(), "a partial array was left behind");
    std::fs::write(d.join("empty.txt"), "\n").unwrap();
    let e = fails(d, &["beliefs", "even", "--sequence", "empty.txt"]);
    assert!(e.contains("no symbols"), "{e}");
    let e = fails(d, &["beliefs", "even", "--sequence", "missing.txt"]);
    assert!(e.contains("missing.txt"), "{e}");
    let e = fails(
        d,
        &[
            "beliefs",
            "rrxor",
            "--projection",
            "simplex",
            "--png",
            "r.png",
        ],
    );
    assert!(e.contains("three states"), "{e}");
    let e = fails(
        d,
        &[
            "beliefs",
            "rrxor",
            "--projection",
            "S,s0,Q",
            "--png",
            "r.png",
        ],
    );
    assert!(e.contains("unknown state 'Q'"), "{e}");
    let e = fails(d, &["beliefs", "even", "--table", "0"]);
    assert!(e.contains("at least 1"), "{e}");
    let e = fails(d, &["beliefs", "even", "--tol", "1.5"]);
    assert!(e.contains("[0, 1)"), "{e}");
    // Finer than 1e-15 the belief keys saturate and distinct beliefs merge: Mess3 "closed" at one
    // node at 1e-30 (it has 1,093 to depth 6); coarser than 1/2 every belief is one.
    for r in ["1e-30", "10", "0"] {
        let e = fails(d, &["beliefs", "mess3", "--resolution", r, "--depth", "6"]);
        assert!(e.contains("--resolution must be from 1e-15 to 0.5"), "{e}");
    }
    std::fs::write(d.join("keep.npy"), "mine").unwrap();
    let e = fails(d, &["beliefs", "even", "--npy", "keep.npy"]);
    assert!(e.contains("exists"), "{e}");
    assert_eq!(std::fs::read_to_string(d.join("keep.npy")).unwrap(), "mine");
    std::fs::write(d.join("even.txt"), "0110").unwrap();
    let e = fails(
        d,
        &[
            "beliefs",
            "even",
            "--sequence",
            "even.txt",
            "--color",
            "probability",
            "--png",
            "x.png",
        ],
    );
    assert!(e.contains("not defined along a sequence"), "{e}");
    // A picture's name that says no format is refused before the beliefs are computed.
    for name in ["b.jpg", "b"] {
        let out = cmech()
            .current_dir(d)
            .args(["beliefs", "mess3", "--depth", "8", "--png", name])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(
            err.contains(&format!(
                "{name}: a picture's name must end in .png or .svg"
            )),
            "{err}"
        );
        assert!(out.stdout.is_empty(), "nothing computed before the refusal");
        assert!(!d.join(name).exists());
    }
}

#[test]
fn a_machine_fitted_on_text_runs_on_that_text_and_spaces_are_symbols() {
    // One whitespace rule for every command: in the chars format line endings are not symbols
    // and spaces are. The trajectory once skipped spaces that reconstruct had counted.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let text = "ab ab ab ba ab ab ba\n".repeat(200);
    std::fs::write(d.join("t.txt"), &text).unwrap();
    run_ok(
        d,
        &[
            "reconstruct",
            "t.txt",
            "-L",
            "3",
            "--method",
            "cssr",
            "-o",
            "m.json",
        ],
    );
    let doc = json(d, &["beliefs", "m.json", "--sequence", "t.txt", "--json"]);
    assert_eq!(doc["symbols"], 20 * 200, "{doc}");
    // A space outside a machine's alphabet is named, with the remedy.
    std::fs::write(d.join("spaced.txt"), "0 1 0").unwrap();
    let e = fails(d, &["beliefs", "golden-mean", "--sequence", "spaced.txt"]);
    assert!(
        e.contains("(space) at byte 1") && e.contains("use --tokens"),
        "{e}"
    );
    let doc = json(
        d,
        &[
            "beliefs",
            "golden-mean",
            "--sequence",
            "spaced.txt",
            "--tokens",
            "--json",
        ],
    );
    assert_eq!(doc["symbols"], 3, "{doc}");
}

#[test]
fn a_failed_run_leaves_the_old_output_as_it_was() {
    // Arrays are written beside their target and moved into place when complete: once, with
    // --force, the old file was truncated as soon as the run started.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("old.npy"), b"the user's old file").unwrap();
    std::fs::write(d.join("gm.txt"), "1101101100").unwrap();
    let e = fails(
        d,
        &[
            "beliefs",
            "golden-mean",
            "--sequence",
            "gm.txt",
            "--npy",
            "old.npy",
            "--force",
        ],
    );
    assert!(e.contains("probability zero"), "{e}");
    assert_eq!(
        std::fs::read(d.join("old.npy")).unwrap(),
        b"the user's old file"
    );
    let left: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 2, "no temporary file is left: {left:?}");
}

/// A sequence given as an integer .npy array is read as one, as every command reads it, and gives
/// the beliefs of the same symbols as text; sampled text is never written under a .npy name that
/// every reader would take for an array (issue 23).
#[test]
fn a_sequence_in_npy_is_read_as_an_array() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let symbols = [0i64, 1, 1, 0, 1, 1, 1];
    let data: Vec<u8> = symbols.iter().flat_map(|x| x.to_le_bytes()).collect();
    std::fs::write(d.join("gm.npy"), npy("<i8", &[symbols.len()], &data)).unwrap();
    std::fs::write(d.join("gm.txt"), "0110111\n").unwrap();
    let from_npy = json(
        d,
        &["beliefs", "golden-mean", "--sequence", "gm.npy", "--json"],
    );
    let from_text = json(
        d,
        &["beliefs", "golden-mean", "--sequence", "gm.txt", "--json"],
    );
    assert_eq!(from_npy, from_text);
    // It was read as characters: "byte 0x93 ... is not in the alphabet".
    let e = fails(d, &["beliefs", "mess3", "--sequence", "gm.npy"]);
    assert!(e.contains("the symbol 'A' is not an integer"), "{e}");
    let e = fails(d, &["sample", "mess3", "-n", "10", "-o", "m.npy"]);
    assert!(
        e.contains("m.npy: symbols are written as text, and every reader takes a name ending in .npy for a NumPy array"),
        "{e}"
    );
    assert!(!d.join("m.npy").exists());
    let e = fails(
        d,
        &[
            "transducer",
            "drive",
            "delay",
            "--input",
            "even",
            "-n",
            "10",
            "--output-out",
            "y.NPY",
        ],
    );
    assert!(e.contains("y.NPY: symbols are written as text"), "{e}");
}
