//! Crawler exports through the crawl front end (`gongkai_parse::crawl`): the fuzzer's text
//! becomes the body after a metadata header and the `==== 正文 ====` separator, so every
//! input takes the crawl path (table finding, chrome, the table solver); the text alone is
//! parsed too, for the detection without a separator.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let framed = format!("标题: 2022年示例县政府信息公开工作年度报告\n发布机构: 示例县\n==================== 正文 ====================\n{text}");
    for t in [framed.as_str(), text] {
        let p = gongkai_parse::parse_str(t, gongkai_parse::Kind::Text);
        for f in &p.findings {
            if let Some(l) = f.location {
                assert!(l.start <= l.end && (l.end as usize) <= p.text.len());
            }
        }
        let _ = gongkai_rules::check(&p.report);
    }
});
