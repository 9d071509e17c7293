//! Prints the measures of every named process at its default parameters.
fn main() {
    for p in cmech_core::PROCESSES {
        let hmm = cmech_core::named(p.name, &[]).expect("named");
        let t = std::time::Instant::now();
        let m = cmech_core::measures(&hmm, &Default::default()).expect("measures");
        println!("== {} ({:?})", p.name, t.elapsed());
        println!("{}", serde_json::to_string(&m).unwrap());
    }
}
