//! Pre-2019 reports read as they are (issue 13 part 3, SPEC §2.4): the report's own numbered
//! outline (`一、概述` … `六、政府信息公开情况统计表`) and its 政府信息公开情况统计表 (indicator |
//! unit | one value per column, e.g. `2017年度` and `历年累计`), instead of the six sections
//! and tables 二–四 of 2019 and later.
//!
//! Both are read from the prose in document order, so a line-per-row export and a crawler's
//! one-line body (`…六、政府信息公开情况统计表指标名称计量单位2017年度历年累计主动公开文件数条
//! 212210037其中：1、政府网站公开数条2122100372、政府公报公开数条00…`) give the same result:
//!
//! * a heading is a Chinese numeral and `、` that continues the outline's numbering (一, then
//!   二 …), not inside a word (`第一、` is not one), cut at the first digit, bracket or
//!   punctuation and then after the last heading word (`情况`, `措施`, `统计表` …) within 30
//!   characters;
//! * a statistics row is a label, a unit word right before the first digit, and the digits up
//!   to the next label. An item number glued to the next label (`…00372、政府公报…`) goes back
//!   to it. A space is a cell boundary; a run of digits that must hold several cells is cut
//!   every way that starts no number with 0 and keeps `历年累计` ≥ the year's own value (the
//!   cumulative count includes the year): one way gives numbers (`inferred`), several give
//!   `ambiguous` cells with their candidates, never a guess.

use gongkai_model::doc::Grid;
use gongkai_model::normalize::is_cjk;
use gongkai_model::report::Located;
use gongkai_model::{Cell, CellValue, Para, Pre2019, Report, Src, StatRow};
use rust_decimal::Decimal;

/// Words that end a pre-2019 heading.
const HEADING_ENDS: &[&str] =
    &["概述", "情况", "措施", "打算", "统计表", "事项", "问题", "工作", "方向", "建议", "说明", "计划", "目标"];
/// Units of the statistics table's unit column, longest first.
const UNITS: &[&str] = &["人次", "万元", "条", "件", "个", "次", "元", "份", "项", "人", "场", "期", "篇", "天"];
/// A numeral of the outline (〇 … 十).
fn is_numeral(c: char) -> bool {
    c == '〇' || crate::crawl::is_numeral(c)
}

/// The text pieces of a report in document order: the preamble, then each section's
/// heading and paragraphs. A heading piece carries its section's `src`.
fn pieces(r: &Report) -> Vec<Para> {
    let mut out: Vec<Para> = r.preamble.clone();
    for s in &r.sections {
        out.push(Para { text: s.heading.clone(), src: s.src, verbatim: false });
        out.extend(s.paras.iter().cloned());
    }
    out
}

/// Read the outline and the statistics table of a pre-2019 report (from the prose, else
/// from a table grid of the document).
pub(crate) fn read(r: &Report, grids: &[&Grid]) -> Pre2019 {
    let pieces = pieces(r);
    let mut headings: Vec<Located<String>> = Vec::new();
    let mut stats_at: Option<(usize, usize)> = None;
    for (k, p) in pieces.iter().enumerate() {
        for (off, h) in headings_in(&p.text, headings.len() as u32 + 1) {
            if stats_at.is_none() && h.contains("统计表") {
                stats_at = Some((k, off + h.len()));
            }
            let len = h.len();
            headings.push(Located { value: h, src: p.src_at(off, len) });
        }
    }
    // A statistics table without a numbered heading of its own: a `…情况统计表` that a header
    // or a row follows (not the preamble's list of the report's parts).
    if stats_at.is_none() {
        stats_at = pieces.iter().enumerate().find_map(|(k, p)| {
            p.text
                .match_indices("情况统计表")
                .map(|(o, _)| o + "情况统计表".len())
                .find(|&e| {
                    let after = p.text[e..].trim_start_matches([' ', '\t', '|', '\u{3000}', ':', '：']);
                    after.is_empty()
                        || after.starts_with("指标")
                        || after.starts_with("项目")
                        || column_word(after).is_some()
                })
                .map(|e| (k, e))
        });
    }
    let (mut stats_columns, mut stats) = match stats_at {
        Some((k, off)) => stats_table(&pieces[k..], off),
        None => (Vec::new(), Vec::new()),
    };
    if stats.is_empty()
        && let Some((c, s)) = grids.iter().map(|g| grid_table(g)).find(|(_, s)| !s.is_empty())
    {
        (stats_columns, stats) = (c, s);
    }
    Pre2019 { headings, stats_columns, stats }
}

