//! Writers for a [`Report`] in the official layout (SPEC §1.3–§1.6, §2.2): plain text in the
//! shapes real reports are exported in, a self-contained printable HTML page with the
//! template's row and column spans, Markdown and JSON. Pure: strings out, no IO.

use std::fmt::Write;

use gongkai_model::{Cell, CellValue, Col, FormatVersion, Report, SectionId, T2Col, T2Row, T3Row, T4Group, T4Outcome};

/// Shapes of plain-text exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextShape {
    /// Each cell on its own line starting with a TAB; rows separated by an empty line (a Word
    /// table copied as text, like the seed report). A merged cell prints once; the rows below
    /// a vertical merge print an empty cell in its place, e.g. `（三）不予公开` on the first
    /// row of its group and an empty cell on the next seven.
    CellPerLine,
    /// Markdown tables (`| a | b |`, a `|---|` separator after the first row), as PDF
    /// converters write them; aligned to the template grid, merged cells left empty.
    Markdown,
    /// `a | b | c` lines without outer pipes; aligned like [`TextShape::Markdown`]. Rows of
    /// fewer than three cells are padded with empty cells so they still read as rows.
    Pipe,
    /// One row per line: the non-empty label cells, then the values, separated by single
    /// spaces (a PDF text layer), e.g. `一、本年新收政府信息公开申请数量 34 0 0 0 0 0 34`. A
    /// blank cannot be represented here: every non-number cell (blank, placeholder or
    /// unreadable text) prints as `-`.
    Lines,
}

/// All text shapes, in declaration order.
pub const TEXT_SHAPES: [TextShape; 4] =
    [TextShape::CellPerLine, TextShape::Markdown, TextShape::Pipe, TextShape::Lines];

/// The header note of table 三 (SPEC §1.5).
pub const T3_NOTE: &str = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）";

fn cell_text(c: Option<&Cell>) -> String {
    match c {
        Some(c) => match &c.value {
            CellValue::Number(d) => d.to_string(),
            _ => c.raw.to_string(),
        },
        None => String::new(),
    }
}

fn is_2021(r: &Report) -> bool {
    r.format != FormatVersion::F2019
}

/// A value cell as printed, and whether it holds a number.
#[derive(Debug, Clone)]
struct Val {
    text: String,
    number: bool,
}

fn val(c: Option<&Cell>) -> Val {
    Val { text: cell_text(c), number: c.is_some_and(|c| matches!(c.value, CellValue::Number(_))) }
}

/// One printed row: label (and header) cells, then value cells.
#[derive(Debug)]
struct Row {
    labels: Vec<String>,
    values: Vec<Val>,
}

fn row(labels: &[&str], values: Vec<Val>) -> Row {
    Row { labels: labels.iter().map(|s| s.to_string()).collect(), values }
}

/// How merged cells come out in a text export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// As Word exports a table as text: a merged cell prints once, in its first row; the
    /// following rows of a vertical merge print an empty cell; horizontal merges print
    /// nothing more. Rows have different lengths (the seed report's shape).
    Word,
    /// Aligned to the template's grid: every cell of a merge but the first is left empty, so
    /// values stand under their column headers. The first row of a table is padded to the
    /// full width (a Markdown table takes its column count from the first row).
    Grid,
}

fn pad(mut cells: Vec<&str>, width: usize) -> Vec<&str> {
    cells.resize(width.max(cells.len()), "");
    cells
}

/// Whether table 二 is printed in its 2021 shape: by the format, except that a mixed or
/// unknown report whose table 二 holds a cell only the 2019 shape has keeps the 2019 shape
/// (a writer must not drop cells the report has).
fn t2_2021(r: &Report) -> bool {
    match r.format {
        FormatVersion::F2021 => true,
        FormatVersion::F2019 => false,
        _ => !r.table2.iter().any(|(row, cs)| cs.iter().any(|(c, _)| !row.cols_2021().is_some_and(|x| x.contains(c)))),
    }
}

