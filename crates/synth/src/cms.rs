//! A report page as content-management systems and office converters publish it: the
//! official tables of a clean HTML page (`gongkai_render::html`) rewritten the ways real sites
//! write them. Each variation is a switch, so a test can name the one a parser misreads:
//!
//! - [`Cms::digits`]: numbers with thousands separators (`1,234`, `1，234`) or in full-width
//!   digits (`１２３`);
//! - [`Cms::markup`]: every `<th>` written as `<td>`, cell text wrapped in `<p><span …>`, `&nbsp;`
//!   padding, `<br>` inside long labels, table 三's body split over several `<tbody>`s;
//! - [`Cms::spaced`]: short labels justified with spaces between the characters (`规　　章`,
//!   `申 请 人 情 况`), as Word's distributed alignment exports them;
//! - [`Cms::unnumbered`]: table 三's sub-row labels without their item numbers;
//! - [`Cms::serial`]: table 三 with a 序号 column numbering its rows;
//! - [`Cms::continued`]: table 三 split into two `<table>`s (`续表`, header repeated or not);
//! - [`Cms::layout`]: (PDF text) cells aligned with runs of spaces, `pdftotext -layout`;
//! - [`Cms::wrapped`]: (PDF text) long labels and table 二's headers wrapped onto two lines;
//! - [`Cms::t2_order`]: table 二's 本年制发件数/本年废止件数/现行有效件数 columns in another order
//!   (header and values moved together).
//!
//! The input is the renderer's page (one `<tr>` per template row, cells without nested
//! markup); the values do not change, so the truth is the report the page was written from.

use crate::Rng;

/// How numbers in value cells are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Digits {
    #[default]
    Plain,
    /// Thousands grouped with `,` or the full-width `，` (drawn per page).
    Thousands,
    /// Every digit (and the decimal point) full width: `１２．５`.
    FullWidth,
}

/// Which rewrites to apply.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cms {
    pub digits: Digits,
    pub markup: bool,
    pub spaced: bool,
    pub t2_order: bool,
    /// Table 三's labels without their item numbers (`属于国家秘密` for `1.属于国家秘密`,
    /// `予以公开` for `（一）予以公开`).
    pub unnumbered: bool,
    /// Table 三 with a 序号 column before the labels, numbering its value rows 1, 2, ….
    pub serial: bool,
    /// PDF text only: long labels wrapped as a narrow column wraps them, the head of the
    /// label on a line of its own and the rest before the values (`（二）部分公开（区分处理的，只计这`
    /// / `一情形，不计其他情形） 7 0 0 0 0 0 7`), and table 二's column headers with `件数` on a
    /// second line, and table 四's values over two lines (复议's five, then 诉讼's ten).
    pub wrapped: bool,
    /// PDF text only: columns aligned as `pdftotext -layout` aligns them (runs of two or more
    /// spaces between cells), and spaced-out labels with single ASCII spaces.
    pub layout: bool,
    /// Table 三 continued in a second `<table>` after a page break (a Word table over two
    /// pages): sometimes a `续表` line between them, sometimes the header rows repeated.
    pub continued: bool,
}

/// One table cell of a row: its tag name (`th`/`td`), attributes and inner text.
struct CellTag<'a> {
    tag: &'a str,
    attrs: &'a str,
    inner: &'a str,
}

/// The cells of one `<tr>…</tr>` (the renderer's flat cells), None if it has another shape.
fn cells(row: &str) -> Option<Vec<CellTag<'_>>> {
    let mut out = Vec::new();
    let mut rest = row.strip_prefix("<tr>")?.strip_suffix("</tr>")?;
    while !rest.is_empty() {
        let tag = rest.get(1..3)?;
        let open_end = rest.find('>')?;
        let close = format!("</{tag}>");
        let end = rest.find(&close)?;
        out.push(CellTag { tag, attrs: &rest[3..open_end], inner: &rest[open_end + 1..end] });
        rest = &rest[end + close.len()..];
    }
    Some(out)
}

