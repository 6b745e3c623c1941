//! The report's prose: only sentences derived from the compiled tables and records, plus neutral
//! statements that tell the clerk what to add. No invented facts.
//!
//! What the text guarantees for the checker's text rules: all six headings (D12); the only year
//! mentioned is the report year, the statistics period is that year (D10) and a signature date,
//! if any, is the caller's; counts of applications stated in section 一 equal table 三's 总计
//! (D17); 2021-format reports state the 信息处理费 in section 六 (D13); 人民政府 reports name the
//! 工作考核、社会评议和责任追究 item (D14); sub-headings （一）–（五） count up (D22).

use gongkai_model::{Cell, Col, Para, Report, Section, SectionId, Src, T2Col, T2Row, T3Row, T4Group, T4Outcome};
use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::tables::FeeFacts;

pub(crate) struct Facts<'a> {
    pub organ: &'a str,
    pub year: i16,
    pub government: bool,
    /// Number of organs summed, for a region report.
    pub region: Option<usize>,
    pub fees: FeeFacts,
    pub f2021: bool,
    pub signature: Option<Date>,
}

fn para(text: String) -> Para {
    Para { text, src: Src::default(), verbatim: false }
}

fn t3(r: &Report, row: T3Row) -> Decimal {
    r.t3(row, Col::Tot).and_then(Cell::as_number).unwrap_or_default()
}

fn t2(r: &Report, row: T2Row, col: T2Col) -> Option<Decimal> {
    r.table2.get(&row).and_then(|m| m.get(&col)).and_then(Cell::as_number)
}

fn t4(r: &Report, g: T4Group, o: T4Outcome) -> Decimal {
    r.t4(g, o).and_then(Cell::as_number).unwrap_or_default()
}

/// Placeholder sentence for content the records do not hold.
const TO_ADD: &str = "（本项内容台账中没有记录，由编制单位据实补充。）";

pub(crate) fn sections(r: &Report, f: &Facts) -> (Vec<Para>, Vec<Section>) {
    let y = f.year;
    let mut preamble = vec![para(format!(
        "本报告根据《中华人民共和国政府信息公开条例》第五十条的规定，依据{}的政府信息公开工作台账记录编制。报告中所列数据的统计期限自{y}年1月1日起至{y}年12月31日止。",
        f.organ
    ))];
    if let Some(n) = f.region {
        preamble.push(para(format!("本报告表格数据为{}及其所属共{n}个机关台账数据的合计。", f.organ)));
    }

    // Section 一.
    let mut s1 = vec![para("（一）主动公开".to_string())];
    if f.f2021 {
        let g = |row, col| t2(r, row, col).unwrap_or_default();
        s1.push(para(format!(
            "本年度制发规章{}件、行政规范性文件{}件，废止规章{}件、行政规范性文件{}件；截至{y}年12月31日，现行有效规章{}件、行政规范性文件{}件。",
            g(T2Row::Reg, T2Col::Issued),
            g(T2Row::Norm, T2Col::Issued),
            g(T2Row::Reg, T2Col::Repealed),
            g(T2Row::Norm, T2Col::Repealed),
            g(T2Row::Reg, T2Col::Valid),
            g(T2Row::Norm, T2Col::Valid),
        )));
    } else {
        let g = |row, col| t2(r, row, col).unwrap_or_default();
        s1.push(para(format!(
            "本年度新制作规章{}件、规范性文件{}件。",
            g(T2Row::Reg, T2Col::Made),
            g(T2Row::Norm, T2Col::Made)
        )));
    }
    s1.push(para("（二）依申请公开".to_string()));
    s1.push(para(format!(
        "本年度共收到政府信息公开申请{}件，上年结转政府信息公开申请{}件；本年度办结{}件，予以公开{}件、部分公开{}件；结转下年度继续办理{}件。",
        t3(r, T3Row::R1),
        t3(r, T3Row::R2),
        t3(r, T3Row::R3_7),
        t3(r, T3Row::R3_1),
        t3(r, T3Row::R3_2),
        t3(r, T3Row::R4)
    )));
    s1.push(para("（三）政府信息管理".to_string()));
    s1.push(para(TO_ADD.to_string()));
    s1.push(para("（四）政府信息公开平台建设".to_string()));
    s1.push(para(TO_ADD.to_string()));
    s1.push(para("（五）监督保障".to_string()));
    let review = t4(r, T4Group::Rv, T4Outcome::Tot);
    let suits = t4(r, T4Group::Ld, T4Outcome::Tot) + t4(r, T4Group::Lr, T4Outcome::Tot);
    let pending = [T4Group::Rv, T4Group::Ld, T4Group::Lr].iter().map(|g| t4(r, *g, T4Outcome::Pend)).sum::<Decimal>();
    s1.push(para(if review.is_zero() && suits.is_zero() {
        "本年度未发生因政府信息公开引起的行政复议、行政诉讼案件。".to_string()
    } else {
        format!("本年度因政府信息公开引起行政复议案件{review}件、行政诉讼案件{suits}件，截至年末尚未审结{pending}件。")
    }));
    if f.government {
        s1.push(para(format!("工作考核、社会评议和责任追究结果情况：{TO_ADD}")));
    }

    // Section 五.
    let s5 = vec![para(format!("存在的主要问题及改进情况：{TO_ADD}"))];

    // Section 六: the 信息处理费 statement (D13), from the fee events of the register.
    let mut s6 = Vec::new();
    s6.push(para(match (f.fees.paid, f.fees.yuan) {
        (n, None) if f.fees.overflow => format!(
            "依据《政府信息公开信息处理费管理办法》，本年度对{n}件申请收取信息处理费，登记的收费金额之和超出可计算的范围（记录有误），合计金额由编制单位核实后补充。"
        ),
        (0, _) => "依据《政府信息公开信息处理费管理办法》，本年度未收取信息处理费。".to_string(),
        (n, Some(yuan)) => {
            format!("依据《政府信息公开信息处理费管理办法》，本年度对{n}件申请收取信息处理费，共计{yuan}元。")
        }
        (n, None) => format!(
            "依据《政府信息公开信息处理费管理办法》，本年度对{n}件申请收取信息处理费，部分收费通知未登记金额，合计金额由编制单位据实补充。"
        ),
    }));
    s6.push(para(format!("其他需要报告的事项：{TO_ADD}")));
    if let Some(d) = f.signature {
        s6.push(para(f.organ.to_string()));
        s6.push(para(format!("{}年{}月{}日", d.year(), d.month(), d.day())));
    }

    let sections = [(1, s1), (2, Vec::new()), (3, Vec::new()), (4, Vec::new()), (5, s5), (6, s6)]
        .into_iter()
        .map(|(id, paras)| Section {
            id: SectionId(id),
            heading: SectionId(id).official_heading().to_string(),
            number: Some(u32::from(id)),
            src: Src::default(),
            paras,
        })
        .collect();
    (preamble, sections)
}