fn t2_order(r: &Report) -> &'static [T2Row] {
    if t2_2021(r) { T2Row::ROWS_2021 } else { T2Row::ROWS_2019 }
}

fn t2_cols(r: &Report, tr: T2Row) -> &'static [T2Col] {
    if t2_2021(r) { tr.cols_2021().unwrap_or(&[]) } else { tr.cols_2019() }
}

/// The printed label of a table-二 row (2019 prints `规范性文件`).
fn t2_label(r: &Report, tr: T2Row) -> &'static str {
    if !t2_2021(r) && tr == T2Row::Norm { "规范性文件" } else { tr.label() }
}

/// Table 二 as printed rows: per block a caption row, a header row and the data rows.
fn table2_rows(r: &Report, layout: Layout) -> Vec<Row> {
    let mut out = Vec::new();
    let mut block = "";
    for tr in t2_order(r) {
        let cols = t2_cols(r, *tr);
        if tr.block() != block {
            block = tr.block();
            let caption = if layout == Layout::Grid && out.is_empty() { pad(vec![block], 4) } else { vec![block] };
            out.push(row(&caption, Vec::new()));
            let mut head = vec!["信息内容"];
            head.extend(cols.iter().map(|c| c.label()));
            out.push(row(&head, Vec::new()));
        }
        let vals = cols.iter().map(|c| val(r.table2.get(tr).and_then(|m| m.get(c)))).collect();
        out.push(row(&[t2_label(r, *tr)], vals));
    }
    out
}

/// The row set of table 三 as the report has it: a single （六）其他处理 row (2019, or a 2021
/// table that printed it so, SPEC §2.3) stays one row, sub-rows stay sub-rows; only a table
/// with neither follows the format.
fn t3_order(r: &Report) -> &'static [T3Row] {
    if r.has_r36_subrows() {
        T3Row::ROWS_2021
    } else if r.table3.contains_key(&T3Row::R3_6) || !is_2021(r) {
        T3Row::ROWS_2019
    } else {
        T3Row::ROWS_2021
    }
}

/// One printed part of the body: a section heading (None for a table whose section the
/// report lacks), the table that follows it, and the section's paragraphs.
struct Part<'a> {
    /// The section's number (None for a table standing in for a missing section).
    id: Option<u8>,
    heading: Option<&'a str>,
    table: Option<u8>,
    paras: &'a [gongkai_model::Para],
}

/// The body as the report has it: its sections in their order (a duplicated or reordered
/// outline stays so; a missing section gets no heading), each of tables 二/三/四 after the
/// section it was found under (by position in the source; generated reports: the first
/// section of its number), a table whose section is missing where that section would be. A
/// report without any section (tables only) gets the official headings, which anchor its
/// tables.
fn plan(r: &Report) -> Vec<Part<'_>> {
    if r.sections.is_empty() {
        return (1..=6u8)
            .map(|id| Part {
                id: Some(id),
                heading: Some(SectionId(id).official_heading()),
                table: (2..=4).contains(&id).then_some(id),
                paras: &[],
            })
            .collect();
    }
    let mut parts: Vec<Part> = r
        .sections
        .iter()
        .map(|s| Part { id: Some(s.id.0), heading: Some(s.heading.as_str()), table: None, paras: &s.paras })
        .collect();
    let located = r.sections.iter().any(|s| s.src.start > 0);
    for (id, src) in [(2u8, r.tables.table2), (3, r.tables.table3), (4, r.tables.table4)] {
        let by_src = src.filter(|_| located).and_then(|t| {
            r.sections.iter().enumerate().filter(|(_, s)| s.src.start <= t.start).max_by_key(|(_, s)| s.src.start)
        });
        let by_id = r.sections.iter().position(|s| s.id.0 == id);
        let host = by_src.filter(|(_, s)| s.id.0 == id).map(|(i, _)| i).or(by_id);
        match host {
            Some(i) if parts[i].table.is_none() => parts[i].table = Some(id),
            _ => {
                let at = parts.iter().position(|p| p.id.is_some_and(|x| x > id)).unwrap_or(parts.len());
                parts.insert(at, Part { id: None, heading: None, table: Some(id), paras: &[] });
            }
        }
    }
    parts
}

