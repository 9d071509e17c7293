//! Helpers shared by the end-to-end tests of the `cmech` binary: running it, reading what it
//! says and writes, and writing .npy input. Not every test file uses every helper.
#![allow(dead_code)]

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

pub fn cmech() -> Command {
    Command::cargo_bin("cmech").unwrap()
}

/// Runs a command in `dir` that must succeed; returns its stdout.
pub fn run_ok(dir: &Path, args: &[&str]) -> String {
    let out = cmech().current_dir(dir).args(args).assert().success();
    String::from_utf8_lossy(&out.get_output().stdout).to_string()
}

/// Runs a command in `dir` that must succeed and print JSON; returns the document.
pub fn json(dir: &Path, args: &[&str]) -> Value {
    serde_json::from_str(&run_ok(dir, args)).unwrap()
}

/// Runs a command that must fail with exit code 1 and a one-line message, never a panic; returns
/// (the message, the whole of stderr).
fn failure(dir: &Path, args: &[&str]) -> (String, String) {
    let out = cmech().current_dir(dir).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    (errors[0].to_string(), stderr)
}

/// Runs a command that must fail with exit code 1 and a one-line message; returns the message.
pub fn fails(dir: &Path, args: &[&str]) -> String {
    failure(dir, args).0
}

/// As [`fails`], and the message must be all that is written to stderr.
pub fn fails_alone(dir: &Path, args: &[&str]) -> String {
    let (error, stderr) = failure(dir, args);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    error
}

/// The `value` of entry `key` of a JSON table of measures.
pub fn value(m: &Value, key: &str) -> f64 {
    m[key]["value"]
        .as_f64()
        .unwrap_or_else(|| panic!("{key}: {}", m[key]))
}

pub fn assert_close(got: f64, want: f64, tol: f64) {
    assert!((got - want).abs() < tol, "got {got}, want {want}");
}

/// An .npy file of the given dtype descr, shape and little-endian element bytes.
pub fn npy(descr: &str, shape: &[usize], data: &[u8]) -> Vec<u8> {
    let shape = if shape.len() == 1 {
        format!("({},)", shape[0])
    } else {
        format!(
            "({})",
            shape
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let mut h = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
    while (10 + h.len() + 1) % 64 != 0 {
        h.push(' ');
    }
    h.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(h.len() as u16).to_le_bytes());
    out.extend_from_slice(h.as_bytes());
    out.extend_from_slice(data);
    out
}

/// Header, shape and data bytes of an .npy file.
pub fn read_npy(path: &Path) -> (String, Vec<usize>, Vec<u8>) {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[..6], b"\x93NUMPY");
    let len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    let header = std::str::from_utf8(&bytes[10..10 + len])
        .unwrap()
        .to_string();
    let shape_text = header.split("'shape': (").nth(1).unwrap();
    let shape_text = &shape_text[..shape_text.find(')').unwrap()];
    let shape = shape_text
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().parse().unwrap())
        .collect();
    (header, shape, bytes[10 + len..].to_vec())
}

/// Shape and elements of an .npy file of 8-byte elements of the given descr.
fn eight_bytes(path: &Path, descr: &str) -> (Vec<usize>, Vec<[u8; 8]>) {
    let (h, shape, data) = read_npy(path);
    assert!(h.contains(descr), "{h}");
    let v: Vec<[u8; 8]> = data
        .chunks_exact(8)
        .map(|c| c.try_into().unwrap())
        .collect();
    assert_eq!(v.len(), shape.iter().product::<usize>());
    (shape, v)
}

/// Shape and values of an .npy file of little-endian f64.
pub fn floats(path: &Path) -> (Vec<usize>, Vec<f64>) {
    let (shape, v) = eight_bytes(path, "<f8");
    (shape, v.into_iter().map(f64::from_le_bytes).collect())
}

/// Shape and values of an .npy file of little-endian i64.
pub fn ints(path: &Path) -> (Vec<usize>, Vec<i64>) {
    let (shape, v) = eight_bytes(path, "<i8");
    (shape, v.into_iter().map(i64::from_le_bytes).collect())
}
