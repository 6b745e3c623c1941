//! Title-less openings of reports, as collections keep them (issue 13 part 3): an excerpt
//! that starts at `一、总体情况`, a page whose title stayed in the chrome, a crawler's metadata
//! header. The text has no title and no table; what the report says about its year, organ
//! and format is spread over the preamble and 总体情况 in the shapes real reports use. The
//! truth comes with it, so a parser's inference can be checked exactly.

use gongkai_model::FormatVersion;

use crate::{ORGAN_TYPES, REGIONS, Rng};

/// Where the excerpt states its year (the parser's fallback order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YearCue {
    /// `本年度报告中所列数据的统计期限自2022年1月1日起至2022年12月31日止。`
    Period,
    /// `现将我办2022年度政府信息公开情况报告如下：` / `现公布X2022年政府信息公开工作年度报告。`
    Announce,
    /// Only the first `2022年，…` of 总体情况.
    Overview,
    /// Nowhere in the words: only the source address spells it (`# source:` or `原文链接:`
    /// line; `…lys2022ndzfxxgk…` or a percent-encoded `2022年…年度报告`), beside a
    /// publication date (`/202301/t20230130_…`) that is not the report year.
    Url,
}

/// What the excerpt states about its format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatCue {
    /// Cites 国办公开办函〔2021〕30号 or 〔2019〕60号 (matching the year).
    Citation,
    /// Only the outline: pre-2019 headings, or the six sections (2019/2021 then from the year).
    Structure,
}

/// A generated excerpt and the truth about it.
#[derive(Debug, Clone)]
pub struct Excerpt {
    pub text: String,
    pub year: i32,
    /// The organ when the excerpt names it (metadata line or announcing sentence).
    pub organ: Option<String>,
    pub format: FormatVersion,
    pub year_cue: YearCue,
    pub format_cue: FormatCue,
}

const CHROME: &[&str] =
    &["当前位置：首页 > 政务公开 > 政府信息公开年报", "字号：大 中 小", "微信 微博 QQ空间", "打印本页 关闭窗口"];

