//! The JSON parsers of presentations and transducers fed arbitrary text and mutations of valid
//! documents: every input is read or refused with an error, never a panic (issue 23).

use cmech_core::transducer::Transducer;
use cmech_core::{named, Hmm};
use proptest::prelude::*;

/// A valid document and byte edits of it: each edit overwrites, inserts or deletes a byte at a
/// position taken modulo the document's length.
fn mutated(doc: String) -> impl Strategy<Value = String> {
    let edit = (0usize..3, any::<usize>(), any::<u8>());
    proptest::collection::vec(edit, 1..8).prop_map(move |edits| {
        let mut bytes = doc.clone().into_bytes();
        for (kind, at, b) in edits {
            let at = at % (bytes.len() + 1);
            match kind {
                0 if at < bytes.len() => bytes[at] = b,
                1 => bytes.insert(at, b),
                _ if at < bytes.len() => {
                    bytes.remove(at);
                }
                _ => {}
            }
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// Text that looks like the documents: JSON punctuation, digits and their field names.
fn jsonish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("{".to_string()),
        Just("}".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just(",".to_string()),
        Just(":".to_string()),
        Just("\"alphabet\"".to_string()),
        Just("\"states\"".to_string()),
        Just("\"transitions\"".to_string()),
        Just("\"matrices\"".to_string()),
        Just("\"inputs\"".to_string()),
        Just("\"outputs\"".to_string()),
        Just("\"from\"".to_string()),
        Just("\"to\"".to_string()),
        Just("\"p\"".to_string()),
        Just("\"A\"".to_string()),
        Just("\"0\"".to_string()),
        Just("\"1/0\"".to_string()),
        Just("1e308".to_string()),
        Just("-0".to_string()),
        Just("true".to_string()),
        Just("null".to_string()),
        "[0-9.e-]{1,6}",
    ];
    proptest::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

fn presentation() -> String {
    named("mess3", &[]).unwrap().to_json()
}

fn transducer() -> String {
    cmech_core::transducer::named_transducer("bsc", &[])
        .unwrap()
        .to_json()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn presentation_json_never_panics(text in prop_oneof![
        any::<String>(),
        jsonish(),
        mutated(presentation()),
    ]) {
        // Whatever is read must be a presentation that the rest of the library can use.
        if let Ok(h) = Hmm::from_json(&text) {
            prop_assert!(h.num_states() > 0 && !h.alphabet().is_empty());
        }
    }

    #[test]
    fn transducer_json_never_panics(text in prop_oneof![
        any::<String>(),
        jsonish(),
        mutated(transducer()),
    ]) {
        if let Ok(t) = Transducer::from_json(&text) {
            prop_assert!(!t.inputs().is_empty() && !t.outputs().is_empty());
        }
    }
}
