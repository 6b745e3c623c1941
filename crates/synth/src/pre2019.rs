//! Pre-2019 reports (2007 条例 era, SPEC §2.4): the old outline (概述 / 主动公开政府信息情况 /
//! 依申请公开 / 收费及减免 / 复议诉讼 / 咨询处理 / 存在的问题 / 统计表, with the wordings real
//! reports use) and the 政府信息公开情况统计表 (indicator | unit | the year | 历年累计), written
//! one paragraph and one table row per line, or as a crawler keeps them (metadata header,
//! separator, the whole body on one line, cells glued, item numbers glued to the digits
//! before them). The truth comes with the text.

use crate::{ORGAN_TYPES, REGIONS, Rng};

/// How the report is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OldShape {
    /// A paragraph per line; table rows `label unit value value` with spaces.
    Lines,
    /// A crawler export: header, separator, one line, cells glued.
    Flattened,
    /// A web page: a `<p>` per paragraph, the statistics table as an HTML `<table>`.
    Html,
}

/// One statistics row as generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OldRow {
    /// The indicator without `其中：` and item number.
    pub label: String,
    pub unit: &'static str,
    /// The year's value and the cumulative one (≥ the year's).
    pub values: Vec<u64>,
}

/// A generated pre-2019 report and the truth about it.
#[derive(Debug, Clone)]
pub struct OldReport {
    pub text: String,
    pub year: i32,
    pub shape: OldShape,
    /// The numbered headings as printed (`一、概述`).
    pub headings: Vec<String>,
    /// The statistics table's value columns (`2016年度`, `历年累计`); empty without a table.
    pub columns: Vec<String>,
    pub rows: Vec<OldRow>,
}

const SLOTS: &[(&[&str], u64)] = &[
    (&["概述", "基本工作情况", "政府信息公开总体工作情况"], 100),
    (&["主动公开政府信息情况"], 100),
    (&["依申请公开政府信息情况", "政府信息依申请公开办理情况", "政府信息依申请公开工作情况"], 100),
    (&["政府信息公开的收费及减免情况", "依申请收费及减免情况"], 60),
    (&["因政府信息公开申请行政复议和提起行政诉讼的情况", "因政府信息公开申请行政复议、提起行政诉讼的情况"], 100),
    (&["咨询处理情况", "回应解读情况"], 40),
    (&["存在的主要问题及改进措施", "存在问题及工作打算", "主要问题和改进措施"], 100),
];

/// (label, unit, group): a group row opens `其中：` sub-rows numbered from 1.
const STATS: &[(&str, &str, u8)] = &[
    ("主动公开文件数", "条", 1),
    ("政府网站公开数", "条", 2),
    ("政府公报公开数", "条", 2),
    ("受理政府信息依申请公开总数", "条", 1),
    ("当面申请数", "条", 2),
    ("网上申请数", "条", 2),
    ("信函、传真申请数", "条", 2),
    ("对申请的答复总数", "条", 1),
    ("同意公开答复数", "条", 2),
    ("同意部分公开答复数", "条", 2),
    ("不予公开答复数", "条", 2),
    ("其他类型答复数", "条", 2),
    ("政府信息公开收费减免金额", "元", 0),
    ("行政复议数", "件", 0),
    ("行政诉讼数", "件", 0),
];

const NUMS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

fn value(rng: &mut Rng) -> u64 {
    match rng.below(10) {
        0..5 => 0,
        5..8 => 1 + rng.below(30),
        _ => 1 + rng.below(5000),
    }
}

