//! From document blocks to a [`Report`]: sections, title/organ/year, format fingerprints and
//! the three tables, with findings for whatever could not be read. Never invents a value:
//! a cell that cannot be read is absent and a `P` finding says so.

use gongkai_model::doc::{Block, Doc};
use gongkai_model::normalize::{chinese_numeral, is_cjk, normalize};
use gongkai_model::report::{Located, TablesFound};
use gongkai_model::{
    Cell, CellValue, Finding, FormatBasis, FormatMarker, FormatVersion, Para, Report, Row, Section, SectionId,
    Severity, Src, T2Col, T2Row, T3Row, T4Group, T4Outcome,
};

use crate::items::{Item, items};
use crate::keys::{Hits, Word};
use crate::labels::{FORMAT_MARKERS, SECTION_KEYS, SINGLE_R36_MARKER};
use crate::split::{Split, e3_row, e4_table, split_runs};

/// Interpret a document. `findings` receives the `P` (parse) findings. The document is
/// consumed: its paragraphs move into the report's sections instead of being copied.
pub fn interpret(mut doc: Doc, findings: &mut Vec<Finding>) -> Report {
    let items = items(&doc);
    let mut report = Report::empty();

    let headings: Vec<(usize, u8, Option<u32>)> = items
        .iter()
        .enumerate()
        .filter(|(_, it)| it.para.is_some())
        .filter(|(_, it)| may_be_heading(it))
        .filter_map(|(i, it)| heading_of(it).map(|(id, num)| (i, id, num)))
        .collect();

    let first_heading = headings.first().map_or(items.len(), |h| h.0);
    meta(&items[..first_heading.min(items.len())], &doc, &items, &mut report);

    // ---- table regions ------------------------------------------------------------------
    let heading_idx = |id: u8| headings.iter().filter(move |h| h.1 == id).map(|h| h.0);
    let r1_anchor = items
        .iter()
        .position(|it| !it.values.is_empty() && (it.is_grid || it.values.len() >= 3) && it.has(Word::NewReceived));
    let t3_markers = |i: usize, it: &Item| {
        heading_idx(3).any(|h| h == i) || it.has(Word::ApplicantHeader) || it.has(Word::IdentityNote)
    };
    let t3_start = match r1_anchor {
        Some(a) => items[..a].iter().enumerate().rev().find(|(i, it)| t3_markers(*i, it)).map_or(a, |(i, _)| i),
        None => items.iter().enumerate().find(|(i, it)| t3_markers(*i, it)).map_or(items.len(), |(i, _)| i),
    };
    let after_t3 = r1_anchor.unwrap_or(t3_start);
    let t4_start = items
        .iter()
        .enumerate()
        .skip(after_t3 + 1)
        .find(|(i, it)| heading_idx(4).any(|h| h == *i) || (!it.has_number() && it.has(Word::Review)))
        .map(|(i, _)| i);
    let next_heading_after =
        |from: usize, ids: &[u8]| headings.iter().find(|h| h.0 > from && ids.contains(&h.1)).map(|h| h.0);
    let t3_end = t4_start.or_else(|| next_heading_after(t3_start, &[5, 6])).unwrap_or(items.len());
    // Tables printed one cell a line with blank cells as empty lines (LibreOffice's text export
    // of a Word report), shown by two table rows (a row of table 二 or 三, or table 四's
    // `总计`) whose values do not start right under the label or leave a line empty between
    // them (see `slots_by_line`). The spacing: the lines from one cell to the next, 2 where an
    // empty line follows every cell (every value then sits an even number of lines below its
    // label), else 1. Only rows whose values sit below their label are looked at, before the
    // label's analysis (which most prose lines never need).
    let table_row = |it: &Item| {
        !it.is_grid
            && values_below(it)
            && it.has_label()
            && (it.hits().last_t2_row().is_some() || it.hits().last_t3().is_some() || outcome_words_only(it))
    };
    let even = items.iter().filter(|it| table_row(it)).all(|it| {
        let label = it.src.line;
        it.values.iter().filter_map(|v| v.src.map(|s| s.line)).filter(|l| *l > label).all(|l| (l - label) % 2 == 0)
    });
    let stride = if even { 2 } else { 1 };
    let shown = items
        .iter()
        .enumerate()
        .filter(|(_, it)| table_row(it))
        .filter(|(i, it)| {
            let next = items.get(i + 1).map(|n| n.src.line);
            [2, 3, 4, 7, 15].into_iter().any(|n| slots_by_line(it, next, n, stride).is_some_and(|(_, gaps)| gaps))
        })
        .take(2)
        .count()
        >= 2;
    let blank_lines = shown.then_some(stride);
    let t2_anchor = items[..t3_start.min(items.len())].iter().position(|it| it.has_number() && it.hits().any_t2_row());
    let t2_marker = |i: usize, it: &Item| heading_idx(2).any(|h| h == i) || it.has(Word::Article20);
    // Back from the marker over the table's own lines: markers, header lines and rows printed
    // one cell a line with no figure (such a table whose first rows are all blank starts with
    // them; a grid's blank rows stay as they were read before).
    let table_line = |i: usize, it: &Item| {
        t2_marker(i, it)
            || it.norm() == "信息内容"
            || !header_cols(it.hits()).is_empty() && !it.has_number()
            || blank_lines.is_some()
                && !it.is_grid
                && !it.has_number()
                && it.hits().last_t2_row().is_some()
                && it.label.chars().count() <= 40
                && !it.label.contains(['，', '。', ',', '；'])
    };
    let t2_start = match t2_anchor {
        Some(a) => items[..=a]
            .iter()
            .enumerate()
            .rev()
            .find(|(i, it)| t2_marker(*i, it))
            .map(|(i, _)| {
                let mut s = i;
                while blank_lines.is_some()
                    && s > 0
                    && table_line(s - 1, &items[s - 1])
                    && !heading_idx(2).any(|h| h == s - 1)
                {
                    s -= 1;
                }
                s
            })
            .or(Some(a)),
        // Without a row of table 二 and without table 三, the section-二 heading alone does not
        // open a table (a pre-2019 report's prose would otherwise be taken for one).
        None => items[..t3_start.min(items.len())]
            .iter()
            .enumerate()
            .find(|(i, it)| it.has(Word::Article20) || t3_start < items.len() && t2_marker(*i, it))
            .map(|(i, _)| i),
    };

    let mut consumed = vec![false; items.len()];
    // The line of the item at `i` of the whole list: what follows a table's last row.
    let line_at = |i: usize| items.get(i).map(|n| n.src.line);
    if let Some(s) = t2_start {
        let (src, complete) = parse_t2(
            &items[s..t3_start],
            &mut report,
            findings,
            &mut consumed[s..t3_start],
            (blank_lines, line_at(t3_start)),
        );
        report.tables.table2 = src;
        if !complete && t3_start >= items.len() {
            findings.push(truncated("表二", items.last()));
        }
    }
    if t3_start < items.len() {
        let (src, complete) = parse_t3(
            &items[t3_start..t3_end],
            &mut report,
            findings,
            &mut consumed[t3_start..t3_end],
            (blank_lines, line_at(t3_end)),
        );
        report.tables.table3 = src.or(Some(items[t3_start].src));
        if !complete && t3_end >= items.len() {
            findings.push(truncated("表三", items.last()));
        }
    }
    if let Some(s) = t4_start {
        let limit = next_heading_after(s, &[5, 6]).unwrap_or(items.len());
        let (src, complete) =
            parse_t4(&items[s..limit], &mut report, findings, &mut consumed[s..limit], (blank_lines, line_at(limit)));
        report.tables.table4 = src.or(Some(items[s].src));
        if !complete && limit >= items.len() && !consumed[s..limit].iter().any(|c| *c) {
            findings.push(truncated("表四", items.last()));
        }
    }
    report.truncated = truncation(&items, findings);
    if report.truncated.is_none() {
        missing_tables(&report.tables, findings, &items);
    }
    // Prose fragments inside tables 二 and 三 (wrapped labels, captions, header text) belong
    // to the tables, not to the sections' text.
    let t2_from = t2_start.unwrap_or(t3_start);
    for c in consumed.iter_mut().take(t3_end).skip(t2_from.min(t3_end)) {
        *c = true;
    }

    // ---- sections ---------------------------------------------------------------------------
    // Which paragraph goes where: (block, section index or None for the preamble, heading?).
    // The paragraphs themselves move out of the document once the items (which borrow it)
    // are gone.
    let mut placed: Vec<(usize, Option<usize>, bool)> = Vec::new();
    let mut current: Option<usize> = None;
    let mut next_heading = headings.iter().peekable();
    for (i, it) in items.iter().enumerate() {
        let Some(p) = it.para else { continue };
        while next_heading.next_if(|h| h.0 < i).is_some() {}
        if let Some((_, id, number)) = next_heading.next_if(|h| h.0 == i) {
            report.sections.push(Section {
                id: SectionId(*id),
                heading: String::new(),
                number: *number,
                src: p.src,
                paras: Vec::new(),
            });
            current = Some(report.sections.len() - 1);
            placed.push((it.block, current, true));
            continue;
        }
        if consumed[i] {
            continue;
        }
        placed.push((it.block, current, false));
    }
    detect_format(&items, &mut report);
    drop(items);
    for (block, section, heading) in placed {
        let Some(Block::Para(p)) = doc.blocks.get_mut(block) else { continue };
        let p = Para { text: std::mem::take(&mut p.text), src: p.src, verbatim: p.verbatim };
        match (section, heading) {
            (Some(c), true) => report.sections[c].heading = p.text,
            (Some(c), false) => report.sections[c].paras.push(p),
            (None, _) => report.preamble.push(p),
        }
    }
    crate::infer::infer(&mut report);
    if report.format == FormatVersion::Pre2019 {
        let grids: Vec<&gongkai_model::doc::Grid> =
            doc.blocks.iter().filter_map(|b| if let Block::Table(g) = b { Some(g) } else { None }).collect();
        pre2019(&mut report, &grids, findings);
    }
    report
}

