//! Text rules: D10 year mismatch, D12 sections, D13 fee statement, D14 government
//! evaluation, D17 text vs table, D21 wrong organ, D22 broken enumeration, D23 foreign text.

use gongkai_model::labels::SECTION_HEADINGS;
use gongkai_model::normalize::is_cjk;
use gongkai_model::{
    Col, Finding, FormatVersion, Para, Report, SectionId, Severity, Src, T2Col, T2Row, T3Row, T4Group, T4Outcome,
};

/// Location of `len` bytes at byte `off` of a paragraph's text.
fn at(p: &Para, off: usize, len: usize) -> Src {
    if !p.verbatim || off > p.text.len() {
        return p.src;
    }
    Src {
        start: p.src.start + off as u32,
        end: p.src.start + (off + len).min(p.text.len()) as u32,
        line: p.src.line + p.text[..off].matches('\n').count() as u32,
        col: match p.text[..off].rfind('\n') {
            Some(nl) => p.text[nl + 1..off].chars().count() as u32 + 1,
            None => p.src.col + p.text[..off].chars().count() as u32,
        },
        grid: None,
    }
}

pub fn check_text(r: &Report, out: &mut Vec<Finding>) {
    d10(r, out);
    d11(r, out);
    d12(r, out);
    empty_sections(r, out);
    d13(r, out);
    d14(r, out);
    d17(r, out);
    d21(r, out);
    d22(r, out);
    d23(r, out);
}

/// `YYYY年` occurrences (ASCII or full-width digits, optional spaces before 年) with offsets.
///
/// Every year ends in 年, so the search runs on the bytes of "年" (memchr's memmem) and reads
/// the digits backwards from each hit: the prose is never decoded char by char. A year is
/// exactly four digits preceded by a non-digit, with only spaces (U+0020, U+3000) before 年.
fn years(text: &str) -> Vec<(i32, usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    for nian in NIAN.find_iter(text) {
        let mut i = nian;
        loop {
            if i >= 1 && b[i - 1] == b' ' {
                i -= 1;
            } else if i >= 3 && &b[i - 3..i] == "\u{3000}".as_bytes() {
                i -= 3;
            } else {
                break;
            }
        }
        let (mut n, mut v, mut scale) = (0u32, 0i32, 1i32);
        while n < 5 {
            let d = if i >= 1 && b[i - 1].is_ascii_digit() {
                i -= 1;
                b[i] - b'0'
            } else if i >= 3 && b[i - 3] == 0xEF && b[i - 2] == 0xBC && (0x90..=0x99).contains(&b[i - 1]) {
                // U+FF10..U+FF19, full-width digits.
                i -= 3;
                b[i + 2] - 0x90
            } else {
                break;
            };
            v += i32::from(d) * scale;
            scale *= 10;
            n += 1;
        }
        if n == 4 && (1990..=2100).contains(&v) {
            out.push((v, i, nian + "年".len() - i));
        }
    }
    out
}

/// The year `t` starts with, as [`years`] reads it: (year, byte length incl. 年).
fn year_at_start(t: &str) -> Option<(i32, usize)> {
    let b = t.as_bytes();
    let (mut i, mut n, mut v) = (0usize, 0u32, 0i32);
    loop {
        let d = match b.get(i) {
            Some(c) if c.is_ascii_digit() => {
                i += 1;
                c - b'0'
            }
            Some(0xEF) if b.get(i + 1) == Some(&0xBC) && b.get(i + 2).is_some_and(|c| (0x90..=0x99).contains(c)) => {
                i += 3;
                b[i - 1] - 0x90
            }
            _ => break,
        };
        v = v.saturating_mul(10).saturating_add(i32::from(d));
        n += 1;
    }
    if n != 4 {
        return None;
    }
    loop {
        if b.get(i) == Some(&b' ') {
            i += 1;
        } else if b[i..].starts_with("\u{3000}".as_bytes()) {
            i += 3;
        } else {
            break;
        }
    }
    (b[i..].starts_with("年".as_bytes()) && (1990..=2100).contains(&v)).then_some((v, i + "年".len()))
}

/// A substring search built once (memchr's memmem), for phrases looked up in every paragraph.
struct Phrase(std::sync::OnceLock<memchr::memmem::Finder<'static>>, &'static str);

impl Phrase {
    const fn new(s: &'static str) -> Self {
        Phrase(std::sync::OnceLock::new(), s)
    }
    fn finder(&self) -> &memchr::memmem::Finder<'static> {
        self.0.get_or_init(|| memchr::memmem::Finder::new(self.1))
    }
    fn is_in(&self, hay: &str) -> bool {
        self.finder().find(hay.as_bytes()).is_some()
    }
    fn find_iter<'h, 's>(&'s self, hay: &'h str) -> memchr::memmem::FindIter<'h, 's> {
        self.finder().find_iter(hay.as_bytes())
    }
}

static NIAN: Phrase = Phrase::new("年");
static SHI: Phrase = Phrase::new("是");
static JIAN: Phrase = Phrase::new("件");
static FEI: Phrase = Phrase::new("费");

static JAN1: Phrase = Phrase::new("1月1日");
static DEC31: Phrase = Phrase::new("12月31日");

/// Verbs that state a year's own figures ("共收到申请12件", "办结", "主动公开信息35条").
const STAT_VERBS: &[&str] =
    &["收到", "新收", "受理", "办结", "答复", "主动公开", "公开政府信息", "发布信息", "发布政府信息"];

const PLAN_WORDS: &[&str] = &["将", "计划", "拟", "下一步", "预计", "要", "继续", "力争", "持续"];

fn sentence_at(text: &str, off: usize) -> &str {
    let end = text[off..].find(['。', '；', '!', '！']).map_or(text.len(), |e| off + e);
    &text[off..end]
}