/// `n` grouped by thousands with `sep` (the integer part only).
fn grouped(n: &str, sep: &str) -> String {
    let (int, frac) = n.split_once('.').map_or((n, None), |(a, b)| (a, Some(b)));
    let digits: Vec<char> = int.chars().collect();
    let mut s = String::new();
    for (i, c) in digits.iter().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            s.push_str(sep);
        }
        s.push(*c);
    }
    if let Some(f) = frac {
        s.push('.');
        s.push_str(f);
    }
    s
}

fn full_width(n: &str) -> String {
    n.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(c as u32 - '0' as u32 + 0xFF10).unwrap_or(c),
            '.' => '．',
            c => c,
        })
        .collect()
}

/// A label of 2–6 ideographs (`规章`, `申请人情况`): the ones Word justifies.
fn is_short_label(label: &str) -> bool {
    (2..=6).contains(&label.chars().count()) && label.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// `label` with spaces between its characters when it is short (see [`is_short_label`]).
fn spaced(rng: &mut Rng, label: &str) -> String {
    let n = label.chars().count();
    if !is_short_label(label) {
        return label.to_string();
    }
    let gap = *rng.pick(&[" ", "\u{3000}", "&nbsp;", "  "]);
    let gap = if n == 2 { gap.repeat(2) } else { gap.to_string() };
    label.chars().map(String::from).collect::<Vec<_>>().join(&gap)
}

/// `label` with a `<br>` after one of its characters (labels over 8 characters).
fn broken(rng: &mut Rng, label: &str) -> String {
    let chars: Vec<char> = label.chars().collect();
    if chars.len() <= 8 || label.contains('&') {
        return label.to_string();
    }
    let at = rng.range(3, chars.len() as u64 - 3) as usize;
    let (a, b) = chars.split_at(at);
    format!("{}<br>{}", a.iter().collect::<String>(), b.iter().collect::<String>())
}

/// `label` without a leading item number (`1.`, `（一）`).
fn unnumbered(label: &str) -> &str {
    let digits = label.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0
        && let Some(rest) = label[digits..].strip_prefix('.')
        && rest.chars().next().is_some_and(|c| !c.is_ascii())
    {
        return rest;
    }
    if let Some(rest) = label.strip_prefix('（')
        && let Some((n, tail)) = rest.split_once('）')
        && n.chars().count() == 1
        && "一二三四五六七".contains(n)
    {
        return tail;
    }
    label
}

/// A value cell's text written per `digits`.
fn number(rng: &mut Rng, digits: Digits, sep: &str, text: &str) -> String {
    let is_num = !text.is_empty() && text.chars().all(|c| c.is_ascii_digit() || c == '.');
    match digits {
        Digits::Thousands if is_num && rng.chance(80) => grouped(text, sep),
        Digits::FullWidth if is_num => full_width(text),
        _ => text.to_string(),
    }
}

/// The orders of table 二's three columns other than the official one.
const PERMS: [[usize; 3]; 5] = [[1, 0, 2], [2, 0, 1], [0, 2, 1], [1, 2, 0], [2, 1, 0]];

/// A row of four cells with the last three in the order `perm`.
fn permuted<'a>(row: &[&'a str], perm: [usize; 3]) -> Vec<&'a str> {
    std::iter::once(row[0]).chain(perm.iter().map(|p| row[p + 1])).collect()
}

/// Table 二's three-column rows (header and values of the 第（一）项 block) permuted by `perm`.
fn permute_t2(table: &str, perm: [usize; 3]) -> String {
    let mut out = String::with_capacity(table.len());
    let mut rest = table;
    while let Some(start) = rest.find("<tr>") {
        out.push_str(&rest[..start]);
        let Some(len) = rest[start..].find("</tr>").map(|e| e + 5) else { break };
        let row = &rest[start..start + len];
        match cells(row) {
            Some(c) if c.len() == 4 && c.iter().all(|x| !x.attrs.contains("colspan")) => {
                out.push_str("<tr>");
                for k in std::iter::once(0).chain(perm.iter().map(|p| p + 1)) {
                    out.push_str(&format!("<{0}{1}>{2}</{0}>", c[k].tag, c[k].attrs, c[k].inner));
                }
                out.push_str("</tr>");
            }
            _ => out.push_str(row),
        }
        rest = &rest[start + len..];
    }
    out.push_str(rest);
    out
}

