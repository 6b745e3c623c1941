//! Year, organ and format from what the report says when its title or tables do not (issue
//! 13 part 3): excerpts that start at `一、总体情况`, pages whose title sits in the chrome,
//! reports without tables.
//!
//! * **Year** (fallback, `year_basis = text`): the statistics period (`统计期限自2022年1月1日`),
//!   else the sentence that announces the report (`现将我办2022年度政府信息公开情况报告如下`),
//!   else the first `2022年` of 总体情况 (or of the preamble when there is no section).
//! * **Organ**: a `发布机构:` metadata line, else the announcing sentence (`现公布X2020年…报告`,
//!   `由X编制`), else the signature (as before).
//! * **Format**, strongest first: the tables ([`FormatBasis::Tables`], set by the
//!   interpreter), the cited format document, the section outline (the pre-2019 layouts
//!   against the six sections of 2019 and later), the year (SPEC §2.5, an inference).
//!   `unknown` stays only when none of these answers.

use gongkai_model::normalize::{is_cjk, normalize};
use gongkai_model::report::Located;
use gongkai_model::{FormatBasis, FormatVersion, Para, Report, YearBasis};

use crate::interpret::ORGAN_SUFFIXES;

/// Fill what the title and tables left open. Runs once the paragraphs are placed.
pub(crate) fn infer(report: &mut Report) {
    if report.year.is_some() {
        report.year_basis.get_or_insert(YearBasis::Title);
    } else if let Some(y) = year_from_text(report) {
        report.year = Some(y);
        report.year_basis = Some(YearBasis::Text);
    } else if let Some(y) = year_from_url(report) {
        report.year = Some(y);
        report.year_basis = Some(YearBasis::Url);
    }
    let organ_from_signature =
        report.organ.is_some() && report.organ.as_ref().map(|o| o.src) == report.signature.as_ref().map(|s| s.src);
    if (report.organ.is_none() || organ_from_signature)
        && let Some(o) = organ_from_text(report)
    {
        report.organ = Some(o);
    }
    // Reports cite the format document in the preamble or the opening of 总体情况.
    report.format_cited =
        cited_format(report.preamble.iter().chain(report.section(1).into_iter().flat_map(|s| s.paras.iter())));
    if report.format != FormatVersion::Unknown {
        return;
    }
    if let Some(c) = &report.format_cited {
        report.format = c.value;
        report.format_basis = Some(FormatBasis::Citation);
        return;
    }
    let year = report.year.as_ref().map(|y| y.value);
    match (structure(report), year) {
        (Some(FormatVersion::Pre2019), _) => {
            report.format = FormatVersion::Pre2019;
            report.format_basis = Some(FormatBasis::Structure);
        }
        // The six sections: the year tells the 2019 template from the 2021 one.
        (Some(_), Some(y)) if y >= 2019 => {
            report.format = FormatVersion::expected_for_year(y);
            report.format_basis = Some(FormatBasis::Year);
        }
        (Some(_), Some(_)) => {
            // Six sections in a report dated before 2019: the outline is the evidence.
            report.format = FormatVersion::F2019;
            report.format_basis = Some(FormatBasis::Structure);
        }
        (Some(_), None) => {}
        (None, Some(y)) => {
            report.format = FormatVersion::expected_for_year(y);
            report.format_basis = Some(FormatBasis::Year);
        }
        (None, None) => {}
    }
}

/// Every `YYYY年` of a printed text (ASCII digits, spaces allowed before 年): (year, byte
/// offset of the digits, byte length up to and including 年).
pub(crate) fn raw_years(text: &str) -> Vec<(i32, usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    for (nian, _) in text.match_indices('年') {
        let mut i = nian;
        while i > 0 && b[i - 1] == b' ' {
            i -= 1;
        }
        if i < 4 || !b[i - 4..i].iter().all(u8::is_ascii_digit) || (i > 4 && b[i - 5].is_ascii_digit()) {
            continue;
        }
        let Ok(y) = text[i - 4..i].parse::<i32>() else { continue };
        if (1990..=2100).contains(&y) {
            out.push((y, i - 4, nian + '年'.len_utf8() - (i - 4)));
        }
    }
    out
}

