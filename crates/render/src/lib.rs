//! Writers for a [`Report`] in the official layout (SPEC §1.3–§1.6, §2.2): plain text in the
//! shapes real reports are exported in, a self-contained printable HTML page with the
//! template's row and column spans, Markdown and JSON. Pure: strings out, no IO.

use std::fmt::Write;

use gongkai_model::{Cell, CellValue, Col, FormatVersion, Report, SectionId, T2Col, T2Row, T3Row, T4Group, T4Outcome};

/// Shapes of plain-text exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextShape {
    /// Each cell on its own line starting with a TAB; rows separated by an empty line (a Word
    /// table copied as text, like the seed report).
    CellPerLine,
    /// Markdown tables (as PDF converters write them).
    Markdown,
    /// Cells separated by " | " without outer pipes.
    Pipe,
    /// One row per line: label, then values separated by spaces (a PDF text layer). A
    /// non-number cell prints as `-` here, since a blank cannot be represented.
    Lines,
}

pub const TEXT_SHAPES: [TextShape; 4] =
    [TextShape::CellPerLine, TextShape::Markdown, TextShape::Pipe, TextShape::Lines];

/// The header note of table 三 (SPEC §1.5).
pub const T3_NOTE: &str = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）";

fn cell_text(c: Option<&Cell>) -> String {
    match c {
        Some(c) => match &c.value {
            CellValue::Number(d) => d.to_string(),
            _ => c.raw.clone(),
        },
        None => String::new(),
    }
}

fn is_2021(r: &Report) -> bool {
    r.format != FormatVersion::F2019
}

/// One printed row: label cells and value cells.
struct Row {
    labels: Vec<String>,
    values: Vec<String>,
}

fn row(labels: &[&str], values: Vec<String>) -> Row {
    Row { labels: labels.iter().map(|s| s.to_string()).collect(), values }
}

/// Table 二 as printed rows (caption, header and data rows per block).
fn table2_rows(r: &Report) -> Vec<Row> {
    let f2021 = is_2021(r);
    let rows: &[T2Row] = if f2021 { T2Row::ROWS_2021 } else { T2Row::ROWS_2019 };
    let mut out = Vec::new();
    let mut block = "";
    for tr in rows {
        let cols: &[T2Col] = if f2021 { tr.cols_2021().unwrap_or(&[]) } else { tr.cols_2019() };
        if tr.block() != block {
            block = tr.block();
            out.push(row(&[block], Vec::new()));
            let mut head = vec!["信息内容"];
            head.extend(cols.iter().map(|c| c.label()));
            out.push(row(&head, Vec::new()));
        }
        let label = if f2021 || *tr != T2Row::Norm { tr.label() } else { "规范性文件" };
        let vals = cols.iter().map(|c| cell_text(r.table2.get(tr).and_then(|m| m.get(c)))).collect();
        out.push(row(&[label], vals));
    }
    out
}

/// Label cells of a table-三 row: level 1, level 2, level 3 (group labels only on the first
/// row of their group, as a Word table exported to text leaves them).
fn t3_labels(row: T3Row, first_in_group: bool, first_result: bool) -> [String; 3] {
    use T3Row::*;
    let l1 = if first_result { "三、本年度办理结果" } else { "" };
    match row {
        R1 | R2 | R4 => [row.label().to_string(), String::new(), String::new()],
        R3_1 | R3_2 | R3_6 | R3_7 => [l1.to_string(), row.label().to_string(), String::new()],
        _ => [
            l1.to_string(),
            if first_in_group { row.group_label().unwrap_or("").to_string() } else { String::new() },
            row.label().to_string(),
        ],
    }
}

fn t3_order(r: &Report) -> &'static [T3Row] {
    if is_2021(r) { T3Row::ROWS_2021 } else { T3Row::ROWS_2019 }
}