/// A pre-2019 report is read as it is (`crate::pre2019`): its outline and statistics table
/// take the place of the 2019+ tables, whose absence is then no finding (`P1` dropped); a
/// `P7` note says what was read and what was not checked.
fn pre2019(report: &mut Report, grids: &[&gongkai_model::doc::Grid], findings: &mut Vec<Finding>) {
    let p = crate::pre2019::read(report, grids);
    // Missing 2019+ tables (P1) are not defects of a report made before that format existed
    // (nor are headings numbered against the six sections: `rules` skips D12 for pre-2019).
    findings.retain(|f| f.rule != "P1");
    let ambiguous =
        p.stats.iter().filter(|r| r.cells.iter().any(|c| matches!(c.value, CellValue::Ambiguous(_)))).count();
    let mut msg = format!(
        "2019年以前格式的报告（{}）：按其自身结构读取，章节{}个（{}），统计表{}行",
        report.format_basis.map_or("依据章节结构", |b| b.name_zh()),
        p.headings.len(),
        p.headings.iter().map(|h| h.value.as_str()).collect::<Vec<_>>().join("、"),
        p.stats.len()
    );
    if ambiguous > 0 {
        msg.push_str(&format!("（其中{ambiguous}行数字粘连、无法唯一拆分，列出全部候选，未采用）"));
    }
    msg.push_str("；不按2019年及以后的六个部分和表二至表四核对");
    let at = p.headings.first().map(|h| h.src).or(report.title.as_ref().map(|t| t.src));
    findings.push(Finding::new("P7", Severity::Info, msg).at(at));
    report.pre2019 = Some(p);
}