/// The sentence (up to 。；) around byte `off`.
fn sentence(text: &str, off: usize) -> &str {
    let start =
        text[..off].rfind(['。', '；', ';']).map_or(0, |i| i + text[i..].chars().next().map_or(1, char::len_utf8));
    let end = text[off..].find(['。', '；', ';']).map_or(text.len(), |e| off + e);
    &text[start..end]
}

const ANNOUNCE: &[&str] =
    &["现将", "现公布", "现予公布", "现向社会公布", "现公开", "现面向社会公开", "特编制", "编制了", "现发布"];

fn located(p: &Para, off: usize, len: usize, y: i32) -> Located<i32> {
    Located { value: y, src: p.src_at(off, len) }
}

/// The report year from the report's own words (module doc), in order of reliability.
fn year_from_text(r: &Report) -> Option<Located<i32>> {
    let early: Vec<&Para> = r.preamble.iter().chain(r.section(1).into_iter().flat_map(|s| s.paras.iter())).collect();
    // 1. The statistics period: "统计期限自2022年1月1日", "统计时限为2024年1月1日至…".
    for p in &early {
        for (y, off, len) in raw_years(&p.text) {
            let after = p.text[off + len..].trim_start();
            let s = normalize(sentence(&p.text, off));
            if after.starts_with("1月1日") && (s.contains("统计") || s.contains("期限") || s.contains("时限")) {
                return Some(located(p, off, len, y));
            }
        }
    }
    // 2. The sentence announcing the report: "现公布X2020年政府信息公开工作年度报告".
    for p in &early {
        for (y, off, len) in raw_years(&p.text) {
            let s = sentence(&p.text, off);
            let s_off = off - (s.as_ptr() as usize - p.text.as_ptr() as usize);
            let announced = ANNOUNCE.iter().filter_map(|a| s.find(a)).any(|a| a < s_off);
            let rest = &s[s_off..];
            let report_follows = rest.chars().take(30).collect::<String>().contains("报告");
            if announced && report_follows {
                return Some(located(p, off, len, y));
            }
        }
    }
    // 3. The first year of 总体情况 (or of the preamble when there is no section), unless it
    //    is plainly about another year ("与2023年相比", "2019年新修订的《条例》").
    let first = r.section(1).map_or(&r.preamble, |s| &s.paras);
    for p in first {
        for (y, off, len) in raw_years(&p.text) {
            let before: String = p.text[..off].chars().rev().take(2).collect();
            let after = &p.text[off + len..];
            let head: String = after.chars().take(5).collect();
            if before.contains('与')
                || before.contains('较')
                || ["相比", "同期", "以来"].iter().any(|w| after.starts_with(w))
                // A law or document dated by its year ("2019年新修订的《条例》").
                || ["修订", "修正", "颁布", "施行", "印发", "出台"].iter().any(|w| head.contains(w))
            {
                continue;
            }
            return Some(located(p, off, len, y));
        }
    }
    None
}

/// The report year from the address the text was taken from (weak, `YearBasis::Url`): a
/// `http(s)://…` in the preamble (`# source:`, `原文链接:`, `来源:` lines) whose decoded
/// address spells the report year: `YYYY年` followed by 报告/年报 (a page named after the
/// report) or `YYYYnd` (pinyin initials of 年度, `lys2013ndzfxxgk…`). Dates of publication
/// (`/202301/`, `t20230130`, `/2023/3/7/`) are not the report year and are not taken.
fn year_from_url(r: &Report) -> Option<Located<i32>> {
    for p in &r.preamble {
        for (at, _) in p.text.match_indices("://") {
            // The scheme: the ASCII letters right before `://` (a multi-byte character before
            // them is stepped over whole).
            let start = p.text[..at]
                .char_indices()
                .rev()
                .find(|(_, c)| !c.is_ascii_alphabetic())
                .map_or(0, |(i, c)| i + c.len_utf8());
            let end = p.text[at..].find(|c: char| c.is_whitespace() || !c.is_ascii()).map_or(p.text.len(), |e| at + e);
            if let Some(y) = url_year(&p.text[start..end]) {
                return Some(Located { value: y, src: p.src_at(start, end - start) });
            }
        }
    }
    None
}