fn table3_rows(r: &Report) -> Vec<Row> {
    let mut out = vec![
        row(&[T3_NOTE], Vec::new()),
        row(&["申请人情况"], Vec::new()),
        row(&["自然人", "法人或其他组织", "总计"], Vec::new()),
        row(&["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"], Vec::new()),
    ];
    let mut prev_group = None;
    for (i, tr) in t3_order(r).iter().enumerate() {
        let g = tr.group_label();
        let first = g.is_some() && g != prev_group;
        prev_group = g;
        let labels = t3_labels(*tr, first, *tr == T3Row::R3_1);
        let vals = Col::ALL.iter().map(|c| cell_text(r.t3(*tr, *c))).collect();
        let _ = i;
        out.push(Row { labels: labels.to_vec(), values: vals });
    }
    out
}

fn table4_rows(r: &Report) -> Vec<Row> {
    let outcomes: Vec<&str> = T4Outcome::ALL.iter().map(|o| o.label()).collect();
    let mut h3 = outcomes.clone();
    h3.extend(outcomes.iter());
    let mut h2 = outcomes[..5].to_vec();
    h2.extend(["未经复议直接起诉", "复议后起诉"]);
    let vals = T4Group::ALL
        .iter()
        .flat_map(|g| T4Outcome::ALL.iter().map(move |o| (*g, *o)))
        .map(|(g, o)| cell_text(r.t4(g, o)))
        .collect();
    vec![
        row(&["行政复议", "行政诉讼"], Vec::new()),
        row(&h2, Vec::new()),
        row(&h3, Vec::new()),
        Row { labels: Vec::new(), values: vals },
    ]
}

fn write_rows(out: &mut String, rows: &[Row], shape: TextShape) {
    match shape {
        TextShape::CellPerLine => {
            for r in rows {
                for c in r.labels.iter().chain(&r.values) {
                    let _ = writeln!(out, "\t{c}");
                }
                out.push('\n');
            }
        }
        TextShape::Markdown | TextShape::Pipe => {
            for (i, r) in rows.iter().enumerate() {
                let cells: Vec<&str> = r.labels.iter().chain(&r.values).map(String::as_str).collect();
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
                let mut parts: Vec<&str> = r.labels.iter().filter(|s| !s.is_empty()).map(String::as_str).collect();
                let vals: Vec<String> =
                    r.values.iter().map(|v| if v.is_empty() { "-".to_string() } else { v.clone() }).collect();
                parts.extend(vals.iter().map(String::as_str));
                let _ = writeln!(out, "{}", parts.join(" "));
            }
        }
    }
    out.push('\n');
}

/// Preamble paragraphs other than the title line itself (the title is printed as the heading).
fn preamble(r: &Report) -> impl Iterator<Item = &gongkai_model::Para> {
    let title = r.title.as_ref().map(|t| t.value.as_str());
    r.preamble.iter().filter(move |p| Some(p.text.trim()) != title)
}

/// The report as plain text in one of the export shapes.
pub fn text(r: &Report, shape: TextShape) -> String {
    let mut out = String::with_capacity(16 * 1024);
    if let Some(t) = &r.title {
        let _ = writeln!(out, "{}\n", t.value);
    }
    for p in preamble(r) {
        let _ = writeln!(out, "{}", p.text);
    }
    for id in 1..=6u8 {
        let sec = r.section(id);
        let heading = sec.map_or(SectionId(id).official_heading(), |s| s.heading.as_str());
        let _ = writeln!(out, "{heading}");
        match id {
            2 => write_rows(&mut out, &table2_rows(r), shape),
            3 => write_rows(&mut out, &table3_rows(r), shape),
            4 => write_rows(&mut out, &table4_rows(r), shape),
            _ => {}
        }
        if let Some(s) = sec {
            for p in &s.paras {
                let _ = writeln!(out, "{}", p.text);
            }
        }
        out.push('\n');
    }
    out
}

