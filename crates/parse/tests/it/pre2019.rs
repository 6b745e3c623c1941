//! Pre-2019 reports read as they are (issue 13 part 3, SPEC §2.4): generated reports in the
//! old layouts (one line per paragraph and row, a crawler's one-line body with glued cells,
//! a web page with the statistics table as an HTML table) and the real pre-2019 reports of the corpus give their own outline and statistics
//! table, are `pre2019`, and are not measured against the six sections and tables of 2019+.

use crate::common::shared;

use gongkai_model::{CellValue, Finding, FormatVersion, Report};
use gongkai_parse::parse_bytes;
use gongkai_synth::pre2019::pre2019;
use proptest::prelude::*;

fn check(bytes: &[u8], name: &str) -> (Report, Vec<Finding>) {
    let p = parse_bytes(bytes, Some(name));
    let mut f = p.findings.clone();
    f.extend(gongkai_rules::check(&p.report));
    (p.report, f)
}

/// No finding measures the report against the 2019+ outline or tables, and P7 says what was read.
fn judged_as_old(f: &[Finding]) -> Result<(), String> {
    if let Some(x) = f.iter().find(|x| matches!(x.rule.as_str(), "P1" | "D12" | "D1")) {
        return Err(format!("2019+ finding on a pre-2019 report: {x:?}"));
    }
    if !f.iter().any(|x| x.rule == "P7") {
        return Err("no P7 note".into());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn generated_pre2019_reports_give_their_outline_and_statistics(seed in any::<u64>()) {
        let g = pre2019(seed);
        let name = if g.shape == gongkai_synth::pre2019::OldShape::Html { "old.html" } else { "old.txt" };
        let (r, f) = check(g.text.as_bytes(), name);
        prop_assert_eq!(r.format, FormatVersion::Pre2019, "{}", g.text);
        prop_assert_eq!(r.year.as_ref().map(|y| y.value), Some(g.year));
        if let Err(e) = judged_as_old(&f) {
            return Err(TestCaseError::fail(format!("{e}\n{}", g.text)));
        }
        let p = r.pre2019.as_ref().expect("pre2019 part");
        let headings: Vec<&str> = p.headings.iter().map(|h| h.value.as_str()).collect();
        prop_assert_eq!(headings, g.headings.iter().map(String::as_str).collect::<Vec<_>>(), "{}", g.text);
        // Every heading's location points at its text (HTML: at its element).
        for h in p.headings.iter().filter(|_| g.shape != gongkai_synth::pre2019::OldShape::Html) {
            let at = &g.text[h.src.start as usize..h.src.end as usize];
            prop_assert!(at.contains(h.value.as_str()) || h.value.contains(at.trim()), "{} vs {}", at, h.value);
        }
        prop_assert_eq!(&p.stats_columns, &g.columns);
        prop_assert_eq!(p.stats.len(), g.rows.len(), "{}", g.text);
        for (got, want) in p.stats.iter().zip(&g.rows) {
            prop_assert_eq!(&got.label, &want.label);
            prop_assert_eq!(got.unit.as_str(), want.unit);
            prop_assert_eq!(got.cells.len(), want.values.len(), "{:?}", got);
            for (c, v) in got.cells.iter().zip(&want.values) {
                let v = rust_decimal::Decimal::from(*v);
                match &c.value {
                    // A unique split is exact.
                    CellValue::Number(n) => prop_assert_eq!(*n, v, "{:?} in {}", got, g.text),
                    // Several splits: the truth is among the candidates, nothing is chosen.
                    CellValue::Ambiguous(cands) => prop_assert!(cands.contains(&v), "{:?}", got),
                    other => prop_assert!(false, "{:?} for {}", other, v),
                }
            }
        }
    }
}

/// The real pre-2019 reports: two complete crawler exports (2017, 2016; their statistics
/// tables glued into one line) and three openings (2013, 2017, 2012).
#[test]
fn real_pre2019_reports_are_read_as_they_are() {
    let Some(shared) = shared() else { return };
    let c = shared.join("corpus");
    // (file, headings, statistics rows)
    let cases: &[(&str, usize, usize)] = &[
        ("crawl/001.txt", 6, 15),
        ("crawl/002.txt", 7, 16),
        ("partial/010.txt", 1, 0),
        ("partial/025.txt", 1, 0),
        ("partial/026.txt", 1, 0),
    ];
    for (file, n_headings, n_rows) in cases {
        let (r, f) = check(&std::fs::read(c.join(file)).unwrap(), file);
        assert_eq!(r.format, FormatVersion::Pre2019, "{file}");
        judged_as_old(&f).unwrap_or_else(|e| panic!("{file}: {e}"));
        let p = r.pre2019.as_ref().unwrap();
        let heads: Vec<&str> = p.headings.iter().map(|h| h.value.as_str()).collect();
        eprintln!("{file}: {heads:?}, {} statistics rows", p.stats.len());
        assert_eq!(p.headings.len(), *n_headings, "{file}: {heads:?}");
        assert_eq!(p.stats.len(), *n_rows, "{file}");
        if *n_rows > 0 {
            assert!(heads.last().unwrap().ends_with("统计表"), "{file}");
            assert_eq!(p.stats[0].label, "主动公开文件数");
            // The first row's run (2122|10037 in 2017) has several splits: kept ambiguous.
            assert!(p.stats[0].cells.iter().all(|c| matches!(c.value, CellValue::Ambiguous(_))), "{file}");
            // The zero rows split one way only.
            let zeros = p.stats.iter().filter(|s| s.cells.iter().all(|c| c.as_number() == Some(0.into()))).count();
            assert!(zeros >= *n_rows - 2, "{file}: {zeros}");
        }
    }
}
