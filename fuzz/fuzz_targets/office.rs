//! Any bytes through the DOCX/XLSX dispatcher and the checker: no panic, every provenance
//! span inside the flattened text. Seeds in `fuzz/corpus/office` (small generated DOCX and
//! XLSX files); the ZIP layer makes byte flips land mostly in compressed data, so seeds are
//! stored with and without compression.
//! Run: `cargo fuzz run office -s none fuzz/corpus/office` (stable toolchain: `-s none`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let p = gongkai_office::parse_bytes(data, None);
    for f in gongkai_rules::check(&p.report).iter().chain(&p.findings) {
        if let Some(l) = f.location {
            assert!(l.start <= l.end && (l.end as usize) <= p.text.len());
        }
    }
});
