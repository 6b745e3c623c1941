//! Crawler exports: a website crawler's text dump of a report page. Optional metadata lines
//! (`标题: …`, `发布机构: …`) and a `==== 正文 ====` separator, page chrome (breadcrumbs,
//! share buttons, `-->`, `附件下载`), then the whole body on one line with the table cells
//! run together (`…本年新收政府信息公开申请数量152010018二、上年结转…`).
//!
//! The front end finds the rows of tables 二/三/四 by their fixed labels in their fixed
//! order, cuts the digits after each label off (an item number glued to the next label,
//! `00000002.其他法律…`, goes back to that label) and recovers the cells with one solver over
//! the whole table ([`solve_t3`]): each row's own total first (E3, E4), then the column
//! identities E1/E2 only to choose among splits the rows leave open, and only identities
//! that some candidate satisfies (an identity the report breaks whatever the split is never
//! decides anything). Cells still open are [`CellValue::Ambiguous`] with their candidates
//! and a `P3` finding names the candidate splits; nothing is guessed. The prose is cut at
//! the section headings. The recovered tables go to the shared interpreter as grids, so
//! sections, format and metadata are read exactly as for any other shape.

use gongkai_model::doc::{Block, Doc, Grid, GridCell, LineIndex};
use gongkai_model::normalize::{is_invisible, norm_char};
use gongkai_model::report::Located;
use gongkai_model::{CellValue, Col, Finding, Para, Report, Severity, Src, T2Col, T2Row, T3Row, T4Group, T4Outcome};
use rust_decimal::Decimal;

use crate::labels::{SECTION_KEYS, t2_row_keys, t3_row_keys};
use crate::split::{Cuts, count_part, digits_value, split_all};

/// Candidate splits kept per row or table before a cell is called ambiguous without them.
const CAP: usize = 1024;
/// Combinations of row candidates the table-wide step examines at most.
const MAX_COMBOS: usize = 100_000;

/// Whether `text` is a crawler export: a `==== 正文 ====` separator line among the first 40
/// lines, or a line of at least 1,000 bytes holding table 三 with its first row's digits
/// glued to the label.
pub fn detect(text: &str) -> bool {
    detect_doc(&crate::text::text_to_doc(text).doc)
}

/// [`detect`] on the text front end's reading of the text. Every text input is read by the
/// text front end first and only its lines are looked at here (a few hundred paragraphs:
/// no pass over the bytes of an ordinary report); a crawler export is then read again by
/// [`crawl_to_doc`].
pub fn detect_doc(doc: &Doc) -> bool {
    let paras = || doc.blocks.iter().filter_map(|b| if let Block::Para(p) = b { Some(p) } else { None });
    paras().take(40).any(|p| p.text.len() < 200 && is_separator(&p.text))
        || paras().any(|p| p.text.len() >= 1000 && glued_table_line(&p.text))
}

/// A line holding `申请人情况` and the R1 label with a digit right after it.
fn glued_table_line(l: &str) -> bool {
    const R1: &str = "本年新收政府信息公开申请数量";
    l.contains("申请人情况")
        && l.match_indices(R1).any(|(i, _)| {
            l[i + R1.len()..].trim_start_matches([' ', '\u{3000}', '\u{a0}']).starts_with(|c: char| c.is_ascii_digit())
        })
}

fn is_separator(l: &str) -> bool {
    let t = l.trim();
    t.starts_with("===") && t.ends_with("===") && t.trim_matches('=').trim() == "正文"
}

/// Metadata keys of the header (`标题: …`).
const META_KEYS: &[&str] = &["标题", "发布时间", "文号", "发布机构", "栏目", "原文链接", "本地目录", "来源", "索引号"];

/// A cell the interpreter reads as text and this front end sets afterwards.
#[derive(Debug, Clone)]
enum Slot {
    T2(T2Row, T2Col),
    T3(T3Row, Col),
    T4(T4Group, T4Outcome),
}

#[derive(Debug, Clone)]
struct Fix {
    slot: Slot,
    /// Candidates of an ambiguous cell (None: a number read from a split).
    ambiguous: Option<Vec<Decimal>>,
    /// The cell's text as printed, when it differs from the grid cell's.
    raw: Option<String>,
}

/// The document, plus what to apply to the report after interpretation.
#[derive(Debug)]
pub struct CrawlDoc {
    pub doc: Doc,
    fixes: Vec<Fix>,
    findings: Vec<Finding>,
    organ: Option<Located<String>>,
}

/// The byte view of one body line: every character normalised ([`norm_char`]), whitespace
/// as one ASCII space, invisible characters dropped; `map[i]` is the source offset of view
/// byte `i` (one entry past the end for the line's end).
struct View {
    s: String,
    map: Vec<usize>,
}

impl View {
    fn new(text: &str, start: usize, end: usize) -> View {
        let mut s = String::with_capacity(end - start);
        let mut map = Vec::with_capacity(end - start + 1);
        for (i, c) in text[start..end].char_indices() {
            if is_invisible(c) {
                continue;
            }
            let n = if c.is_whitespace() || c == '\u{3000}' { ' ' } else { norm_char(c) };
            let at = s.len();
            s.push(n);
            map.extend(std::iter::repeat_n(start + i, s.len() - at));
        }
        map.push(end);
        View { s, map }
    }
    fn orig(&self, i: usize) -> usize {
        self.map[i.min(self.map.len() - 1)]
    }
    fn find(&self, key: &str, from: usize, to: usize) -> Option<usize> {
        let to = to.min(self.s.len());
        if from >= to {
            return None;
        }
        let mut to = to;
        while !self.s.is_char_boundary(to) {
            to += 1;
        }
        let mut from = from;
        while !self.s.is_char_boundary(from) {
            from += 1;
        }
        // memmem (SIMD prefilter) finds what `str::find` finds: a UTF-8 needle in UTF-8 text
        // only matches at character boundaries.
        memchr::memmem::find(&self.s.as_bytes()[from..to], key.as_bytes()).map(|i| i + from)
    }
    fn find_any(&self, keys: &[&str], from: usize, to: usize) -> Option<(usize, usize)> {
        keys.iter().filter_map(|k| self.find(k, from, to).map(|i| (i, i + k.len()))).min()
    }
    fn byte(&self, i: usize) -> u8 {
        self.s.as_bytes().get(i).copied().unwrap_or(0)
    }
}