/// A statistics table given as a grid (HTML, DOCX, XLSX, TAB rows): a header row with
/// `指标名称`/`计量单位` and the column words, then rows of label, unit (when the cell is a
/// unit word) and one value per cell.
fn grid_table(g: &Grid) -> (Vec<String>, Vec<StatRow>) {
    let mut columns = Vec::new();
    let mut rows = Vec::new();
    for row in &g.rows {
        let cells: Vec<&gongkai_model::doc::GridCell> =
            row.iter().filter(|c| !c.spanned && !c.text.is_empty()).collect();
        let Some(first) = cells.first() else { continue };
        if first.text.starts_with("指标") || first.text.starts_with("项目") {
            columns = cells[1..]
                .iter()
                .map(|c| c.text.as_str())
                .filter(|t| column_word(t).is_some_and(|n| n == t.len()))
                .map(str::to_string)
                .collect();
            continue;
        }
        let (label, _) = label_and_unit(&first.text);
        let mut rest = &cells[1..];
        let unit = match rest.first() {
            Some(u) if UNITS.contains(&u.text.as_str()) => {
                rest = &rest[1..];
                u.text.to_string()
            }
            _ => String::new(),
        };
        if label.chars().filter(|c| is_cjk(*c)).count() < 2 || rest.is_empty() {
            continue;
        }
        let values: Vec<Cell> = rest.iter().map(|c| Cell::from_raw(&c.text, Some(c.src))).collect();
        if values.iter().all(|c| c.as_number().is_none()) {
            continue;
        }
        rows.push(StatRow { label, unit, cells: values, src: first.src });
    }
    (columns, rows)
}

/// The numbered headings of one text piece that continue the outline at `next` (1-based):
/// (byte offset of the numeral, heading text from the numeral on).
fn headings_in(t: &str, mut next: u32) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, c) in t.char_indices() {
        if !is_numeral(c) {
            continue;
        }
        // Not inside a word or a longer numeral (`第一、`, `十一、` is read from its start).
        if let Some(prev) = t[..i].chars().next_back()
            && (is_numeral(prev) || (is_cjk(prev) && !"。；：！？".contains(prev)))
        {
            continue;
        }
        let num_end = t[i..].char_indices().find(|(_, c)| !is_numeral(*c)).map_or(t.len(), |(e, _)| i + e);
        let Some(rest) = t[num_end..].strip_prefix('、') else { continue };
        if gongkai_model::normalize::chinese_numeral(&t[i..num_end]) != Some(next) {
            continue;
        }
        let Some(title) = heading_title(rest.trim_start_matches([' ', '\u{3000}'])) else { continue };
        out.push((i, format!("{}、{}", &t[i..num_end], title)));
        next += 1;
    }
    out
}

