//! Property test: generated reports written as DOCX and XLSX parse back equal — every table
//! value, title, organ, year, format, section headings and prose — with no parse findings,
//! and a generated report read back from DOCX or XLSX passes the checker with no finding at all.

use gongkai_model::{FormatVersion, Report};
use gongkai_synth::{SynthOptions, report};
use proptest::prelude::*;

fn roundtrip(original: &Report, parsed: gongkai_parse::Parsed) -> Result<(), TestCaseError> {
    let problems: Vec<_> = parsed.findings.iter().filter(|f| f.rule != "P4").collect();
    prop_assert!(problems.is_empty(), "parse findings {:?}\n{}", problems, parsed.text);
    let (a, b) = (gongkai_synth::essentials(original), gongkai_synth::essentials(&parsed.report));
    prop_assert_eq!(&a.title, &b.title);
    prop_assert_eq!(&a.organ, &b.organ);
    prop_assert_eq!(a.year, b.year);
    prop_assert_eq!(a.format, b.format);
    prop_assert_eq!(&a.sections, &b.sections, "{}", parsed.text);
    prop_assert_eq!(&a.cells, &b.cells);
    Ok(())
}

fn format_strategy() -> impl Strategy<Value = FormatVersion> {
    prop_oneof![Just(FormatVersion::F2021), Just(FormatVersion::F2019)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn docx_parses_back_equal(seed in any::<u64>(), format in format_strategy()) {
        let r = report(seed, &SynthOptions { format, target_bytes: 3_000 });
        let bytes = gongkai_office::docx(&r);
        let p = gongkai_office::parse_docx(&bytes, Some("r.docx")).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(p.report.source.kind.as_str(), "docx");
        roundtrip(&r, p)?;
    }

    #[test]
    fn xlsx_parses_back_equal(seed in any::<u64>(), format in format_strategy()) {
        let r = report(seed, &SynthOptions { format, target_bytes: 3_000 });
        let bytes = gongkai_office::xlsx(&r);
        let p = gongkai_office::parse_xlsx(&bytes, Some("r.xlsx")).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(p.report.source.kind.as_str(), "xlsx");
        roundtrip(&r, p)?;
    }

    #[test]
    fn generated_docx_and_xlsx_check_clean(seed in any::<u64>(), format in format_strategy(), xlsx in any::<bool>()) {
        let r = report(seed, &SynthOptions { format, target_bytes: 4_000 });
        let bytes = if xlsx { gongkai_office::xlsx(&r) } else { gongkai_office::docx(&r) };
        let p = gongkai_office::parse_bytes(&bytes, None);
        prop_assert!(p.unsupported.is_none(), "{:?}", p.unsupported);
        let mut f = p.findings.clone();
        f.extend(gongkai_rules::check(&p.report));
        prop_assert!(f.is_empty(), "{:#?}", f);
    }
}