/// D10: the title year against the statistics year stated in the text and the signature date.
fn d10(r: &Report, out: &mut Vec<Finding>) {
    let Some(year) = &r.year else {
        if r.title.is_none() {
            out.push(Finding::new("D10", Severity::Info, "未能识别报告标题及报告年度，无法核对年度是否一致"));
        }
        return;
    };
    let y = year.value;
    let mut flagged = 0;
    // (paragraph, offset) of years already reported, so one year is reported once.
    let mut flagged_at = std::collections::HashSet::new();
    for (sec, p) in r.all_paras() {
        // The statistics period "自YYYY年1月1日起至YYYY年12月31日止".
        if JAN1.is_in(&p.text) && DEC31.is_in(&p.text) {
            for (v, off, len) in years(&p.text) {
                let ctx: String = p.text[off..].chars().take(16).collect();
                if v != y && (ctx.contains("1月1日") || ctx.contains("12月31日")) {
                    out.push(
                        Finding::new(
                            "D10",
                            Severity::Error,
                            format!("标题年度为{y}年，但统计期限写为{v}年（“{}”）", sentence_at(&p.text, off)),
                        )
                        .at(Some(at(p, off, len))),
                    );
                    flagged += 1;
                }
            }
        }
        // A paragraph that opens with "YYYY年，" describing the year's work (sections 一 and 五).
        if matches!(sec, Some(1) | Some(5)) {
            let t = p.text.trim_start();
            let lead = p.text.len() - t.len();
            if let Some((v, len)) = year_at_start(t)
                && v == y + 1
                && t[len..].starts_with(['，', ','])
                && !PLAN_WORDS.iter().any(|w| sentence_at(t, 0).contains(w))
                && flagged_at.insert((p.src.start, lead))
            {
                out.push(
                    Finding::new(
                        "D10",
                        Severity::Error,
                        format!(
                            "标题年度为{y}年，但“{}”部分以{v}年的工作开头（“{}…”）",
                            SectionId(sec.unwrap_or(1)).official_heading(),
                            sentence_at(t, 0).chars().take(24).collect::<String>()
                        ),
                    )
                    .at(Some(at(p, lead, len))),
                );
                flagged += 1;
            }
        }
    }
    // Another year's figures anywhere in the body: "本机关2023年共收到申请12件" in a 2024
    // report (issue 13 part 4). Mentions plainly about another year are not findings: a
    // comparison (与/较/比…, 相比, 同期, 同比), the previous year (上年, 去年), the carry-over
    // from it (结转), a period (以来, 至今), plans.
    // Only paragraphs with a count (件) can state figures: the others are not scanned.
    for (_, p) in r.all_paras().filter(|(sec, _)| sec.is_some()).filter(|(_, p)| JIAN.is_in(&p.text)) {
        for (v, off, len) in years(&p.text) {
            if v == y || flagged_at.contains(&(p.src.start, off)) {
                continue;
            }
            let rest = &p.text[off + len..];
            let clause_end = rest.find(['，', ',', '。', '；', ';']).unwrap_or(rest.len());
            let clause = &rest[..clause_end];
            let lead: String = p.text[..off].chars().rev().take(3).collect();
            let wider: String = p.text[..off].chars().rev().take(8).collect::<Vec<_>>().into_iter().rev().collect();
            let sentence = sentence_at(&p.text, off);
            let stat = STAT_VERBS.iter().any(|w| clause.contains(w)) && !counts(clause).is_empty();
            let past = ["与", "较", "比", "同", "自", "从"].iter().any(|w| lead.contains(w))
                || ["上年", "去年", "上一年"].iter().any(|w| wider.contains(w))
                || ["相比", "同期", "以来", "至今", "度相比", "年底前", "年前"]
                    .iter()
                    .any(|w| rest.starts_with(w) || clause.starts_with(w))
                || ["上年", "去年", "结转", "同比", "相比"].iter().any(|w| clause.contains(w))
                || PLAN_WORDS.iter().any(|w| sentence.contains(w));
            if stat && !past {
                out.push(
                    Finding::new(
                        "D10",
                        Severity::Error,
                        format!(
                            "标题年度为{y}年，但正文以{v}年陈述本年数字（“{}{}”）",
                            &p.text[off..off + len],
                            clause.chars().take(30).collect::<String>()
                        ),
                    )
                    .at(Some(at(p, off, len))),
                );
            }
        }
    }
    // Signature date: reports are published in the following year.
    if let Some(last) = r.sections.last()
        && let Some(p) = last.paras.last()
    {
        let t = p.text.trim();
        if t.chars().count() <= 16
            && t.ends_with('日')
            && t.contains('月')
            && let Some((v, off, len)) = years(t).first().copied()
            && v != y + 1
            && flagged == 0
        {
            out.push(
                Finding::new(
                    "D10",
                    Severity::Warning,
                    format!("标题年度为{y}年，落款日期却在{v}年（年度报告应在次年发布）"),
                )
                .at(Some(at(p, off + (p.text.len() - p.text.trim_start().len()), len))),
            );
        }
    }
}

/// The signature date (落款日期) in the last lines: (year, month, day, paragraph, offset, len).
fn signature_date(r: &Report) -> Option<(i32, u32, u32, &Para, usize, usize)> {
    let p = r.sections.last()?.paras.iter().rev().take(3).find(|p| {
        let t = p.text.trim();
        t.chars().count() <= 16 && t.ends_with('日') && t.contains('月')
    })?;
    let (y, off, len) = years(&p.text).first().copied()?;
    let rest = &p.text[off + len..];
    let num = |s: &str| -> Option<(u32, usize)> {
        let d: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
        Some((d.parse().ok()?, d.len()))
    };
    let rest = rest.trim_start();
    let (m, ml) = num(rest)?;
    let rest = rest[ml..].strip_prefix('月')?.trim_start();
    let (d, _) = num(rest)?;
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y, m, d, p, off, p.text.trim_end().len() - off))
}

