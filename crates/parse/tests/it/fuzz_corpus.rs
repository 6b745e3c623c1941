//! Replays the saved fuzz corpus (`fuzz/corpus/parse`) in the normal test run, so inputs
//! that once crashed or were slow stay fixed without cargo-fuzz installed.

use std::path::Path;

#[test]
fn saved_fuzz_inputs_parse_without_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    let mut n = 0;
    let mut paths: Vec<_> = ["parse", "html"]
        .iter()
        .flat_map(|d| std::fs::read_dir(root.join(d)).expect("fuzz corpus").map(|e| e.expect("entry").path()))
        .collect();
    paths.sort();
    for path in paths {
        let bytes = std::fs::read(&path).unwrap();
        let p = gongkai_parse::parse_bytes(&bytes, None);
        for f in &p.findings {
            if let Some(l) = f.location {
                assert!(l.start <= l.end && (l.end as usize) <= p.text.len(), "{}", path.display());
            }
        }
        let text = String::from_utf8_lossy(&bytes);
        let _ = gongkai_parse::parse_str(&text, gongkai_parse::Kind::Text);
        let _ = gongkai_parse::parse_str(&text, gongkai_parse::Kind::Html);
        n += 1;
    }
    assert!(n >= 8, "only {n} saved inputs");
}
