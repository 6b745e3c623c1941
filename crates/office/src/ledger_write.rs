//! The 台账 as a workbook clerks work in: the ledger rows of `gongkai_register::ledger` (its
//! export, or a blank template) with each column typed by [`ledger::column_kind`] — dates as
//! real Excel dates (shown `yyyy-mm-dd`), counts as numbers, everything else as text (a
//! 受理编号 `001` keeps its zeros, nothing a clerk typed is reinterpreted) — columns wide
//! enough to read, a frozen header row with filters, drop-down lists (data validation) for
//! 提交方式, 申请人类型, 获取信息方式 and 办理结果 (outcomes in words, `予以公开`), taken from a
//! hidden sheet `选项`, and an A4 landscape page fitted to the width with the header row
//! repeated.
//!
//! The first sheet is the ledger: `ledger import` reads it back (an export is the identity,
//! a filled-in template imports). No cell is ever a formula: a text cell beginning with `=`
//! is a shared string like any other.

use std::fmt::Write;

use gongkai_register::ledger::{self, ColumnKind};

use crate::flat::a1;
use crate::xlsx_write::{
    DefinedName, S_HEAD, S_LEDGER_DATE, S_LEDGER_NUM, S_LEDGER_TEXT, Sst, quoted, row_height, string_cell, text_units,
    workbook, wrapped_lines,
};

/// Rows below the data that get the drop-down lists and formats too (room to add rows).
pub const SPARE_ROWS: usize = 1000;

/// Name of the hidden sheet holding the drop-down lists.
pub const LISTS: &str = "选项";

