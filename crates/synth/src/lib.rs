//! Deterministic synthetic reports: every table satisfies E1–E4 and E7 by construction and the
//! prose passes the text rules, so a generated report checks clean. Used by property tests
//! (write → parse → compare) and by `gongkai bench`. The generator is the workspace's one RNG,
//! `fastrand::Rng::with_seed`: the output is identical on every platform for a seed.
//!
//! What the prose guarantees (so that the text rules stay quiet):
//! - the only year mentioned is the report year, except the signature date (次年, by 1月 for
//!   departments and by 3月 for 人民政府) which is the last paragraph of section 六;
//! - counts of applications stated in the text equal table 三 (`R1`, `R4` 总计);
//! - platform names in quotes are the organ's own;
//! - 一是/二是… and （一）…（五） count up without gaps or repeats;
//! - 2021-format reports state the 信息处理费 in section 六; 人民政府 reports state the
//!   工作考核、社会评议和责任追究 results.
//!
//! Sections 二–四 carry no prose: the template puts only the tables there, and parsers read
//! text inside a table region as table text.

pub mod cms;
pub mod crawl;
pub mod dump;
pub mod excerpt;
pub mod ledger;
pub mod pre2019;
pub mod script;
pub mod vary;

use gongkai_model::report::Located;
use gongkai_model::{
    Cell, Col, FormatVersion, Para, Report, Section, SectionId, Src, T2Col, T2Row, T3Row, T4Group, T4Outcome,
};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// The seeded generator (`fastrand::Rng::with_seed`) with the draws the generators use.
#[derive(Debug, Clone)]
pub struct Rng(fastrand::Rng);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(fastrand::Rng::with_seed(seed))
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0.u64(..)
    }
    /// Uniform in `0..n` (n > 0; 0 is treated as 1).
    pub fn below(&mut self, n: u64) -> u64 {
        self.0.u64(..n.max(1))
    }
    /// Uniform in `lo..=hi` (lo ≤ hi).
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
    /// `k` distinct elements of `xs` in random order (all of them when k ≥ len).
    pub fn sample<'a, T>(&mut self, xs: &'a [T], k: usize) -> Vec<&'a T> {
        let mut idx: Vec<usize> = (0..xs.len()).collect();
        // Partial Fisher–Yates.
        let k = k.min(xs.len());
        for i in 0..k {
            let j = i + self.below((idx.len() - i) as u64) as usize;
            idx.swap(i, j);
        }
        idx[..k].iter().map(|i| &xs[*i]).collect()
    }
    /// A count: `zero_percent` zeros, mostly `1..=small`, and 5% `1..=large`.
    pub fn count(&mut self, zero_percent: u64, small: u64, large: u64) -> u64 {
        match self.below(100) {
            p if p < zero_percent => 0,
            p if p < 95 => self.below(small) + 1,
            _ => self.below(large) + 1,
        }
    }
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct SynthOptions {
    /// `F2021` or `F2019` (anything else is treated as `F2021`).
    pub format: FormatVersion,
    /// Approximate size of the prose in bytes (UTF-8; tables not counted).
    pub target_bytes: usize,
}

impl Default for SynthOptions {
    fn default() -> Self {
        SynthOptions { format: FormatVersion::F2021, target_bytes: 10_000 }
    }
}

/// Regions: districts, counties, development zones and county-level cities. None contains an
/// organ-type word of D21 (the rules crate's `ORGAN_TYPES`; its unit tests check this list).
pub const REGIONS: &[&str] = &[
    "南关区",
    "朝阳区",
    "鼓楼区",
    "江宁区",
    "武侯区",
    "宝安区",
    "历下区",
    "西湖区",
    "高新区",
    "经开区",
    "沭阳县",
    "平阴县",
    "长丰县",
    "嘉善县",
    "桐庐县",
    "安吉县",
    "南漳县",
    "昆山市",
    "义乌市",
    "晋江市",
    "慈溪市",
    "浏阳市",
];