/// D11: late publication (条例第四十九条): departments of 县级以上 governments by 31 January,
/// 县级以上地方人民政府 by 31 March of the following year. Judged on the signature date, which
/// cannot be later than publication. Townships are not covered by the article.
fn d11(r: &Report, out: &mut Vec<Finding>) {
    let (Some(year), Some(organ)) = (&r.year, &r.organ) else {
        return;
    };
    let Some((y, m, d, p, off, len)) = signature_date(r) else {
        return;
    };
    let o = organ.value.as_str();
    if o.ends_with('乡')
        || o.ends_with('镇')
        || o.contains("街道")
        || o.contains("乡人民政府")
        || o.contains("镇人民政府")
    {
        return;
    }
    let government = o.ends_with("人民政府") && !o.contains("办公");
    let deadline_month = if government { 3 } else { 1 };
    let late = y > year.value + 1 || (y == year.value + 1 && (m > deadline_month || (m == deadline_month && d > 31)));
    if late {
        out.push(
            Finding::new(
                "D11",
                Severity::Warning,
                format!(
                    "落款日期为{y}年{m}月{d}日，晚于条例第四十九条规定的公布期限（{}应于{}年{}月31日前公布）",
                    if government { "县级以上地方人民政府的报告" } else { "政府部门的报告" },
                    year.value + 1,
                    deadline_month
                ),
            )
            .at(Some(at(p, off, len))),
        );
    }
}

/// D12: the six headings of SPEC §1.3 must all be present.
fn d12(r: &Report, out: &mut Vec<Finding>) {
    // The six sections are the 2019+ outline; a pre-2019 report has its own (SPEC §2.4, read
    // into `Report::pre2019`; the parser's P7 note says so).
    if r.format == gongkai_model::FormatVersion::Pre2019 {
        return;
    }
    // In a truncated source, sections after the last one present were cut off, not omitted.
    let last_present = r.sections.iter().map(|s| s.id.0).max().unwrap_or(0);
    let end = r.sections.last().and_then(|s| s.paras.last().map(|p| p.src).or(Some(s.src)));
    for (i, heading) in SECTION_HEADINGS.iter().enumerate() {
        let id = i as u8 + 1;
        if r.section(id).is_some() || (r.truncated.is_some() && id > last_present) {
            continue;
        }
        // Point where the section should have been: at the next present heading.
        let next = r.sections.iter().filter(|s| s.id.0 > id).map(|s| s.src).min_by_key(|s| s.start);
        out.push(
            Finding::new(
                "D12",
                Severity::Error,
                format!("缺少第{}部分“{heading}”", SectionId(id).official_heading().chars().next().unwrap_or('?')),
            )
            .at(next.or(end)),
        );
    }
}

/// D12: a heading numbered against the six sections (`三、主动公开…`, section 二 under the
/// number 三). The parser records each heading's printed number (`Section::number`); a pre-2019
/// report has its own outline (SPEC §2.4) and is not judged by this one.
pub fn misnumbered_headings(r: &Report, out: &mut Vec<Finding>) {
    if r.format == FormatVersion::Pre2019 {
        return;
    }
    for s in &r.sections {
        if let Some(n) = s.number
            && n != u32::from(s.id.0)
        {
            out.push(
                Finding::new(
                    "D12",
                    Severity::Warning,
                    format!("标题“{}”的序号为{}，按标准格式应为“{}”", s.heading.trim_end(), n, s.id.official_heading()),
                )
                .at(Some(s.src)),
            );
        }
    }
}

/// D12 (issue 13 part 4): a heading with nothing under it is as good as a missing section.
/// Judged for the prose sections 一, 五 and 六: the body of 二/三/四 is their table, whose
/// absence the parser already reports (P1). The last section of a truncated source was cut,
/// not left empty; a section number printed twice (an outline that restarts) is judged on all
/// its occurrences together.
fn empty_sections(r: &Report, out: &mut Vec<Finding>) {
    let last = r.sections.len().saturating_sub(1);
    for (i, s) in r.sections.iter().enumerate() {
        let id = s.id.0;
        if !matches!(id, 1 | 5 | 6)
            || (r.truncated.is_some() && i == last)
            || r.sections[..i].iter().any(|o| o.id.0 == id)
            || r.sections.iter().filter(|o| o.id.0 == id).any(|o| o.paras.iter().any(|p| !p.text.trim().is_empty()))
        {
            continue;
        }
        out.push(
            Finding::new(
                "D12",
                Severity::Error,
                format!("第{}部分“{}”只有标题，没有内容", numeral(id), s.heading.trim()),
            )
            .at(Some(s.src)),
        );
    }
}

fn numeral(id: u8) -> char {
    SectionId(id).official_heading().chars().next().unwrap_or('?')
}

/// D13: 2021-format reports state the 信息处理费 collected in section 六.
fn d13(r: &Report, out: &mut Vec<Finding>) {
    if r.truncated.is_some() && r.section(6).is_none() {
        return;
    }
    let uses_2021 = r.format_markers.iter().any(|m| m.format == FormatVersion::F2021)
        || r.year.as_ref().is_some_and(|y| y.value >= 2021);
    if !uses_2021 {
        return;
    }
    // "信息处理费", or a plain statement about fees ("未发生收费情况", "未收取费用").
    // Every keyword holds 费: paragraphs without it are passed over with one search.
    let mentions =
        |p: &Para| FEI.is_in(&p.text) && ["处理费", "收费", "收取费用", "费用"].iter().any(|k| p.text.contains(k));
    match r.section(6) {
        Some(s) if s.paras.iter().any(mentions) => {}
        Some(s) => out.push(
            Finding::new(
                "D13",
                Severity::Warning,
                "“六、其他需要报告的事项”未说明信息处理费的收取情况（收取金额或未收取）",
            )
            .at(Some(s.src)),
        ),
        None if r.all_paras().any(|(_, p)| mentions(p)) => {}
        None => out.push(
            Finding::new(
                "D13",
                Severity::Warning,
                "报告没有说明信息处理费的收取情况（2021年版格式要求在“六、其他需要报告的事项”中说明）",
            )
            .at(r.sections.last().map(|s| s.paras.last().map_or(s.src, |p| p.src))),
        ),
    }
}

/// D14: 人民政府 reports include 工作考核、社会评议和责任追究结果 (条例第五十条第（四）项).
fn d14(r: &Report, out: &mut Vec<Finding>) {
    if r.truncated.is_some() {
        return;
    }
    let Some(organ) = &r.organ else { return };
    let o = &organ.value;
    let is_gov = (o.ends_with("人民政府") || o.ends_with("区政府") || o.ends_with("县政府") || o.ends_with("市政府"))
        && !o.contains("办公");
    if !is_gov {
        return;
    }
    let found = r.all_paras().any(|(_, p)| ["工作考核", "社会评议", "责任追究"].iter().any(|k| p.text.contains(k)));
    if !found {
        out.push(
            Finding::new(
                "D14",
                Severity::Warning,
                format!("“{o}”是人民政府，报告应说明工作考核、社会评议和责任追究结果情况，正文未见相关内容"),
            )
            .at(Some(organ.src)),
        );
    }
}

