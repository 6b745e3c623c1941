//! Summing reports cell by cell (a supervising office's region table), and comparing a
//! government's own report with the sum of its units' reports.
//!
//! Blank is never 0: a cell that is a number in some reports and blank (or a placeholder, or
//! missing) in others sums the numbers and a note names the reports that had no number; a cell
//! that is unreadable in any report makes the sum unreadable and is listed.

use std::collections::BTreeSet;

use gongkai_model::{Cell, CellValue, FormatVersion, Report};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::tables::list;
use crate::{Compiled, Note, NoteKind, located};

/// A name for a report in notes: its organ, its title, its file name or its position.
fn report_name(r: &Report, i: usize) -> String {
    r.organ
        .as_ref()
        .map(|o| o.value.clone())
        .or_else(|| r.source.name.clone())
        .or_else(|| r.title.as_ref().map(|t| t.value.clone()))
        .unwrap_or_else(|| format!("第{}份报告", i + 1))
}

/// One cell of a table in every report, flattened: (name, label, getter).
#[derive(Default)]
struct Acc {
    sum: Decimal,
    numbers: usize,
    no_number: Vec<String>,
    unreadable: Vec<String>,
    overflow: bool,
}

fn sum_cell(name: String, label: String, cells: &[(String, Option<&Cell>)], notes: &mut Vec<Note>) -> Cell {
    let mut acc = Acc::default();
    for (who, c) in cells {
        match c.map(|c| &c.value) {
            Some(CellValue::Number(d)) => match acc.sum.checked_add(*d) {
                Some(sum) => {
                    acc.sum = sum;
                    acc.numbers += 1;
                }
                // Decimal addition panics on overflow; a parsed report can hold any number.
                None => acc.overflow = true,
            },
            Some(CellValue::Unreadable | CellValue::Ambiguous(_)) => acc.unreadable.push(who.clone()),
            Some(CellValue::Blank | CellValue::Placeholder) | None => acc.no_number.push(who.clone()),
        }
    }
    if !acc.unreadable.is_empty() {
        notes.push(
            Note::new(
                NoteKind::Unreadable,
                format!("{label}：{}的数值无法识别，合计无法得出", list(&acc.unreadable, 10)),
            )
            .cells([name]),
        );
        return Cell { value: CellValue::Unreadable, raw: "无法汇总".into(), src: None, inferred: false };
    }
    if acc.overflow {
        notes.push(
            Note::new(NoteKind::Unreadable, format!("{label}：各报告的数值之和超出可计算的范围，合计无法得出"))
                .cells([name]),
        );
        return Cell { value: CellValue::Unreadable, raw: "无法汇总".into(), src: None, inferred: false };
    }
    if acc.numbers == 0 {
        return Cell::blank();
    }
    if !acc.no_number.is_empty() {
        notes.push(
            Note::new(
                NoteKind::Partial,
                format!("{label}：合计只含有数值的报告；{}该栏为空白或缺少，未计入", list(&acc.no_number, 10)),
            )
            .cells([name]),
        );
    }
    Cell::number(acc.sum.normalize())
}