/// Organ types appended to a region. The 人民政府 entry makes a government report.
pub const ORGAN_TYPES: &[&str] = &[
    "人民政府",
    "人民政府",
    "人民政府办公室",
    "科技局",
    "科学技术局",
    "民政局",
    "教育局",
    "财政局",
    "司法局",
    "审计局",
    "统计局",
    "水利局",
    "商务局",
    "卫生健康委员会",
    "卫生健康局",
    "交通运输局",
    "自然资源局",
    "生态环境局",
    "应急管理局",
    "医疗保障局",
    "农业农村局",
    "文化和旅游局",
    "市场监督管理局",
    "住房和城乡建设局",
    "人力资源和社会保障局",
    "退役军人事务局",
];

const ORD: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

const SUBJECTS: &[&str] = &[
    "政策文件",
    "规划计划",
    "财政预决算",
    "重大建设项目",
    "行政执法信息",
    "惠民惠农政策",
    "公共服务事项",
    "统计数据",
    "权责清单",
    "重大行政决策",
    "民生实事项目",
    "人事信息",
    "政府采购信息",
    "突发事件应对信息",
];
const CHANNELS: &[&str] =
    &["门户网站", "政务新媒体", "政务服务大厅", "政府信息公开查阅点", "新闻发布会", "基层公开栏", "政务服务平台"];
const COLUMNS: &[&str] = &[
    "法定主动公开内容",
    "政策解读",
    "政府信息公开指南",
    "政府信息公开年报",
    "依申请公开",
    "重点领域信息公开",
    "政策文件库",
    "互动交流",
];
const PROBLEMS: &[&str] = &[
    "政策解读的形式还不够丰富，图解、视频等解读方式运用较少",
    "主动公开的深度和广度有待进一步拓展",
    "依申请公开答复文书的规范性有待进一步提高",
    "政务新媒体信息更新频率不够稳定",
    "工作人员业务能力与新形势新要求相比还有差距",
    "基层政务公开标准化规范化建设仍需加强",
    "公开信息的便民性、实用性还需提升",
    "政策文件的集中公开和动态更新还不够及时",
    "公众参与和政民互动的渠道还不够多元",
];
const REMEDIES: &[&str] = &[
    "丰富政策解读形式，更多采用图表图解、视频动漫等方式解读政策",
    "加强业务培训，提升工作人员依法公开意识和业务能力",
    "完善依申请公开办理机制，规范答复文书格式和办理流程",
    "加强政务新媒体日常管理，确保信息更新及时准确",
    "深化重点领域信息公开，提升公开实效",
    "推进基层政务公开标准化规范化建设",
    "健全政策文件动态更新机制，及时做好集中公开",
    "拓宽公众参与渠道，增强政民互动效果",
    "强化公开属性源头认定，做到应公开尽公开",
];

fn located<T>(value: T) -> Located<T> {
    Located { value, src: Src::default() }
}

fn para(text: String) -> Para {
    Para { text, src: Src::default(), verbatim: false }
}

/// Facts the prose may state; all taken from the generated tables.
struct Facts<'a> {
    year: i32,
    organ: &'a str,
    /// "全区"/"全县"/"全市".
    whole: &'static str,
    /// The organ's own platform name (quoted in the text).
    platform: String,
    government: bool,
    f2021: bool,
    r1: u64,
    r2: u64,
    r4: u64,
    norm_issued: u64,
    norm_repealed: u64,
    license: u64,
    penalty: u64,
    /// Items published on the portal and training sessions: stated once, the same everywhere.
    items: u64,
    trainings: u64,
}

fn num(r: &Report, row: T3Row) -> u64 {
    r.t3(row, Col::Tot).and_then(Cell::as_number).and_then(|d| d.to_u64()).unwrap_or(0)
}

fn t2(r: &Report, row: T2Row, col: T2Col) -> u64 {
    r.table2.get(&row).and_then(|m| m.get(&col)).and_then(Cell::as_number).and_then(|d| d.to_u64()).unwrap_or(0)
}

