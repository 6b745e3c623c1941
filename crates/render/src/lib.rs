//! Writers for a [`Report`] in the official layout (SPEC §1.3–§1.6, §2.2): plain text in the
//! shapes real reports are exported in, a self-contained printable HTML page with the
//! template's row and column spans, Markdown and JSON. Pure: strings out, no IO.

use std::fmt::Write;

use gongkai_model::{Report, SectionId};

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

pub mod layout;

pub use layout::T3_NOTE;
use layout::{Kind, Table, TextCell, preamble};

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

fn write_rows(out: &mut String, rows: &[Vec<TextCell<'_>>], shape: TextShape) {
    match shape {
        TextShape::CellPerLine => {
            for r in rows {
                for c in r {
                    let _ = writeln!(out, "\t{}", c.text);
                }
                out.push('\n');
            }
        }
        TextShape::Markdown | TextShape::Pipe => {
            for (i, r) in rows.iter().enumerate() {
                let cells: Vec<&str> = r.iter().map(|c| c.text).collect();
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
                    .iter()
                    .filter_map(|c| match c.value {
                        None => (!c.text.is_empty()).then_some(c.text),
                        Some(true) => Some(c.text),
                        Some(false) => Some("-"),
                    })
                    .collect();
                let _ = writeln!(out, "{}", parts.join(" "));
            }
        }
    }
    out.push('\n');
}

/// A table in a text shape: Word's export of merged cells for the cell-per-line and lines
/// shapes, the template grid for the Markdown and pipe shapes.
fn write_table(out: &mut String, r: &Report, id: u8, shape: TextShape) {
    let Some(t) = layout::table(r, id) else { return };
    let rows = match shape {
        TextShape::CellPerLine | TextShape::Lines => t.word_rows(),
        TextShape::Markdown | TextShape::Pipe => t.grid_rows(),
    };
    write_rows(out, &rows, shape);
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

fn cell(out: &mut String, c: &layout::LCell) {
    let tag = if c.kind == Kind::Data { "td" } else { "th" };
    out.push('<');
    out.push_str(tag);
    if c.rowspan > 1 {
        let _ = write!(out, " rowspan=\"{}\"", c.rowspan);
    }
    if c.colspan > 1 {
        let _ = write!(out, " colspan=\"{}\"", c.colspan);
    }
    match c.kind {
        // A spanning header heads every column (row) it covers (HTML table model); the
        // group scopes would need <colgroup>/<tbody> groups, which the template lacks.
        Kind::Caption | Kind::ColHead => out.push_str(" scope=\"col\""),
        Kind::RowHead => out.push_str(" scope=\"row\" class=\"l\""),
        Kind::Note => out.push_str(" class=\"note\""),
        Kind::Data => {}
    }
    let _ = write!(out, ">{}</{tag}>", esc(&c.text));
}

fn html_row(out: &mut String, t: &Table, row: usize) {
    out.push_str("<tr>");
    for c in t.row_cells(row) {
        cell(out, c);
    }
    out.push_str("</tr>");
}

/// A table with the template's spans. Table 二 is a `<tbody>` per block (its caption and
/// header rows, then its rows); tables 三 and 四 put their header rows in `<thead>`.
fn html_table(out: &mut String, t: &Table) {
    let _ = writeln!(out, "<table class=\"t{}\"><caption>{}</caption>", t.id, esc(t.caption));
    if t.header_rows == 0 {
        let mut open = false;
        for row in 0..t.rows {
            if t.row_cells(row).next().is_some_and(|c| c.kind == Kind::Caption) {
                if open {
                    out.push_str("</tbody>\n");
                }
                out.push_str("<tbody>");
                open = true;
            }
            html_row(out, t, row);
            out.push('\n');
        }
        if open {
            out.push_str("</tbody>\n");
        }
        out.push_str("</table>\n");
        return;
    }
    out.push_str("<thead>");
    for row in 0..t.header_rows {
        if row > 0 {
            out.push('\n');
        }
        html_row(out, t, row);
    }
    out.push_str("</thead>\n<tbody>");
    // A body of one row stays on one line.
    let nl = if t.rows - t.header_rows > 1 { "\n" } else { "" };
    out.push_str(nl);
    for row in t.header_rows..t.rows {
        html_row(out, t, row);
        out.push_str(nl);
    }
    out.push_str("</tbody></table>\n");
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
        if let Some(t) = part.table.and_then(|id| layout::table(r, id)) {
            html_table(&mut out, &t);
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
