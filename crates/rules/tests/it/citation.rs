//! D1's family: a report that cites one format document while its tables follow the other
//! (issue 13 part 3). Generated reports in both formats, written in the official layout with
//! a preamble citing either document, read back and checked.

use gongkai_model::{FormatBasis, FormatVersion};
use gongkai_parse::{Kind, parse_str};
use gongkai_synth::{SynthOptions, report};
use proptest::prelude::*;

const CITE_2021: &str = "本年度报告根据《中华人民共和国政府信息公开条例》和《中华人民共和国政府信息公开工作年度报告格式》（国办公开办函〔2021〕30号）要求编制。";
const CITE_2019: &str = "本年度报告根据《中华人民共和国政府信息公开条例》和《国务院办公厅政府信息与政务公开办公室关于政府信息公开工作年度报告有关事项的通知》（国办公开办函〔2019〕60号）要求编制。";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_citation_contradicting_the_tables_is_d1_and_only_then(seed in any::<u64>(), f2019 in any::<bool>(), cite2019 in any::<bool>()) {
        let format = if f2019 { FormatVersion::F2019 } else { FormatVersion::F2021 };
        let r = report(seed, &SynthOptions { format, target_bytes: 2_000 });
        let text = gongkai_render::text(&r, gongkai_render::TextShape::CellPerLine);
        // The preamble goes right after the title line.
        let (title, rest) = text.split_once("\n\n").unwrap();
        let cite = if cite2019 { CITE_2019 } else { CITE_2021 };
        let text = format!("{title}\n\n{cite}\n{rest}");
        let p = parse_str(&text, Kind::Text);
        prop_assert_eq!(p.report.format, format);
        prop_assert_eq!(p.report.format_basis, Some(FormatBasis::Tables));
        let cited = p.report.format_cited.as_ref().map(|c| c.value);
        prop_assert_eq!(cited, Some(if cite2019 { FormatVersion::F2019 } else { FormatVersion::F2021 }));
        let c = p.report.format_cited.as_ref().unwrap();
        prop_assert!(text[c.src.start as usize..c.src.end as usize].starts_with("公开办函"));
        let d1: Vec<_> = gongkai_rules::check(&p.report).into_iter().filter(|f| f.message.starts_with("报告称依据")).collect();
        if cite2019 == f2019 {
            prop_assert!(d1.is_empty(), "{:#?}", d1);
        } else {
            prop_assert_eq!(d1.len(), 1);
            prop_assert_eq!(d1[0].rule.as_str(), "D1");
            prop_assert_eq!(d1[0].location, Some(c.src));
            prop_assert!(d1[0].related.is_some());
        }
    }
}