/// Sentences for sub-heading `part` (0–4) of section 一.
fn part_sentence(rng: &mut Rng, f: &Facts, part: usize) -> String {
    let s = rng.sample(SUBJECTS, 2);
    let (s1, s2) = (s[0], s[1]);
    let ch = rng.pick(CHANNELS);
    match part {
        0 => match rng.below(6) {
            0 => format!("坚持以公开为常态、不公开为例外，围绕{s1}、{s2}等重点领域，通过{ch}及时发布相关信息。"),
            1 => format!("全年通过门户网站主动公开各类政府信息{}条。", f.items),
            2 => format!("对照本年度政务公开工作要点，逐项细化任务分工，持续做好{s1}公开工作。"),
            3 => format!("聚焦群众关切，及时公开{s1}等方面的信息，同步做好政策解读和回应关切。"),
            4 if f.license > 0 || f.penalty > 0 => {
                format!("全年公开行政许可决定{}件、行政处罚决定{}件，做到执法信息应公开尽公开。", f.license, f.penalty)
            }
            _ if f.f2021 && f.norm_issued > 0 => format!(
                "本年度制发行政规范性文件{}件，均按规定在门户网站政策文件栏目公开，并同步发布政策解读。",
                f.norm_issued
            ),
            _ => format!("按照主动公开基本目录，分类做好{s1}、{s2}等信息的公开和动态更新。"),
        },
        1 => match rng.below(5) {
            0 => "严格按照法定时限和程序办理政府信息公开申请，做到依法、规范、及时答复。".to_string(),
            1 => "进一步规范登记、审核、办理、答复、归档等环节，统一答复文书格式，提高答复质量。".to_string(),
            2 => "对办理中遇到的疑难复杂申请，及时会商法律顾问，降低行政复议和诉讼风险。".to_string(),
            3 => "加强与申请人的沟通，准确把握申请人的信息需求，提升办理实效。".to_string(),
            _ => format!(
                "畅通{}等申请渠道，及时登记、按时答复，保障申请人合法权益。",
                rng.pick(&["网上申请、信函申请和当面申请", "在线申请平台", "政府信息公开申请专用邮箱"])
            ),
        },
        2 => match rng.below(5) {
            0 => "严格落实政府信息公开保密审查制度，坚持“先审查、后公开”和“一事一审”原则。".to_string(),
            1 => "动态调整主动公开基本目录，做好公文公开属性源头认定工作。".to_string(),
            2 if f.f2021 && f.norm_repealed > 0 => {
                format!(
                    "定期开展规范性文件清理，本年度废止行政规范性文件{}件，并及时向社会公布清理结果。",
                    f.norm_repealed
                )
            }
            3 => "规范政府信息发布流程，落实信息发布“三审三校”制度，确保发布信息准确规范。".to_string(),
            _ => format!("及时更新政府信息公开指南，做好{s1}等信息的归集和整理。"),
        },
        3 => match rng.below(4) {
            0 => format!("持续优化门户网站政府信息公开专栏，完善“{}”等栏目设置。", rng.pick(COLUMNS)),
            1 => format!("加强“{}”微信公众号等政务新媒体建设，及时推送政策信息和便民服务资讯。", f.platform),
            2 => "在政务服务大厅设置政府信息公开查阅点，为群众查阅信息提供便利。".to_string(),
            _ => format!("推进{}政府网站集约化建设，提升网站信息发布、解读回应和互动交流功能。", f.whole),
        },
        _ => match rng.below(4) {
            0 => "成立由主要负责同志任组长的政务公开工作领导小组，明确专人负责政府信息公开日常工作。".to_string(),
            1 => format!("组织开展政府信息公开业务培训{}次，提升工作人员业务能力。", f.trainings),
            2 => "主动接受社会公众和新闻媒体监督，认真听取意见建议，不断改进工作。".to_string(),
            _ => "定期开展网站和政务新媒体自查，发现问题及时整改。".to_string(),
        },
    }
}

/// A sentence for `part` not yet in `seen` (a few tries; None when the bank seems used up).
fn fresh_sentence(rng: &mut Rng, f: &Facts, part: usize, seen: &[String]) -> Option<String> {
    (0..8).map(|_| part_sentence(rng, f, part)).find(|s| !seen.iter().any(|p| p.contains(s.as_str())))
}