/// The report year an address spells (see [`year_from_url`]).
pub(crate) fn url_year(url: &str) -> Option<i32> {
    let decoded = percent_decode(url);
    for (y, off, len) in raw_years(&decoded) {
        let rest = &decoded[off + len..];
        if ["报告", "報告", "年报", "年報"].iter().any(|k| rest.contains(k)) {
            return Some(y);
        }
    }
    let b = decoded.as_bytes();
    (0..b.len().saturating_sub(5)).find_map(|i| {
        let digits = &b[i..i + 4];
        let lead_ok = i == 0 || !b[i - 1].is_ascii_digit();
        let y = std::str::from_utf8(digits).ok()?.parse::<i32>().ok()?;
        (lead_ok
            && digits.iter().all(u8::is_ascii_digit)
            && b[i + 4..].starts_with(b"nd")
            && (2000..=2100).contains(&y))
        .then_some(y)
    })
}

/// `%XX` sequences to bytes, read as UTF-8 (invalid sequences replaced).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The publishing organ from a `发布机构:` line or the announcing sentence (module doc).
fn organ_from_text(r: &Report) -> Option<Located<String>> {
    for p in &r.preamble {
        for (off, _) in p.text.match_indices("发布机构") {
            let rest = &p.text[off + "发布机构".len()..];
            let lead = rest.len() - rest.trim_start_matches([' ', ':', '：', '|', '\t', '\u{3000}']).len();
            let v = &rest[lead..];
            let end = v.find(|c: char| c.is_whitespace() || c == '|').unwrap_or(v.len());
            let name = &v[..end];
            if plausible_organ(name) {
                let at = off + "发布机构".len() + lead;
                return Some(Located { value: name.to_string(), src: p.src_at(at, name.len()) });
            }
        }
    }
    for p in r.preamble.iter().chain(r.section(1).into_iter().flat_map(|s| s.paras.iter())).take(6) {
        let t = p.text.as_str();
        // "现公布开阳县冯三镇人民政府2020年…" / "现向社会公布2021年石家庄市教育局政府信息公开…"
        for a in ANNOUNCE {
            for (off, _) in t.match_indices(a) {
                let rest = &t[off + a.len()..];
                let years = raw_years(rest);
                let Some(&(_, yoff, ylen)) = years.first() else { continue };
                let (from, to) = if yoff == 0 {
                    let after = rest[ylen..].strip_prefix('度').map_or(ylen, |_| ylen + '度'.len_utf8());
                    let end = ["政府信息公开", "政务公开", "信息公开", "年度报告"]
                        .iter()
                        .filter_map(|k| rest[after..].find(k))
                        .min()
                        .map_or(after, |e| after + e);
                    (after, end)
                } else {
                    (0, yoff)
                };
                let name = rest[from..to].trim();
                if plausible_organ(name) {
                    let at = off + a.len() + (name.as_ptr() as usize - rest.as_ptr() as usize);
                    return Some(Located { value: name.to_string(), src: p.src_at(at, name.len()) });
                }
            }
        }
        // "由高淳区人民政府办公室汇总编制", "由信访局结合有关统计数据编制"
        for (off, _) in t.match_indices('由') {
            let rest = &t[off + '由'.len_utf8()..];
            let Some(end) = ["汇总编制", "结合", "编制", "负责编制", "综合"].iter().filter_map(|k| rest.find(k)).min()
            else {
                continue;
            };
            let name = rest[..end].trim();
            if plausible_organ(name) {
                let at = off + '由'.len_utf8() + (name.as_ptr() as usize - rest.as_ptr() as usize);
                return Some(Located { value: name.to_string(), src: p.src_at(at, name.len()) });
            }
        }
    }
    None
}