/// The heading words at the start of `rest` (after `一、`): up to the first digit, bracket
/// or punctuation, then (when prose follows in the same piece) after the last heading word
/// within 30 characters. None when nothing heading-like is there.
fn heading_title(rest: &str) -> Option<String> {
    let stop = rest
        .char_indices()
        .find(|(_, c)| c.is_ascii_digit() || "（(【[，。；：,;:！？!? \t\u{3000}".contains(*c))
        .map_or(rest.len(), |(e, _)| e);
    let head = &rest[..stop];
    let limit = head.char_indices().nth(30).map_or(head.len(), |(e, _)| e);
    let within = &head[..limit];
    let cut = HEADING_ENDS.iter().filter_map(|w| within.rfind(w).map(|e| e + w.len())).max();
    let title = match cut {
        Some(e) => &within[..e],
        // A short line of its own is a heading even without a heading word.
        None if stop == rest.len() && head.chars().count() <= 20 => head,
        None => return None,
    };
    (title.chars().count() >= 2 && title.chars().all(|c| is_cjk(c) || "、“”《》".contains(c)))
        .then(|| title.to_string())
}

/// Column words of the statistics table's header.
fn column_word(t: &str) -> Option<usize> {
    let b = t.as_bytes();
    if b.len() >= 4 && b[..4].iter().all(u8::is_ascii_digit) {
        let r = &t[4..];
        return r
            .strip_prefix("年度")
            .map(|_| 4 + "年度".len())
            .or_else(|| r.strip_prefix('年').map(|_| 4 + '年'.len_utf8()));
    }
    ["历年累计", "本年度", "上年度", "本年", "上年", "累计", "合计", "数量", "数值"]
        .iter()
        .find(|w| t.starts_with(*w))
        .map(|w| w.len())
}

/// The statistics table from piece 0 at byte `off` on: its value columns and rows.
fn stats_table(pieces: &[Para], off: usize) -> (Vec<String>, Vec<StatRow>) {
    let mut columns: Vec<String> = Vec::new();
    let mut rows: Vec<StatRow> = Vec::new();
    let mut pending_item: Option<String> = None;
    for (k, p) in pieces.iter().enumerate() {
        let mut t = &p.text[if k == 0 { off } else { 0 }..];
        // The header: 指标名称 计量单位 and the column words.
        loop {
            let s = t.trim_start_matches([' ', '\t', '|', '\u{3000}', ':', '：']);
            let skip =
                ["指标名称", "指标", "计量单位", "单位", "项目"].iter().find(|w| s.starts_with(*w)).map(|w| w.len());
            if let Some(n) = skip {
                t = &s[n..];
            } else if let Some(n) = column_word(s) {
                columns.push(s[..n].to_string());
                t = &s[n..];
            } else {
                t = s;
                break;
            }
        }
        let ncols = columns.len().max(1);
        // Rows: label, unit, digits.
        let mut at = p.text.len() - t.len();
        while at < p.text.len() {
            let rest = &p.text[at..];
            // The first digit after the label, past an item number that opens it (`其中：1、`).
            let mut d = 0;
            while let Some(x) = rest[d..].find(|c: char| c.is_ascii_digit()).map(|x| d + x) {
                let e = rest[x..].find(|c: char| !c.is_ascii_digit()).map_or(rest.len(), |e| x + e);
                let lead = rest[..x].trim_matches(|c: char| c.is_whitespace() || c == '|');
                let lead = lead.strip_prefix("其中").map_or(lead, |r| r.trim_start_matches([':', '：']));
                if lead.is_empty() && rest[e..].starts_with(['、', '．']) {
                    d = e;
                } else {
                    d = x;
                    break;
                }
            }
            if !rest[d..].starts_with(|c: char| c.is_ascii_digit()) {
                break;
            }
            let label_raw = &rest[..d];
            let vend =
                rest[d..].find(|c: char| !(c.is_ascii_digit() || " \t|.".contains(c))).map_or(rest.len(), |e| d + e);
            let mut run = &rest[d..vend];
            let next = &rest[vend..];
            // An item number glued to the next label: `…00372、政府公报…`.
            let mut item_next = None;
            if next.starts_with(['、', '.', '．']) {
                let want = pending_item.as_deref().and_then(|n| n.parse::<u32>().ok()).map_or(1, |n| n + 1).to_string();
                let trimmed = run.trim_end();
                let cut = if trimmed.ends_with(&want) && trimmed.len() > want.len() { want.len() } else { 1 };
                if trimmed.len() > cut {
                    item_next = Some(trimmed[trimmed.len() - cut..].to_string());
                    run = &trimmed[..trimmed.len() - cut];
                }
            }
            let consumed = vend - item_next.as_ref().map_or(0, String::len);
            let (label, unit) = label_and_unit(label_raw);
            let prose = label_raw.contains(['。', '，', '；', '！', '？', ',']) || label.chars().count() > 40;
            if prose || label.chars().filter(|c| is_cjk(*c)).count() < 2 {
                // Not a row (a date, a phone number in a closing line): the table has ended.
                if !rows.is_empty() {
                    return (columns, rows);
                }
                at += consumed.max(1);
                continue;
            }
            let src = p.src_at(at + d, run.trim_end().len());
            let cells = cut_cells(run.trim_end(), ncols, columns.iter().position(|c| c.contains("累计")), src);
            rows.push(StatRow { label, unit, cells, src: p.src_at(at, d + run.trim_end().len()) });
            pending_item = item_next.or_else(|| item_number(label_raw));
            at += consumed;
        }
    }
    (columns, rows)
}