/// A pre-2019 report drawn from the seed.
pub fn pre2019(seed: u64) -> OldReport {
    let mut rng = Rng::new(seed ^ 0x5a17_2019_0ddc_0ffe);
    let year = 2009 + rng.below(10) as i32;
    let organ = format!("{}{}", rng.pick(REGIONS), rng.pick(ORGAN_TYPES));
    let shape = *rng.pick(&[OldShape::Lines, OldShape::Flattened, OldShape::Html]);
    let mut titles: Vec<String> = Vec::new();
    for (words, p) in SLOTS {
        if rng.chance(*p) {
            titles.push(rng.pick(words).to_string());
        }
    }
    let with_table = rng.chance(75);
    if with_table {
        let prefix = if rng.chance(30) { organ.clone() } else { String::new() };
        titles.push(format!("{prefix}政府信息公开情况统计表"));
    }
    let headings: Vec<String> = titles.iter().enumerate().map(|(i, t)| format!("{}、{t}", NUMS[i])).collect();
    let columns = if with_table { vec![format!("{year}年度"), "历年累计".to_string()] } else { Vec::new() };
    let mut rows = Vec::new();
    let mut stat_lines: Vec<String> = Vec::new();
    if with_table {
        let mut item = 0;
        for (label, unit, group) in STATS {
            let v = value(&mut rng);
            let c = v + if rng.chance(50) { 0 } else { value(&mut rng) };
            rows.push(OldRow { label: label.to_string(), unit, values: vec![v, c] });
            let printed = match group {
                2 => {
                    item += 1;
                    format!("{}{item}、{label}", if item == 1 { "其中：" } else { "" })
                }
                _ => {
                    item = 0;
                    label.to_string()
                }
            };
            stat_lines.push(match shape {
                OldShape::Lines => format!("{printed} {unit} {v} {c}"),
                OldShape::Html => format!("<tr><td>{printed}</td><td>{unit}</td><td>{v}</td><td>{c}</td></tr>"),
                OldShape::Flattened if rng.chance(15) => format!("{printed}{unit}{v} {c}"),
                OldShape::Flattened => format!("{printed}{unit}{v}{c}"),
            });
        }
    }
    // The body: a paragraph or two per section, digits and years in the prose.
    let mut paras: Vec<String> = Vec::new();
    let title = format!("{organ}{year}年度政府信息公开工作年度报告");
    paras.push(format!(
        "{}本报告根据《中华人民共和国政府信息公开条例》要求编制，由{}共{}个部分组成。本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。{}",
        if shape == OldShape::Html { "<p>" } else { "" },
        titles.join("、"),
        titles.len(),
        if shape == OldShape::Html { "</p>" } else { "" },
    ));
    for (i, h) in headings.iter().enumerate() {
        let t = &titles[i];
        let body: Vec<String> = if t.contains("统计表") {
            let mut head = vec![match shape {
                OldShape::Lines => format!("指标名称 计量单位 {} {}", columns[0], columns[1]),
                OldShape::Html => {
                    format!(
                        "<table><tr><td>指标名称</td><td>计量单位</td><td>{}</td><td>{}</td></tr>",
                        columns[0], columns[1]
                    )
                }
                OldShape::Flattened => format!("指标名称计量单位{}{}", columns[0], columns[1]),
            }];
            head.extend(stat_lines.iter().cloned());
            if shape == OldShape::Html {
                head.push("</table>".to_string());
            }
            head
        } else if i == 0 {
            vec![
                format!("{year}年，{organ}认真贯彻落实《条例》，不断深化公开内容，完善工作机制。"),
                format!("（一）加强组织领导。调整充实了工作领导小组，配备专兼职工作人员{}名。", 1 + rng.below(9)),
            ]
        } else if t.contains("主动公开") {
            vec![format!(
                "{year}年全年主动公开政府信息{}条，其中通过政府网站公开{}条。",
                rows.first().map_or(12, |r| r.values[0]),
                1 + rng.below(99)
            )]
        } else {
            vec![format!("{year}年，本机关按照有关规定做好相关工作，进一步规范办理流程。")]
        };
        match shape {
            OldShape::Lines => {
                paras.push(h.clone());
                paras.extend(body);
            }
            OldShape::Html => {
                paras.push(format!("<p>{h}</p>"));
                paras.extend(body.into_iter().map(|b| if b.starts_with('<') { b } else { format!("<p>{b}</p>") }));
            }
            OldShape::Flattened => paras.push(format!("{h}{}", body.concat())),
        }
    }
    let text = match shape {
        OldShape::Lines => format!("{title}\n{}\n", paras.join("\n")),
        OldShape::Html => format!(
            "<html><head><meta charset=\"utf-8\"><title>{title}</title></head><body><div class=\"content\">\n<p>{title}</p>\n{}\n</div></body></html>\n",
            paras.join("\n")
        ),
        OldShape::Flattened => format!(
            "标题: {title}\n发布时间: {}-02-{:02} 09:00\n发布机构: \n==================== 正文 ====================\n当前位置： 首页 > 政府信息公开年报 {title}{}  附件下载\n",
            year + 1,
            1 + rng.below(28),
            paras.concat()
        ),
    };
    OldReport { text, year, shape, headings, columns, rows }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_shapes_with_and_without_a_table_and_every_cumulative_at_least_the_year() {
        let rs: Vec<OldReport> = (0..200).map(pre2019).collect();
        for shape in [OldShape::Lines, OldShape::Flattened, OldShape::Html] {
            assert!(rs.iter().any(|r| r.shape == shape && !r.rows.is_empty()), "{shape:?}");
            assert!(rs.iter().any(|r| r.shape == shape && r.rows.is_empty()), "{shape:?}");
        }
        for r in &rs {
            assert!((2009..=2018).contains(&r.year));
            assert!(r.rows.iter().all(|row| row.values[1] >= row.values[0]));
            for h in &r.headings {
                assert!(r.text.contains(h.as_str()), "{h}");
            }
        }
    }
}
