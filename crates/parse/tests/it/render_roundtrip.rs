//! Render what the report has, nothing more (issue 13 part 5): parse → render → parse gives
//! the same tables and the same findings, for every real corpus report and for generated
//! reports in both formats, 2021 tables with a single （六）其他处理 row, and mixed (2019
//! labels beside the 2021 sub-rows of （六）), with sections missing.

use crate::common::shared;
use std::path::PathBuf;

use gongkai_model::{Cell, Col, FormatVersion, Report, T3Row};
use gongkai_parse::{Kind, Parsed, parse_str};
use gongkai_render::TextShape;
use gongkai_synth::{Overrides, SynthOptions, report_with};
use proptest::prelude::*;

/// The checker's findings as (rule, message): what a reader of the report is told.
fn findings(r: &Report) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = gongkai_rules::check(r).into_iter().map(|f| (f.rule, f.message)).collect();
    f.sort();
    f
}

fn again(p: &Parsed, html: bool) -> Parsed {
    if html {
        parse_str(&gongkai_render::html(&p.report), Kind::Html)
    } else {
        parse_str(&gongkai_render::text(&p.report, TextShape::CellPerLine), Kind::Text)
    }
}

/// Whether two parses agree on the tables (every cell's value), the sections present, the
/// format and the checker's findings; a description of the first difference otherwise.
fn same(a: &Parsed, b: &Parsed) -> Result<(), String> {
    if a.report.cell_values() != b.report.cell_values() {
        let (x, y) = (a.report.cell_values(), b.report.cell_values());
        let diff: Vec<_> = x.iter().filter(|c| !y.contains(c)).chain(y.iter().filter(|c| !x.contains(c))).collect();
        return Err(format!("tables differ: {diff:?}"));
    }
    let ids = |r: &Report| r.sections.iter().map(|s| s.id.0).collect::<Vec<_>>();
    if ids(&a.report) != ids(&b.report) {
        return Err(format!("sections {:?} vs {:?}", ids(&a.report), ids(&b.report)));
    }
    if a.report.format != b.report.format {
        return Err(format!("format {:?} vs {:?}", a.report.format, b.report.format));
    }
    let (fa, fb) = (findings(&a.report), findings(&b.report));
    if fa != fb {
        let diff: Vec<_> = fa.iter().filter(|c| !fb.contains(c)).chain(fb.iter().filter(|c| !fa.contains(c))).collect();
        return Err(format!("findings differ: {diff:#?}"));
    }
    Ok(())
}

/// A 2021 report whose table 三 prints （六）其他处理 as one row (corpus reports/005, 006).
fn single_six(r: &mut Report) {
    let mut six = gongkai_model::Row::new();
    for c in Col::ALL {
        let sum: rust_decimal::Decimal = [T3Row::R3_6_1, T3Row::R3_6_2, T3Row::R3_6_3]
            .iter()
            .filter_map(|row| r.t3(*row, *c).and_then(Cell::as_number))
            .sum();
        six.insert(*c, Cell::number(sum));
    }
    for row in [T3Row::R3_6_1, T3Row::R3_6_2, T3Row::R3_6_3] {
        r.table3.remove(&row);
    }
    r.table3.insert(T3Row::R3_6, six);
}

/// A 2019 report whose table 三 splits （六）其他处理 into the three 2021 sub-rows: labelled
/// markers of both formats (`mixed`). The whole of （六） goes to the first sub-row.
fn split_six(r: &mut Report) {
    let Some(six) = r.table3.remove(&T3Row::R3_6) else { return };
    let zero: gongkai_model::Row<Col> = Col::ALL.iter().map(|c| (*c, Cell::number(0))).collect();
    r.table3.insert(T3Row::R3_6_1, six);
    r.table3.insert(T3Row::R3_6_2, zero.clone());
    r.table3.insert(T3Row::R3_6_3, zero);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    #[test]
    fn parse_render_parse_keeps_tables_and_findings(
        seed in any::<u64>(),
        shape in 0usize..4,
        drop in proptest::collection::vec(1u8..=6, 0..3),
        html in any::<bool>(),
    ) {
        let format = if shape % 2 == 1 { FormatVersion::F2019 } else { FormatVersion::F2021 };
        let adjust: &dyn Fn(&mut Report) = if shape == 3 { &split_six } else { &single_six };
        let ov = Overrides { tables: (shape >= 2).then_some(adjust), ..Overrides::default() };
        let mut r = report_with(seed, &SynthOptions { format, target_bytes: 2_000 }, &ov);
        r.sections.retain(|s| !drop.contains(&s.id.0));
        let first = parse_str(&gongkai_render::text(&r, TextShape::CellPerLine), Kind::Text);
        match shape {
            // 2021 labels, （六） collapsed: a 2021 report, the mix is D1.
            2 => {
                prop_assert_eq!(first.report.format, FormatVersion::F2021);
                prop_assert!(!first.report.has_r36_subrows());
                prop_assert!(findings(&first.report).iter().any(|(r, m)| r == "D1" && m.contains("混用")));
            }
            3 => prop_assert_eq!(first.report.format, FormatVersion::Mixed),
            _ => {}
        }
        let second = again(&first, html);
        prop_assert!(!second.report.has_r36_subrows() || first.report.has_r36_subrows());
        if let Err(e) = same(&first, &second) {
            return Err(TestCaseError::fail(e));
        }
    }
}

#[test]
fn real_reports_round_trip() {
    let Some(shared) = shared() else { return };
    let mut wrong = Vec::new();
    let dir = shared.join("corpus/reports");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    for f in files {
        let name = f.file_name().unwrap().to_str().unwrap().to_string();
        if name.ends_with(".tsv") || name == "README.md" {
            continue;
        }
        let bytes = std::fs::read(&f).unwrap();
        let first = if gongkai_parse::is_pdf(&bytes) {
            if !gongkai_pdf::available() {
                eprintln!("{name}: skipped (pdftotext not available)");
                continue;
            }
            gongkai_parse::parse_pdf_text(gongkai_pdf::pdf_to_text(&bytes).unwrap(), bytes.len(), Some(&name))
        } else {
            gongkai_parse::parse_bytes(&bytes, Some(&name))
        };
        for html in [false, true] {
            if let Err(e) = same(&first, &again(&first, html)) {
                wrong.push(format!("{name} ({}): {e}", if html { "html" } else { "text" }));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