fn plausible_organ(name: &str) -> bool {
    let n = name.chars().count();
    (2..=30).contains(&n)
        && name.chars().all(|c| is_cjk(c) || "()（）".contains(c))
        && !name.starts_with(['我', '本', '各', '全'])
        && ORGAN_SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// The format document a paragraph cites: 国办公开办函〔2021〕30号 → 2021, 〔2019〕60号 → 2019
/// (any bracket; simplified or traditional 公开办函), or the 30号 notice by its title
/// (《关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》; the 60号 notice's title is
/// shared with other notices and is not taken alone).
pub(crate) fn cited_format<'a>(paras: impl Iterator<Item = &'a Para>) -> Option<Located<FormatVersion>> {
    // Prebuilt SIMD finders (this runs on every report's opening; building a searcher per
    // paragraph cost more than the search).
    static KEYS: std::sync::OnceLock<[memchr::memmem::Finder<'static>; 3]> = std::sync::OnceLock::new();
    let keys = KEYS.get_or_init(|| {
        ["公开办函", "公開辦函", "年度报告格式"].map(|k| memchr::memmem::Finder::new(k.as_bytes()).into_owned())
    });
    for p in paras {
        let t = p.text.as_str();
        let hits: Vec<(usize, usize)> =
            keys.iter().enumerate().flat_map(|(k, f)| f.find_iter(t.as_bytes()).map(move |at| (k, at))).collect();
        if hits.is_empty() {
            continue;
        }
        for key in ["公开办函", "公開辦函"] {
            let k = usize::from(key != "公开办函");
            for off in hits.iter().filter(|h| h.0 == k).map(|h| h.1) {
                let rest = &t[off + key.len()..];
                // Up to three bytes of bracket, four digits, a closing bracket, the number, 号.
                let Some(ys) = rest.char_indices().take(3).find(|(_, c)| c.is_ascii_digit()).map(|(i, _)| i) else {
                    continue;
                };
                let y = &rest[ys..];
                if y.len() < 4 || !y.as_bytes()[..4].iter().all(u8::is_ascii_digit) {
                    continue;
                }
                let after = &y[4..];
                let Some(ns) = after.char_indices().take(3).find(|(_, c)| c.is_ascii_digit()).map(|(i, _)| i) else {
                    continue;
                };
                let num: String = after[ns..].chars().take_while(char::is_ascii_digit).collect();
                let tail = after[ns + num.len()..].trim_start();
                if !tail.starts_with(['号', '號']) {
                    continue;
                }
                let f = match (&y[..4], num.as_str()) {
                    ("2021", "30") => FormatVersion::F2021,
                    ("2019", "60") => FormatVersion::F2019,
                    _ => continue,
                };
                let len = key.len() + (tail.as_ptr() as usize - rest.as_ptr() as usize) + '号'.len_utf8();
                return Some(Located { value: f, src: p.src_at(off, len) });
            }
        }
        if let Some(off) = hits.iter().find(|h| h.0 == 2).map(|h| h.1)
            && t[..off].rfind("印发").is_some_and(|i| off - i <= 60)
            && !t[off..].starts_with("年度报告格式(试行)")
            && !t[off..].starts_with("年度报告格式（试行）")
        {
            return Some(Located { value: FormatVersion::F2021, src: p.src_at(off, "年度报告格式".len()) });
        }
    }
    None
}

/// Outline keys of the pre-2019 layouts (SPEC §2.4) and of the six sections of 2019 and
/// later (SPEC §1.3, §2.2), normalised.
const PRE2019_KEYS: &[&str] = &[
    "概述",
    "依申请公开政府信息情况",
    "政府信息依申请公开",
    "收费及减免",
    "咨询处理",
    "情况统计表",
    "总体工作情况",
    "基本工作情况",
    "查阅场所",
    "申请答复",
    "回应解读情况",
    "机构建设",
    "举报投诉",
    "存在问题及工作打算",
];
const SIX_SECTION_KEYS: &[&str] = &[
    "收到和处理政府信息公开申请",
    "其他需要报告的事项",
    "政府信息管理",
    "平台建设",
    "监督保障",
    "政府信息公开行政复议",
    "第二十条第",
    "申请人情况",
];

/// The era the outline belongs to: `Pre2019`, `F2019` for "the six sections" (2019 or 2021
/// is then the year's to say), or None when the outline says neither. The keys are looked for
/// in the headings, short lines and the preamble (whose 全文包括… sentence lists the parts).
fn structure(r: &Report) -> Option<FormatVersion> {
    let mut lines: Vec<String> = r.sections.iter().map(|s| normalize(&s.heading)).collect();
    lines.extend(r.preamble.iter().map(|p| normalize(&p.text)));
    lines.extend(
        r.sections.iter().flat_map(|s| s.paras.iter()).filter(|p| p.text.len() <= 120).map(|p| normalize(&p.text)),
    );
    let count = |keys: &[&str]| {
        keys.iter().filter(|k| lines.iter().any(|l| l.contains(*k))).count()
            + usize::from(keys == PRE2019_KEYS && lines.iter().any(|l| l.contains("指南") && l.contains("目录")))
    };
    let (pre, six) = (count(PRE2019_KEYS), count(SIX_SECTION_KEYS));
    match pre.cmp(&six) {
        std::cmp::Ordering::Greater => Some(FormatVersion::Pre2019),
        std::cmp::Ordering::Less => Some(FormatVersion::F2019),
        std::cmp::Ordering::Equal => None,
    }
}

#[cfg(test)]
mod tests {
    use super::url_year;

    #[test]
    fn an_address_gives_the_report_year_only_where_it_spells_it() {
        assert_eq!(url_year("https://m.zjtcn.com/baike/lys2013ndzfxxgkgzbgbgnr7246083"), Some(2013));
        assert_eq!(
            url_year(
                "https://newton.com.tw/wiki/2012%E5%B9%B4%E4%B8%8A%E6%B5%B7%E5%B8%82%E6%94%BF%E5%BA%9C%E4%BF%A1%E6%81%AF%E5%85%AC%E9%96%8B%E5%B7%A5%E4%BD%9C%E5%B9%B4%E5%BA%A6%E5%A0%B1%E5%91%8A"
            ),
            Some(2012)
        );
        // Publication dates are not the report year.
        assert_eq!(url_year("https://www.pingtan.gov.cn/zwgk/zfxxgknb/201801/t20180123_80506.htm"), None);
        assert_eq!(url_year("http://www.lishui.gov.cn/art/2025/3/7/art_1229850027_100030.html"), None);
        assert_eq!(url_year("http://x.gov.cn/a/12013nd"), None);
        // Broken escapes neither panic nor invent a year.
        assert_eq!(url_year("http://x/%E5%B9"), None);
        assert_eq!(url_year("http://x/%"), None);
    }

    /// Found by the `parse_crawl` fuzz target: a multi-byte character right before the scheme.
    #[test]
    fn an_address_after_a_chinese_character_is_cut_on_a_character_boundary() {
        let p = crate::parse_str("本://x/lys2013ndzfxxgk\n一、总体情况\n本机关认真落实条例。\n", crate::Kind::Text);
        assert!(p.report.year.is_none() || p.report.year_basis.is_some());
        let p = crate::parse_str(
            "来源:本http://x/lys2013ndzfxxgk\n一、总体情况\n本机关认真落实条例。\n",
            crate::Kind::Text,
        );
        assert_eq!(p.report.year.as_ref().map(|y| y.value), Some(2013));
    }
}
