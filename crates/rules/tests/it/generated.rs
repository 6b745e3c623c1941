//! A generated report — consistent by construction, written in the official layout and read
//! back — passes the checker with no finding at all.

use gongkai_model::FormatVersion;
use gongkai_parse::{Kind, parse_str};
use gongkai_synth::{SynthOptions, report};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn generated_reports_check_clean(seed in any::<u64>(), f2019 in any::<bool>(), html in any::<bool>()) {
        let format = if f2019 { FormatVersion::F2019 } else { FormatVersion::F2021 };
        let r = report(seed, &SynthOptions { format, target_bytes: 4_000 });
        let (text, kind) = if html {
            (gongkai_render::html(&r), Kind::Html)
        } else {
            (gongkai_render::text(&r, gongkai_render::TextShape::CellPerLine), Kind::Text)
        };
        let p = parse_str(&text, kind);
        let mut f = p.findings.clone();
        f.extend(gongkai_rules::check(&p.report));
        prop_assert!(f.is_empty(), "{:#?}", f);
    }
}