/// The document ends mid-sentence or inside a table: where. A `P5` finding says so unless
/// a table-specific one already did.
fn truncation(items: &[Item], findings: &mut Vec<Finding>) -> Option<Src> {
    let last = items.last()?;
    if findings.iter().any(|f| f.rule == "P5") {
        return Some(last.src);
    }
    let p = last.para?;
    let t = p.text.trim_end();
    let n = normalize(t);
    let ends_sentence =
        t.ends_with(['。', '！', '？', '!', '?', '；', ';', '…', '”', '」', '）', ')', '】', '》', '"']);
    let date_or_signature = n.ends_with('日')
        || (n.chars().count() <= 30 && ORGAN_SUFFIXES.iter().any(|s| n.ends_with(s)))
        || n.chars().all(|c| c.is_ascii_digit() || "年月日-./".contains(c));
    // A statistics table flattened into the prose (a crawler export of a pre-2019 report)
    // ends with a row's unit and its digits: `…行政诉讼数件00`.
    let table_row_end = {
        let body = t.trim_end_matches(|c: char| c.is_ascii_digit());
        body.len() < t.len() && body.ends_with(['件', '条', '元', '个', '项', '次'])
    };
    if ends_sentence || date_or_signature || table_row_end || last.has_number() && !last.has_label() {
        return None;
    }
    findings.push(
        Finding::new(
            "P5",
            Severity::Warning,
            format!(
                "文档在句子中间结束（“…{}”），可能不完整：之后的章节和表格缺失，相关检查未进行",
                t.chars().rev().take(12).collect::<Vec<_>>().into_iter().rev().collect::<String>()
            ),
        )
        .at(Some(last.src)),
    );
    Some(last.src)
}

fn truncated(table: &str, last: Option<&Item>) -> Finding {
    Finding::new("P5", Severity::Warning, format!("文档在{table}处截断：表格未读完文档就结束了，缺失的数据未作推算"))
        .at(last.map(|l| l.src))
}

fn missing_tables(t: &TablesFound, findings: &mut Vec<Finding>, items: &[Item]) {
    let end = items.last().map(|l| l.src);
    for (found, name) in [
        (t.table2.is_some(), "表二（主动公开政府信息情况）"),
        (t.table3.is_some(), "表三（收到和处理政府信息公开申请情况）"),
        (t.table4.is_some(), "表四（政府信息公开行政复议、行政诉讼情况）"),
    ] {
        if !found {
            findings.push(Finding::new("P1", Severity::Warning, format!("未找到{name}")).at(end));
        }
    }
}

/// Whether a prose line is short enough to be a heading: [`heading_of`] takes at most 40
/// characters once normalised, and a line of more than 240 bytes as printed is taken for
/// prose without normalising it (a heading padded with that much whitespace or markup is
/// not one).
fn may_be_heading(it: &Item) -> bool {
    it.para.is_some() && it.norm_src_len() <= 240
}

/// A section heading: `一、总体情况` etc. Returns (section id, printed numeral).
fn heading_of(it: &Item) -> Option<(u8, Option<u32>)> {
    let norm = it.norm();
    let n = norm.trim_start_matches(['*', '#']).trim_end_matches(['*', ':']);
    if n.chars().count() > 40 || n.is_empty() {
        return None;
    }
    // Numeral prefix: 一、 / 一. / 第一部分 / 第一章
    let (num, rest) = numeral_prefix(n);
    if num.is_none() && n.chars().count() > 16 {
        return None;
    }
    // The first section (in order) with a key inside `rest`, from the label's lexicon hits.
    let from = rest.as_ptr() as usize - norm.as_ptr() as usize;
    let i = it.hits().sections_within(from, from + rest.len()).min()?;
    let keys = SECTION_KEYS[usize::from(i)];
    if num.is_none() && !keys.iter().any(|k| rest.starts_with(k)) {
        return None;
    }
    // A prose sentence is not a heading.
    if rest.contains('.') && !rest.ends_with('.') || rest.contains(',') && !rest.contains("复议,") {
        return None;
    }
    Some((i + 1, num))
}

fn numeral_prefix(n: &str) -> (Option<u32>, &str) {
    let mut end = 0;
    for (i, c) in n.char_indices() {
        if "〇一二三四五六七八九十".contains(c) {
            end = i + c.len_utf8();
        } else {
            break;
        }
    }
    if end > 0 {
        let rest = &n[end..];
        if let Some(r) = rest.strip_prefix(',').or_else(|| rest.strip_prefix('.')).or_else(|| rest.strip_prefix(' ')) {
            return (chinese_numeral(&n[..end]), r);
        }
    }
    if let Some(r) = n.strip_prefix('第') {
        let e = r.char_indices().find(|(_, c)| !crate::crawl::is_numeral(*c)).map_or(r.len(), |(i, _)| i);
        let rest = &r[e..];
        if let Some(rest) = rest.strip_prefix("部分").or_else(|| rest.strip_prefix('章')) {
            return (chinese_numeral(&r[..e]), rest.trim_start_matches([',', ':', '.']));
        }
    }
    (None, n)
}

// ---- metadata ------------------------------------------------------------------------------