/// The page with the chosen rewrites applied to its tables; `seed` draws the details (the
/// separator, the gaps, where a `<br>` goes, the column order).
pub fn cms_page(html: &str, cms: Cms, seed: u64) -> String {
    let mut rng = Rng::new(seed ^ 0xc35_7a6e);
    let sep = if rng.chance(50) { "," } else { "，" };
    let perm = *rng.pick(&PERMS);
    let mut out = String::with_capacity(html.len() * 2);
    let mut rest = html;
    while let Some(start) = rest.find("<table") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("</table>").map_or(rest.len(), |e| start + e + "</table>".len());
        let mut table = rest[start..end].to_string();
        if cms.t2_order && table.starts_with("<table class=\"t2\"") {
            table = permute_t2(&table, perm);
        }
        out.push_str(&rewrite_table(&mut rng, &table, cms, sep));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn rewrite_table(rng: &mut Rng, table: &str, cms: Cms, sep: &str) -> String {
    let t3 = table.starts_with("<table class=\"t3\"");
    let mut out = String::with_capacity(table.len() * 2);
    let mut rest = table;
    let mut body_rows = 0;
    let (mut serial, mut serial_head) = (0, false);
    // Table 三's header rows as printed (repeated on a continuation), and where it breaks.
    let mut header = String::new();
    let split_at = rng.range(4, 18);
    while let Some(start) = rest.find("<tr>") {
        out.push_str(&rest[..start]);
        let Some(len) = rest[start..].find("</tr>").map(|e| e + 5) else { break };
        let row = &rest[start..start + len];
        rest = &rest[start + len..];
        let Some(cs) = cells(row) else {
            out.push_str(row);
            continue;
        };
        let data_row = cs.iter().any(|c| c.tag == "td");
        if t3 && !data_row {
            header.push_str(row);
        }
        if cms.continued && t3 && data_row && body_rows == split_at {
            out.push_str("</tbody></table>\n");
            if rng.chance(50) {
                out.push_str("<p>续表</p>\n");
            }
            out.push_str("<table>");
            if rng.chance(50) {
                out.push_str("<thead>");
                out.push_str(&header);
                out.push_str("</thead>");
            }
            out.push_str("<tbody>\n");
        }
        if t3 && data_row {
            body_rows += 1;
        }
        if cms.markup && t3 && data_row {
            // A converter that closes the body every few rows.
            if body_rows % 7 == 0 {
                out.push_str("</tbody>\n<tbody>");
            }
        }
        out.push_str(if cms.markup { "<tr style=\"height:20px\">" } else { "<tr>" });
        if cms.serial && t3 {
            if data_row {
                serial += 1;
                out.push_str(&format!("<td>{serial}</td>"));
            } else if serial == 0 && !serial_head {
                serial_head = true;
                out.push_str("<th rowspan=\"3\">序号</th>");
            }
        }
        for c in cs {
            let text = if c.tag == "td" {
                number(rng, cms.digits, sep, c.inner)
            } else {
                let mut t = c.inner.to_string();
                if cms.unnumbered && t3 {
                    t = unnumbered(&t).to_string();
                }
                if cms.spaced {
                    t = spaced(rng, &t);
                }
                if cms.markup {
                    t = broken(rng, &t);
                }
                t
            };
            if cms.markup {
                let pad = if rng.chance(30) { "&nbsp;" } else { "" };
                let tail = if rng.chance(20) { "&nbsp;&nbsp;" } else { "" };
                out.push_str(&format!(
                    "<td{} valign=\"center\" width=\"{}\"><p style=\"text-align:center\"><span style=\"font-family:仿宋_GB2312;font-size:12pt\">{pad}{text}{tail}</span></p></td>",
                    c.attrs,
                    rng.range(30, 120)
                ));
            } else {
                out.push_str(&format!("<{0}{1}>{text}</{0}>", c.tag, c.attrs));
            }
        }
        out.push_str("</tr>");
    }
    out.push_str(rest);
    out
}

/// A PDF text layer of the table regions (the renderer's one-row-per-line text, cells
/// separated by single spaces) with the same rewrites: numbers per [`Cms::digits`], short
/// labels spaced out with full-width spaces (a single ASCII space would split a cell), item
/// numbers dropped, table 三's rows numbered in front, labels wrapped, table 二's columns
/// reordered. [`Cms::markup`] and [`Cms::continued`] have no text form and are ignored.
pub fn pdf_lines(text: &str, cms: Cms, seed: u64) -> String {
    let mut rng = Rng::new(seed ^ 0x9df_11e5);
    let sep = if rng.chance(50) { "," } else { "，" };
    let mut out = String::with_capacity(text.len() * 2);
    let mut in_tables = false;
    let (mut in_t3, mut serial, mut in_t2a) = (false, 0, false);
    let perm = *rng.pick(&PERMS);
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches('\n');
        if body.starts_with("二、主动公开政府信息情况") {
            in_tables = true;
        } else if body.starts_with("五、") {
            in_tables = false;
        }
        if !in_tables || body.starts_with(['二', '三', '四']) && body.contains("、") && !body.contains(' ') {
            out.push_str(line);
            continue;
        }
        if body.contains("第二十条") {
            in_t2a = body.contains("第（一）项");
        }
        let mut raw: Vec<&str> = body.split(' ').collect();
        if cms.t2_order && in_t2a && raw.len() == 4 {
            raw = permuted(&raw, perm);
        }
        let tokens: Vec<String> = raw
            .into_iter()
            .map(|t| {
                let t = if cms.unnumbered { unnumbered(t) } else { t };
                let n = number(&mut rng, cms.digits, sep, t);
                if cms.spaced && is_short_label(t) {
                    let gap = match (cms.layout, rng.chance(50)) {
                        (true, _) => " ",
                        (false, true) => "\u{3000}",
                        (false, false) => "\u{3000}\u{3000}",
                    };
                    t.chars().map(String::from).collect::<Vec<_>>().join(gap)
                } else {
                    n
                }
            })
            .collect();
        let mut tokens = tokens;
        if body.starts_with("三、收到和处理") {
            in_t3 = true;
        } else if body.starts_with("四、") {
            in_t3 = false;
        }
        if cms.serial
            && in_t3
            && tokens.len() > 7
            && tokens.last().is_some_and(|t| t.starts_with(|c: char| matches!(c, '0'..='9' | '０'..='９')))
        {
            serial += 1;
            tokens.insert(0, serial.to_string());
        }
        if cms.wrapped {
            wrap(&mut rng, &mut out, &mut tokens);
        }
        for (k, t) in tokens.iter().filter(|t| !t.is_empty()).enumerate() {
            if k > 0 {
                out.push_str(if cms.layout { &"      "[..rng.range(2, 6) as usize] } else { " " });
            }
            out.push_str(t);
        }
        out.push_str(&line[body.len()..]);
    }
    out
}