/// Days from 1899-12-30 (Excel's day 0 in the 1900 system, past its 1900 leap-year bug) to
/// the ISO date `yyyy-mm-dd`; None for anything else (it stays text).
fn excel_serial(s: &str) -> Option<u32> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, m, d): (i64, i64, i64) = (s[..4].parse().ok()?, s[5..7].parse().ok()?, s[8..].parse().ok()?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || y < 1900 {
        return None;
    }
    // Days from 1970-01-01 (H. Hinnant's days_from_civil), then shift to 1899-12-30.
    let yy = if m <= 2 { y - 1 } else { y };
    let era = yy.div_euclid(400);
    let yoe = yy - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    // Refuse 2024-02-31 and the like: the round trip must give the same day.
    let back_ok = {
        let dim = match m {
            2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        d <= dim
    };
    back_ok.then(|| u32::try_from(days + 25_569).ok()).flatten()
}

/// Column width (Excel units) for a column: room for its values (from the first rows) up to
/// a limit past which the text wraps, and for its header on at most two lines, so that the
/// sheet stays readable when printed on A4 landscape.
fn width(header: &str, kind: &ColumnKind, values: &[&str]) -> f64 {
    let widest = |v: &mut dyn Iterator<Item = &str>| v.take(2_000).map(|x| text_units(x, 11.0)).fold(0.0, f64::max);
    let need = match kind {
        ColumnKind::Date => 11.0,
        ColumnKind::Count => 6.0,
        ColumnKind::Choice(v) => {
            widest(&mut v.iter().map(String::as_str)).min(if header == "办理结果" { 22.0 } else { 14.0 })
        }
        ColumnKind::Text => widest(&mut values.iter().copied()).min(if header == "申请内容" { 30.0 } else { 16.0 }),
    };
    // What a column typically holds, so that a blank template has room to type in.
    let typical = match header {
        "申请内容" => 30.0,
        // An 18-character 身份证号码 or an e-mail address on one line.
        "证件号码" | "电子邮箱" => 23.0,
        "通讯地址" => 20.0,
        "受理编号" | "申请人姓名或名称" | "联系电话" | "备注" => 13.0,
        _ => 0.0,
    };
    (need.max(typical).max(text_units(header, 11.0) / 2.0) + 2.0).clamp(6.0, 32.0)
}

/// Height (points) of a data row: the most lines any of its cells wraps to.
fn height(row: &[String], widths: &[f64]) -> f64 {
    let lines = row.iter().zip(widths).map(|(c, w)| wrapped_lines(c, *w, 11.0)).max().unwrap_or(1);
    row_height(lines, 11.0)
}

/// The ledger workbook: `rows[0]` is the header, the rest are data rows (as
/// `ledger::write_as` gives them).
pub fn ledger_xlsx(sheet: &str, rows: &[Vec<String>]) -> Vec<u8> {
    let header: &[String] = rows.first().map_or(&[], Vec::as_slice);
    let kinds: Vec<ColumnKind> = header.iter().map(|h| ledger::column_kind(h)).collect();
    let mut sst = Sst::default();
    let ncols = header.len().max(1) as u32;
    let last_row = (rows.len() + SPARE_ROWS) as u32;
    let mut x = String::with_capacity(64 + rows.len() * 400);
    x.push_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheetPr filterMode=\"0\"><pageSetUpPr fitToPage=\"1\"/></sheetPr>",
    );
    let _ = write!(
        x,
        "<dimension ref=\"A1:{}\"/><sheetViews><sheetView workbookViewId=\"0\"><pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>\
<selection pane=\"bottomLeft\" activeCell=\"A2\" sqref=\"A2\"/></sheetView></sheetViews><cols>",
        a1(rows.len().max(1) as u32, ncols)
    );
    let widths: Vec<f64> = header
        .iter()
        .zip(&kinds)
        .enumerate()
        .map(|(i, (h, k))| {
            let values: Vec<&str> = rows.iter().skip(1).filter_map(|r| r.get(i).map(String::as_str)).collect();
            width(h, k, &values)
        })
        .collect();
    for (i, k) in kinds.iter().enumerate() {
        let style = match k {
            ColumnKind::Date => S_LEDGER_DATE,
            ColumnKind::Count => S_LEDGER_NUM,
            _ => S_LEDGER_TEXT,
        };
        // The column's style also formats the cells a clerk adds below the data.
        let _ = write!(
            x,
            "<col min=\"{0}\" max=\"{0}\" width=\"{1:.1}\" style=\"{style}\" customWidth=\"1\"/>",
            i + 1,
            widths[i]
        );
    }
    x.push_str("</cols><sheetData>");
    for (i, row) in rows.iter().enumerate() {
        let rn = i as u32 + 1;
        if i == 0 {
            let _ = write!(x, "<row r=\"1\" ht=\"32\" customHeight=\"1\">");
        } else {
            let _ = write!(x, "<row r=\"{rn}\" ht=\"{}\" customHeight=\"1\">", height(row, &widths));
        }
        for (j, cell) in row.iter().enumerate() {
            let cn = j as u32 + 1;
            if i == 0 {
                string_cell(&mut x, &mut sst, rn, cn, S_HEAD, cell);
                continue;
            }
            match kinds.get(j) {
                Some(ColumnKind::Date) if excel_serial(cell).is_some() => {
                    let _ = write!(
                        x,
                        "<c r=\"{}\" s=\"{S_LEDGER_DATE}\"><v>{}</v></c>",
                        a1(rn, cn),
                        excel_serial(cell).unwrap_or_default()
                    );
                }
                Some(ColumnKind::Count)
                    if !cell.is_empty() && cell.len() <= 9 && cell.bytes().all(|b| b.is_ascii_digit()) =>
                {
                    let _ = write!(x, "<c r=\"{}\" s=\"{S_LEDGER_NUM}\"><v>{cell}</v></c>", a1(rn, cn));
                }
                _ => string_cell(&mut x, &mut sst, rn, cn, S_LEDGER_TEXT, cell),
            }
        }
        x.push_str("</row>");
    }
    x.push_str("</sheetData>");
    let _ = write!(x, "<autoFilter ref=\"A1:{}\"/>", a1(rows.len().max(1) as u32, ncols));
    // Drop-down lists from the hidden sheet, one column of it per choice column.
    let mut lists: Vec<(String, &Vec<String>)> = Vec::new();
    let mut dv = String::new();
    for (j, k) in kinds.iter().enumerate() {
        let ColumnKind::Choice(values) = k else { continue };
        let lc = lists.len() as u32 + 1;
        let col = a1(1, lc);
        let col = col.trim_end_matches(|c: char| c.is_ascii_digit());
        let cn = j as u32 + 1;
        let _ = write!(
            dv,
            "<dataValidation type=\"list\" errorStyle=\"warning\" allowBlank=\"1\" showInputMessage=\"1\" showErrorMessage=\"1\" \
errorTitle=\"{h}\" error=\"请从下拉列表中选择{h}；其他写法在导入时校验。\" promptTitle=\"{h}\" prompt=\"从下拉列表中选择\" sqref=\"{}:{}\">\
<formula1>{}!${col}$2:${col}${}</formula1></dataValidation>",
            a1(2, cn),
            a1(last_row, cn),
            crate::xml::esc(&quoted(LISTS)),
            values.len() + 1,
            h = crate::xml::esc(&header[j]),
        );
        lists.push((header[j].clone(), values));
    }
    if !lists.is_empty() {
        let _ = write!(x, "<dataValidations count=\"{}\">{dv}</dataValidations>", lists.len());
    }
    x.push_str(
        "<pageMargins left=\"0.4\" right=\"0.4\" top=\"0.6\" bottom=\"0.6\" header=\"0.3\" footer=\"0.3\"/>\
<pageSetup paperSize=\"9\" orientation=\"landscape\" fitToWidth=\"1\" fitToHeight=\"0\"/>\
<headerFooter><oddHeader>&amp;C&amp;A</oddHeader><oddFooter>&amp;C第 &amp;P 页，共 &amp;N 页</oddFooter></headerFooter></worksheet>",
    );
    // The lists sheet: a header row, then each list down its column.
    let mut l = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>",
    );
    let depth = lists.iter().map(|(_, v)| v.len()).max().unwrap_or(0) + 1;
    for r in 0..depth {
        let rn = r as u32 + 1;
        let _ = write!(l, "<row r=\"{rn}\">");
        for (c, (h, v)) in lists.iter().enumerate() {
            let text = if r == 0 { Some(h.as_str()) } else { v.get(r - 1).map(String::as_str) };
            if let Some(t) = text {
                string_cell(&mut l, &mut sst, rn, c as u32 + 1, S_LEDGER_TEXT, t);
            }
        }
        l.push_str("</row>");
    }
    l.push_str("</sheetData></worksheet>");
    let names = [
        DefinedName {
            name: "_xlnm._FilterDatabase",
            sheet: 0,
            refers: format!("{}!$A$1:${}", quoted(sheet), {
                let r = a1(rows.len().max(1) as u32, ncols);
                let at = r.find(|c: char| c.is_ascii_digit()).unwrap_or(r.len());
                format!("{}${}", &r[..at], &r[at..])
            }),
            hidden: true,
        },
        DefinedName { name: "_xlnm.Print_Titles", sheet: 0, refers: format!("{}!$1:$1", quoted(sheet)), hidden: false },
    ];
    let sheets = vec![(sheet.to_string(), x, false), (LISTS.to_string(), l, true)];
    workbook(&sheets, &sst, &crate::layout::core_props_for(sheet, None), &names)
}

/// A blank 台账 for clerks to fill in: the header row of [`ledger::HEADERS`] (without the
/// export's 个人信息 marker) and the formats and drop-down lists on the rows below.
pub fn ledger_template() -> Vec<u8> {
    let header: Vec<String> = ledger::HEADERS.iter().map(|h| h.to_string()).collect();
    ledger_xlsx("台账", &[header])
}

#[cfg(test)]
mod tests {
    use super::excel_serial;

    #[test]
    fn excel_serials_of_iso_dates() {
        assert_eq!(excel_serial("1900-03-01"), Some(61));
        assert_eq!(excel_serial("2024-03-05"), Some(45_356));
        assert_eq!(excel_serial("2024-02-29"), Some(45_351));
        assert_eq!(excel_serial("2023-02-29"), None);
        assert_eq!(excel_serial("2024/03/05"), None);
        assert_eq!(excel_serial("2024-3-5"), None);
        assert_eq!(excel_serial(""), None);
    }
}