/// A count stated in prose: `<digits> 件` with its offset and length. The digits are a whole
/// run of ASCII digits (not the fraction of a decimal), at most nine, with only whitespace
/// between them and 件. Each 件 is found with memmem and the digits are read backwards, so
/// prose without 件 is not scanned byte by byte.
fn counts(text: &str) -> Vec<(u64, usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    for jian in JIAN.find_iter(text) {
        let before = &text[..jian];
        let digits_end = before.trim_end().len();
        let digits = before[..digits_end].bytes().rev().take_while(u8::is_ascii_digit).count();
        let s = digits_end - digits;
        if digits == 0 || digits > 9 || (s > 0 && b[s - 1] == b'.') {
            continue;
        }
        if let Ok(v) = text[s..digits_end].parse() {
            out.push((v, s, digits));
        }
    }
    out
}

/// What a sentence of the text can restate from the tables (issue 13 part 4).
#[derive(Clone, Copy)]
enum Stated {
    /// The 总计 of one table-三 row, or the sum of the 总计 of several (an outcome group).
    T3(&'static [T3Row]),
    /// The 总计 of table-四 groups (行政诉讼 = both suit groups).
    T4(&'static [T4Group]),
    /// The decisions of a table-二 row (2021 or 2019 column).
    T2(T2Row),
    /// One cell of table 二 (行政规范性文件: 制发, 废止 or 现行有效, by the clause's verb).
    T2Cell(T2Row, T2Col),
}

/// Subjects, found by the keyword nearest before the number in its clause: keyword, what the
/// finding calls it, the table cell(s). Longer keywords first where one contains another.
const SUBJECTS: &[(&str, &str, Stated)] = &[
    ("上年结转", "上年结转", Stated::T3(&[T3Row::R2])),
    ("上年度结转", "上年结转", Stated::T3(&[T3Row::R2])),
    ("结转上年", "上年结转", Stated::T3(&[T3Row::R2])),
    ("结转下", "结转下年度", Stated::T3(&[T3Row::R4])),
    ("转入下", "结转下年度", Stated::T3(&[T3Row::R4])),
    ("结转至", "结转下年度", Stated::T3(&[T3Row::R4])),
    ("新收", "本年新收", Stated::T3(&[T3Row::R1])),
    ("收到", "本年新收", Stated::T3(&[T3Row::R1])),
    ("办结", "办结", Stated::T3(&[T3Row::R3_7])),
    ("予以公开", "予以公开", Stated::T3(&[T3Row::R3_1])),
    ("部分公开", "部分公开", Stated::T3(&[T3Row::R3_2])),
    ("不予公开", "不予公开", Stated::T3(T3_NOT_DISCLOSED)),
    ("无法提供", "无法提供", Stated::T3(T3_CANNOT)),
    ("不予处理", "不予处理", Stated::T3(T3_NOT_HANDLED)),
    ("行政复议", "行政复议", Stated::T4(&[T4Group::Rv])),
    ("行政诉讼", "行政诉讼", Stated::T4(&[T4Group::Ld, T4Group::Lr])),
    ("行政许可", "行政许可", Stated::T2(T2Row::License)),
    ("行政处罚", "行政处罚", Stated::T2(T2Row::Penalty)),
    ("行政强制", "行政强制", Stated::T2(T2Row::Coercion)),
    ("规范性文件", "规范性文件", Stated::T2Cell(T2Row::Norm, T2Col::Issued)),
];
const T3_NOT_DISCLOSED: &[T3Row] = &[
    T3Row::R3_3_1,
    T3Row::R3_3_2,
    T3Row::R3_3_3,
    T3Row::R3_3_4,
    T3Row::R3_3_5,
    T3Row::R3_3_6,
    T3Row::R3_3_7,
    T3Row::R3_3_8,
];
const T3_CANNOT: &[T3Row] = &[T3Row::R3_4_1, T3Row::R3_4_2, T3Row::R3_4_3];
const T3_NOT_HANDLED: &[T3Row] = &[T3Row::R3_5_1, T3Row::R3_5_2, T3Row::R3_5_3, T3Row::R3_5_4, T3Row::R3_5_5];

/// Words naming another subject: a count after one of them (between the keyword and the
/// number) is not the keyword's (`收到咨询30件`, `收到申请后转办信件5件`).
const OTHER_SUBJECTS: &[&str] = &[
    "咨询",
    "信件",
    "留言",
    "来电",
    "来信",
    "建议",
    "提案",
    "信访",
    "投诉",
    "举报",
    "意见",
    "诉求",
    "工单",
    "网站",
    "条信息",
    "自然人",
    "法人",
    "企业",
    "机构",
    "组织",
    "会议",
    "培训",
    "发文",
];

/// Words that put a count in another frame (a share, a change, the previous year's figure).
const OTHER_FRAMES: &[&str] =
    &["%", "％", "同比", "比上年", "较上年", "增长", "下降", "增加", "减少", "累计", "平均", "约"];

/// The table value a subject restates, its location and the cells' names.
fn stated_value(r: &Report, what: Stated) -> Option<(rust_decimal::Decimal, Option<Src>, Vec<String>)> {
    let mut sum = rust_decimal::Decimal::ZERO;
    let mut src = None;
    let mut names = Vec::new();
    match what {
        Stated::T3(rows) => {
            // An outcome group is the sum of its rows (R3.6 has no keyword: 其他处理 is too common).
            for row in rows {
                let c = r.t3(*row, Col::Tot)?;
                sum += c.as_number()?;
                src = src.or(c.src);
                names.push(format!("table3.{}.TOT", row.id()));
            }
        }
        Stated::T4(groups) => {
            for g in groups {
                let c = r.t4(*g, T4Outcome::Tot)?;
                sum += c.as_number()?;
                src = src.or(c.src);
                names.push(format!("table4.{}.TOT", g.id()));
            }
        }
        Stated::T2(row) => {
            let m = r.table2.get(&row)?;
            let (col, c) = [T2Col::Decisions, T2Col::Decisions2019].iter().find_map(|c| m.get(c).map(|v| (*c, v)))?;
            sum = c.as_number()?;
            src = c.src;
            names.push(format!("table2.{}.{}", row.id(), col.id()));
        }
        Stated::T2Cell(row, col) => {
            let c = r.table2.get(&row)?.get(&col)?;
            sum = c.as_number()?;
            src = c.src;
            names.push(format!("table2.{}.{}", row.id(), col.id()));
        }
    }
    Some((sum, src, names))
}

fn stated_name(what: Stated) -> String {
    match what {
        Stated::T3([row]) => format!("表三“{}”总计", row.label()),
        Stated::T3(rows) => format!("表三“{}”各行总计之和", rows[0].group_label().unwrap_or("")),
        Stated::T4([g]) => format!("表四“{}”总计", g.label()),
        Stated::T4(_) => "表四行政诉讼两项总计之和".to_string(),
        Stated::T2(row) => format!("表二“{}”本年处理决定数量", row.label()),
        Stated::T2Cell(row, col) => format!("表二“{}”{}", row.label(), col.label()),
    }
}

/// D17: numbers the text states with 件 (收到/新收, 上年结转, 办结, 结转下年度, each outcome,
/// 行政复议, 行政诉讼, 行政许可/处罚/强制) against the table cells they restate, with both
/// locations. The subject is the keyword nearest before the number in its clause; a count
/// that another subject word or another frame (a share, a change, the previous year) stands
/// between is not taken.
fn d17(r: &Report, out: &mut Vec<Finding>) {
    for (sec, p) in r.all_paras() {
        if !matches!(sec, None | Some(1..=4)) {
            continue;
        }
        for (v, off, len) in counts(&p.text) {
            // The clause the number sits in, back to the last sentence or clause break.
            let before = &p.text[..off];
            let clause_start = before
                .rfind(['。', '；', '，', ',', '：', '、', ';'])
                .map_or(0, |i| i + before[i..].chars().next().map_or(1, char::len_utf8));
            let clause = &before[clause_start..];
            if OTHER_FRAMES.iter().any(|w| clause.contains(w)) {
                continue;
            }
            // The keyword nearest the number (the last one to start in the clause).
            let Some((kpos, key, what, stated)) = SUBJECTS
                .iter()
                .filter_map(|(k, w, s)| clause.rfind(k).map(|i| (i, *k, *w, *s)))
                .max_by_key(|(i, k, _, _)| (*i, k.len()))
            else {
                continue;
            };
            let after_key = &clause[kpos + key.len()..];
            if OTHER_SUBJECTS.iter().any(|w| after_key.contains(w)) {
                continue;
            }
            // 上年/去年 figures are not this year's (except the carry-over from it).
            if !matches!(stated, Stated::T3([T3Row::R2]))
                && (clause[..kpos].contains("上年") || clause[..kpos].contains("去年"))
            {
                continue;
            }
            // 收到 restates R1 only for applications (not 收到…答复, 收到…结转, 受理).
            if key == "收到" && (!clause.contains("申请") || clause.contains("结转") || clause.contains("受理"))
            {
                continue;
            }
            if key == "办结" && clause[kpos..].contains("率") {
                continue;
            }
            // 规范性文件: the verb of the clause names the column (2021 table 二 only).
            let (stated, what) = match stated {
                Stated::T2Cell(row, _) => {
                    let col = if clause.contains("现行有效") {
                        T2Col::Valid
                    } else if clause.contains("废止") {
                        T2Col::Repealed
                    } else if ["制发", "印发", "出台", "制定"].iter().any(|w| clause.contains(w)) {
                        T2Col::Issued
                    } else {
                        continue;
                    };
                    let what = match col {
                        T2Col::Valid => "现行有效规范性文件",
                        T2Col::Repealed => "废止规范性文件",
                        _ => "制发规范性文件",
                    };
                    (Stated::T2Cell(row, col), what)
                }
                other => (other, what),
            };
            let Some((t, src, cells)) = stated_value(r, stated) else { continue };
            if t != v.into() {
                out.push(
                    Finding::new(
                        "D17",
                        Severity::Warning,
                        format!(
                            "正文称{what}{v}件（“{}{}件”），{}为{t}",
                            clause.trim(),
                            &p.text[off..off + len],
                            stated_name(stated)
                        ),
                    )
                    .at(Some(at(p, off, len)))
                    .also(src)
                    .cells(cells),
                );
            }
        }
    }
}

/// D21's organ-type words: they tell one organ's name from another's (SPEC §6 D21).
const ORGAN_TYPES: &[&str] = &[
    "民政",
    "教育",
    "卫健",
    "卫生健康",
    "公安",
    "科技",
    "财政",
    "人社",
    "人力资源",
    "自然资源",
    "生态环境",
    "住建",
    "住房和城乡建设",
    "交通",
    "水利",
    "农业农村",
    "商务",
    "文旅",
    "文化和旅游",
    "应急",
    "审计",
    "市场监管",
    "统计",
    "医保",
    "信访",
    "司法",
    "发改",
    "发展和改革",
    "工信",
    "退役军人",
    "林业",
    "城管",
    "税务",
    "体育",
    "国资",
    "档案",
    "粮食",
    "气象",
    "消防",
    "残联",
];

fn type_of(name: &str) -> Option<&'static str> {
    ORGAN_TYPES.iter().find(|t| name.contains(**t)).copied()
}

/// Alias groups of organ-type words that name the same kind of organ.
const TYPE_ALIASES: &[&[&str]] = &[
    &["卫健", "卫生健康"],
    &["人社", "人力资源"],
    &["住建", "住房和城乡建设"],
    &["文旅", "文化和旅游"],
    &["发改", "发展和改革"],
];

fn same_type(a: &str, b: &str) -> bool {
    a == b || TYPE_ALIASES.iter().any(|g| g.contains(&a) && g.contains(&b))
}

const PLATFORM_WORDS: &[&str] =
    &["微信公众号", "公众号", "微博", "网站", "客户端", "APP", "头条号", "抖音号", "视频号", "平台", "专栏"];

const OPEN_QUOTES: [&str; 3] = ["“", "\"", "「"];
const CLOSE_QUOTES: [&str; 3] = ["”", "\"", "」"];

/// The first of three quote marks at or after byte `from`: (offset, byte length). Every
/// mark starts with `"` (0x22), 0xE2 or 0xE3, so candidates are found with memchr3 and the
/// prose in between is not decoded.
fn find_quote(t: &str, from: usize, marks: [&str; 3]) -> Option<(usize, usize)> {
    let b = t.as_bytes();
    // One iterator over the candidates: 0xE3 also starts `。` and `、`, and restarting a
    // search after each of them cost more than the scan.
    memchr::memchr3_iter(b'"', 0xE2, 0xE3, b.get(from..)?).find_map(|k| {
        let at = from + k;
        marks.iter().find(|m| b[at..].starts_with(m.as_bytes())).map(|m| (at, m.len()))
    })
}

/// D21: the text presents another organ's account or platform as the reporting organ's own,
/// or the signature names another organ than the title.
fn d21(r: &Report, out: &mut Vec<Finding>) {
    let Some(organ) = &r.organ else { return };
    if let Some(sig) = &r.signature
        && sig.src != organ.src
        && !sig.value.contains(organ.value.as_str())
        && !organ.value.contains(sig.value.as_str())
        && type_of(&sig.value).is_some_and(|t| type_of(&organ.value).is_some_and(|o| !same_type(t, o)))
    {
        out.push(
            Finding::new("D21", Severity::Warning, format!("标题中的机关是“{}”，落款却是“{}”", organ.value, sig.value))
                .at(Some(sig.src)),
        );
    }

    let Some(own) = type_of(&organ.value) else {
        return;
    };
    for (_, p) in r.all_paras() {
        let t = &p.text;
        let mut from = 0;
        while let Some((q, open_len)) = find_quote(t, from, OPEN_QUOTES) {
            let Some((close, close_len)) = find_quote(t, q + open_len, CLOSE_QUOTES) else {
                break;
            };
            let name = &t[q + open_len..close];
            let after = &t[close + close_len..];
            from = close + close_len;
            if name.chars().count() > 20 || !name.chars().any(is_cjk) {
                continue;
            }
            if !PLATFORM_WORDS.iter().any(|w| after.starts_with(w)) {
                continue;
            }
            if let Some(other) = type_of(name)
                && !same_type(other, own)
                && !name.contains(own)
            {
                let platform = PLATFORM_WORDS.iter().find(|w| after.starts_with(**w)).copied().unwrap_or("");
                out.push(
                    Finding::new(
                        "D21",
                        Severity::Warning,
                        format!(
                            "报告单位是“{}”（{own}），正文却称“{name}”{platform}为本单位平台，“{name}”像是其他机关（{other}）的名称，可能抄自其他单位的报告",
                            organ.value
                        ),
                    )
                    .at(Some(at(p, q, close + close_len - q))),
                );
            }
        }
    }
}

const ORD: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
const ORD_SHI: [&str; 10] = ["一是", "二是", "三是", "四是", "五是", "六是", "七是", "八是", "九是", "十是"];

/// "一是" … "十是" in `t`: (offset, ordinal 1–10, byte length), in text order. Every hit is
/// found from the bytes of 是; the ordinal is the character before it.
fn shi_hits(t: &str) -> Vec<(usize, usize, usize)> {
    let mut hits = Vec::new();
    for shi in SHI.find_iter(t) {
        let Some(off) = shi.checked_sub(3) else { continue };
        let Some(n) = t.get(off..shi).and_then(|o| ORD.iter().position(|x| *x == o)) else {
            continue;
        };
        // "一是" must not be part of a longer numeral ("十一是") or word ("统一是").
        let prev = t[..off].chars().next_back();
        if prev.is_some_and(|c| is_cjk(c) && !"；。，：、".contains(c)) {
            continue;
        }
        hits.push((off, n + 1, ORD_SHI[n].len()));
    }
    hits
}

/// D22: 一是/二是… and （一）（二）… must count up by one; a restart at one is a new list.
fn d22(r: &Report, out: &mut Vec<Finding>) {
    for s in &r.sections {
        let mut prev_shi: Option<usize> = None;
        let mut prev_par: Option<usize> = None;
        for p in &s.paras {
            // "X是" enumerations inside the text.
            let t = &p.text;
            let hits = shi_hits(t);
            for (off, n, len) in hits {
                if let Some(pn) = prev_shi
                    && n != 1
                    && n != pn + 1
                {
                    let what = if n == pn {
                        "重复"
                    } else if n > pn {
                        "跳号"
                    } else {
                        "倒序"
                    };
                    out.push(
                        Finding::new(
                            "D22",
                            Severity::Warning,
                            format!("序号{what}：“{}是”之后出现“{}”", ORD[pn - 1], &t[off..off + len]),
                        )
                        .at(Some(at(p, off, len))),
                    );
                }
                prev_shi = Some(n);
            }
            // "（一）" sub-headings at the start of paragraphs.
            let lead = t.trim_start();
            if let Some(rest) = lead.strip_prefix(['（', '(']) {
                let close = rest.find(['）', ')']);
                if let Some(c) = close
                    && let Some(n) = ORD.iter().position(|o| *o == &rest[..c])
                {
                    let n = n + 1;
                    if let Some(pn) = prev_par
                        && n != 1
                        && n != pn + 1
                    {
                        let what = if n == pn { "重复" } else { "跳号" };
                        out.push(
                            Finding::new(
                                "D22",
                                Severity::Warning,
                                format!("小标题序号{what}：“（{}）”之后出现“（{}）”", ORD[pn - 1], ORD[n - 1]),
                            )
                            .at(Some(at(p, t.len() - lead.len(), 3))),
                        );
                    }
                    prev_par = Some(n);
                }
            }
        }
    }
}

const SPAM: &[&str] = &[
    "博彩",
    "赌场",
    "六合彩",
    "时时彩",
    "百家乐",
    "新葡京",
    "真人娱乐",
    "棋牌游戏",
    "开户送",
    "娱乐城",
    "威尼斯人",
    "体育投注",
];

/// For each [`SPAM`] phrase, a character of it that government prose almost never holds,
/// where the searcher looks first: in the 130,000 characters of `../shared/corpus`, 彩 赌 葡
/// 娱 棋 尼 never occur and 乐 送 投 at most 0.6 times per 10,000 characters. The phrases'
/// first characters would not do: 开 (公开, 57 per 10,000), 新, 时 and 体 are among the most
/// frequent in these reports, and the SIMD prefilter stopped on every one of them.
const SPAM_ANCHORS: [&str; 12] = ["彩", "赌", "彩", "彩", "乐", "葡", "娱", "棋", "送", "娱", "尼", "投"];

/// D23's searcher: the distinct [`SPAM_ANCHORS`] (patterns `0..ANCHORS`), then `???`, then
/// U+FFFD.
fn spam() -> &'static (aho_corasick::AhoCorasick, Vec<&'static str>) {
    static AC: std::sync::OnceLock<(aho_corasick::AhoCorasick, Vec<&'static str>)> = std::sync::OnceLock::new();
    // Leftmost-first semantics let the searcher use its SIMD prefilter (Teddy); the standard
    // semantics would run the automaton over every byte of the prose.
    AC.get_or_init(|| {
        let mut anchors: Vec<&str> = Vec::new();
        for a in SPAM_ANCHORS {
            if !anchors.contains(&a) {
                anchors.push(a);
            }
        }
        let ac = aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostFirst)
            .build(anchors.iter().copied().chain(["???", "\u{FFFD}"]))
            .expect("static patterns");
        (ac, anchors)
    })
}