/// The item number a label starts with (`其中：1、政府网站公开数` → 1).
fn item_number(label_raw: &str) -> Option<String> {
    let l = label_raw.trim_start_matches(|c: char| !c.is_ascii_digit() && !is_cjk(c));
    let l = l.strip_prefix("其中").map_or(l, |r| r.trim_start_matches([':', '：']));
    let n: String = l.chars().take_while(char::is_ascii_digit).collect();
    (!n.is_empty() && l[n.len()..].starts_with(['、', '.', '．'])).then_some(n)
}

/// A printed row label → (indicator, unit): `其中：` and the item number go, the unit word
/// right before the digits is the unit column.
fn label_and_unit(raw: &str) -> (String, String) {
    let mut l = raw.trim_matches(|c: char| c.is_whitespace() || c == '|' || c == '\u{3000}');
    if let Some(r) = l.strip_prefix("其中") {
        l = r.trim_start_matches([':', '：', ' ']);
    }
    let n = l.chars().take_while(char::is_ascii_digit).count();
    if n > 0 && l[n..].starts_with(['、', '.', '．']) {
        l = l[n..].trim_start_matches(['、', '.', '．', ' ']);
    }
    let mut unit = String::new();
    let body = l.trim_end_matches(|c: char| c.is_whitespace() || c == '|');
    for u in UNITS {
        if let Some(b) = body.strip_suffix(u)
            && !b.is_empty()
        {
            unit = (*u).to_string();
            l = b.trim_end_matches(|c: char| c.is_whitespace() || c == '|');
            break;
        }
    }
    (l.to_string(), unit)
}

/// The digits of one row into `n` cells (module doc). `cum`: the index of the cumulative
/// column, which is at least the year's own value (column 0).
fn cut_cells(run: &str, n: usize, cum: Option<usize>, src: Src) -> Vec<Cell> {
    let groups: Vec<&str> = run.split([' ', '\t', '|']).filter(|g| !g.is_empty()).collect();
    let mut found: Vec<Vec<&str>> = Vec::new();
    cuts(&groups, n, &mut Vec::new(), &mut found);
    found.retain(|parts| {
        let v = |i: usize| parts[i].parse::<Decimal>().ok();
        match cum {
            Some(c) if c > 0 && c < parts.len() => v(c) >= v(0),
            _ => true,
        }
    });
    let glued = groups.len() < n;
    match found.len() {
        0 => vec![Cell { value: CellValue::Unreadable, ..Cell::from_raw(run, Some(src)) }],
        1 => found[0]
            .iter()
            .map(|part| {
                let mut c = Cell::from_raw(part, Some(src));
                c.inferred = glued;
                c
            })
            .collect(),
        _ => (0..n)
            .map(|i| {
                let mut vals: Vec<Decimal> = found.iter().filter_map(|p| p[i].parse().ok()).collect();
                vals.sort();
                vals.dedup();
                let mut c = Cell::from_raw(run, Some(src));
                c.value = if vals.len() == 1 { CellValue::Number(vals[0]) } else { CellValue::Ambiguous(vals) };
                c.inferred = true;
                c
            })
            .collect(),
    }
}

