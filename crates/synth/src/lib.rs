//! Deterministic synthetic reports: every table satisfies E1–E4 and E7 by construction and the
//! prose passes the text rules, so a generated report checks clean. Used by property tests
//! (write → parse → compare) and by `gongkai bench`. A small splitmix64 generator keeps the
//! crate free of dependencies and the output identical on every platform.

use gongkai_model::report::Located;
use gongkai_model::{
    Cell, Col, FormatVersion, Para, Report, Section, SectionId, Src, T2Col, T2Row, T3Row, T4Group, T4Outcome,
};
use rust_decimal::Decimal;

/// splitmix64: tiny, fast, good enough for test data.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
    /// A count: mostly zero or small, sometimes large.
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
    /// `F2021` or `F2019`.
    pub format: FormatVersion,
    /// Approximate size of the prose in bytes.
    pub target_bytes: usize,
}

impl Default for SynthOptions {
    fn default() -> Self {
        SynthOptions { format: FormatVersion::F2021, target_bytes: 8_000 }
    }
}

const REGIONS: &[&str] =
    &["南关区", "高新区", "示例县", "东城区", "青山县", "滨江区", "明湖市", "北郊区", "云岭县", "长河市"];
const ORGANS: &[&str] = &[
    "科学技术局",
    "民政局",
    "教育局",
    "财政局",
    "人民政府",
    "卫生健康委员会",
    "交通运输局",
    "生态环境局",
    "市场监督管理局",
    "审计局",
    "人民政府办公室",
    "水利局",
    "统计局",
    "文化和旅游局",
];
const SUBJECTS: &[&str] =
    &["政策文件", "规划计划", "财政预决算", "重点项目", "行政执法信息", "惠民政策", "公共服务事项", "统计数据"];
const ACTIONS: &[&str] = &[
    "及时在门户网站发布",
    "集中公开",
    "分类整理并动态更新",
    "通过政务新媒体同步推送",
    "在政务公开专区展示",
    "按照标准目录逐项公开",
    "开展专项自查并整改",
];
const MEASURES: &[&str] = &[
    "健全信息发布审核机制",
    "完善依申请公开办理流程",
    "加强政策解读",
    "优化网站栏目设置",
    "开展业务培训",
    "强化公开属性源头认定",
    "规范答复文书格式",
    "推进基层政务公开标准化",
    "加强政务新媒体管理",
];
const ORD: [&str; 9] = ["一", "二", "三", "四", "五", "六", "七", "八", "九"];

fn located<T>(value: T) -> Located<T> {
    Located { value, src: Src::default() }
}

fn para(text: String) -> Para {
    Para { text, src: Src::default(), verbatim: false }
}

fn sentence(rng: &mut Rng, organ: &str, year: i32) -> String {
    let s = rng.pick(SUBJECTS);
    let a = rng.pick(ACTIONS);
    let m = rng.pick(MEASURES);
    let n = rng.below(300) + 5;
    match rng.below(4) {
        0 => format!("{organ}围绕{s}{a}，全年主动公开相关信息{n}条，{m}。"),
        1 => format!("坚持以公开为常态、不公开为例外，{a}{s}，持续{m}。"),
        2 => format!("对照{year}年度政务公开工作要点，{m}，确保{s}公开及时、准确、完整。"),
        _ => format!("聚焦群众关切，{a}{s}，做到应公开尽公开。"),
    }
}