/// A title-less excerpt drawn from the seed.
pub fn excerpt(seed: u64) -> Excerpt {
    let mut rng = Rng::new(seed ^ 0x9e37_79b9_7f4a_7c15);
    let pre2019 = rng.chance(30);
    let year: i32 = if pre2019 { 2009 + rng.below(10) as i32 } else { 2019 + rng.below(7) as i32 };
    let format = FormatVersion::expected_for_year(year);
    let organ = format!("{}{}", rng.pick(REGIONS), rng.pick(ORGAN_TYPES));
    let year_cue = *rng.pick(&[YearCue::Period, YearCue::Announce, YearCue::Overview, YearCue::Url]);
    // The address the collector noted: a publication date in its path (never the report
    // year), and with the Url cue the report year spelled in the page name.
    let url = {
        let page = match (year_cue, rng.below(2)) {
            (YearCue::Url, 0) => format!("lys{year}ndzfxxgkgzbg{}", 1000 + rng.below(9000)),
            (YearCue::Url, _) => {
                let name = format!("{year}年{organ}政府信息公开工作年度报告");
                name.bytes()
                    .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
                    .collect()
            }
            _ => format!("t{}0{}{:02}_{}", year + 1, 1 + rng.below(3), 1 + rng.below(28), rng.below(100_000)),
        };
        format!("https://www.example.gov.cn/zwgk/zfxxgknb/{}0{}/{page}.html", year + 1, 1 + rng.below(3))
    };
    // Citations name the 2019 and 2021 documents only.
    let format_cue = if pre2019 || rng.chance(50) { FormatCue::Structure } else { FormatCue::Citation };
    let mut lines: Vec<String> = Vec::new();
    let mut named = None;
    let meta = rng.chance(40);
    if !meta && (year_cue == YearCue::Url || rng.chance(20)) {
        lines.push(format!("# source: {url}"));
    }
    if meta {
        // A crawler's or a CMS's metadata block, then chrome.
        lines.push(format!("发布机构: {organ}"));
        if year_cue == YearCue::Url || rng.chance(50) {
            lines.push(format!("原文链接: {url}"));
        }
        lines.push(format!("发布时间: {}-0{}-{:02}", year + 1, 1 + rng.below(3), 1 + rng.below(28)));
        lines.push("==================== 正文 ====================".to_string());
        named = Some(organ.clone());
    }
    let n_chrome = rng.below(3) as usize;
    for c in rng.sample(CHROME, n_chrome) {
        lines.push(c.to_string());
    }
    let mut preamble = String::new();
    if format_cue == FormatCue::Citation || year_cue != YearCue::Overview || rng.chance(50) {
        preamble.push_str("本年度报告根据《中华人民共和国政府信息公开条例》");
        if format_cue == FormatCue::Citation {
            let cite = if format == FormatVersion::F2021 {
                *rng.pick(&[
                    "和《国务院办公厅政府信息与政务公开办公室关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》（国办公开办函〔2021〕30号）",
                    "及《中华人民共和国政府信息公开工作年度报告格式》（国办公开办函[2021]30号）",
                ])
            } else {
                *rng.pick(&[
                    "和《国务院办公厅政府信息与政务公开办公室关于政府信息公开工作年度报告有关事项的通知》（国办公开办函〔2019〕60号）",
                    "及国办公开办函(2019)60号文件",
                ])
            };
            preamble.push_str(cite);
        }
        preamble.push_str("要求编制。");
        if !pre2019 && rng.chance(50) {
            preamble.push_str("全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议、行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。");
        }
        match year_cue {
            YearCue::Period => {
                preamble.push_str(&format!("本年度报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"))
            }
            YearCue::Announce => {
                if rng.chance(50) {
                    preamble.push_str(&format!("现将{organ}{year}年度政府信息公开工作情况报告如下："));
                } else {
                    preamble.push_str(&format!("现公布{organ}{year}年政府信息公开工作年度报告。"));
                }
                named.get_or_insert_with(|| organ.clone());
            }
            YearCue::Overview | YearCue::Url => {}
        }
        lines.push(preamble);
    }
    // Years before the report's own that the first paragraph may mention: a comparison, the
    // date of the 条例 (an inference must skip both).
    let lead = match rng.below(4) {
        0 => format!("与{}年相比，各项工作稳步推进。", year - 1),
        1 if pre2019 => "认真贯彻2007年颁布的《中华人民共和国政府信息公开条例》。".to_string(),
        1 => "认真贯彻2019年新修订的《中华人民共和国政府信息公开条例》。".to_string(),
        _ => String::new(),
    };
    let when = if year_cue == YearCue::Url { "本年度".to_string() } else { format!("{year}年") };
    let overview = format!(
        "{lead}{when}，{organ}认真贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外，扎实推进政府信息公开工作。"
    );
    let body: &[&str] = if pre2019 {
        &[
            "一、概述",
            "（一）组织机构建设情况。进一步理顺政府信息公开工作管理体制，明确了工作机构和人员。",
            "（二）《指南》和《目录》的更新、完善情况。根据实际情况及时修订和更新。",
            "二、主动公开政府信息情况",
            "三、依申请公开政府信息情况",
            "四、政府信息公开的收费及减免情况",
            "五、因政府信息公开申请行政复议和提起行政诉讼的情况",
            "六、存在的主要问题及改进措施",
        ]
    } else {
        &[
            "一、总体情况",
            "（一）主动公开。及时公开机构职能、政策文件等信息。",
            "（二）依申请公开。严格按照法定程序和时限办理。",
            "（三）政府信息管理。规范信息发布审核流程。",
            "（四）平台建设。持续优化政府网站栏目。",
            "（五）监督保障。将政务公开纳入年度考核。",
            "二、主动公开政府信息情况",
            "三、收到和处理政府信息公开申请情况",
        ]
    };
    // How far the excerpt runs: at least the first section's subsections.
    let keep = 3 + rng.below(body.len() as u64 - 2) as usize;
    for (k, l) in body.iter().take(keep).enumerate() {
        lines.push(l.to_string());
        if k == 0 {
            lines.push(overview.clone());
        }
    }
    let mut text = lines.join("\n");
    text.push('\n');
    Excerpt { text, year, organ: named, format, year_cue, format_cue }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cue_and_era_is_drawn_and_the_text_has_no_title() {
        let es: Vec<Excerpt> = (0..300).map(excerpt).collect();
        for cue in [YearCue::Period, YearCue::Announce, YearCue::Overview, YearCue::Url] {
            assert!(es.iter().any(|e| e.year_cue == cue), "{cue:?}");
        }
        for f in [FormatVersion::F2021, FormatVersion::F2019, FormatVersion::Pre2019] {
            assert!(es.iter().any(|e| e.format == f), "{f:?}");
        }
        assert!(es.iter().any(|e| e.format_cue == FormatCue::Citation));
        for e in &es {
            assert!(!e.text.contains("年度报告\n") && !e.text.contains("工作年度报告\n"), "{}", e.text);
            // The Url cue spells the year only in the address (and in the date of the 条例,
            // which is not the report year).
            let words = e.text.replace("2019年新修订", "");
            assert_eq!(words.contains(&format!("{}年", e.year)), e.year_cue != YearCue::Url, "{}", e.text);
            if e.format == FormatVersion::Pre2019 {
                assert_eq!(e.format_cue, FormatCue::Structure);
            }
        }
    }
}
