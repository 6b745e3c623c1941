//! Replays the saved fuzz corpus (`fuzz/corpus/parse`) in the normal test run, so inputs
//! that once crashed or were slow stay fixed without cargo-fuzz installed.

use std::path::Path;

#[test]
fn saved_fuzz_inputs_parse_without_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/parse");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).expect("fuzz corpus") {
        let path = e.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let p = gongkai_parse::parse_bytes(&bytes, None);
        for f in &p.findings {
            if let Some(l) = f.location {
                assert!(l.start <= l.end && (l.end as usize) <= p.text.len(), "{}", path.display());
            }
        }
        let _ = gongkai_parse::parse_str(&String::from_utf8_lossy(&bytes), gongkai_parse::Kind::Text);
        n += 1;
    }
    assert!(n >= 5, "only {n} saved inputs");
}