fn meta(head: &[Item], doc: &Doc, all: &[Item], report: &mut Report) {
    let paras: Vec<&Para> = head.iter().filter_map(|it| it.para).take(30).collect();
    let mut title: Option<Located<String>> = None;
    for (k, p) in paras.iter().enumerate() {
        let n = normalize(&p.text);
        let is_title = (n.contains("年度报告") || n.contains("年报") || (n.contains("工作报告") && n.contains("公开")))
            && !n.starts_with("根据")
            && !n.starts_with("本")
            // Breadcrumbs of a saved page ("您当前所在位置:首页>…>政务信息公开年报") are not titles.
            && !n.contains("位置:")
            && !n.contains("首页>");
        if !is_title {
            continue;
        }
        if n.chars().count() > 80 {
            // A title run into the first sentence: keep it only up to "年度报告".
            if let Some(end) = p.text.find("年度报告").or_else(|| p.text.find("年度報告")).map(|e| e + "年度报告".len())
                && p.text[..end].chars().count() <= 60
            {
                let src = Src { end: p.src.start + end as u32, ..p.src };
                title = Some(Located { value: p.text[..end].trim().to_string(), src });
                break;
            }
            continue;
        }
        let mut value = strip_field_label(p.text.trim()).to_string();
        let mut src = p.src;
        let prev = if k > 0 { paras.get(k - 1) } else { None };
        if let Some(prev) = prev {
            let pn = normalize(&prev.text);
            let short_cjk =
                pn.chars().count() <= 30 && pn.chars().all(|c| is_cjk(c) || c.is_ascii_digit() || c == '(' || c == ')');
            // "西咸新区底张街道办事处2023年度政府" + "信息公开工作年度报告", or
            // "得荣县卫生健康局" + "2019年政府信息公开工作年度报告".
            let split_title = (year_in(&n).is_none() && year_in(&pn).is_some() && short_cjk)
                || (n.starts_with(|c: char| c.is_ascii_digit())
                    && short_cjk
                    && !pn.contains("报告")
                    && !pn.starts_with("附件")
                    && !pn.chars().any(|c| c.is_ascii_digit()));
            if split_title {
                value = format!("{}{}", prev.text.trim(), value);
                src = Src { end: p.src.end, ..prev.src };
            }
        }
        title = Some(Located { value, src });
        break;
    }
    if title.is_none()
        && let Some(h) = &doc.title_hint
    {
        let n = normalize(&h.text);
        if n.contains("报告") || n.contains("年报") {
            title = Some(Located { value: h.text.trim().to_string(), src: h.src });
        }
    }
    if let Some(t) = &title {
        let n = normalize(&t.value);
        if let Some(y) = year_in(&n) {
            report.year = Some(Located { value: y, src: t.src });
        }
        if let Some(o) = organ_from_title(&t.value) {
            report.organ = Some(Located { value: o, src: t.src });
        }
    }
    // Signature block (落款): a short line naming an organ among the last lines.
    for it in all.iter().rev().filter(|it| it.para.is_some()).take(6) {
        let t = it.label.trim();
        let n = normalize(t);
        if n.chars().count() <= 30
            && n.chars().count() >= 3
            && n.chars().all(|c| is_cjk(c) || c == '(' || c == ')')
            && ORGAN_SUFFIXES.iter().any(|s| n.ends_with(s))
        {
            report.signature = Some(Located { value: t.to_string(), src: it.src });
            break;
        }
    }
    if report.organ.is_none() {
        report.organ = report.signature.clone();
    }

    report.title = title;
}

/// "标题: X" / "名称：X" → "X".
fn strip_field_label(t: &str) -> &str {
    for l in ["标题", "名称", "题目", "标 题"] {
        if let Some(r) = t.strip_prefix(l) {
            let r = r.trim_start();
            if let Some(r) = r.strip_prefix(':').or_else(|| r.strip_prefix('：')) {
                return r.trim_start();
            }
        }
    }
    t
}

pub(crate) const ORGAN_SUFFIXES: &[&str] = &[
    "政府",
    "局",
    "委员会",
    "委",
    "办公室",
    "办公厅",
    "办事处",
    "街道",
    "厅",
    "院",
    "中心",
    "镇",
    "乡",
    "处",
    "所",
    "会",
];

/// First 4-digit year followed by 年 (1990–2100) in a normalised string.
pub fn year_in(n: &str) -> Option<i32> {
    years_in(n).next().map(|(y, _)| y)
}

/// Every `YYYY年` in a normalised string with its byte offset.
pub fn years_in(n: &str) -> impl Iterator<Item = (i32, usize)> + '_ {
    let b = n.as_bytes();
    (0..b.len()).filter_map(move |i| {
        if i + 4 > b.len() || !b[i..i + 4].iter().all(u8::is_ascii_digit) {
            return None;
        }
        if i > 0 && b[i - 1].is_ascii_digit() {
            return None;
        }
        if n[i + 4..].starts_with('年') {
            let y: i32 = n[i..i + 4].parse().ok()?;
            (1990..=2100).contains(&y).then_some((y, i))
        } else {
            None
        }
    })
}

fn organ_from_title(title: &str) -> Option<String> {
    let mut t: String = title.chars().filter(|c| !c.is_whitespace() && *c != '\u{3000}').collect();
    for p in ["附件1", "附件2", "附件", "《"] {
        if let Some(r) = t.strip_prefix(p) {
            t = r.trim_start_matches([':', '：']).to_string();
        }
    }
    // Remove the year token ("2020年度", "2020年").
    let first_year = years_in(&t).next();
    if let Some((_, pos)) = first_year {
        let after = &t[pos + 4..];
        let after = after.strip_prefix("年度").or_else(|| after.strip_prefix('年')).unwrap_or(after);
        let joined = format!("{}{}", &t[..pos], after);
        t = joined;
    }
    let cut = ["政府信息公开", "政务公开", "信息公开", "年度报告", "工作报告"].iter().filter_map(|k| t.find(k)).min();
    let organ = match cut {
        Some(c) => &t[..c],
        None => return None,
    };
    let organ = organ.trim_matches(|c: char| !is_cjk(c) && c != ')' && c != '）');
    (organ.chars().filter(|c| is_cjk(*c)).count() >= 2).then(|| organ.to_string())
}

// ---- format -----------------------------------------------------------------------------