/// Sum reports' tables 二, 三 and 四 cell by cell into one region report. Title, organ and
/// sections are left empty (the caller names the region); the year is the reports' common year.
pub fn aggregate(reports: &[Report]) -> Compiled {
    let mut notes = Vec::new();
    let mut r = Report::empty();
    r.source.kind = "aggregated".to_string();
    let names: Vec<String> = reports.iter().enumerate().map(|(i, x)| report_name(x, i)).collect();

    let formats: BTreeSet<FormatVersion> = reports.iter().map(|x| x.format).collect();
    r.format = match formats.len() {
        0 => FormatVersion::Unknown,
        1 => formats.into_iter().next().unwrap_or(FormatVersion::Unknown),
        _ => {
            notes.push(Note::new(
                NoteKind::Format,
                format!(
                    "各报告使用的表格格式不同（{}），不同格式特有的栏目只按有该栏目的报告合计",
                    formats.iter().map(|f| f.name_zh()).collect::<Vec<_>>().join("、")
                ),
            ));
            FormatVersion::Mixed
        }
    };
    let years: BTreeSet<Option<i32>> = reports.iter().map(|x| x.year.as_ref().map(|y| y.value)).collect();
    match years.iter().collect::<Vec<_>>().as_slice() {
        [Some(y)] => r.year = Some(located(*y)),
        [] => {}
        _ => notes.push(Note::new(
            NoteKind::Year,
            format!(
                "各报告的年度不一致或未识别：{}",
                years
                    .iter()
                    .map(|y| y.map_or("未识别".to_string(), |y| format!("{y}年")))
                    .collect::<Vec<_>>()
                    .join("、")
            ),
        )),
    }

    macro_rules! sum_table {
        ($field:ident, $prefix:literal, $label:expr) => {{
            let keys: BTreeSet<_> = reports
                .iter()
                .flat_map(|x| x.$field.iter().flat_map(|(row, m)| m.keys().map(move |c| (*row, *c))))
                .collect();
            for (row, col) in keys {
                let cells: Vec<(String, Option<&Cell>)> = reports
                    .iter()
                    .zip(&names)
                    .map(|(x, n)| (n.clone(), x.$field.get(&row).and_then(|m| m.get(&col))))
                    .collect();
                let name = format!("{}.{}.{}", $prefix, row.id(), col.id());
                let label = $label(row, col);
                let cell = sum_cell(name, label, &cells, &mut notes);
                r.$field.entry(row).or_default().insert(col, cell);
            }
        }};
    }
    sum_table!(table2, "table2", t2_label);
    sum_table!(table3, "table3", t3_label);
    sum_table!(table4, "table4", t4_label);
    Compiled { report: r, notes }
}

/// A cell where a government's own report differs from the sum of its units' reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Difference {
    /// `table3.R1.TOT` …
    pub cell: String,
    /// Chinese row and column labels.
    pub label: String,
    /// The sum as printed ("空白", "缺少", "无法识别" for non-numbers).
    pub sum: String,
    /// The government's value as printed.
    pub reported: String,
}

fn show(c: Option<&Cell>) -> String {
    match c.map(|c| &c.value) {
        Some(CellValue::Number(d)) => d.normalize().to_string(),
        Some(CellValue::Blank) => "空白".to_string(),
        Some(CellValue::Placeholder) => format!("“{}”", c.map_or("", |c| c.raw.as_str())),
        Some(CellValue::Unreadable) => "无法识别".to_string(),
        Some(CellValue::Ambiguous(_)) => "有歧义".to_string(),
        None => "缺少".to_string(),
    }
}

/// Cells where `reported` (a government's own report) differs from `sum` (the sum of its units):
/// two different numbers, or a number on one side only. Cells that are not numbers on either
/// side are not compared.
pub fn compare(sum: &Report, reported: &Report) -> Vec<Difference> {
    let mut out = Vec::new();
    macro_rules! cmp_table {
        ($field:ident, $prefix:literal, $label:expr) => {{
            let keys: BTreeSet<_> = [sum, reported]
                .iter()
                .flat_map(|x| x.$field.iter().flat_map(|(row, m)| m.keys().map(move |c| (*row, *c))))
                .collect();
            for (row, col) in keys {
                let a = sum.$field.get(&row).and_then(|m| m.get(&col));
                let b = reported.$field.get(&row).and_then(|m| m.get(&col));
                let (na, nb) = (a.and_then(Cell::as_number), b.and_then(Cell::as_number));
                if (na.is_some() || nb.is_some()) && na != nb {
                    out.push(Difference {
                        cell: format!("{}.{}.{}", $prefix, row.id(), col.id()),
                        label: $label(row, col),
                        sum: show(a),
                        reported: show(b),
                    });
                }
            }
        }};
    }
    cmp_table!(table2, "table2", t2_label);
    cmp_table!(table3, "table3", t3_label);
    cmp_table!(table4, "table4", t4_label);
    out
}

/// How a cell is named in notes and differences.
fn t2_label(row: gongkai_model::T2Row, col: gongkai_model::T2Col) -> String {
    format!("表二“{}”行“{}”列", row.label(), col.label())
}

fn t3_label(row: gongkai_model::T3Row, col: gongkai_model::Col) -> String {
    format!("表三“{}”行“{}”列", row.display_name(), col.label())
}

fn t4_label(g: gongkai_model::T4Group, o: gongkai_model::T4Outcome) -> String {
    format!("表四“{}”“{}”", g.label(), o.label())
}