/// Where a row's label ends: after its key, through the rest of the label up to the first
/// digit (a space before a digit ends it too). `limit` bounds the label's length.
fn label_end(v: &View, from: usize, limit: usize) -> usize {
    let b = v.s.as_bytes();
    let mut i = from;
    let stop = (from + limit).min(b.len());
    while i < stop {
        if b[i].is_ascii_digit() {
            break;
        }
        if b[i] == b' ' && b[i + 1..].iter().find(|c| **c != b' ').is_some_and(u8::is_ascii_digit) {
            break;
        }
        i += 1;
    }
    while i < b.len() && !v.s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// The digit run at `from` (digits and spaces, plus `.`/`-` and a unit when `signed_decimal`),
/// as (start, end) in the view, spaces trimmed; None when there is no digit.
fn run_at(v: &View, from: usize, signed_decimal: bool) -> Option<(usize, usize)> {
    let b = v.s.as_bytes();
    let mut i = from;
    while i < b.len() && b[i] == b' ' {
        i += 1;
    }
    let start = i;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b' ' || signed_decimal && matches!(b[i], b'.' | b'-')) {
        i += 1;
    }
    let mut end = i;
    while end > start && b[end - 1] == b' ' {
        end -= 1;
    }
    (end > start && b[start..end].iter().any(u8::is_ascii_digit)).then_some((start, end))
}

/// Units printed after an amount or count (`3128000.50元`).
const UNITS: &[&str] = &["万元", "元", "件", "个", "项", "条"];

struct Cx<'a> {
    text: &'a str,
    li: &'a LineIndex,
    fixes: Vec<Fix>,
    findings: Vec<Finding>,
    grids: u16,
    /// Body lines in which table 三 was read.
    table_lines: usize,
}

impl Cx<'_> {
    fn src(&self, v: &View, s: usize, e: usize) -> Src {
        self.li.src(self.text, v.orig(s), v.orig(e))
    }
    fn cell(&self, v: &View, text: &str, s: usize, e: usize) -> GridCell {
        GridCell { text: text.into(), src: self.src(v, s, e), spanned: false }
    }
}

/// A table found in a line: its span in the view and its grid.
struct Found {
    start: usize,
    end: usize,
    grid: Grid,
}

/// Turn a crawler export into blocks (see the module documentation).
pub fn crawl_to_doc(text: &str) -> CrawlDoc {
    let li = LineIndex::new(text);
    let mut cx = Cx { text, li: &li, fixes: Vec::new(), findings: Vec::new(), grids: 0, table_lines: 0 };
    let mut blocks = Vec::new();
    let mut organ = None;
    let mut offsets = Vec::new();
    let mut at = 0;
    for l in text.split_inclusive('\n') {
        let body = l.trim_end_matches(['\n', '\r']);
        offsets.push((at, at + body.len()));
        at += l.len();
    }
    let sep = offsets.iter().take(40).position(|&(s, e)| is_separator(&text[s..e]));
    let mut in_header = true;
    for (k, &(s, e)) in offsets.iter().enumerate() {
        let line = &text[s..e];
        let t = line.trim();
        if t.is_empty() || Some(k) == sep {
            if Some(k) == sep {
                in_header = false;
            }
            continue;
        }
        if in_header && sep.is_none_or(|p| k < p) {
            if let Some((key, value)) = meta_line(t) {
                let (vs, ve) = {
                    let off = s + (line.len() - line.trim_start().len());
                    let vstart = off + t.len() - value.len();
                    (vstart, vstart + value.len())
                };
                match key {
                    // The title line is kept as a paragraph: the interpreter reads `标题:` lines.
                    "标题" if !value.is_empty() => blocks.push(Block::Para(para(text, &li, s, e))),
                    // The address too: when nothing else gives the year, it may (`YearBasis::Url`).
                    "原文链接" | "来源" if value.contains("://") => {
                        blocks.push(Block::Para(para(text, &li, s, e)))
                    }
                    "发布机构" if !value.is_empty() => {
                        organ = Some(Located { value: value.to_string(), src: li.src(text, vs, ve) })
                    }
                    _ => {}
                }
                continue;
            }
            if sep.is_some() {
                // Header lines other than metadata (`页面链接与图片详见 …`) are not the report.
                continue;
            }
            in_header = false;
        }
        body_line(&mut cx, text, s, e, &mut blocks);
    }
    CrawlDoc { doc: Doc { blocks, title_hint: None }, fixes: cx.fixes, findings: cx.findings, organ }
}

fn meta_line(t: &str) -> Option<(&'static str, &str)> {
    META_KEYS.iter().find_map(|k| {
        let r = t.strip_prefix(k)?.trim_start();
        let r = r.strip_prefix(':').or_else(|| r.strip_prefix('：'))?;
        Some((*k, r.trim()))
    })
}