/// The five sub-headed parts of section 一, padded to `budget` bytes.
fn section1(rng: &mut Rng, f: &Facts, budget: usize) -> Vec<Para> {
    const PARTS: [&str; 5] = ["主动公开", "依申请公开", "政府信息管理", "政府信息公开平台建设", "监督保障"];
    let mut parts: Vec<Vec<String>> = PARTS
        .iter()
        .enumerate()
        .map(|(k, name)| {
            let mut p = format!("（{}）{name}。", ORD[k]);
            if k == 1 {
                p.push_str(&if f.r1 == 0 {
                    format!("{}年，本机关未收到政府信息公开申请。", f.year)
                } else {
                    format!("{}年，本机关共收到政府信息公开申请{}件。", f.year, f.r1)
                });
                if f.r2 > 0 {
                    p.push_str(&format!("另有上年结转申请{}件。", f.r2));
                }
                if f.r4 > 0 {
                    p.push_str(&format!("截至年底，结转下年度继续办理{}件。", f.r4));
                } else if f.r1 + f.r2 > 0 {
                    p.push_str("所有申请均已在法定期限内办结。");
                }
            }
            if k == 4 && f.government {
                p.push_str(&format!(
                    "关于工作考核、社会评议和责任追究结果情况：将政务公开工作纳入{}年度绩效考核，组织开展社会评议，评议结果总体良好，本年度未发生因政府信息公开工作被责任追究的情况。",
                    f.whole
                ));
            }
            for _ in 0..2 {
                if let Some(s) = fresh_sentence(rng, f, k, std::slice::from_ref(&p)) {
                    p.push_str(&s);
                }
            }
            vec![p]
        })
        .collect();
    let opening = format!(
        "{}年，{}认真贯彻落实《中华人民共和国政府信息公开条例》，坚持以人民为中心的发展思想，{}，持续推进政务公开工作，不断提升政务公开质量和实效。现将本年度政府信息公开工作情况报告如下。",
        f.year,
        f.organ,
        rng.pick(&["紧扣中心工作", "围绕群众关切", "对照年度工作要点", "聚焦重点领域"])
    );
    let mut size = opening.len() + parts.iter().map(|p| p[0].len()).sum::<usize>();
    // Pad: append sentences round-robin; a paragraph over ~600 bytes continues in a new one.
    let mut k = 0usize;
    let mut guard = 0usize;
    // Once every bank is used up, sentences may recur, but only in a new paragraph.
    let mut misses = 0;
    while size < budget && guard < 100_000 {
        let fresh = fresh_sentence(rng, f, k % 5, &parts[k % 5]);
        misses = if fresh.is_some() { 0 } else { misses + 1 };
        let ps = &mut parts[k % 5];
        match fresh {
            Some(s) => {
                size += s.len();
                match ps.last_mut() {
                    Some(last) if last.len() < 600 => last.push_str(&s),
                    _ => ps.push(s),
                }
            }
            None if misses >= 5 => {
                let s = part_sentence(rng, f, k % 5);
                size += s.len();
                ps.push(s);
                misses = 0;
            }
            None => {}
        }
        k += 1;
        guard += 1;
    }
    std::iter::once(opening).chain(parts.into_iter().flatten()).map(para).collect()
}

/// "一是…；二是…；三是…。" over `items`.
fn enumerate(items: &[&&str]) -> String {
    let mut s = String::new();
    for (i, it) in items.iter().enumerate() {
        let sep = if i + 1 == items.len() { "。" } else { "；" };
        s.push_str(&format!("{}是{it}{sep}", ORD[i]));
    }
    s
}

