//! The HTML front end on arbitrary markup: tokenizer, span expansion, body detection.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let d = gongkai_parse::encoding::decode(data, true);
    let h = gongkai_parse::html::html_to_doc(&d.text);
    for b in &h.doc.blocks {
        if let gongkai_model::doc::Block::Table(g) = b {
            assert!(g.rows.len() <= gongkai_parse::html::MAX_ROWS);
        }
    }
    let _ = gongkai_parse::parse_str(&d.text, gongkai_parse::Kind::Html);
});
