//! Any bytes (text or HTML, any encoding) through the parser and the checker: no panic,
//! every provenance span inside the decoded text.
//! Run: `cargo fuzz run parse_bytes -s none fuzz/corpus/parse` (stable toolchain: `-s none`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let p = gongkai_parse::parse_bytes(data, None);
    for f in gongkai_rules::check(&p.report).iter().chain(&p.findings) {
        if let Some(l) = f.location {
            assert!(l.start <= l.end && (l.end as usize) <= p.text.len());
        }
    }
});