fn section5(rng: &mut Rng, f: &Facts, budget: usize) -> Vec<Para> {
    let n = (2 + budget / 900).min(PROBLEMS.len()).min(REMEDIES.len()).min(ORD.len());
    let n = rng.range(2.min(n as u64), n as u64) as usize;
    let problems = rng.sample(PROBLEMS, n);
    let remedies = rng.sample(REMEDIES, n.max(2));
    let mut out = vec![
        para(format!(
            "{}年，{}政府信息公开工作取得了一定成效，但对照新形势新要求仍存在一些不足：{}",
            f.year,
            f.organ,
            enumerate(&problems)
        )),
        para(format!("针对上述问题，下一步将重点做好以下工作：{}", enumerate(&remedies))),
    ];
    if rng.chance(60) {
        out.insert(0, para("针对上年度报告中提出的问题，已逐项制定整改措施并落实到位。".to_string()));
    }
    let mut size: usize = out.iter().map(|p| p.text.len()).sum();
    let extra = [
        "同时，将持续加强政务公开队伍建设，压实工作责任，推动政务公开工作再上新台阶。",
        "今后将进一步健全工作机制，强化督促检查，确保各项改进措施落到实处。",
        "坚持问题导向，定期梳理群众反映集中的问题，及时改进工作方法。",
    ];
    let mut i = 0;
    while size < budget && i < 200 {
        let s = extra[i % extra.len()];
        size += s.len();
        if let Some(last) = out.last_mut()
            && last.text.len() < 600
            && !last.text.contains(s)
        {
            last.text.push_str(s);
        } else {
            out.push(para(s.to_string()));
        }
        i += 1;
    }
    out
}

fn section6(rng: &mut Rng, f: &Facts) -> Vec<Para> {
    let mut out = Vec::new();
    if f.f2021 {
        out.push(para(if rng.chance(70) {
            "依据《政府信息公开信息处理费管理办法》规定，本年度未收取信息处理费。".to_string()
        } else {
            format!("依据《政府信息公开信息处理费管理办法》规定，本年度收取信息处理费共计{}元。", rng.range(1, 40) * 50)
        }));
        out.push(para(format!(
            "认真落实{}年政务公开工作要点，逐项分解任务、明确责任，各项任务均已按要求完成。",
            f.year
        )));
    } else if rng.chance(50) {
        out.push(para("本年度无其他需要报告的事项。".to_string()));
    }
    if rng.chance(60) {
        let a = rng.below(30);
        let b = rng.below(40);
        out.push(para(if a + b == 0 {
            "本年度未承办人大代表建议和政协提案。".to_string()
        } else {
            format!("本年度共承办人大代表建议{a}件、政协提案{b}件，均已按期办结，办理结果依法向社会公开。")
        }));
    }
    if out.is_empty() {
        out.push(para("本年度无其他需要报告的事项。".to_string()));
    }
    // Signature block: organ, then the date in the following year within the legal deadline.
    out.push(para(f.organ.to_string()));
    let month = if f.government { rng.range(1, 3) } else { 1 };
    let day = rng.range(5, 28);
    out.push(para(format!("{}年{month}月{day}日", f.year + 1)));
    out
}

/// Table 二 per format.
fn table2(rng: &mut Rng, r: &mut Report, f2021: bool) {
    let rows: &[T2Row] = if f2021 { T2Row::ROWS_2021 } else { T2Row::ROWS_2019 };
    for row in rows {
        let m = r.table2.entry(*row).or_default();
        let mut put = |c: T2Col, v: Decimal| {
            m.insert(c, Cell::number(v.normalize()));
        };
        match (f2021, row) {
            (true, T2Row::Reg | T2Row::Norm) => {
                // 规章 are made only at the 设区的市 level and above: mostly zero here.
                let reg = *row == T2Row::Reg;
                let issued = if reg { rng.count(85, 3, 10) } else { rng.count(30, 15, 80) };
                let repealed = if reg { rng.count(90, 2, 5) } else { rng.count(60, 6, 40) };
                let valid = issued + if reg { rng.count(70, 20, 80) } else { rng.count(5, 60, 400) };
                put(T2Col::Issued, issued.into());
                put(T2Col::Repealed, repealed.into());
                put(T2Col::Valid, valid.into());
            }
            (true, T2Row::Fee) => {
                // 万元 with up to two decimals.
                let units = rng.count(50, 50_000, 5_000_000);
                put(T2Col::Amount, Decimal::new(units as i64, *rng.pick(&[0, 1, 2, 2])));
            }
            (true, _) => {
                let v = match row {
                    T2Row::License => rng.count(30, 2_000, 200_000),
                    T2Row::Penalty => rng.count(40, 500, 20_000),
                    _ => rng.count(70, 50, 2_000),
                };
                put(T2Col::Decisions, v.into());
            }
            (false, T2Row::Reg | T2Row::Norm) => {
                let reg = *row == T2Row::Reg;
                let made = if reg { rng.count(85, 3, 10) } else { rng.count(30, 15, 80) };
                let published = made - rng.below(made / 4 + 1).min(made);
                let total = published + rng.count(5, 200, 2_000);
                put(T2Col::Made, made.into());
                put(T2Col::Published, published.into());
                put(T2Col::Total, total.into());
            }
            (false, T2Row::Procurement) => {
                put(T2Col::PurchaseCount, rng.count(30, 60, 500).into());
                put(T2Col::PurchaseAmount, Decimal::new(rng.count(30, 500_000, 50_000_000) as i64, 2));
            }
            (false, _) => {
                let prev = rng.count(20, 120, 1_000);
                // 本年增/减 may be negative but never below minus the previous count.
                let change = rng.below(21) as i64 - 10;
                let change = change.max(-(prev as i64));
                put(T2Col::Prev, prev.into());
                put(T2Col::Change, change.into());
                if *row != T2Row::Fee {
                    put(T2Col::Decisions2019, rng.count(30, 2_000, 100_000).into());
                }
            }
        }
    }
}