fn detect_format(items: &[Item], report: &mut Report) {
    let mut seen: Vec<&str> = Vec::new();
    for it in items {
        // Markers are table labels and headings: long prose lines (more than 240 bytes as
        // printed, or once normalised) are not searched.
        if it.norm_src_len() > 240 {
            continue;
        }
        let hay = it.norm();
        if hay.len() > 240 {
            continue;
        }
        for k in it.hits().markers() {
            let (m, f) = FORMAT_MARKERS[k];
            if !seen.contains(&m) {
                seen.push(m);
                report.format_markers.push(FormatMarker { marker: m.to_string(), format: f, src: it.src });
            }
        }
    }
    if let Some(row) = report.table3.get(&T3Row::R3_6) {
        let src = row.values().find_map(|c| c.src).unwrap_or_default();
        report.format_markers.push(FormatMarker {
            marker: SINGLE_R36_MARKER.to_string(),
            format: FormatVersion::F2019,
            src,
        });
    }
    let has = |f: FormatVersion| report.format_markers.iter().any(|m| m.format == f);
    // A labelled 2019 marker (not only the single （六） row, see `SINGLE_R36_MARKER`).
    let labelled_2019 =
        report.format_markers.iter().any(|m| m.format == FormatVersion::F2019 && m.marker != SINGLE_R36_MARKER);
    report.format = match (has(FormatVersion::F2021), has(FormatVersion::F2019)) {
        (true, true) if labelled_2019 => FormatVersion::Mixed,
        // 2021 labels with the （六） row collapsed: a 2021 report with a D1 defect.
        (true, true) => FormatVersion::F2021,
        (true, false) => FormatVersion::F2021,
        (false, true) => FormatVersion::F2019,
        (false, false) if has(FormatVersion::Pre2019) && report.table3.is_empty() => FormatVersion::Pre2019,
        (false, false) if !report.table3.is_empty() => {
            // A 申请人情况 matrix without other markers: the 2019 and 2021 tables 三 differ only in
            // （六）; sub-rows mean 2021.
            if report.has_r36_subrows() { FormatVersion::F2021 } else { FormatVersion::Unknown }
        }
        _ => FormatVersion::Unknown,
    };
    // Table labels decide, except the pre-2019 markers: those are headings of the outline.
    report.format_basis = match report.format {
        FormatVersion::Unknown => None,
        FormatVersion::Pre2019 => Some(FormatBasis::Structure),
        _ => Some(FormatBasis::Tables),
    };
}

// ---- table 二 --------------------------------------------------------------------------------

fn header_cols(h: &Hits) -> Vec<T2Col> {
    let all: Vec<(usize, usize, T2Col)> = h.t2_cols().collect();
    // Drop hits inside a longer hit ("处理决定数量" inside "本年处理决定数量").
    let mut hits: Vec<(usize, usize, T2Col)> = all
        .iter()
        .filter(|(s, e, _)| !all.iter().any(|(s2, e2, _)| s2 <= s && e <= e2 && (e2 - s2) > (e - s)))
        .copied()
        .collect();
    hits.sort();
    hits.into_iter().map(|h| h.2).collect()
}

fn parse_t2(
    items: &[Item],
    report: &mut Report,
    findings: &mut Vec<Finding>,
    consumed: &mut [bool],
    (blank_lines, after): (Option<usize>, Option<u32>),
) -> (Option<Src>, bool) {
    let next_line = |i: usize| items.get(i + 1).map(|n| n.src.line).or(after);
    let mut cols: Vec<T2Col> = Vec::new();
    let mut first: Option<Src> = None;
    let fmt2019 = items.iter().any(|it| {
        it.hits().has_any(&[Word::Made2019, Word::Published2019, Word::Total2019, Word::Prev2019, Word::Item9_2019])
    });
    let mut read_by_lines: Option<Src> = None;
    for (i, it) in items.iter().enumerate() {
        let h = header_cols(it.hits());
        if !h.is_empty() && !it.has_number() {
            cols = h;
            consumed[i] = true;
            continue;
        }
        if it.has(Word::Article20) || it.norm() == "信息内容" {
            consumed[i] = true;
        }
        let Some(row) = it.hits().last_t2_row() else {
            continue;
        };
        let candidates = [Some(cols.as_slice()), row.cols_2021().filter(|_| !fmt2019), Some(row.cols_2019())];
        let of_row = |cs: &[T2Col]| !cs.is_empty() && cs.iter().all(|c| row_has_col(row, *c));
        // The row's own columns in its format: a header printed one cell a line names only its
        // last column on the line before the rows.
        let own = if fmt2019 { Some(row.cols_2019()) } else { row.cols_2021() };
        if it.values.is_empty() {
            // Every cell blank, printed as empty lines under the label.
            let next = next_line(i);
            let blank = own
                .filter(|cs| of_row(cs))
                .zip(blank_lines)
                .and_then(|(cs, stride)| all_blank_row(it, next, cs.len(), stride).map(|cells| (cs.to_vec(), cells)));
            if let Some((cs, cells)) = blank {
                consumed[i] = true;
                read_by_lines.get_or_insert(it.src);
                let entry = report.table2.entry(row).or_default();
                for (c, v) in cs.into_iter().zip(cells) {
                    if !entry.contains_key(&c) {
                        entry.insert(c, v);
                    }
                }
            }
            continue;
        }
        let mut vals: Vec<&Cell> = it.values.iter().collect();
        while vals.len() > 1
            && vals.last().is_some_and(|c| c.value == CellValue::Blank)
            && vals.len() > cols.len().max(1)
        {
            vals.pop();
        }
        // Printed one cell a line with blanks as empty lines: the row's own cells by their lines.
        let by_lines =
            own.filter(|cs| cs.len() > vals.len() && of_row(cs)).zip(blank_lines).and_then(|(cs, stride)| {
                let next = next_line(i);
                slots_by_line(it, next, cs.len(), stride).map(|(cells, _)| (cs.to_vec(), cells))
            });
        let mut chosen: Option<Vec<T2Col>> =
            candidates.iter().flatten().find(|cs| cs.len() == vals.len() && of_row(cs)).map(|cs| cs.to_vec());
        let owned: Vec<Cell>;
        if let Some((cs, cells)) = by_lines {
            // Replaces a fit by count alone (which a short row can match by chance).
            chosen = Some(cs);
            owned = cells;
            vals = owned.iter().collect();
            read_by_lines.get_or_insert(it.src);
        }
        consumed[i] = true;
        match chosen {
            Some(cs) => {
                first.get_or_insert(it.src);
                let entry = report.table2.entry(row).or_default();
                for (c, v) in cs.into_iter().zip(vals) {
                    if !entry.contains_key(&c) {
                        entry.insert(c, v.clone());
                    }
                }
            }
            None => findings.push(
                Finding::new(
                    "P3",
                    Severity::Warning,
                    format!("表二“{}”行读到{}个值，与表头的列数不符，未采用", row.label(), vals.len()),
                )
                .at(Some(it.src)),
            ),
        }
    }
    if let Some(at) = read_by_lines {
        findings.push(
            Finding::new("P4", Severity::Info, "表二一格一行、空白单元格为空行：按各值与行标签相隔的行数归入各列")
                .at(Some(at)),
        );
    }
    // Completeness: every row of the detected format with all its columns.
    let rows: &[T2Row] = if fmt2019 { T2Row::ROWS_2019 } else { T2Row::ROWS_2021 };
    let mut missing = Vec::new();
    for r in rows {
        let want: &[T2Col] = if fmt2019 { r.cols_2019() } else { r.cols_2021().unwrap_or(&[]) };
        let have = report.table2.get(r);
        if want.iter().any(|c| have.is_none_or(|h| !h.contains_key(c))) {
            missing.push(r.label());
        }
    }
    if !missing.is_empty() && first.is_some() {
        findings.push(
            Finding::new("P2", Severity::Warning, format!("表二未能读出以下各行的全部数值：{}", missing.join("、")))
                .at(first),
        );
    }
    (first, missing.is_empty())
}