/// Wrap a PDF text row the way a narrow column does: table 四's values break after the five of
/// 行政复议; a header row of 件数 columns prints
/// `件数` on a second line; a label of more than 14 characters before values prints its
/// head on a line of its own. What goes on the earlier line is written to `out`.
fn wrap(rng: &mut Rng, out: &mut String, tokens: &mut [String]) {
    // Table 四's one row of 15 values: 行政复议's five on one line, 行政诉讼's ten on the next.
    if tokens.len() == 15
        && tokens.iter().all(|t| t.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '０'..='９')))
    {
        out.push_str(&tokens[..5].join(" "));
        out.push('\n');
        tokens[..5].iter_mut().for_each(String::clear);
        return;
    }
    if tokens.len() > 2 && tokens[1..].iter().all(|t| t.ends_with("件数")) {
        let heads: Vec<&str> = tokens.iter().map(|t| t.strip_suffix("件数").unwrap_or(t)).collect();
        out.push_str(&heads.join(" "));
        out.push('\n');
        for t in tokens.iter_mut() {
            *t = if t.ends_with("件数") { "件数".to_string() } else { String::new() };
        }
        let kept: Vec<String> = tokens.iter().filter(|t| !t.is_empty()).cloned().collect();
        tokens.iter_mut().for_each(String::clear);
        tokens[0] = kept.join(" ");
        return;
    }
    let Some(last) = tokens.iter().rposition(|t| t.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))) else {
        return;
    };
    let chars: Vec<char> = tokens[last].chars().collect();
    if last + 1 == tokens.len() || chars.len() <= 14 {
        return;
    }
    let at = rng.range(8, chars.len() as u64 - 3) as usize;
    let head: String = chars[..at].iter().collect();
    for t in &tokens[..last] {
        out.push_str(t);
        out.push(' ');
    }
    out.push_str(&head);
    out.push('\n');
    tokens[last] = chars[at..].iter().collect();
    tokens[..last].iter_mut().for_each(String::clear);
}