/// The first spam phrase, `???` and U+FFFD in `t`, each as (start, end): in one pass over the
/// text. The spam phrase is the leftmost, and of two starting at the same byte the one
/// listed first in [`SPAM`] (what a leftmost-first search for the phrases finds).
fn d23_hits(t: &str) -> [Option<(usize, usize)>; 3] {
    let (ac, anchors) = spam();
    let b = t.as_bytes();
    let mut first = [None::<(usize, usize)>; 3];
    let mut best: Option<(usize, usize)> = None; // (start, phrase index)
    for m in ac.find_iter(t) {
        let p = m.pattern().as_usize();
        if p >= anchors.len() {
            let kind = p - anchors.len() + 1;
            if first[kind].is_none() {
                first[kind] = Some((m.start(), m.end()));
            }
            continue;
        }
        for (i, (phrase, anchor)) in SPAM.iter().zip(SPAM_ANCHORS).enumerate() {
            if anchor != anchors[p] {
                continue;
            }
            let o = phrase.find(anchor).unwrap_or(0);
            let Some(start) = m.start().checked_sub(o) else { continue };
            if b[start..].starts_with(phrase.as_bytes()) && best.is_none_or(|(s, k)| (start, i) < (s, k)) {
                best = Some((start, i));
            }
        }
    }
    first[0] = best.map(|(s, i)| (s, s + SPAM[i].len()));
    first
}