fn row_has_col(row: T2Row, c: T2Col) -> bool {
    row.cols_2021().is_some_and(|cs| cs.contains(&c)) || row.cols_2019().contains(&c)
}

// ---- table 三 --------------------------------------------------------------------------------

fn t3_row_of(it: &Item, six_ctx: bool) -> Option<T3Row> {
    let h = it.hits();
    let r = h.last_t3()?;
    if r == T3Row::R3_6_3 && !(six_ctx || h.has(Word::OtherHandling) || h.has(Word::Six)) {
        return None;
    }
    Some(r)
}

/// The `n` cells of a row printed one cell a line with blank cells as empty lines: the cell of
/// column `k` sits `k × stride` lines below its label (LibreOffice's text export: stride 1;
/// docx2txt, which leaves an empty line after every cell: stride 2), the lines in between
/// empty (the next item starts more than `n × stride` lines below the label). `None` for a
/// table row, a row with `n` values or more, or values that do not fit. The flag says whether
/// the row shows the printing: a value not where the next value of an unbroken run would be.
fn slots_by_line(it: &Item, next_line: Option<u32>, n: usize, stride: usize) -> Option<(Vec<Cell>, bool)> {
    if it.is_grid || it.values.is_empty() || it.values.len() >= n || !values_below(it) || !it.has_label() {
        return None;
    }
    let label = it.src.line;
    if next_line.is_some_and(|l| l as usize <= label as usize + n * stride) {
        return None;
    }
    let mut out = vec![Cell::blank(); n];
    let mut last = 0usize;
    // The end of the text above the next empty line.
    let mut at = it.src.end;
    for v in &it.values {
        let src = v.src?;
        let off = src.line.checked_sub(label)? as usize;
        if off % stride != 0 || off / stride <= last || off / stride > n {
            return None;
        }
        let slot = off / stride;
        for k in last + 1..slot {
            out[k - 1].src = Some(empty_line_src(at, label, k * stride));
        }
        out[slot - 1] = v.clone();
        at = src.end;
        last = slot;
    }
    for k in last + 1..=n {
        out[k - 1].src = Some(empty_line_src(at, label, k * stride));
    }
    let gaps = it
        .values
        .iter()
        .enumerate()
        .any(|(j, v)| v.src.is_some_and(|s| s.line as usize != label as usize + (j + 1) * stride));
    Some((out, gaps))
}

/// Whether a row's values sit on lines below its label's (cells printed one a line).
fn values_below(it: &Item) -> bool {
    it.values.first().and_then(|v| v.src).is_some_and(|s| s.line > it.src.line)
}

/// The `n` blank cells of a row printed one cell a line whose every cell is blank: a label
/// with no value under it and at least `n × stride` empty lines before the next text.
fn all_blank_row(it: &Item, next_line: Option<u32>, n: usize, stride: usize) -> Option<Vec<Cell>> {
    let label = it.src.line;
    let fits = !it.is_grid
        && it.values.is_empty()
        && it.has_label()
        && next_line.is_none_or(|l| l as usize > label as usize + n * stride);
    fits.then(|| {
        (1..=n).map(|k| Cell { src: Some(empty_line_src(it.src.end, label, k * stride)), ..Cell::blank() }).collect()
    })
}

/// The place of the empty line `line` lines below a label, `end` being the end byte of the
/// last text above it.
fn empty_line_src(end: u32, label: u32, line: usize) -> Src {
    // The byte where the text above it ends (always a character boundary: an empty line's own
    // offset depends on line endings and spaces this layer does not see); the line is exact.
    Src { start: end, end, line: label + line as u32, col: 1, grid: None }
}

/// Seven value cells for a table-三 row, recovering run-together digits when needed.
fn take7(it: &Item, what: &dyn Fn() -> String) -> Result<Vec<Cell>, Finding> {
    let mut vals = it.values.clone();
    while vals.len() > 7 && vals.last().is_some_and(|c| c.value == CellValue::Blank) {
        vals.pop();
    }
    while vals.len() > 7 && vals.first().is_some_and(|c| c.value == CellValue::Blank) {
        vals.remove(0);
    }
    if vals.len() == 7 {
        return Ok(vals);
    }
    recover(it, 7, &e3_row, what).map(|v| v.into_iter().take(7).collect())
}