fn para(text: &str, li: &LineIndex, s: usize, e: usize) -> Para {
    let (s, e) = gongkai_model::space::trim_range(text.as_bytes(), s, e, gongkai_model::space::Bom::Space);
    Para { text: text[s..e].to_string(), src: li.src(text, s, e), verbatim: true }
}

/// Page chrome at the start of a body line: everything up to the last `-->` in its first
/// 2,000 bytes, or share/version buttons; at its end: `附件下载` and the like.
fn strip_chrome(line: &str) -> (usize, usize) {
    let mut s = 0;
    let head = &line[..floor(line, 2000)];
    if let Some(i) = head.rfind("-->") {
        s = i + 3;
    } else {
        for w in ["全真版 文字版", "QQ空间", "文字版"] {
            if let Some(i) = head.find(w)
                && (line.starts_with("当前位置") || line[..i].contains("首页"))
            {
                s = s.max(i + w.len());
            }
        }
    }
    let mut e = line.len();
    loop {
        let t = line[s..e].trim_end();
        let cut =
            ["附件下载", "文件下载", "打印本页", "关闭窗口", "【打印】", "【关闭】"].iter().find(|w| t.ends_with(*w));
        match cut {
            Some(w) => e = s + t.len() - w.len(),
            None => break,
        }
    }
    (s, e)
}

fn floor(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn body_line(cx: &mut Cx, text: &str, s: usize, e: usize, blocks: &mut Vec<Block>) {
    let (cs, ce) = strip_chrome(&text[s..e]);
    let (s, e) = (s + cs, s + ce);
    if text[s..e].trim().is_empty() {
        return;
    }
    let v = View::new(text, s, e);
    let mut tables: Vec<Found> = Vec::new();
    // A report has one body line with tables; a hostile file with thousands of such lines
    // would run the solver for each, so only the first two are read as tables.
    if cx.table_lines >= 2 {
        prose(cx, &v, 0, v.s.len(), blocks);
        return;
    }
    let t3 = table3(cx, &v);
    if t3.is_some() {
        cx.table_lines += 1;
    }
    let t3_start = t3.as_ref().map_or(v.s.len(), |t| t.start);
    if let Some(t2) = table2(cx, &v, t3_start) {
        tables.push(t2);
    }
    let after = t3.as_ref().map_or(0, |t| t.end);
    if let Some(t) = t3 {
        tables.push(t);
    }
    if let Some(t4) = table4(cx, &v, after) {
        tables.push(t4);
    }
    tables.sort_by_key(|t| t.start);
    let mut at = 0;
    for t in tables {
        if t.start < at {
            continue;
        }
        prose(cx, &v, at, t.start, blocks);
        blocks.push(Block::Table(t.grid));
        at = t.end;
    }
    prose(cx, &v, at, v.s.len(), blocks);
}

/// Words of the pre-2019 headings (SPEC §2.4) that the six sections' keys do not cover: a
/// heading with one of them is cut out as its own paragraph too (the interpreter decides
/// what it is).
const PRE2019_HEADING_KEYS: &[&str] = &["统计表", "依申请公开", "行政复议", "收费及减免", "改进措施"];

/// Words a section heading ends with.
const HEADING_ENDS: &[&str] = &["情况", "措施", "事项", "概述", "问题", "打算", "统计表", "计划"];

/// Prose between tables: cut at the section headings, each heading its own paragraph.
fn prose(cx: &Cx, v: &View, from: usize, to: usize, blocks: &mut Vec<Block>) {
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    let b = v.s.as_bytes();
    let mut i = from;
    while i < to {
        let c = v.s[i..].chars().next().unwrap_or(' ');
        let len = c.len_utf8();
        if is_numeral(c) && !v.s[..i].ends_with(|p: char| p == '(' || p == '第' || is_numeral(p)) {
            let mut j = i;
            while j < to && v.s[j..].starts_with(is_numeral) {
                j += v.s[j..].chars().next().map_or(1, char::len_utf8);
            }
            if j < to && b[j] == b',' && text_at(cx.text, v, j).is_some_and(|o| o == '、') {
                if let Some(end) = heading_end(cx.text, v, j + 1, to) {
                    cuts.push((i, end));
                    i = end;
                    continue;
                }
            }
        }
        i += len;
    }
    let mut at = from;
    for (hs, he) in cuts {
        push_para(cx, v, at, hs, blocks);
        push_para(cx, v, hs, he, blocks);
        at = he;
    }
    push_para(cx, v, at, to, blocks);
}

/// A numeral 一 … 十 of an outline heading (`一、`). A `match`: asked of every character of
/// the prose, a search of a string of numerals cost a substring search each time.
pub(crate) fn is_numeral(c: char) -> bool {
    matches!(c, '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十')
}

/// The source character at view offset `i`.
fn text_at(text: &str, v: &View, i: usize) -> Option<char> {
    text.get(v.orig(i)..)?.chars().next()
}

/// The end of a section heading whose text starts at view offset `from` (after `一、`), or
/// None when no section key is in it.
fn heading_end(text: &str, v: &View, from: usize, to: usize) -> Option<usize> {
    let b = v.s.as_bytes();
    let mut i = from;
    while i < to && b[i] == b' ' {
        i += 1;
    }
    // The window: up to 40 characters, ending at a digit, bracket, sentence mark or a comma
    // that is not the 、 inside a heading (`行政复议、行政诉讼`).
    let mut end = i;
    let mut n = 0;
    while end < to && n < 40 {
        let c = v.s[end..].chars().next()?;
        if c.is_ascii_digit()
            || matches!(c, '(' | '.' | ' ' | ':' | ';' | '!' | '?' | '"' | '[')
            || c == ',' && text_at(text, v, end) != Some('、')
        {
            break;
        }
        end += c.len_utf8();
        n += 1;
    }
    let w = &v.s[i..end];
    let keyed = |t: &str| {
        SECTION_KEYS.iter().any(|keys| keys.iter().any(|k| t.contains(k)))
            || PRE2019_HEADING_KEYS.iter().any(|k| t.contains(k))
    };
    // The longest prefix that ends like a heading and holds a section key.
    let best = HEADING_ENDS
        .iter()
        .flat_map(|e| w.match_indices(e).map(move |(k, _)| k + e.len()))
        .filter(|k| keyed(&w[..*k]))
        .max();
    match best {
        Some(k) => Some(i + k),
        None if keyed(w) && n <= 20 => Some(end),
        None => None,
    }
}

fn push_para(cx: &Cx, v: &View, s: usize, e: usize, blocks: &mut Vec<Block>) {
    let (os, oe) = (v.orig(s), v.orig(e));
    if cx.text[os..oe].trim().is_empty() {
        return;
    }
    blocks.push(Block::Para(para(cx.text, cx.li, os, oe)));
}

// ---- table 三 --------------------------------------------------------------------------------

/// One row found in the text: its label span, its run and the run's tokens (view spans).
struct RowRun {
    label: (usize, usize),
    run: Option<(usize, usize)>,
    tokens: Vec<(usize, usize)>,
}

fn tokens(v: &View, (s, e): (usize, usize)) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let b = v.s.as_bytes();
    let mut i = s;
    while i < e {
        while i < e && b[i] == b' ' {
            i += 1;
        }
        let t = i;
        while i < e && b[i] != b' ' {
            i += 1;
        }
        if i > t {
            out.push((t, i));
        }
    }
    out
}