/// Label cells of a table-三 data row.
fn t3_labels(row: T3Row, first_in_group: bool, layout: Layout) -> Vec<&'static str> {
    use T3Row::*;
    let l1 = if row == R3_1 { "三、本年度办理结果" } else { "" };
    let g = if first_in_group { row.group_label().unwrap_or("") } else { "" };
    match (row, layout) {
        (R1 | R2 | R4, Layout::Word) => vec![row.label()],
        (R1 | R2 | R4, Layout::Grid) => vec![row.label(), "", ""],
        (R3_1 | R3_2 | R3_6 | R3_7, Layout::Word) => vec![l1, row.label()],
        (R3_1 | R3_2 | R3_6 | R3_7, Layout::Grid) => vec![l1, row.label(), ""],
        _ => vec![l1, g, row.label()],
    }
}

fn table3_rows(r: &Report, layout: Layout) -> Vec<Row> {
    let org = ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"];
    let mut out = match layout {
        Layout::Word => {
            let mut h3 = vec!["", ""];
            h3.extend(org);
            h3.push("");
            vec![
                row(&[T3_NOTE, "申请人情况"], Vec::new()),
                row(&["", "自然人", "法人或其他组织", "总计"], Vec::new()),
                row(&h3, Vec::new()),
            ]
        }
        Layout::Grid => {
            let mut h3 = vec!["", "", "", ""];
            h3.extend(org);
            h3.push("");
            vec![
                row(&pad(vec![T3_NOTE, "", "", "申请人情况"], 10), Vec::new()),
                row(&["", "", "", "自然人", "法人或其他组织", "", "", "", "", "总计"], Vec::new()),
                row(&h3, Vec::new()),
            ]
        }
    };
    let mut prev_group = None;
    for tr in t3_order(r) {
        let g = tr.group_label();
        let first = g.is_some() && g != prev_group;
        prev_group = g;
        let vals = Col::ALL.iter().map(|c| val(r.t3(*tr, *c))).collect();
        out.push(row(&t3_labels(*tr, first, layout), vals));
    }
    out
}

fn table4_rows(r: &Report, layout: Layout) -> Vec<Row> {
    let outcomes: Vec<&str> = T4Outcome::ALL.iter().map(|o| o.label()).collect();
    let vals = T4Group::ALL
        .iter()
        .flat_map(|g| T4Outcome::ALL.iter().map(move |o| (*g, *o)))
        .map(|(g, o)| val(r.t4(g, o)))
        .collect();
    let (h1, h2) = match layout {
        Layout::Word => {
            let mut h2 = outcomes.clone();
            h2.extend(["未经复议直接起诉", "复议后起诉"]);
            (vec!["行政复议", "行政诉讼"], h2)
        }
        Layout::Grid => {
            let mut h1 = pad(vec!["行政复议"], 5);
            h1.extend(pad(vec!["行政诉讼"], 10));
            let mut h2 = outcomes.clone();
            h2.extend(pad(vec!["未经复议直接起诉"], 5));
            h2.extend(pad(vec!["复议后起诉"], 5));
            (h1, h2)
        }
    };
    // Under the five rowspan-2 headers of 行政复议 the third header row is empty.
    let mut h3 = vec![""; 5];
    h3.extend(outcomes.iter().chain(outcomes.iter()));
    vec![row(&h1, Vec::new()), row(&h2, Vec::new()), row(&h3, Vec::new()), Row { labels: Vec::new(), values: vals }]
}