fn recover(
    it: &Item,
    n: usize,
    check: &dyn Fn(&[u64]) -> bool,
    what: &dyn Fn() -> String,
) -> Result<Vec<Cell>, Finding> {
    let digits = it.values.len() < n
        && !it.values.is_empty()
        && it.values.iter().all(|c| !c.raw.is_empty() && c.raw.bytes().all(|b| b.is_ascii_digit()));
    if digits {
        let toks: Vec<&str> = it.values.iter().map(|c| c.raw.as_str()).collect();
        match split_runs(&toks, n, check) {
            Split::Unique(parts) => {
                // Attribute each part to the token it came from.
                let mut out = Vec::with_capacity(n);
                let mut pi = 0;
                for c in &it.values {
                    let mut len = 0;
                    while pi < parts.len() && len < c.raw.len() {
                        let s = parts[pi].to_string();
                        len += s.len();
                        let mut cell = Cell::from_raw(&s, c.src);
                        cell.inferred = true;
                        out.push(cell);
                        pi += 1;
                    }
                }
                return Ok(out);
            }
            Split::Ambiguous(k) => {
                return Err(Finding::new(
                    "P3",
                    Severity::Warning,
                    format!(
                        "{}的数字连在一起（“{}”），按勾稽关系有{}种以上拆分方式，无法确定，未采用",
                        what(),
                        toks.join(" "),
                        k
                    ),
                )
                .at(Some(it.src)));
            }
            Split::Impossible | Split::TooLarge => {}
        }
    }
    Err(Finding::new("P3", Severity::Warning, format!("{}读到{}个值，应为{}个，未采用", what(), it.values.len(), n))
        .at(Some(it.src)))
}

fn parse_t3(
    items: &[Item],
    report: &mut Report,
    findings: &mut Vec<Finding>,
    consumed: &mut [bool],
    (blank_lines_are_cells, after): (Option<usize>, Option<u32>),
) -> (Option<Src>, bool) {
    let sub_rows = items.iter().any(|it| it.hits().has_any(&[Word::NoCorrection, Word::FeePaid, Word::FeeNotice]));
    let order: &[T3Row] = if sub_rows { T3Row::ROWS_2021 } else { T3Row::ROWS_2019 };
    let mut cursor = 0usize;
    let mut six_ctx = false;
    let mut first: Option<Src> = None;
    let mut duplicates = Vec::new();
    // One cell a line with blank cells printed as empty lines (see `interpret`): only then is
    // a short row read by its lines.
    let next_line = |i: usize| items.get(i + 1).map(|n| n.src.line).or(after);
    let mut by_lines = false;
    for (i, it) in items.iter().enumerate() {
        if it.has(Word::Six) || it.has(Word::OtherHandling) {
            six_ctx = true;
        }
        if it.values.is_empty() {
            let labelled = if !it.is_grid && it.has_label() { t3_row_of(it, six_ctx) } else { None };
            // Every cell blank, printed as empty lines under the label.
            let blank = labelled
                .zip(blank_lines_are_cells)
                .and_then(|(r, st)| Some((r, all_blank_row(it, next_line(i), 7, st)?)));
            if let Some((r, cells)) = blank
                && !report.table3.contains_key(&r)
            {
                consumed[i] = true;
                by_lines = true;
                first.get_or_insert(it.src);
                if let Some(p) = order.iter().position(|o| *o == r) {
                    cursor = p + 1;
                }
                report.table3.insert(r, Row::from_ordered(cells));
                continue;
            }
            if !it.is_grid && i > 0 && it.has_label() && labelled.is_some() {
                consumed[i] = true;
            }
            if it.is_grid {
                consumed[i] = true;
            }
            continue;
        }
        let labelled = if it.has_label() { t3_row_of(it, six_ctx) } else { None };
        // A labelled row found outside the expected row set (R3.6 vs R3.6.x) is still read.
        let row = match labelled {
            Some(r) => r,
            None => {
                // Unlabelled or fragment-labelled value row: place by position in the fixed
                // row order (corpus 002/003), only when it carries seven values with a number.
                if !it.has_number() {
                    continue;
                }
                let next = order[cursor.min(order.len())..].iter().find(|r| !report.table3.contains_key(r)).copied();
                let Some(r) = next else { continue };
                if it.values.len() != 7 && take7(it, &String::new).is_err() {
                    continue;
                }
                findings.push(
                    Finding::new(
                        "P4",
                        Severity::Info,
                        format!("此行数值没有可识别的行标签，按表三固定行序归入“{}”（{}）", r.display_name(), r.id()),
                    )
                    .at(Some(it.src))
                    .cells([format!("table3.{}", r.id())]),
                );
                r
            }
        };
        consumed[i] = true;
        if let Some(p) = order.iter().position(|r| *r == row) {
            cursor = p + 1;
        }
        if report.table3.contains_key(&row) {
            duplicates.push((row, it.src));
            continue;
        }
        let slots = blank_lines_are_cells.and_then(|st| slots_by_line(it, next_line(i), 7, st)).map(|(cells, _)| cells);
        by_lines |= slots.is_some();
        match slots.map_or_else(|| take7(it, &|| format!("表三“{}”行", row.display_name())), Ok) {
            Ok(mut cells) => {
                if labelled.is_none() {
                    cells.iter_mut().for_each(|c| c.inferred = true);
                }
                if cells.iter().any(|c| c.inferred) && labelled.is_some() {
                    findings.push(
                        Finding::new(
                            "P4",
                            Severity::Info,
                            format!("表三“{}”行的数字连在一起，已按“总计=各列之和”(E3)唯一拆分", row.display_name()),
                        )
                        .at(Some(it.src)),
                    );
                }
                first.get_or_insert(it.src);
                report.table3.insert(row, Row::from_ordered(cells));
            }
            Err(f) => findings.push(f),
        }
    }
    if by_lines {
        findings.push(
            Finding::new("P4", Severity::Info, "表三一格一行、空白单元格为空行：按各值与行标签相隔的行数归入各列")
                .at(first),
        );
    }
    for (row, src) in duplicates {
        findings.push(
            Finding::new(
                "P3",
                Severity::Warning,
                format!("表三“{}”行重复出现，已采用第一次出现的数值", row.display_name()),
            )
            .at(Some(src)),
        );
    }
    let missing: Vec<&T3Row> = order.iter().filter(|r| !report.table3.contains_key(r)).collect();
    // A 2021 table that printed （六） as one row (corpus 005/006) is complete in its own shape.
    let missing: Vec<&T3Row> = missing
        .into_iter()
        .filter(|r| {
            !(matches!(r, T3Row::R3_6_1 | T3Row::R3_6_2 | T3Row::R3_6_3) && report.table3.contains_key(&T3Row::R3_6))
        })
        .collect();
    if !missing.is_empty() && (first.is_some() || !items.is_empty()) {
        let names: Vec<String> = missing.iter().map(|r| format!("{}（{}）", r.display_name(), r.id())).collect();
        findings.push(
            Finding::new(
                "P2",
                Severity::Warning,
                format!("表三缺少{}行，相关勾稽关系无法检查：{}", missing.len(), names.join("、")),
            )
            .at(first.or(items.first().map(|i| i.src)))
            .cells(missing.iter().map(|r| format!("table3.{}", r.id()))),
        );
    }
    (first, missing.is_empty())
}