/// The label keys of a row as searched in the view.
fn t3_keys(r: T3Row) -> &'static [&'static str] {
    match r {
        // "3.其他" needs the item number; the view keeps it before the label.
        T3Row::R3_6_3 => &["3.其他"],
        T3Row::R3_6 => &["(六)其他处理"],
        r => t3_row_keys(r),
    }
}

/// Whether a row's printed label starts with an item number (`2.其他法律…`).
fn numbered(r: T3Row) -> bool {
    r.group_label().is_some()
}

fn table3(cx: &mut Cx, v: &View) -> Option<Found> {
    let (r1s, r1e) = v.find_any(t3_row_keys(T3Row::R1), 0, v.s.len())?;
    let r1_label_end = label_end(v, r1e, 120);
    run_at(v, r1_label_end, false)?;
    let sub_rows = ["逾期不补正", "缴纳费用"].iter().any(|k| v.find(k, r1s, v.s.len()).is_some());
    let order = if sub_rows { T3Row::ROWS_2021 } else { T3Row::ROWS_2019 };
    // The table's start: its header note or 申请人情况, when close before R1.
    let head_from = r1s.saturating_sub(900);
    let start = [v.find("(本列数据", head_from, r1s), v.find("申请人情况", head_from, r1s)]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(r1s);
    let mut rows: Vec<(T3Row, RowRun)> = Vec::new();
    let mut cursor = r1s;
    let mut end = r1s;
    for (k, r) in order.iter().enumerate() {
        let window = if k == 0 { 1 } else { 400 };
        let Some((ks, ke)) = v.find_any(t3_keys(*r), cursor, cursor + window + 200) else { continue };
        let le = label_end(v, ke, 160);
        let mut run = run_at(v, le, false);
        // An item number glued to the next label belongs to it: `00000002.其他法律…`.
        if let Some((rs, re)) = run
            && let Some(next) = order.get(k + 1)
            && numbered(*next)
            && matches!(v.byte(re), b'.' | b',')
            && v.byte(re - 1).is_ascii_digit()
        {
            run = (re - 1 > rs).then_some((rs, re - 1));
            if let Some((rs2, re2)) = run {
                let mut re2 = re2;
                while re2 > rs2 && v.byte(re2 - 1) == b' ' {
                    re2 -= 1;
                }
                run = (re2 > rs2).then_some((rs2, re2));
            }
        }
        let toks = run.map(|r| tokens(v, r)).unwrap_or_default();
        cursor = run.map_or(le, |r| r.1);
        end = end.max(cursor);
        rows.push((*r, RowRun { label: (ks, le), run, tokens: toks }));
    }
    let solved = solve_t3(cx, v, &rows);
    // The grid: header rows, then per row its canonical label and seven cells.
    let hs = cx.src(v, start, start);
    let h = |t: &str| GridCell { text: t.into(), src: hs, spanned: false };
    let mut grid_rows = vec![
        vec![h("申请人情况")],
        vec![h("自然人"), h("法人或其他组织"), h("总计")],
        vec![h("商业企业"), h("科研机构"), h("社会公益组织"), h("法律服务机构"), h("其他")],
    ];
    let mut seen_group = None;
    for (r, rr) in &rows {
        let Some(cells) = solved.rows.iter().find(|(sr, _)| sr == r).map(|(_, c)| c) else { continue };
        let mut row = Vec::new();
        let ls = rr.label;
        if *r == T3Row::R3_1 {
            row.push(cx.cell(v, "三、本年度办理结果", ls.0, ls.1));
        }
        if let Some(g) = r.group_label()
            && seen_group != Some(g)
        {
            seen_group = Some(g);
            row.push(cx.cell(v, g, ls.0, ls.1));
        }
        row.push(cx.cell(v, r.label(), ls.0, ls.1));
        for (c, cell) in Col::ALL.iter().zip(cells) {
            row.push(place(cx, v, cell, Slot::T3(*r, *c)));
        }
        grid_rows.push(row);
    }
    cx.findings.extend(solved.findings);
    cx.grids += 1;
    let grid = Grid { index: cx.grids, src: cx.src(v, start, end), rows: grid_rows };
    Some(Found { start, end, grid })
}