fn write_rows(out: &mut String, rows: &[Row], shape: TextShape) {
    match shape {
        TextShape::CellPerLine => {
            for r in rows {
                for c in r.labels.iter().chain(r.values.iter().map(|v| &v.text)) {
                    let _ = writeln!(out, "\t{c}");
                }
                out.push('\n');
            }
        }
        TextShape::Markdown | TextShape::Pipe => {
            for (i, r) in rows.iter().enumerate() {
                let cells: Vec<&str> =
                    r.labels.iter().map(String::as_str).chain(r.values.iter().map(|v| v.text.as_str())).collect();
                if shape == TextShape::Markdown {
                    let _ = writeln!(out, "| {} |", cells.join(" | "));
                    if i == 0 {
                        let _ = writeln!(out, "|{}", "---|".repeat(cells.len()));
                    }
                } else if cells.len() >= 3 {
                    let _ = writeln!(out, "{}", cells.join(" | "));
                } else {
                    // Fewer than three cells would not read as a flattened row: pad.
                    let _ = writeln!(out, "{} | |", cells.join(" | "));
                }
            }
        }
        TextShape::Lines => {
            for r in rows {
                let parts: Vec<&str> = r
                    .labels
                    .iter()
                    .filter(|s| !s.is_empty())
                    .map(String::as_str)
                    .chain(r.values.iter().map(|v| if v.number { v.text.as_str() } else { "-" }))
                    .collect();
                let _ = writeln!(out, "{}", parts.join(" "));
            }
        }
    }
    out.push('\n');
}

fn layout_of(shape: TextShape) -> Layout {
    match shape {
        TextShape::CellPerLine | TextShape::Lines => Layout::Word,
        TextShape::Markdown | TextShape::Pipe => Layout::Grid,
    }
}

fn write_table(out: &mut String, r: &Report, id: u8, shape: TextShape) {
    let layout = layout_of(shape);
    let rows = match id {
        2 => table2_rows(r, layout),
        3 => table3_rows(r, layout),
        4 => table4_rows(r, layout),
        _ => return,
    };
    write_rows(out, &rows, shape);
}

/// Preamble paragraphs other than the title line itself (the title is printed as the heading).
fn preamble(r: &Report) -> impl Iterator<Item = &gongkai_model::Para> {
    let title = r.title.as_ref().map(|t| t.value.as_str());
    r.preamble.iter().filter(move |p| Some(p.text.trim()) != title)
}

/// The report as plain text in one of the export shapes: the title line, an empty line, then
/// the six sections in order — heading line, for 二/三/四 the table, then the paragraphs, one
/// per line. Section headings are the printed ones; a section the report lacks gets no
/// heading (its table, if any, is still written). Blank cells print as empty cells, except in [`TextShape::Lines`], where every
/// non-number cell prints as `-`. Numbers print exactly (`rust_decimal` Display), other
/// cells as their raw text.
pub fn text(r: &Report, shape: TextShape) -> String {
    let mut out = String::with_capacity(16 * 1024);
    if let Some(t) = &r.title {
        let _ = writeln!(out, "{}\n", t.value);
    }
    for p in preamble(r) {
        let _ = writeln!(out, "{}", p.text);
    }
    for part in plan(r) {
        if let Some(h) = part.heading {
            let _ = writeln!(out, "{h}");
        }
        if let Some(id) = part.table {
            write_table(&mut out, r, id, shape);
        }
        for p in part.paras {
            let _ = writeln!(out, "{}", p.text);
        }
        out.push('\n');
    }
    out
}

/// The report as Markdown: `#` title, `##` section headings, one paragraph per block, and
/// pipe tables aligned to the template grid. Markdown cannot span cells, so the other cells
/// of a merge are left empty; the first row of each table is padded to the full width.
pub fn markdown(r: &Report) -> String {
    let mut out = String::with_capacity(16 * 1024);
    if let Some(t) = &r.title {
        let _ = writeln!(out, "# {}\n", t.value);
    }
    for p in preamble(r) {
        let _ = writeln!(out, "{}\n", p.text);
    }
    for part in plan(r) {
        if let Some(h) = part.heading {
            let _ = writeln!(out, "## {h}\n");
        }
        if let Some(id) = part.table {
            write_table(&mut out, r, id, TextShape::Markdown);
        }
        for p in part.paras {
            let _ = writeln!(out, "{}\n", p.text);
        }
    }
    out
}