/// Offset of the first tone-marked pinyin vowel. They are U+00E0..U+01DC, whose UTF-8 lead
/// bytes are 0xC3..=0xC7: Chinese prose has none, so the bytes are scanned and only those
/// few candidates are decoded.
fn pinyin(t: &str) -> Option<usize> {
    let b = t.as_bytes();
    // Two SIMD searches cover the five lead bytes (memchr takes at most three); each keeps
    // its next hit, so a text with many candidates is still scanned once.
    let next_a = |from: usize| memchr::memchr3(0xC3, 0xC4, 0xC5, &b[from..]).map(|k| from + k);
    let next_b = |from: usize| memchr::memchr2(0xC6, 0xC7, &b[from..]).map(|k| from + k);
    let (mut a, mut c) = (next_a(0), next_b(0));
    loop {
        let at = match (a, c) {
            (None, None) => return None,
            (Some(x), None) | (None, Some(x)) => x,
            (Some(x), Some(y)) => x.min(y),
        };
        if let Some(ch) = t[at..].chars().next()
            && "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ".contains(ch)
        {
            return Some(at);
        }
        if a == Some(at) {
            a = next_a(at + 1);
        }
        if c == Some(at) {
            c = next_b(at + 1);
        }
    }
}

fn d23(r: &Report, out: &mut Vec<Finding>) {
    for (_, p) in r.all_paras() {
        let t = &p.text;
        // One pass finds the first match of each kind; a spam phrase is reported before
        // `???`, and `???` before U+FFFD, wherever they are in the paragraph. The kinds share
        // no bytes, so no match hides another.
        let first = d23_hits(t);
        let hit: Option<(usize, usize, String)> = if let Some((s, e)) = first[0] {
            Some((s, e - s, format!("与信息公开无关的文字“{}”", &t[s..e])))
        } else if let Some((s, _)) = first[1] {
            Some((s, 3, "乱码“???”".to_string()))
        } else if let Some((s, _)) = first[2] {
            Some((s, 3, "无法解码的字符“\u{FFFD}”".to_string()))
        } else {
            pinyin(t).map(|off| (off, 2, "夹杂拼音".to_string()))
        };
        if let Some((off, len, what)) = hit {
            out.push(Finding::new("D23", Severity::Warning, format!("正文中出现{what}")).at(Some(at(p, off, len))));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_found_with_offsets() {
        let t = "2021年，南关区；统计 2020 年";
        let ys = years(t);
        assert_eq!(ys.iter().map(|y| y.0).collect::<Vec<_>>(), vec![2021, 2020]);
        assert_eq!(&t[ys[0].1..ys[0].1 + ys[0].2], "2021年");
        assert_eq!(
            years("１２０２１年 ２０２１　年 20 21年 1989年 2100年").iter().map(|y| y.0).collect::<Vec<_>>(),
            vec![2021, 2100]
        );
    }

    /// The generator's regions carry no organ-type word, so a generated organ name names
    /// exactly one organ type for D21.
    #[test]
    fn generated_regions_name_no_organ_type() {
        for region in gongkai_synth::REGIONS {
            assert!(!ORGAN_TYPES.iter().any(|t| region.contains(t)), "{region}");
        }
    }

    #[test]
    fn counts_found() {
        assert_eq!(counts("收到申请34件，答复 35 件").iter().map(|c| c.0).collect::<Vec<_>>(), vec![34, 35]);
    }

    /// The char-by-char readings these byte scanners replaced, kept as oracles.
    mod oracle {
        use super::super::{ORD_SHI, is_cjk};

        pub fn years(text: &str) -> Vec<(i32, usize, usize)> {
            let digit = |c: char| match c {
                '0'..='9' => Some(c as u32 - '0' as u32),
                '０'..='９' => Some(c as u32 - '０' as u32),
                _ => None,
            };
            let (mut out, mut run, mut spaces) = (Vec::new(), None::<(usize, u32, i32)>, false);
            for (off, c) in text.char_indices() {
                if let Some(d) = digit(c) {
                    run = match run {
                        Some((s, n, v)) if !spaces => Some((s, n + 1, v.saturating_mul(10).saturating_add(d as i32))),
                        _ => Some((off, 1, d as i32)),
                    };
                    spaces = false;
                } else if (c == ' ' || c == '\u{3000}') && run.is_some() {
                    spaces = true;
                } else {
                    if c == '年'
                        && let Some((s, 4, y)) = run
                        && (1990..=2100).contains(&y)
                    {
                        out.push((y, s, off + c.len_utf8() - s));
                    }
                    run = None;
                    spaces = false;
                }
            }
            out
        }

        pub fn shi_hits(t: &str) -> Vec<(usize, usize, usize)> {
            let mut hits = Vec::new();
            for (n, pat) in ORD_SHI.iter().enumerate() {
                for (off, _) in t.match_indices(pat) {
                    let prev = t[..off].chars().next_back();
                    if prev.is_some_and(|c| is_cjk(c) && !"；。，：、".contains(c)) {
                        continue;
                    }
                    hits.push((off, n + 1, pat.len()));
                }
            }
            hits.sort();
            hits
        }

        pub fn quote(t: &str, from: usize, marks: [char; 3]) -> Option<(usize, usize)> {
            t[from..].find(marks).map(|i| (from + i, t[from + i..].chars().next().map_or(1, char::len_utf8)))
        }

        pub fn counts(text: &str) -> Vec<(u64, usize, usize)> {
            let b = text.as_bytes();
            let mut out = Vec::new();
            let mut i = 0;
            while i < b.len() {
                if b[i].is_ascii_digit() && (i == 0 || !b[i - 1].is_ascii_digit() && b[i - 1] != b'.') {
                    let s = i;
                    while i < b.len() && b[i].is_ascii_digit() {
                        i += 1;
                    }
                    let rest = text[i..].trim_start();
                    if rest.starts_with('件')
                        && !text[i..].starts_with('.')
                        && i - s <= 9
                        && let Ok(v) = text[s..i].parse()
                    {
                        out.push((v, s, i - s));
                    }
                } else {
                    i += 1;
                }
            }
            out
        }

        /// D23's three searches as first written: the spam phrases (leftmost-first), `???`
        /// and U+FFFD, each on its own.
        pub fn d23_hits(t: &str) -> [Option<(usize, usize)>; 3] {
            let ac = aho_corasick::AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::LeftmostFirst)
                .build(super::super::SPAM)
                .unwrap();
            [
                ac.find(t).map(|m| (m.start(), m.end())),
                t.find("???").map(|s| (s, s + 3)),
                t.find('\u{FFFD}').map(|s| (s, s + 3)),
            ]
        }

        pub fn pinyin(t: &str) -> Option<usize> {
            t.find(|c: char| matches!(c, '\u{E0}'..='\u{1DC}') && "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ".contains(c))
        }
    }

    proptest::proptest! {
        /// D23's anchored one-pass search finds what the three plain searches find, on text
        /// made of the phrases, their pieces and overlaps ("真人娱乐城"), and near misses.
        #[test]
        fn anchored_spam_search_agrees_with_plain_searches(
            v in proptest::collection::vec(proptest::sample::select(vec![
                "博彩", "赌场", "六合彩", "时时彩", "百家乐", "新葡京", "真人娱乐", "棋牌游戏", "开户送", "娱乐城",
                "威尼斯人", "体育投注", "彩", "娱乐", "真人", "六合", "时时", "家乐", "投注", "户送", "威尼斯", "开",
                "公开", "?", "??", "\u{FFFD}", "a", "，", "乐城",
            ]), 0..12)
        ) {
            let t: String = v.concat();
            proptest::prop_assert_eq!(d23_hits(&t), oracle::d23_hits(&t), "{}", t);
        }

        /// The byte scanners read every string exactly as the char-by-char originals did.
        #[test]
        fn byte_scanners_agree_with_char_oracles(
            v in proptest::collection::vec(proptest::sample::select(vec![
                "2", "0", "1", "9", "5", "２", "０", "１", " ", "\u{3000}", "年", "月", "a", "一", "二", "三", "十",
                "是", "统", "，", "“", "”", "\"", "「", "」", "—", "ā", "é", "ǜ", "ü", "Ā", "ƒ", "…", "件", ".", "\n",
                "1234567890",
            ]), 0..40)
        ) {
            let t: String = v.concat();
            proptest::prop_assert_eq!(years(&t), oracle::years(&t));
            let first = oracle::years(&t).first().filter(|y| y.1 == 0).map(|y| (y.0, y.2));
            proptest::prop_assert_eq!(year_at_start(&t), first);
            proptest::prop_assert_eq!(shi_hits(&t), oracle::shi_hits(&t));
            proptest::prop_assert_eq!(pinyin(&t), oracle::pinyin(&t));
            proptest::prop_assert_eq!(counts(&t), oracle::counts(&t));
            for from in (0..=t.len()).filter(|i| t.is_char_boundary(*i)) {
                proptest::prop_assert_eq!(find_quote(&t, from, OPEN_QUOTES), oracle::quote(&t, from, ['“', '"', '「']));
                proptest::prop_assert_eq!(find_quote(&t, from, CLOSE_QUOTES), oracle::quote(&t, from, ['”', '"', '」']));
            }
        }
    }
}