/// A solved cell: a part of a run (view span), or an ambiguous cell over the whole run.
#[derive(Debug, Clone)]
enum Solved {
    /// Read as printed (`inferred` when cut out of a longer run).
    Part {
        span: (usize, usize),
        inferred: bool,
    },
    Ambiguous {
        run: (usize, usize),
        values: Vec<Decimal>,
    },
}

fn place(cx: &mut Cx, v: &View, s: &Solved, slot: Slot) -> GridCell {
    match s {
        Solved::Part { span, inferred } => {
            let raw = &v.s[span.0..span.1];
            if *inferred {
                cx.fixes.push(Fix { slot, ambiguous: None, raw: None });
            }
            cx.cell(v, raw, span.0, span.1)
        }
        Solved::Ambiguous { run, values } => {
            // The grid cell holds a candidate so that the interpreter reads it as a value
            // (a printed run with its unit would read as label text); `apply` then makes it
            // ambiguous with the run as printed.
            let raw = cx.text[v.orig(run.0)..v.orig(run.1)].trim().to_string();
            cx.fixes.push(Fix { slot, ambiguous: Some(values.clone()), raw: Some(raw) });
            cx.cell(v, &values[0].to_string(), run.0, run.1)
        }
    }
}

struct T3Solved {
    rows: Vec<(T3Row, Vec<Solved>)>,
    findings: Vec<Finding>,
}

/// Spans of the parts of a split, given the tokens (view spans) it cut.
fn part_spans(v: &View, toks: &[(usize, usize)], parts: &[&str]) -> Vec<(usize, usize)> {
    let mut out = Vec::with_capacity(parts.len());
    let mut pi = 0;
    for &(s, e) in toks {
        let mut at = s;
        while at < e && pi < parts.len() {
            let p = parts[pi];
            debug_assert_eq!(&v.s[at..at + p.len()], p);
            out.push((at, at + p.len()));
            at += p.len();
            pi += 1;
        }
    }
    out
}