/// A synthetic report, consistent by construction.
pub fn report(seed: u64, opts: &SynthOptions) -> Report {
    let mut rng = Rng::new(seed);
    let f2021 = opts.format != FormatVersion::F2019;
    let year: i32 = if f2021 { 2021 + rng.below(5) as i32 } else { 2019 + rng.below(2) as i32 };
    let organ = format!("{}{}", rng.pick(REGIONS), rng.pick(ORGANS));
    let government = organ.ends_with("人民政府");
    let mut r = Report::empty();
    r.format = if f2021 { FormatVersion::F2021 } else { FormatVersion::F2019 };
    r.title = Some(located(format!("{year}年{organ}政府信息公开工作年度报告")));
    r.organ = Some(located(organ.clone()));
    r.year = Some(located(year));

    // Section 一 with the five customary parts, padded to the target size.
    let mut s1 = vec![para(format!(
        "{year}年，{organ}认真贯彻落实《中华人民共和国政府信息公开条例》，坚持以人民为中心，持续推进政务公开工作。"
    ))];
    let parts = ["主动公开", "依申请公开", "政府信息管理", "政府信息公开平台建设", "监督保障"];
    let budget = opts.target_bytes.max(500);
    let mut size = 0usize;
    let mut k = 0usize;
    while k < parts.len() || size < budget * 3 / 5 {
        let part = parts[k % parts.len()];
        let mut text = if k < parts.len() { format!("（{}）{part}。", ORD[k]) } else { String::new() };
        for _ in 0..(2 + rng.below(3)) {
            text.push_str(&sentence(&mut rng, &organ, year));
        }
        if k == 4 && government {
            text.push_str("将政务公开工作纳入年度工作考核，开展社会评议，本年度未发生责任追究情况。");
        }
        size += text.len();
        s1.push(para(text));
        k += 1;
        if k > 200 {
            break;
        }
    }
    // Section 五: problems and improvements, enumerated in order.
    let mut s5 = format!("{year}年，{organ}政府信息公开工作取得一定成效，但仍存在一些不足：");
    let n5 = 2 + rng.below(3) as usize;
    for (i, ord) in ORD.iter().take(n5).enumerate() {
        let sep = if i + 1 == n5 { "。" } else { "；" };
        s5.push_str(&format!("{ord}是{}有待加强{sep}", rng.pick(MEASURES)));
    }
    let mut s5b = "下一步，将".to_string();
    for i in 0..n5 {
        let sep = if i + 1 == n5 { "，不断提升政务公开质效。" } else { "，" };
        s5b.push_str(&format!("{}{sep}", rng.pick(MEASURES)));
    }
    // Section 六.
    let mut s6 = Vec::new();
    if f2021 {
        let fee = rng.below(3);
        s6.push(para(if fee == 0 {
            "本年度未收取信息处理费。".to_string()
        } else {
            format!("依据《政府信息公开信息处理费管理办法》，本年度收取信息处理费共计{}元。", rng.below(2000) + 100)
        }));
    } else {
        s6.push(para("本年度无其他需要报告的事项。".to_string()));
    }
    s6.push(para(organ.clone()));
    s6.push(para(format!("{}年1月{}日", year + 1, 10 + rng.below(20))));

    let sections: [(u8, Vec<Para>); 6] =
        [(1, s1), (2, Vec::new()), (3, Vec::new()), (4, Vec::new()), (5, vec![para(s5), para(s5b)]), (6, s6)];
    r.sections = sections
        .into_iter()
        .map(|(id, paras)| Section {
            id: SectionId(id),
            heading: SectionId(id).official_heading().to_string(),
            src: Src::default(),
            paras,
        })
        .collect();

    // Table 二.
    let rows: &[T2Row] = if f2021 { T2Row::ROWS_2021 } else { T2Row::ROWS_2019 };
    for row in rows {
        let cols: &[T2Col] = if f2021 { row.cols_2021().unwrap_or(&[]) } else { row.cols_2019() };
        let m = r.table2.entry(*row).or_default();
        for c in cols {
            let v: Decimal = if c.is_money() {
                Decimal::new(rng.count(40, 500_000, 50_000_000) as i64, rng.below(3) as u32)
            } else if c.signed() {
                Decimal::from(rng.below(21) as i64 - 10)
            } else {
                Decimal::from(rng.count(30, 200, 500_000))
            };
            m.insert(*c, Cell::number(v));
        }
    }

    // Table 三: per column, results first, then carry-overs, then derived totals (E1–E3).
    let result_rows: Vec<T3Row> = T3Row::result_rows(f2021).collect();
    for col in &Col::ALL[..6] {
        let active = *col == Col::Np || rng.chance(35);
        let mut total = 0u64;
        for row in &result_rows {
            let v = if !active {
                0
            } else if *row == T3Row::R3_1 {
                rng.count(20, 60, 3000)
            } else {
                rng.count(70, 8, 200)
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
    // Table 四 (E4).
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
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_consistent() {
        let a = report(7, &SynthOptions::default());
        let b = report(7, &SynthOptions::default());
        assert_eq!(a, b);
        assert_ne!(a, report(8, &SynthOptions::default()));
        for seed in 0..200 {
            for format in [FormatVersion::F2021, FormatVersion::F2019] {
                let r = report(seed, &SynthOptions { format, target_bytes: 2000 });
                let n = |row, col| r.t3(row, col).and_then(Cell::as_number).unwrap();
                for c in Col::ALL {
                    // E1
                    assert_eq!(n(T3Row::R1, *c) + n(T3Row::R2, *c), n(T3Row::R3_7, *c) + n(T3Row::R4, *c));
                    // E2
                    let sum: Decimal = T3Row::result_rows(format == FormatVersion::F2021).map(|row| n(row, *c)).sum();
                    assert_eq!(sum, n(T3Row::R3_7, *c));
                }
                assert!(r.table3.len() == if format == FormatVersion::F2021 { 25 } else { 23 });
            }
        }
    }
}