// ---- table 四 --------------------------------------------------------------------------------

fn parse_t4(
    items: &[Item],
    report: &mut Report,
    findings: &mut Vec<Finding>,
    consumed: &mut [bool],
    (blank_lines, after): (Option<usize>, Option<u32>),
) -> (Option<Src>, bool) {
    let next_line = |i: usize| items.get(i + 1).map(|n| n.src.line).or(after);
    let mut vals: Vec<Cell> = Vec::new();
    let mut used: Vec<usize> = Vec::new();
    let mut first: Option<Src> = None;
    for (i, it) in items.iter().enumerate() {
        if vals.len() >= 15 {
            break;
        }
        // Header rows of the table (grid rows, or lines of outcome words before the values).
        if it.values.is_empty() && (it.is_grid || (vals.is_empty() && outcome_words_only(it))) {
            consumed[i] = true;
        }
        if it.values.is_empty() || it.has_label() && !(outcome_words_only(it) && it.has_number()) {
            continue;
        }
        // A value row has a number, or is an unlabelled row of at least five blank cells with
        // no row of figures after it (a Markdown table's empty header row is not the data).
        let unlabelled_blanks = |it: &Item| {
            !it.has_label() && it.values.len() >= 5 && it.values.iter().all(|c| c.value == CellValue::Blank)
        };
        // Only the next unlabelled row with values counts (header rows are labelled), at the
        // same width; the search stops there, so it stays linear.
        let figures_follow = || {
            items[i + 1..]
                .iter()
                .filter(|n| !n.values.is_empty() && !n.has_label())
                .take(8)
                .find(|n| n.has_number() || !unlabelled_blanks(n))
                .is_some_and(|n| n.values.len() == it.values.len() && n.has_number())
        };
        let blank_row = unlabelled_blanks(it) && !figures_follow();
        if !it.has_number() && !blank_row {
            continue;
        }
        first.get_or_insert(it.src);
        used.push(i);
        // The fifteen cells one a line under the header's last word (`总计`), blanks as empty
        // lines (LibreOffice's text export), when the row shows that printing.
        let next = next_line(i);
        let by_lines = vals.is_empty().then(|| blank_lines.and_then(|st| slots_by_line(it, next, 15, st))).flatten();
        if let Some((cells, _)) = by_lines {
            findings.push(
                Finding::new(
                    "P4",
                    Severity::Info,
                    "表四一格一行、空白单元格为空行：按各值与表头末行相隔的行数归入各列",
                )
                .at(Some(it.src)),
            );
            vals = cells;
            break;
        }
        vals.extend(it.values.iter().cloned());
    }
    for i in &used {
        consumed[*i] = true;
    }
    if vals.len() < 15 && !vals.is_empty() {
        // Digits may have run together.
        let pseudo = Item::new((0, None), "".into(), 0, first.unwrap_or_default(), vals.clone(), false);
        match recover(&pseudo, 15, &e4_table, &|| "表四".to_string()) {
            Ok(v) => {
                findings.push(
                    Finding::new("P4", Severity::Info, "表四的数字连在一起，已按“总计=各项之和”(E4)唯一拆分").at(first),
                );
                vals = v;
            }
            Err(f) => {
                findings.push(f);
                return (first, false);
            }
        }
    }
    if vals.is_empty() {
        return (first, false);
    }
    if vals.len() > 15 {
        findings.push(
            Finding::new("P3", Severity::Warning, format!("表四读到{}个值，应为15个，未采用", vals.len())).at(first),
        );
        return (first, false);
    }
    let mut it = vals.into_iter();
    for g in T4Group::ALL {
        let row = report.table4.entry(*g).or_default();
        for o in T4Outcome::ALL {
            if let Some(c) = it.next() {
                row.insert(*o, c);
            }
        }
    }
    (first, true)
}

/// Rows like "结果维持 结果纠正 …" are header rows; a row labelled only with such words and
/// carrying values (rare) is still data.
fn outcome_words_only(it: &Item) -> bool {
    use Word::*;
    // The words, in the order they are removed.
    const WORDS: [Word; 9] =
        [Review, Litigation, DirectSuit, SuitAfterReview, Maintained, Corrected, OtherResult, Pending, Total];
    // Without any of the words, the label is made of them only when it is empty.
    let h = it.hits();
    if !h.has_any(&WORDS) {
        return it.norm().is_empty();
    }
    // Removing the words one after another (as `str::replace` would) can join the pieces
    // around a removed word into a new occurrence of an earlier word; the loop below does the
    // same removals in the same order, on one buffer, and allocates only for labels that
    // contain a word at all.
    let mut rest = std::borrow::Cow::Borrowed(it.norm());
    for w in WORDS.map(crate::keys::word_text) {
        if rest.contains(w) {
            rest = std::borrow::Cow::Owned(rest.replace(w, ""));
        }
    }
    rest.is_empty()
}