/// The table-三 solver: each row's splits that satisfy its own total (E3), then, across the
/// table, the column identities E1 and E2 to narrow rows left with several splits; an
/// identity that no combination satisfies is broken by the report itself and decides
/// nothing. Cells whose value differs among the remaining candidates are ambiguous.
fn solve_t3(cx: &Cx, v: &View, rows: &[(T3Row, RowRun)]) -> T3Solved {
    let mut findings = Vec::new();
    // Per row: the candidate splits as values, and their parts.
    struct Cand<'a> {
        row: T3Row,
        toks: Vec<&'a str>,
        spans: &'a [(usize, usize)],
        splits: Vec<Vec<&'a str>>,
        split_needed: bool,
        run: (usize, usize),
    }
    let mut cands: Vec<Cand> = Vec::new();
    for (r, rr) in rows {
        let Some(run) = rr.run else { continue };
        let toks: Vec<&str> = rr.tokens.iter().map(|&(s, e)| &v.s[s..e]).collect();
        let name = || format!("表三“{}”行", r.display_name());
        let cut = e3_cuts(&toks);
        let splits = match cut {
            _ if toks.len() == 7 && toks.iter().all(|t| count_part(t)) => vec![toks.clone()],
            Cuts::Found(c, false) if !c.is_empty() => c,
            Cuts::Found(c, true) => {
                findings.push(
                    p3(
                        cx,
                        format!(
                            "{}的数字连在一起（“{}”），符合“总计=各列之和”的拆分超过{}种，无法确定，未采用",
                            name(),
                            toks.join(" "),
                            c.len()
                        ),
                        v,
                        run,
                    )
                    .cells(Col::ALL.iter().map(|c| format!("table3.{}.{}", r.id(), c.id()))),
                );
                continue;
            }
            Cuts::Found(..) => {
                findings.push(p3(
                    cx,
                    format!(
                        "{}的数字连在一起（“{}”），没有一种拆分符合“总计=各列之和”(E3)，数值未采用",
                        name(),
                        toks.join(" ")
                    ),
                    v,
                    run,
                ));
                continue;
            }
            Cuts::TooLarge => {
                findings.push(
                    p3(
                        cx,
                        format!(
                            "{}的数字连在一起（“{}”），拆分方式超过搜索上限，无法确定，未采用",
                            name(),
                            toks.join(" ")
                        ),
                        v,
                        run,
                    )
                    .cells(Col::ALL.iter().map(|c| format!("table3.{}.{}", r.id(), c.id()))),
                );
                continue;
            }
        };
        cands.push(Cand { row: *r, split_needed: toks.len() != 7, toks, spans: &rr.tokens, splits, run });
    }
    // Table-wide step over the rows left open.
    let open: Vec<usize> = (0..cands.len()).filter(|i| cands[*i].splits.len() > 1).collect();
    let combos: usize =
        open.iter().try_fold(1usize, |a, i| a.checked_mul(cands[*i].splits.len())).unwrap_or(usize::MAX);
    let mut narrowed_by_columns = false;
    if !open.is_empty() && combos <= MAX_COMBOS {
        let with_sub = cands.iter().any(|c| matches!(c.row, T3Row::R3_6_1 | T3Row::R3_6_2 | T3Row::R3_6_3));
        let results: Vec<T3Row> = T3Row::result_rows(with_sub).collect();
        // Candidate of row `r` (by id) and its values, looked up in O(1) per combination.
        let mut at: Vec<Option<usize>> = vec![None; T3Row::ALL.len()];
        for (i, c) in cands.iter().enumerate() {
            at[c.row as usize] = Some(i);
        }
        let values: Vec<Vec<[u64; 7]>> = cands
            .iter()
            .map(|c| c.splits.iter().map(|s| std::array::from_fn(|k| digits_value(s[k]))).collect())
            .collect();
        let mut choice = vec![0usize; cands.len()];
        let mut masks: Vec<(Vec<usize>, u32)> = Vec::with_capacity(combos);
        for k in 0..combos {
            let mut rest = k;
            for &i in &open {
                choice[i] = rest % cands[i].splits.len();
                rest /= cands[i].splits.len();
            }
            let val = |r: T3Row, c: usize| at[r as usize].map(|i| values[i][choice[i]][c]);
            let mut mask = 0u32;
            for c in 0..7 {
                // E1: R1 + R2 = R3.7 + R4.
                if let (Some(a), Some(b), Some(t), Some(d)) =
                    (val(T3Row::R1, c), val(T3Row::R2, c), val(T3Row::R3_7, c), val(T3Row::R4, c))
                    && a + b == t + d
                {
                    mask |= 1 << c;
                }
                // E2: R3.7 = the sum of the result rows.
                let parts: Option<u64> = results.iter().map(|r| val(*r, c)).sum();
                if let (Some(t), Some(p)) = (val(T3Row::R3_7, c), parts)
                    && t == p
                {
                    mask |= 1 << (7 + c);
                }
            }
            masks.push((open.iter().map(|i| choice[*i]).collect(), mask));
        }
        let usable = masks.iter().fold(0u32, |a, m| a | m.1);
        let keep: Vec<&Vec<usize>> = masks.iter().filter(|m| m.1 & usable == usable).map(|m| &m.0).collect();
        if !keep.is_empty() && keep.len() < combos {
            narrowed_by_columns = true;
            for (slot, &i) in open.iter().enumerate() {
                let mut idx: Vec<usize> = keep.iter().map(|c| c[slot]).collect();
                idx.sort_unstable();
                idx.dedup();
                let splits = std::mem::take(&mut cands[i].splits);
                cands[i].splits = idx.into_iter().map(|k| splits[k].clone()).collect();
            }
        }
    }
    let mut out = Vec::new();
    let mut split_rows = Vec::new();
    for c in &cands {
        let first = part_spans(v, c.spans, &c.splits[0]);
        let mut cells = Vec::with_capacity(7);
        let mut open_cells = Vec::new();
        for (k, span) in first.iter().enumerate() {
            let mut values: Vec<u64> = c.splits.iter().map(|s| digits_value(s[k])).collect();
            values.sort_unstable();
            values.dedup();
            if values.len() == 1 {
                cells.push(Solved::Part { span: *span, inferred: c.split_needed });
            } else {
                open_cells.push(format!("table3.{}.{}", c.row.id(), Col::ALL[k].id()));
                cells.push(Solved::Ambiguous { run: c.run, values: values.into_iter().map(Decimal::from).collect() });
            }
        }
        if open_cells.is_empty() {
            if c.split_needed {
                split_rows.push(c.row.display_name());
            }
        } else {
            let alts: Vec<String> = c.splits.iter().map(|s| s.join("|")).collect();
            findings.push(
                p3(
                    cx,
                    format!(
                        "表三“{}”行的数字连在一起（“{}”），有{}种拆分都符合勾稽关系：{}；无法确定，{}个单元格标为“有歧义”，未作猜测",
                        c.row.display_name(),
                        c.toks.join(" "),
                        alts.len(),
                        alts.join("；"),
                        open_cells.len()
                    ),
                    v,
                    c.run,
                )
                .cells(open_cells),
            );
        }
        out.push((c.row, cells));
    }
    if !split_rows.is_empty() {
        let how = if narrowed_by_columns {
            "按“总计=各列之和”(E3)及列间勾稽关系(E1/E2)"
        } else {
            "按“总计=各列之和”(E3)"
        };
        findings.push(Finding::new(
            "P4",
            Severity::Info,
            format!("表三有{}行的数字连在一起，已{}唯一拆分：{}", split_rows.len(), how, split_rows.join("、")),
        ));
    }
    T3Solved { rows: out, findings }
}

/// The splits of a table-三 row's tokens into seven counts that satisfy E3, up to [`CAP`]:
/// for each way to take the total (总计) off the end of the last token, the rest is cut into
/// six counts with a running sum that may not pass the total, so long runs stay cheap.
fn e3_cuts<'t>(toks: &[&'t str]) -> Cuts<'t> {
    let Some((last, init)) = toks.split_last() else { return Cuts::Found(Vec::new(), false) };
    let mut all: Vec<Vec<&'t str>> = Vec::new();
    for l in 1..=last.len().min(15) {
        let tot_s: &'t str = &last[last.len() - l..];
        if !count_part(tot_s) {
            continue;
        }
        let tot = digits_value(tot_s);
        let mut head: Vec<&'t str> = init.to_vec();
        if l < last.len() {
            head.push(&last[..last.len() - l]);
        }
        let check = |p: &[&str]| {
            let sum: u64 = p.iter().map(|x| digits_value(x)).sum();
            if p.len() < 6 { sum <= tot } else { sum == tot }
        };
        match split_all(&head, 6, &|_, p| count_part(p), &check, CAP - all.len()) {
            Cuts::TooLarge => return Cuts::TooLarge,
            Cuts::Found(found, capped) => {
                all.extend(found.into_iter().map(|mut x| {
                    x.push(tot_s);
                    x
                }));
                if capped || all.len() >= CAP {
                    return Cuts::Found(all, true);
                }
            }
        }
    }
    Cuts::Found(all, false)
}