/// Every way to cut the groups into `n` numbers (a group is never joined with the next; no
/// number of more than one digit starts with 0; a decimal point stays inside its number).
fn cuts<'a>(groups: &[&'a str], n: usize, parts: &mut Vec<&'a str>, out: &mut Vec<Vec<&'a str>>) {
    if out.len() > 64 {
        return;
    }
    let Some((g, rest)) = groups.split_first() else {
        if parts.len() == n {
            out.push(parts.clone());
        }
        return;
    };
    let left = n.saturating_sub(parts.len());
    if left < groups.len() {
        return;
    }
    // This group holds between 1 and (left - the other groups) numbers.
    let max_here = left - rest.len();
    split_group(g, max_here, &mut |pieces: &[&'a str]| {
        let k = parts.len();
        parts.extend_from_slice(pieces);
        cuts(rest, n, parts, out);
        parts.truncate(k);
    });
}

fn split_group<'a>(g: &'a str, max: usize, f: &mut dyn FnMut(&[&'a str])) {
    fn go<'a>(g: &'a str, max: usize, acc: &mut Vec<&'a str>, f: &mut dyn FnMut(&[&'a str])) {
        if g.is_empty() {
            f(acc);
            return;
        }
        if acc.len() == max {
            return;
        }
        for e in 1..=g.len() {
            let part = &g[..e];
            let ok = (part == "0" || !part.starts_with('0'))
                && !part.ends_with('.')
                && part.matches('.').count() <= 1
                && !g[e..].starts_with('.');
            if ok {
                acc.push(part);
                go(&g[e..], max, acc, f);
                acc.pop();
            }
        }
    }
    go(g, max, &mut Vec::new(), f);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outline_from_a_one_line_body() {
        let t = "电子邮箱：a@b.com一、概述2017年，我区不断深化公开。二、主动公开政府信息情况（一）数量。三、政府信息依申请公开工作情况 2017年未收到。四、因政府信息公开申请行政复议、提起行政诉讼的情况2017年未收到。五、存在的主要问题和改进措施虽然取得成效。六、政府信息公开情况统计表指标名称计量单位2017年度历年累计主动公开文件数条212210037";
        let h: Vec<String> = headings_in(t, 1).into_iter().map(|x| x.1).collect();
        assert_eq!(
            h,
            [
                "一、概述",
                "二、主动公开政府信息情况",
                "三、政府信息依申请公开工作情况",
                "四、因政府信息公开申请行政复议、提起行政诉讼的情况",
                "五、存在的主要问题和改进措施",
                "六、政府信息公开情况统计表"
            ]
        );
    }

    #[test]
    fn glued_runs_are_cut_or_left_ambiguous() {
        let src = Src::default();
        let c = cut_cells("00", 2, Some(1), src);
        assert_eq!(c.iter().map(|c| c.as_number().unwrap()).collect::<Vec<_>>(), [0.into(), 0.into()]);
        let c = cut_cells("212210037", 2, Some(1), src);
        assert!(matches!(&c[0].value, CellValue::Ambiguous(v) if v.contains(&2122.into())));
        assert!(matches!(&c[1].value, CellValue::Ambiguous(v) if v.contains(&10037.into())));
        let c = cut_cells("2122 10037", 2, Some(1), src);
        assert_eq!(c[1].as_number(), Some(10037.into()));
        assert!(!c[1].inferred);
        // Too few digits for the columns: unreadable, not invented.
        assert!(matches!(cut_cells("7", 2, None, src)[0].value, CellValue::Unreadable));
    }
}