/// A Markdown page from a converter (the renderer's Markdown shape) with the cell rewrites:
/// numbers per [`Cms::digits`]; labels spaced with `&nbsp;` or full-width spaces, without item
/// numbers; with [`Cms::markup`], `<br>` inside long labels and `&nbsp;` padding (what
/// converters write for a line break and an indent inside a cell); table 二's columns
/// reordered. [`Cms::serial`], [`Cms::continued`] and the PDF switches are ignored.
pub fn markdown(text: &str, cms: Cms, seed: u64) -> String {
    let mut rng = Rng::new(seed ^ 0x3d_0a1c);
    let sep = if rng.chance(50) { "," } else { "，" };
    let perm = *rng.pick(&PERMS);
    let mut in_t2a = false;
    let mut out = String::with_capacity(text.len() * 2);
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches('\n');
        let Some(inner) = body.strip_prefix('|').and_then(|b| b.strip_suffix('|')) else {
            out.push_str(line);
            continue;
        };
        if inner.trim_start().starts_with("---") {
            out.push_str(line);
            continue;
        }
        if body.contains("第二十条") {
            in_t2a = body.contains("第（一）项");
        }
        let mut cells: Vec<&str> = inner.split('|').collect();
        if cms.t2_order && in_t2a && cells.len() == 4 && !body.contains("第二十条") {
            cells = permuted(&cells, perm);
        }
        out.push('|');
        for cell in cells {
            let t = cell.trim();
            let n = number(&mut rng, cms.digits, sep, t);
            let mut c = if n != t || t.is_empty() || t.as_bytes()[0].is_ascii_digit() && !t.contains('.') {
                n
            } else {
                let mut l = if cms.unnumbered { unnumbered(t).to_string() } else { t.to_string() };
                if cms.spaced {
                    l = spaced(&mut rng, &l);
                }
                if cms.markup {
                    l = broken(&mut rng, &l);
                }
                l
            };
            if cms.markup && rng.chance(30) {
                c = format!("&nbsp;&nbsp;{c}");
            }
            out.push_str(&format!(" {c} |"));
        }
        out.push_str(&line[body.len()..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_group_and_widen() {
        assert_eq!(grouped("1234567", ","), "1,234,567");
        assert_eq!(grouped("123", ","), "123");
        assert_eq!(grouped("1234.50", "，"), "1，234.50");
        assert_eq!(full_width("12.5"), "１２．５");
    }

    #[test]
    fn rows_are_rewritten_cell_by_cell() {
        let t = "<table class=\"t2\"><tbody><tr><th scope=\"row\">规章</th><td>1</td><td>2</td><td>3</td></tr></tbody></table>";
        let p = permute_t2(t, [2, 0, 1]);
        assert!(p.contains("<th scope=\"row\">规章</th><td>3</td><td>1</td><td>2</td>"), "{p}");
        let mut rng = Rng::new(1);
        assert!(spaced(&mut rng, "规章").chars().count() >= 4);
        assert_eq!(spaced(&mut rng, "一、本年新收政府信息公开申请数量"), "一、本年新收政府信息公开申请数量");
        assert!(broken(&mut rng, "一、本年新收政府信息公开申请数量").contains("<br>"));
    }
}