fn p3(cx: &Cx, msg: String, v: &View, run: (usize, usize)) -> Finding {
    Finding::new("P3", Severity::Warning, msg).at(Some(cx.src(v, run.0, run.1)))
}

// ---- table 四 --------------------------------------------------------------------------------

fn table4(cx: &mut Cx, v: &View, after: usize) -> Option<Found> {
    // The header row: the last 行政复议 before the first 结果维持 (the section heading
    // `四、政府信息公开行政复议、行政诉讼情况` names it too).
    let first_outcome = v.find("结果维持", after, v.s.len())?;
    let start = v.s[after..first_outcome].rfind("行政复议").map(|i| i + after)?;
    let head_end = [v.find("复议后起诉", start, start + 600), v.find("未经复议直接起诉", start, start + 600)]
        .into_iter()
        .flatten()
        .max()?;
    // The values follow the last header word (总计 / 尚未审结 …).
    let le = label_end(v, head_end, 400);
    let run = run_at(v, le, false)?;
    let toks = tokens(v, run);
    let strs: Vec<&str> = toks.iter().map(|&(s, e)| &v.s[s..e]).collect();
    let e4 = |p: &[&str]| crate::split::e4_groups(&p.iter().map(|x| digits_value(x)).collect::<Vec<_>>());
    let splits = if strs.len() == 15 && strs.iter().all(|t| count_part(t)) {
        vec![strs.clone()]
    } else {
        match split_all(&strs, 15, &|_, p| count_part(p), &e4, CAP) {
            Cuts::Found(c, false) if !c.is_empty() => c,
            _ => {
                cx.findings.push(p3(
                    cx,
                    format!(
                        "表四的数字连在一起（“{}”），没有唯一可采用的拆分符合“总计=各项之和”(E4)，未采用",
                        strs.join(" ")
                    ),
                    v,
                    run,
                ));
                return None;
            }
        }
    };
    let split_needed = strs.len() != 15;
    let first = part_spans(v, &toks, &splits[0]);
    let hs = cx.src(v, start, start);
    let h = |t: &str| GridCell { text: t.into(), src: hs, spanned: false };
    let outcomes: Vec<GridCell> = T4Outcome::ALL.iter().map(|o| h(o.label())).collect();
    let mut h2 = outcomes.clone();
    h2.extend([h("未经复议直接起诉"), h("复议后起诉")]);
    let mut h3 = vec![h(""); 5];
    h3.extend(outcomes.iter().cloned().chain(outcomes.iter().cloned()));
    let mut values = Vec::with_capacity(15);
    let mut open = Vec::new();
    let slots: Vec<(T4Group, T4Outcome)> =
        T4Group::ALL.iter().flat_map(|g| T4Outcome::ALL.iter().map(move |o| (*g, *o))).collect();
    for (k, span) in first.iter().enumerate() {
        let mut vals: Vec<u64> = splits.iter().map(|s| digits_value(s[k])).collect();
        vals.sort_unstable();
        vals.dedup();
        let (g, o) = slots[k];
        let solved = if vals.len() == 1 {
            Solved::Part { span: *span, inferred: split_needed }
        } else {
            open.push(format!("table4.{}.{}", g.id(), o.id()));
            Solved::Ambiguous { run, values: vals.into_iter().map(Decimal::from).collect() }
        };
        values.push(place(cx, v, &solved, Slot::T4(g, o)));
    }
    if !open.is_empty() {
        let alts: Vec<String> = splits.iter().map(|s| s.join("|")).collect();
        cx.findings.push(
            p3(
                cx,
                format!(
                    "表四的数字连在一起（“{}”），有{}种拆分都符合“总计=各项之和”(E4)：{}；无法确定，{}个单元格标为“有歧义”，未作猜测",
                    strs.join(" "),
                    alts.len(),
                    alts.join("；"),
                    open.len()
                ),
                v,
                run,
            )
            .cells(open),
        );
    } else if split_needed {
        cx.findings.push(Finding::new("P4", Severity::Info, "表四的数字连在一起，已按“总计=各项之和”(E4)唯一拆分"));
    }
    cx.grids += 1;
    let rows = vec![vec![h("行政复议"), h("行政诉讼")], h2, h3, values];
    let grid = Grid { index: cx.grids, src: cx.src(v, start, run.1), rows };
    Some(Found { start, end: run.1, grid })
}

// ---- table 二 --------------------------------------------------------------------------------

/// Whether a part is a valid printed value of a table-二 column.
fn t2_part_ok(c: T2Col, p: &str) -> bool {
    match c {
        T2Col::Change => count_part(p.strip_prefix('-').unwrap_or(p)) && p != "-0",
        T2Col::Amount | T2Col::PurchaseAmount => match p.split_once('.') {
            Some((w, f)) => count_part(w) && !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()),
            None => count_part(p),
        },
        _ => count_part(p),
    }
}