/// Table 三: per column, results first, then carry-overs, then derived totals (E1–E3).
fn table3(rng: &mut Rng, r: &mut Report, f2021: bool) {
    let result_rows: Vec<T3Row> = T3Row::result_rows(f2021).collect();
    // A busy organ has more applications in every active column.
    let scale = if rng.chance(10) { 20 } else { 1 };
    for col in &Col::ALL[..6] {
        let active = *col == Col::Np || rng.chance(35);
        let mut total = 0u64;
        for row in &result_rows {
            let v = if !active {
                0
            } else if *row == T3Row::R3_1 {
                rng.count(20, 60 * scale, 3_000)
            } else {
                rng.count(70, 8 * scale, 200)
            };
            total += v;
            r.table3.entry(*row).or_default().insert(*col, Cell::number(v));
        }
        let r4 = if active { rng.count(60, 10, 100) } else { 0 };
        let r2 = if active { rng.below(total + r4 + 1).min(rng.count(50, 10, 100)) } else { 0 };
        let r1 = total + r4 - r2;
        for (row, v) in [(T3Row::R1, r1), (T3Row::R2, r2), (T3Row::R3_7, total), (T3Row::R4, r4)] {
            r.table3.entry(row).or_default().insert(*col, Cell::number(v));
        }
    }
    for cells in r.table3.values_mut() {
        let sum: Decimal = Col::ALL[..6].iter().filter_map(|c| cells.get(c).and_then(Cell::as_number)).sum();
        cells.insert(Col::Tot, Cell::number(sum));
    }
}

/// Table 四 (E4).
fn table4(rng: &mut Rng, r: &mut Report) {
    for g in T4Group::ALL {
        let m = r.table4.entry(*g).or_default();
        let mut sum = 0u64;
        for o in &T4Outcome::ALL[..4] {
            let v = rng.count(75, 5, 50);
            sum += v;
            m.insert(*o, Cell::number(v));
        }
        m.insert(T4Outcome::Tot, Cell::number(sum));
    }
}

/// A synthetic report, consistent by construction; the same seed and options give the same
/// report on every platform.
pub fn report(seed: u64, opts: &SynthOptions) -> Report {
    report_with(seed, opts, &Overrides::default())
}

/// What a caller fixes instead of drawing it from the seed: the organ and year (a series of
/// one organ's reports), and an adjustment of the tables made before the text is written, so
/// that the prose quotes the adjusted numbers (e.g. a previous year's carry-over, SPEC §1.7 E5).
#[derive(Default)]
pub struct Overrides<'a> {
    pub year: Option<i32>,
    /// Region and organ type, e.g. `("示例县", "科学技术局")`.
    pub organ: Option<(&'a str, &'a str)>,
    #[allow(clippy::type_complexity)]
    pub tables: Option<&'a dyn Fn(&mut Report)>,
}

impl std::fmt::Debug for Overrides<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Overrides").field("year", &self.year).field("organ", &self.organ).finish_non_exhaustive()
    }
}

