//! Structured text through the text front end: the fuzzer mutates real report shapes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let p = gongkai_parse::parse_str(text, gongkai_parse::Kind::Text);
    let _ = gongkai_rules::check(&p.report);
});