fn table2(cx: &mut Cx, v: &View, limit: usize) -> Option<Found> {
    let start = v.find("第二十条", 0, limit)?;
    let f2019 = ["本年新制作", "上一年项目数", "本年增", "采购项目数", "第二十条第(九)项"]
        .iter()
        .any(|k| v.find(k, start, limit).is_some());
    let rows: &[T2Row] = if f2019 { T2Row::ROWS_2019 } else { T2Row::ROWS_2021 };
    let mut grid_rows: Vec<Vec<GridCell>> = Vec::new();
    let mut cursor = start;
    let mut end = start;
    let mut block = "";
    let mut open_rows = Vec::new();
    for r in rows {
        let cols: &[T2Col] = if f2019 { r.cols_2019() } else { r.cols_2021().unwrap_or(&[]) };
        let keys: Vec<&str> =
            if *r == T2Row::Norm && f2019 { vec!["规范性文件"] } else { t2_row_keys(*r).to_vec() };
        let Some((ks, ke)) = v.find_any(&keys, cursor, limit) else { continue };
        let le = label_end(v, ke, 60);
        let Some(run) = run_at(v, le, true) else { continue };
        // A unit glued after the run (`元`) is part of the printed cell.
        let mut run_end = run.1;
        if let Some(u) = UNITS.iter().find(|u| v.s[run.1..].starts_with(*u)) {
            run_end += u.len();
        }
        cursor = run_end;
        end = end.max(run_end);
        let hs = cx.src(v, ks, ks);
        if r.block() != block {
            block = r.block();
            grid_rows.push(vec![GridCell { text: block.into(), src: hs, spanned: false }]);
            let mut head = vec![GridCell { text: "信息内容".into(), src: hs, spanned: false }];
            head.extend(cols.iter().map(|c| GridCell { text: c.label().into(), src: hs, spanned: false }));
            grid_rows.push(head);
        }
        let label = if f2019 && *r == T2Row::Norm { "规范性文件" } else { r.label() };
        let mut row = vec![cx.cell(v, label, ks, le)];
        let toks = tokens(v, run);
        let strs: Vec<&str> = toks.iter().map(|&(s, e)| &v.s[s..e]).collect();
        let splits = if strs.len() == cols.len() && strs.iter().zip(cols).all(|(p, c)| t2_part_ok(*c, p)) {
            vec![strs.clone()]
        } else {
            match split_all(&strs, cols.len(), &|i, p| cols.get(i).is_some_and(|c| t2_part_ok(*c, p)), &|_| true, CAP) {
                Cuts::Found(c, false) if !c.is_empty() => c,
                _ => {
                    cx.findings.push(p3(
                        cx,
                        format!(
                            "表二“{}”行的数字连在一起（“{}”），无法拆分为{}个值，未采用",
                            r.label(),
                            strs.join(" "),
                            cols.len()
                        ),
                        v,
                        run,
                    ));
                    continue;
                }
            }
        };
        let split_needed = strs.len() != cols.len();
        let first = part_spans(v, &toks, &splits[0]);
        let mut open = Vec::new();
        for (k, (span, c)) in first.iter().zip(cols).enumerate() {
            let mut vals: Vec<Decimal> =
                splits.iter().filter_map(|s| gongkai_model::cell::parse_number(s[k])).collect();
            vals.sort_unstable();
            vals.dedup();
            let solved = if vals.len() <= 1 {
                Solved::Part { span: *span, inferred: split_needed }
            } else {
                open.push(format!("table2.{}.{}", r.id(), c.id()));
                Solved::Ambiguous { run: (run.0, run_end), values: vals }
            };
            let mut cell = place(cx, v, &solved, Slot::T2(*r, *c));
            // The unit printed after the last value stays in the cell's provenance.
            if k + 1 == cols.len() && run_end > run.1 && matches!(solved, Solved::Part { .. }) {
                cell.src.end = v.orig(run_end) as u32;
            }
            row.push(cell);
        }
        if !open.is_empty() {
            let alts: Vec<String> = splits.iter().map(|s| s.join("|")).collect();
            cx.findings.push(
                p3(
                    cx,
                    format!(
                        "表二“{}”行的数字连在一起（“{}”），有{}种拆分：{}；表二没有勾稽关系可以确定，{}个单元格标为“有歧义”，未作猜测",
                        r.label(),
                        &v.s[run.0..run_end],
                        alts.len(),
                        alts.join("；"),
                        open.len()
                    ),
                    v,
                    run,
                )
                .cells(open),
            );
            open_rows.push(r.label());
        }
        grid_rows.push(row);
    }
    if grid_rows.is_empty() {
        return None;
    }
    cx.grids += 1;
    let grid = Grid { index: cx.grids, src: cx.src(v, start, end), rows: grid_rows };
    Some(Found { start, end, grid })
}

/// After interpretation: mark split cells as inferred, ambiguous cells as such, and take
/// the organ from `发布机构:`; the front end's findings go first.
pub fn apply(c: CrawlDoc, report: &mut Report, findings: &mut Vec<Finding>) {
    for f in c.fixes {
        let cell = match f.slot {
            Slot::T2(r, col) => report.table2.get_mut(&r).and_then(|m| m.get_mut(&col)),
            Slot::T3(r, col) => report.table3.get_mut(&r).and_then(|m| m.get_mut(&col)),
            Slot::T4(g, o) => report.table4.get_mut(&g).and_then(|m| m.get_mut(&o)),
        };
        let Some(cell) = cell else { continue };
        cell.inferred = true;
        if let Some(vals) = f.ambiguous {
            cell.value = CellValue::Ambiguous(vals);
        }
        if let Some(raw) = f.raw {
            cell.raw = raw.into();
        }
    }
    if let Some(o) = c.organ {
        report.organ = Some(o);
    }
    let mut all = c.findings;
    all.append(findings);
    *findings = all;
}

#[cfg(test)]
mod tests;
