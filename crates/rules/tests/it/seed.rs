//! Acceptance test on the seed report (`../shared/seed/000_64ff3bdd190e597a.txt`): the
//! defects the brief counts in it are all found, with their source lines, and the JSON
//! output is snapshot-tested.

use gongkai_model::{Col, Finding, T3Row};

fn seed() -> Option<Vec<u8>> {
    gongkai_testkit::seed("the seed report test")
}

fn run() -> Option<(gongkai_parse::Parsed, Vec<Finding>)> {
    let bytes = seed()?;
    let parsed = gongkai_parse::parse_bytes(&bytes, Some("000_64ff3bdd190e597a.txt"));
    let mut f = parsed.findings.clone();
    f.extend(gongkai_rules::check(&parsed.report));
    Some((parsed, f))
}

fn has(f: &[Finding], rule: &str, needle: &str) -> Option<Finding> {
    f.iter().find(|x| x.rule == rule && x.message.contains(needle)).cloned()
}

#[test]
fn seed_d10_title_2020_body_2021() {
    let Some((p, f)) = run() else { return };
    let x = has(&f, "D10", "2021年").expect("D10");
    let loc = x.location.unwrap();
    assert_eq!(loc.line, 7);
    assert_eq!(&p.text[loc.start as usize..loc.end as usize], "2021年");
}

#[test]
fn seed_d21_names_another_bureau() {
    let Some((p, f)) = run() else { return };
    let x = has(&f, "D21", "南关民政").expect("D21");
    let loc = x.location.unwrap();
    assert_eq!(&p.text[loc.start as usize..loc.end as usize], "“南关民政”");
}

#[test]
fn seed_d22_sanshi_twice() {
    let Some((p, f)) = run() else { return };
    let x = has(&f, "D22", "三是").expect("D22");
    let loc = x.location.unwrap();
    assert_eq!(&p.text[loc.start as usize..loc.end as usize], "三是");
    // The second occurrence, not the first.
    assert!(p.text[..loc.start as usize].contains("三是"));
}

#[test]
fn seed_d1_mixed_template_and_wrong_format_for_2020() {
    let Some((p, f)) = run() else { return };
    // 2021 labels beside a single （六） row: the format is 2021, the mix is D1.
    assert_eq!(p.report.format, gongkai_model::FormatVersion::F2021);
    assert!(has(&f, "D1", "混用").is_some());
    assert!(has(&f, "D1", "2020年度报告应使用2019年版格式").is_some());
    assert!(p.report.table3.contains_key(&T3Row::R3_6));
    assert!(!p.report.has_r36_subrows());
}

#[test]
fn seed_d8_blank_applicant_cells_in_tables_3_and_4() {
    let Some((_, f)) = run() else { return };
    assert!(has(&f, "D8", "表三有138个").is_some());
    assert!(has(&f, "D8", "表四有13个").is_some());
}

#[test]
fn seed_d12_d13_section_six_and_fee_statement_missing() {
    let Some((_, f)) = run() else { return };
    assert!(has(&f, "D12", "六、其他需要报告的事项").is_some());
    assert!(f.iter().any(|x| x.rule == "D13"));
    // No other section is reported missing.
    assert_eq!(f.iter().filter(|x| x.rule == "D12").count(), 1);
}

#[test]
fn seed_every_total_is_extracted_and_no_false_arithmetic() {
    let Some((p, f)) = run() else { return };
    for row in T3Row::ROWS_2019 {
        let c = p.report.t3(*row, Col::Tot).unwrap_or_else(|| panic!("{row}"));
        assert_eq!(c.as_number(), Some(0.into()), "{row}");
        assert_eq!(p.report.t3(*row, Col::Np).unwrap().value, gongkai_model::CellValue::Blank);
    }
    assert!(f.iter().all(|x| !x.rule.starts_with('E')), "{f:?}");
}

#[test]
fn seed_json_snapshot() {
    let Some((p, f)) = run() else { return };
    let mut v = serde_json::to_value(&p.report).unwrap();
    v["findings"] = serde_json::to_value(&f).unwrap();
    insta::assert_json_snapshot!("seed", v);
}