/// [`report`] with some choices fixed by the caller (see [`Overrides`]).
pub fn report_with(seed: u64, opts: &SynthOptions, ov: &Overrides) -> Report {
    let mut rng = Rng::new(seed);
    let f2021 = opts.format != FormatVersion::F2019;
    let drawn: i32 = if f2021 { 2021 + rng.below(5) as i32 } else { 2019 + rng.below(2) as i32 };
    let year = ov.year.unwrap_or(drawn);
    let (drawn_region, drawn_type) = (*rng.pick(REGIONS), *rng.pick(ORGAN_TYPES));
    let (region, organ_type) = ov.organ.unwrap_or((drawn_region, drawn_type));
    let organ = format!("{region}{organ_type}");
    let government = organ.ends_with("人民政府");
    let mut r = Report::empty();
    r.format = if f2021 { FormatVersion::F2021 } else { FormatVersion::F2019 };
    r.title = Some(located(format!("{year}年{organ}政府信息公开工作年度报告")));
    r.organ = Some(located(organ.clone()));
    r.signature = Some(located(organ.clone()));
    r.year = Some(located(year));

    table2(&mut rng, &mut r, f2021);
    table3(&mut rng, &mut r, f2021);
    table4(&mut rng, &mut r);
    if let Some(adjust) = ov.tables {
        adjust(&mut r);
    }

    let short: String = {
        let n = region.chars().count();
        region.chars().take(n.saturating_sub(1)).collect()
    };
    let whole = match region.chars().last() {
        Some('县') => "全县",
        Some('市') => "全市",
        _ => "全区",
    };
    let norm_a = if f2021 { T2Col::Issued } else { T2Col::Made };
    let facts = Facts {
        year,
        organ: &organ,
        whole,
        platform: if government { format!("{short}发布") } else { organ.clone() },
        government,
        f2021,
        r1: num(&r, T3Row::R1),
        r2: num(&r, T3Row::R2),
        r4: num(&r, T3Row::R4),
        norm_issued: t2(&r, T2Row::Norm, norm_a),
        norm_repealed: if f2021 { t2(&r, T2Row::Norm, T2Col::Repealed) } else { 0 },
        license: t2(&r, T2Row::License, if f2021 { T2Col::Decisions } else { T2Col::Decisions2019 }),
        penalty: t2(&r, T2Row::Penalty, if f2021 { T2Col::Decisions } else { T2Col::Decisions2019 }),
        items: rng.range(40, 3_000),
        trainings: rng.range(1, 6),
    };
    let budget = opts.target_bytes.max(600);
    let s1 = section1(&mut rng, &facts, budget * 13 / 20);
    let s5 = section5(&mut rng, &facts, budget / 5);
    let s6 = section6(&mut rng, &facts);

    let sections: [(u8, Vec<Para>); 6] = [(1, s1), (2, Vec::new()), (3, Vec::new()), (4, Vec::new()), (5, s5), (6, s6)];
    r.sections = sections
        .into_iter()
        .map(|(id, paras)| Section {
            id: SectionId(id),
            heading: SectionId(id).official_heading().to_string(),
            number: Some(u32::from(id)),
            src: Src::default(),
            paras,
        })
        .collect();
    r
}

/// What a write-then-read round trip of a report must keep: metadata, format, sections with
/// their paragraphs, and every table cell's value. Round-trip tests of the text, HTML, DOCX and
/// XLSX writers compare these for the generated report and the parsed one.
#[derive(Debug, PartialEq)]
pub struct Essentials {
    pub title: Option<String>,
    pub organ: Option<String>,
    pub year: Option<i32>,
    pub format: FormatVersion,
    pub sections: Vec<(u8, String, Vec<String>)>,
    pub cells: Vec<(String, Option<String>)>,
}

pub fn essentials(r: &Report) -> Essentials {
    Essentials {
        title: r.title.as_ref().map(|t| t.value.clone()),
        organ: r.organ.as_ref().map(|t| t.value.clone()),
        year: r.year.as_ref().map(|t| t.value),
        format: r.format,
        sections: r
            .sections
            .iter()
            .map(|s| (s.id.0, s.heading.clone(), s.paras.iter().map(|p| p.text.clone()).collect()))
            .collect(),
        cells: r.cell_values(),
    }
}

#[cfg(test)]
mod tests;
