//! A report as a website crawler saves it (issue 13): an optional metadata header and
//! `==== 正文 ====` separator, optional page chrome, then the whole body on one line with the
//! table cells run together. Item numbers stick to the digits before them
//! (`00000002.其他法律…`), table 四 is one run of 15 values, some runs carry stray spaces at
//! cell boundaries and some rows have every cell spaced; the 2019 table 二 prints signed
//! changes and the procurement amount with `元` glued on.

use crate::Rng;
use gongkai_model::{Cell, Col, FormatVersion, Report, T2Col, T2Row, T3Row, T4Group, T4Outcome};

/// What the writer chose, for tests that need to know.
#[derive(Debug, Clone, Default)]
pub struct CrawlLayout {
    /// A metadata header and separator were written.
    pub header: bool,
    /// Page chrome was written around the body.
    pub chrome: bool,
}

/// The header note of table 三 (SPEC §1.5).
const T3_NOTE: &str = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）";

fn cell_text(c: Option<&Cell>) -> String {
    match c.and_then(Cell::as_number) {
        Some(d) => d.to_string(),
        None => c.map_or(String::new(), |c| c.raw.to_string()),
    }
}

/// One row's values run together: mostly glued, sometimes with spaces at some cell
/// boundaries, sometimes every cell spaced.
fn run(rng: &mut Rng, vals: &[String]) -> String {
    let mode = rng.below(100);
    let mut out = String::new();
    for (i, v) in vals.iter().enumerate() {
        if i > 0 {
            let space = match mode {
                0..60 => false,
                60..85 => rng.chance(30),
                _ => true,
            };
            if space {
                out.push(' ');
            }
        }
        out.push_str(v);
    }
    out
}

/// The report flattened like a crawler export. The same report and seed give the same text.
pub fn crawl_text(r: &Report, seed: u64) -> (String, CrawlLayout) {
    let mut rng = Rng::new(seed ^ 0x6372_6177_6c00);
    let layout = CrawlLayout { header: rng.chance(75), chrome: rng.chance(60) };
    let title = r.title.as_ref().map_or(String::new(), |t| t.value.clone());
    let organ = r.organ.as_ref().map_or(String::new(), |t| t.value.clone());
    let year = r.year.as_ref().map_or(2022, |y| y.value);
    let mut out = String::with_capacity(16 * 1024);
    if layout.header {
        out.push_str(&format!("标题: {title}\n"));
        out.push_str(&format!("发布时间: {}-01-{:02} 09:{:02}\n", year + 1, rng.range(10, 28), rng.below(60)));
        out.push_str("文号: \n");
        // Real exports often leave 发布机构 empty.
        if rng.chance(50) {
            out.push_str(&format!("发布机构: {organ}\n"));
        } else {
            out.push_str("发布机构: \n");
        }
        out.push_str("栏目: 政府信息公开年报\n");
        out.push_str(&format!("原文链接: https://www.example.gov.cn/zwgk/zfxxgknb/{year}/t{seed}.htm\n"));
        out.push_str("==================== 正文 ====================\n");
    }
    let mut body = String::with_capacity(16 * 1024);
    if layout.chrome {
        body.push_str(&format!(
            "当前位置： 首页 > 政务公开 > 政府信息公开年报 {title} 来源：{organ} 时间：{}-01-20 微信 微博 QQ空间 全真版 文字版 --> ",
            year + 1
        ));
    }
    body.push_str(&title);
    body.push(' ');
    for p in &r.preamble {
        body.push_str(&p.text);
    }
    for s in &r.sections {
        body.push_str(&s.heading);
        match s.id.0 {
            2 => table2(&mut rng, r, &mut body),
            3 => table3(&mut rng, r, &mut body),
            4 => table4(&mut rng, r, &mut body),
            _ => {}
        }
        for p in &s.paras {
            body.push_str(&p.text);
        }
    }
    if layout.chrome {
        body.push_str(" 附件下载");
    }
    out.push_str(&body);
    out.push('\n');
    (out, layout)
}

fn is_2021(r: &Report) -> bool {
    r.format != FormatVersion::F2019
}

fn table2(rng: &mut Rng, r: &Report, out: &mut String) {
    let f2021 = is_2021(r);
    let rows: &[T2Row] = if f2021 { T2Row::ROWS_2021 } else { T2Row::ROWS_2019 };
    let mut block = "";
    for tr in rows {
        let cols: &[T2Col] = if f2021 { tr.cols_2021().unwrap_or(&[]) } else { tr.cols_2019() };
        if tr.block() != block {
            block = tr.block();
            out.push_str(block);
            out.push_str("信息内容");
            for c in cols {
                out.push_str(c.label());
            }
        }
        out.push_str(if !f2021 && *tr == T2Row::Norm { "规范性文件" } else { tr.label() });
        let mut vals: Vec<String> = cols.iter().map(|c| cell_text(r.table2.get(tr).and_then(|m| m.get(c)))).collect();
        if let (false, Some(last)) = (f2021, vals.last_mut())
            && *tr == T2Row::Procurement
        {
            last.push('元');
        }
        out.push_str(&run(rng, &vals));
    }
}

fn table3(rng: &mut Rng, r: &Report, out: &mut String) {
    out.push_str(T3_NOTE);
    out.push_str("申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他");
    let order = if is_2021(r) { T3Row::ROWS_2021 } else { T3Row::ROWS_2019 };
    let mut group = None;
    for tr in order {
        if *tr == T3Row::R3_1 {
            out.push_str("三、本年度办理结果");
        }
        if let Some(g) = tr.group_label()
            && group != Some(g)
        {
            group = Some(g);
            out.push_str(g);
        }
        out.push_str(tr.label());
        let vals: Vec<String> = Col::ALL.iter().map(|c| cell_text(r.t3(*tr, *c))).collect();
        out.push_str(&run(rng, &vals));
    }
}

fn table4(rng: &mut Rng, r: &Report, out: &mut String) {
    out.push_str("行政复议行政诉讼");
    let outcomes: String = T4Outcome::ALL.iter().map(|o| o.label()).collect();
    out.push_str(&outcomes);
    out.push_str("未经复议直接起诉复议后起诉");
    out.push_str(&outcomes);
    out.push_str(&outcomes);
    let vals: Vec<String> = T4Group::ALL
        .iter()
        .flat_map(|g| T4Outcome::ALL.iter().map(move |o| (*g, *o)))
        .map(|(g, o)| cell_text(r.t4(g, o)))
        .collect();
    out.push_str(&run(rng, &vals));
}