/// The report as Markdown (merged cells cannot span in Markdown; they are left empty).
pub fn markdown(r: &Report) -> String {
    let mut out = String::new();
    if let Some(t) = &r.title {
        let _ = writeln!(out, "# {}\n", t.value);
    }
    for id in 1..=6u8 {
        let sec = r.section(id);
        let _ = writeln!(out, "## {}\n", sec.map_or(SectionId(id).official_heading(), |s| s.heading.as_str()));
        match id {
            2 => write_rows(&mut out, &table2_rows(r), TextShape::Markdown),
            3 => write_rows(&mut out, &table3_rows(r), TextShape::Markdown),
            4 => write_rows(&mut out, &table4_rows(r), TextShape::Markdown),
            _ => {}
        }
        if let Some(s) = sec {
            for p in &s.paras {
                let _ = writeln!(out, "{}\n", p.text);
            }
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
td.l,th.l{text-align:left}caption{font-weight:bold;text-align:left;padding:.3em 0}\
@media print{body{margin:0;max-width:none}@page{size:A4;margin:37mm 26mm 35mm 28mm}table{page-break-inside:auto}tr{page-break-inside:avoid}}";

fn td(out: &mut String, text: &str, rowspan: usize, colspan: usize, class: &str, th: bool) {
    let tag = if th { "th" } else { "td" };
    out.push('<');
    out.push_str(tag);
    if rowspan > 1 {
        let _ = write!(out, " rowspan=\"{rowspan}\"");
    }
    if colspan > 1 {
        let _ = write!(out, " colspan=\"{colspan}\"");
    }
    if !class.is_empty() {
        let _ = write!(out, " class=\"{class}\"");
    }
    if th {
        out.push_str(if rowspan > 1 || colspan > 1 { " scope=\"colgroup\"" } else { " scope=\"col\"" });
    }
    let _ = write!(out, ">{}</{tag}>", esc(text));
}

fn html_table2(r: &Report, out: &mut String) {
    let f2021 = is_2021(r);
    out.push_str("<table><caption>二、主动公开政府信息情况</caption>\n");
    let rows: &[T2Row] = if f2021 { T2Row::ROWS_2021 } else { T2Row::ROWS_2019 };
    let width = 4;
    let mut block = "";
    for tr in rows {
        let cols: &[T2Col] = if f2021 { tr.cols_2021().unwrap_or(&[]) } else { tr.cols_2019() };
        if tr.block() != block {
            block = tr.block();
            out.push_str("<tr>");
            td(out, block, 1, width, "", true);
            out.push_str("</tr>\n<tr>");
            td(out, "信息内容", 1, 1, "", true);
            let span = (width - 1) / cols.len().max(1);
            for c in cols {
                td(out, c.label(), 1, if cols.len() == 1 { width - 1 } else { span }, "", true);
            }
            if cols.len() == 2 {
                td(out, "", 1, 1, "", true);
            }
            out.push_str("</tr>\n");
        }
        out.push_str("<tr>");
        let label = if f2021 || *tr != T2Row::Norm { tr.label() } else { "规范性文件" };
        td(out, label, 1, 1, "l", false);
        for c in cols {
            let v = cell_text(r.table2.get(tr).and_then(|m| m.get(c)));
            td(out, &v, 1, if cols.len() == 1 { width - 1 } else { 1 }, "", false);
        }
        if cols.len() == 2 {
            td(out, "", 1, 1, "", false);
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
}

fn html_table3(r: &Report, out: &mut String) {
    let order = t3_order(r);
    out.push_str("<table><caption>三、收到和处理政府信息公开申请情况</caption>\n<thead><tr>");
    td(out, T3_NOTE, 3, 3, "", true);
    td(out, "申请人情况", 1, 7, "", true);
    out.push_str("</tr>\n<tr>");
    td(out, "自然人", 2, 1, "", true);
    td(out, "法人或其他组织", 1, 5, "", true);
    td(out, "总计", 2, 1, "", true);
    out.push_str("</tr>\n<tr>");
    for c in &Col::ALL[1..6] {
        td(out, c.label(), 1, 1, "", true);
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    let results = order.iter().filter(|x| !matches!(x, T3Row::R1 | T3Row::R2 | T3Row::R4)).count();
    let mut prev_group = None;
    for tr in order {
        out.push_str("<tr>");
        let g = tr.group_label();
        match tr {
            T3Row::R1 | T3Row::R2 | T3Row::R4 => td(out, tr.label(), 1, 3, "l", false),
            T3Row::R3_1 | T3Row::R3_2 | T3Row::R3_6 | T3Row::R3_7 => {
                if *tr == T3Row::R3_1 {
                    td(out, "三、本年度办理结果", results, 1, "", false);
                }
                td(out, tr.label(), 1, 2, "l", false);
            }
            _ => {
                if g != prev_group {
                    let n = order.iter().filter(|x| x.group_label() == g).count();
                    td(out, g.unwrap_or(""), n, 1, "", false);
                }
                td(out, tr.label(), 1, 1, "l", false);
            }
        }
        prev_group = g;
        for c in Col::ALL {
            td(out, &cell_text(r.t3(*tr, *c)), 1, 1, "", false);
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
}

fn html_table4(r: &Report, out: &mut String) {
    out.push_str("<table><caption>四、政府信息公开行政复议、行政诉讼情况</caption>\n<thead><tr>");
    td(out, "行政复议", 1, 5, "", true);
    td(out, "行政诉讼", 1, 10, "", true);
    out.push_str("</tr>\n<tr>");
    for o in T4Outcome::ALL {
        td(out, o.label(), 2, 1, "", true);
    }
    td(out, "未经复议直接起诉", 1, 5, "", true);
    td(out, "复议后起诉", 1, 5, "", true);
    out.push_str("</tr>\n<tr>");
    for _ in 0..2 {
        for o in T4Outcome::ALL {
            td(out, o.label(), 1, 1, "", true);
        }
    }
    out.push_str("</tr></thead>\n<tbody><tr>");
    for g in T4Group::ALL {
        for o in T4Outcome::ALL {
            td(out, &cell_text(r.t4(*g, *o)), 1, 1, "", false);
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
    for id in 1..=6u8 {
        let sec = r.section(id);
        let _ = writeln!(out, "<h2>{}</h2>", esc(sec.map_or(SectionId(id).official_heading(), |s| s.heading.as_str())));
        match id {
            2 => html_table2(r, &mut out),
            3 => html_table3(r, &mut out),
            4 => html_table4(r, &mut out),
            _ => {}
        }
        if let Some(s) = sec {
            for p in &s.paras {
                let _ = writeln!(out, "<p>{}</p>", esc(&p.text));
            }
        }
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongkai_synth::{SynthOptions, report};

    #[test]
    fn html_escapes_and_uses_the_template_spans() {
        let mut r = report(1, &SynthOptions::default());
        r.sections[0].paras[0].text = "<script>alert(\"x\")</script>&".into();
        let h = html(&r);
        assert!(h.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;"));
        assert!(!h.contains("<script>"));
        assert!(h.contains("rowspan=\"22\""), "2021: 三、本年度办理结果 spans 22 rows");
        assert!(h.contains("rowspan=\"8\"") && h.contains("colspan=\"7\"") && h.contains("colspan=\"10\""));
        let r19 = report(1, &SynthOptions { format: FormatVersion::F2019, ..Default::default() });
        assert!(html(&r19).contains("rowspan=\"20\""), "2019: 20 rows");
    }

    #[test]
    fn every_official_label_is_printed() {
        let r = report(3, &SynthOptions::default());
        for shape in TEXT_SHAPES {
            let t = text(&r, shape);
            for row in T3Row::ROWS_2021 {
                assert!(t.contains(row.label()), "{shape:?} {row}");
            }
            for g in
                ["行政复议", "未经复议直接起诉", "复议后起诉", T3_NOTE, "本年制发件数", "本年收费金额（单位：万元）"]
            {
                assert!(t.contains(g), "{shape:?} {g}");
            }
            for id in 1..=6 {
                assert!(t.contains(SectionId(id).official_heading()));
            }
        }
    }
}