/// The report data as pretty JSON (schema `gongkai.report/1`).
pub fn json(r: &Report) -> String {
    serde_json::to_string_pretty(r).unwrap_or_default()
}

/// Escape text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

const CSS: &str = "body{font-family:'FangSong','仿宋_GB2312','仿宋',serif;font-size:16pt;line-height:1.75;max-width:960px;margin:2em auto;padding:0 1em;color:#000}\
h1{font-family:'方正小标宋简体','FZXiaoBiaoSong-B05S','SimSun',serif;font-size:22pt;text-align:center;font-weight:normal}\
h2{font-family:'黑体','SimHei',sans-serif;font-size:16pt;font-weight:normal}\
p{text-indent:2em;margin:0}\
table{border-collapse:collapse;width:100%;margin:.5em 0 1em;font-size:11pt;line-height:1.4}\
th,td{border:1px solid #000;padding:2px 4px;text-align:center;vertical-align:middle}\
th.l{text-align:left;font-weight:normal}th.note{font-weight:normal;font-size:10pt}caption{font-weight:bold;text-align:left;padding:.3em 0}\
@media print{body{margin:0;max-width:none}@page{size:A4;margin:37mm 26mm 35mm 28mm}table{page-break-inside:auto}tr{page-break-inside:avoid}}";

/// What an HTML table cell is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A data cell.
    Data,
    /// A column header (`scope="col"`).
    Col,
    /// A row header (`scope="row"`).
    Row,
    /// A header cell that heads neither rows nor columns (the 勾稽关系 note).
    Note,
}

fn cell(out: &mut String, text: &str, rowspan: usize, colspan: usize, kind: Kind) {
    let tag = if kind == Kind::Data { "td" } else { "th" };
    out.push('<');
    out.push_str(tag);
    if rowspan > 1 {
        let _ = write!(out, " rowspan=\"{rowspan}\"");
    }
    if colspan > 1 {
        let _ = write!(out, " colspan=\"{colspan}\"");
    }
    match kind {
        // A spanning header heads every column (row) it covers (HTML table model); the
        // group scopes would need <colgroup>/<tbody> groups, which the template lacks.
        Kind::Col => out.push_str(" scope=\"col\""),
        Kind::Row => out.push_str(" scope=\"row\" class=\"l\""),
        Kind::Note => out.push_str(" class=\"note\""),
        Kind::Data => {}
    }
    let _ = write!(out, ">{}</{tag}>", esc(text));
}

/// Table 二: four columns; each block has a caption row spanning them and a header row. A
/// single value column spans the three value columns; with two, the second spans two.
fn html_table2(r: &Report, out: &mut String) {
    const WIDTH: usize = 4;
    out.push_str("<table class=\"t2\"><caption>二、主动公开政府信息情况</caption>\n");
    let spans = |n: usize, i: usize| if i + 1 == n { WIDTH - n } else { 1 };
    let mut block = "";
    for tr in t2_order(r) {
        let cols = t2_cols(r, *tr);
        if tr.block() != block {
            if !block.is_empty() {
                out.push_str("</tbody>\n");
            }
            block = tr.block();
            out.push_str("<tbody><tr>");
            cell(out, block, 1, WIDTH, Kind::Col);
            out.push_str("</tr>\n<tr>");
            cell(out, "信息内容", 1, 1, Kind::Col);
            for (i, c) in cols.iter().enumerate() {
                cell(out, c.label(), 1, spans(cols.len(), i), Kind::Col);
            }
            out.push_str("</tr>\n");
        }
        out.push_str("<tr>");
        cell(out, t2_label(r, *tr), 1, 1, Kind::Row);
        for (i, c) in cols.iter().enumerate() {
            let v = cell_text(r.table2.get(tr).and_then(|m| m.get(c)));
            cell(out, &v, 1, spans(cols.len(), i), Kind::Data);
        }
        out.push_str("</tr>\n");
    }
    if !block.is_empty() {
        out.push_str("</tbody>\n");
    }
    out.push_str("</table>\n");
}

