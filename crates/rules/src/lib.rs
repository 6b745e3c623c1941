//! Rule checker for annual reports. Pure: a [`Report`] in, findings out; no IO.
//!
//! Rule ids are stable and come from SPEC.md: identities `E1`–`E4`, `E7` (§1.7) and defects
//! `D1`, `D8`, `D10`, `D12`–`D14`, `D16`, `D17`, `D21`–`D23` (§6). Arithmetic identities are only
//! evaluated when every cell involved is a number: a blank or unreadable cell is reported
//! once (D8, or a `P` finding of the parser) and never produces a false arithmetic error.

pub mod batch;
mod catalogue;
pub mod cross;
pub mod similarity;
mod tables;
mod text;

pub use catalogue::{RULES, RuleInfo};

use gongkai_model::{Finding, Report};

/// Whether a parsed input is not an annual report at all: no statistics table found, and
/// fewer than two standard section headings, unless it is a report cut short (`truncated`)
/// that still shows a report's title, year or layout (the opening of a real report: the
/// corpus's `partial/` files). A title and a sentence, random bytes, or a text file under a
/// `.docx` name are not reports.
pub fn is_not_a_report(r: &Report) -> bool {
    let tables = r.tables.table2.is_some()
        || r.tables.table3.is_some()
        || r.tables.table4.is_some()
        || !r.table2.is_empty()
        || !r.table3.is_empty()
        || !r.table4.is_empty();
    let mut ids: Vec<u8> = r.sections.iter().map(|s| s.id.0).collect();
    ids.sort_unstable();
    ids.dedup();
    let cut_opening = r.truncated.is_some()
        && (r.title.is_some() || r.year.is_some() || r.format != gongkai_model::FormatVersion::Unknown);
    !tables && ids.len() < 2 && !cut_opening
}

/// The finding for an input that is not an annual report ([`is_not_a_report`]).
pub fn not_a_report() -> Finding {
    Finding::new(
        "P8",
        gongkai_model::Severity::Error,
        "不是政府信息公开工作年度报告：既没有找到标准章节标题（一、总体情况……），也没有找到统计表",
    )
}

/// What a truncated report lacks after the point where it was cut: the standard sections after
/// the last one present and the tables not found, each marked as possibly caused by the
/// truncation. Empty for a complete report. (The checker itself does not report these as
/// missing; this list keeps them visible where only errors are shown.)
pub fn lost_to_truncation(r: &Report) -> Vec<Finding> {
    let Some(at) = r.truncated else { return Vec::new() };
    let mut out = Vec::new();
    let last = r.sections.iter().map(|s| s.id.0).max().unwrap_or(0);
    for (i, heading) in gongkai_model::labels::SECTION_HEADINGS.iter().enumerate() {
        let id = i as u8 + 1;
        if id > last && r.section(id).is_none() {
            out.push(
                Finding::new(
                    "D12",
                    gongkai_model::Severity::Warning,
                    format!("缺少“{heading}”部分（文档截断，可能因截断而缺失）"),
                )
                .at(Some(at)),
            );
        }
    }
    for (found, name) in [(r.tables.table2, "表二"), (r.tables.table3, "表三"), (r.tables.table4, "表四")] {
        if found.is_none() {
            out.push(
                Finding::new(
                    "P1",
                    gongkai_model::Severity::Warning,
                    format!("未找到{name}（文档截断，可能因截断而缺失）"),
                )
                .at(Some(at)),
            );
        }
    }
    out
}

/// Run every single-report rule.
pub fn check(report: &Report) -> Vec<Finding> {
    let mut out = Vec::new();
    // First, so that at a heading's position its numbering comes before the findings about
    // what the heading opens (a table found under it points at the heading too).
    text::misnumbered_headings(report, &mut out);
    tables::check_tables(report, &mut out);
    text::check_text(report, &mut out);
    out
}