/// Table 三 with the template's spans (SPEC §1.5).
fn html_table3(r: &Report, out: &mut String) {
    let order = t3_order(r);
    out.push_str("<table class=\"t3\"><caption>三、收到和处理政府信息公开申请情况</caption>\n<thead><tr>");
    cell(out, T3_NOTE, 3, 3, Kind::Note);
    cell(out, "申请人情况", 1, 7, Kind::Col);
    out.push_str("</tr>\n<tr>");
    cell(out, "自然人", 2, 1, Kind::Col);
    cell(out, "法人或其他组织", 1, 5, Kind::Col);
    cell(out, "总计", 2, 1, Kind::Col);
    out.push_str("</tr>\n<tr>");
    for c in &Col::ALL[1..6] {
        cell(out, c.label(), 1, 1, Kind::Col);
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    let results = order.iter().filter(|x| !matches!(x, T3Row::R1 | T3Row::R2 | T3Row::R4)).count();
    let mut prev_group = None;
    for tr in order {
        out.push_str("<tr>");
        let g = tr.group_label();
        match tr {
            T3Row::R1 | T3Row::R2 | T3Row::R4 => cell(out, tr.label(), 1, 3, Kind::Row),
            T3Row::R3_1 | T3Row::R3_2 | T3Row::R3_6 | T3Row::R3_7 => {
                if *tr == T3Row::R3_1 {
                    cell(out, "三、本年度办理结果", results, 1, Kind::Row);
                }
                cell(out, tr.label(), 1, 2, Kind::Row);
            }
            _ => {
                if g != prev_group {
                    let n = order.iter().filter(|x| x.group_label() == g).count();
                    cell(out, g.unwrap_or(""), n, 1, Kind::Row);
                }
                cell(out, tr.label(), 1, 1, Kind::Row);
            }
        }
        prev_group = g;
        for c in Col::ALL {
            cell(out, &cell_text(r.t3(*tr, *c)), 1, 1, Kind::Data);
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
}

/// Table 四 (SPEC §1.6): three header rows, one data row of 15 values.
fn html_table4(r: &Report, out: &mut String) {
    out.push_str("<table class=\"t4\"><caption>四、政府信息公开行政复议、行政诉讼情况</caption>\n<thead><tr>");
    cell(out, "行政复议", 1, 5, Kind::Col);
    cell(out, "行政诉讼", 1, 10, Kind::Col);
    out.push_str("</tr>\n<tr>");
    for o in T4Outcome::ALL {
        cell(out, o.label(), 2, 1, Kind::Col);
    }
    cell(out, "未经复议直接起诉", 1, 5, Kind::Col);
    cell(out, "复议后起诉", 1, 5, Kind::Col);
    out.push_str("</tr>\n<tr>");
    for _ in 0..2 {
        for o in T4Outcome::ALL {
            cell(out, o.label(), 1, 1, Kind::Col);
        }
    }
    out.push_str("</tr></thead>\n<tbody><tr>");
    for g in T4Group::ALL {
        for o in T4Outcome::ALL {
            cell(out, &cell_text(r.t4(*g, *o)), 1, 1, Kind::Data);
        }
    }
    out.push_str("</tr></tbody></table>\n");
}

/// A self-contained, printable, accessible HTML page in the official layout.
pub fn html(r: &Report) -> String {
    let title = r.title.as_ref().map_or("政府信息公开工作年度报告", |t| t.value.as_str());
    let mut out = String::with_capacity(24 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n<h1>{}</h1>\n",
        esc(title),
        esc(title)
    );
    for p in preamble(r) {
        let _ = writeln!(out, "<p>{}</p>", esc(&p.text));
    }
    for part in plan(r) {
        if let Some(h) = part.heading {
            let _ = writeln!(out, "<h2>{}</h2>", esc(h));
        }
        match part.table {
            Some(2) => html_table2(r, &mut out),
            Some(3) => html_table3(r, &mut out),
            Some(4) => html_table4(r, &mut out),
            _ => {}
        }
        for p in part.paras {
            let _ = writeln!(out, "<p>{}</p>", esc(&p.text));
        }
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests;
