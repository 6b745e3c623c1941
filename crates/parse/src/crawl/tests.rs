//! Unit tests of the crawl front end on hand-written crawler exports (the property test
//! over generated ones is `tests/crawl.rs`).

use super::*;
use crate::{Kind, parse_str};
use gongkai_model::{T2Col, T2Row, T4Group, T4Outcome};

fn t3(p: &crate::Parsed, r: T3Row) -> Vec<String> {
    Col::ALL
        .iter()
        .map(|c| match p.report.t3(r, *c).map(|c| &c.value) {
            Some(CellValue::Number(d)) => d.to_string(),
            Some(CellValue::Ambiguous(v)) => format!("{v:?}"),
            Some(x) => format!("{x:?}"),
            None => "-".into(),
        })
        .collect()
}

#[test]
fn sample_2021_is_recovered() {
    let text = include_str!("sample2021.txt");
    assert!(detect(text));
    let p = parse_str(text, Kind::Text);
    for f in &p.findings {
        eprintln!("{} {}", f.rule, f.message);
    }
    assert_eq!(t3(&p, T3Row::R1), ["15", "2", "0", "1", "0", "0", "18"]);
}

#[test]
fn sample_2021_reads_metadata_sections_and_all_tables() {
    let p = parse_str(include_str!("sample2021.txt"), Kind::Text);
    let r = &p.report;
    assert_eq!(r.title.as_ref().unwrap().value, "2022年示例县民政局政府信息公开工作年度报告");
    assert_eq!(r.year.as_ref().unwrap().value, 2022);
    assert_eq!(r.organ.as_ref().unwrap().value, "示例县民政局");
    assert_eq!(r.format, gongkai_model::FormatVersion::F2021);
    assert_eq!(r.sections.iter().map(|s| s.id.0).collect::<Vec<_>>(), [1, 2, 3, 4, 5, 6]);
    // `00000002.其他法律…`: the item number went back to the next label.
    assert_eq!(t3(&p, T3Row::R3_3_1), ["0"; 7]);
    // A row with every cell spaced, and one whose last digit `6` is followed by `2.没有…`.
    assert_eq!(t3(&p, T3Row::R3_4_1), ["5", "1", "0", "0", "0", "0", "6"]);
    // R1 and （七）总计 each split two ways by E3; E2 in 自然人 decides (15, not 1).
    assert_eq!(t3(&p, T3Row::R3_7), ["15", "2", "0", "1", "0", "0", "18"]);
    // Table 四: one run of 15 single digits; table 二 with a spaced row.
    assert_eq!(r.t4(T4Group::Rv, T4Outcome::Tot).and_then(|c| c.as_number()), Some(Decimal::from(3)));
    assert_eq!(r.t4(T4Group::Ld, T4Outcome::Tot).and_then(|c| c.as_number()), Some(Decimal::from(2)));
    let norm = |c: T2Col| r.table2.get(&T2Row::Norm).and_then(|m| m.get(&c)).and_then(|c| c.as_number());
    assert_eq!(
        [norm(T2Col::Issued), norm(T2Col::Repealed), norm(T2Col::Valid)],
        [Some(3.into()), Some(1.into()), Some(12.into())]
    );
    // 行政处罚 "1234" is one value of a one-column row: not split.
    assert_eq!(
        r.table2.get(&T2Row::Penalty).and_then(|m| m.get(&T2Col::Decisions)).and_then(|c| c.as_number()),
        Some(1234.into())
    );
    // Split cells point at their own digits in the source.
    let c = r.t3(T3Row::R1, Col::Np).unwrap();
    assert!(c.inferred);
    let s = c.src.unwrap();
    assert_eq!(&p.text[s.start as usize..s.end as usize], "15");
    assert!(p.findings.iter().all(|f| !matches!(f.rule.as_str(), "P1" | "P2" | "P3" | "P5")), "{:?}", p.findings);
}

#[test]
fn column_identities_choose_among_row_splits_and_ambiguity_is_kept_otherwise() {
    // R3.5.2 "110000011" is 1|10|0|0|0|0|11 or 11|0|0|0|0|0|11 by its own total; E2 in 自然人
    // and 商业企业 (R3.7 = 25|2|…) leaves only the second. Table 四's "11000110000000000" is
    // 1|10|0|0|11 or 11|0|0|0|11 for 行政复议 and nothing can tell: ambiguous, with both.
    let text = include_str!("sample2021.txt")
        .replace("2.重复申请1000001", "2.重复申请110000011")
        .replace("（七）总计152010018", "（七）总计252010028")
        .replace("一、本年新收政府信息公开申请数量152010018", "一、本年新收政府信息公开申请数量252010028")
        .replace("尚未审结总计210031001200000", "尚未审结总计11000110000000000");
    let p = parse_str(&text, Kind::Text);
    assert_eq!(t3(&p, T3Row::R3_5_2), ["11", "0", "0", "0", "0", "0", "11"]);
    assert_eq!(t3(&p, T3Row::R1), ["25", "2", "0", "1", "0", "0", "28"]);
    let cell = p.report.t4(T4Group::Rv, T4Outcome::Maint).unwrap();
    assert_eq!(cell.value, CellValue::Ambiguous(vec![1.into(), 11.into()]));
    assert_eq!(cell.raw, "11000110000000000");
    assert_eq!(p.report.t4(T4Group::Rv, T4Outcome::Tot).and_then(|c| c.as_number()), Some(11.into()));
    let p3: Vec<&gongkai_model::Finding> = p.findings.iter().filter(|f| f.rule == "P3").collect();
    assert_eq!(p3.len(), 1, "{p3:?}");
    assert!(p3[0].message.contains("1|10|0|0|11") && p3[0].message.contains("11|0|0|0|11"), "{}", p3[0].message);
    assert_eq!(p3[0].cells, ["table4.RV.MAINT", "table4.RV.CORR"]);
    let p4 = p.findings.iter().find(|f| f.rule == "P4").unwrap();
    assert!(p4.message.contains("E1/E2"), "{}", p4.message);
}

#[test]
fn detection_needs_the_separator_or_a_glued_table_line() {
    assert!(!detect("一、总体情况\n本年新收政府信息公开申请数量 1 0 0 0 0 0 1\n"));
    assert!(detect("标题: x\n==================== 正文 ====================\n正文"));
    let body = format!("{}申请人情况一、本年新收政府信息公开申请数量1000001", "文".repeat(400));
    assert!(detect(&body));
    assert!(!detect(&body.replace("数量1000001", "数量 一")));
}

#[test]
fn chrome_is_cut_at_both_ends() {
    let line = "当前位置： 首页 > 年报 微信 微博 QQ空间 全真版 文字版 --> 报告正文。 附件下载";
    let (s, e) = strip_chrome(line);
    assert_eq!(line[s..e].trim(), "报告正文。");
}

#[test]
fn table2_2019_signed_changes_and_glued_units() {
    let text = "标题: 2020年示例县商务局政府信息公开工作年度报告\n==================== 正文 ====================\n\
        二、主动公开政府信息情况第二十条第（五）项信息内容上一年项目数量本年增/减处理决定数量行政许可12 -7 345\
        第二十条第（九）项信息内容采购项目数量采购总金额政府集中采购3128000.50元三、收到和处理政府信息公开申请情况\n";
    let p = parse_str(text, Kind::Text);
    let get = |r: T2Row, c: T2Col| p.report.table2.get(&r).and_then(|m| m.get(&c)).map(|c| c.value.clone());
    // Spaced: one way only, the sign belongs to the change.
    assert_eq!(get(T2Row::License, T2Col::Prev), Some(CellValue::Number(12.into())));
    assert_eq!(get(T2Row::License, T2Col::Change), Some(CellValue::Number((-7).into())));
    assert_eq!(get(T2Row::License, T2Col::Decisions2019), Some(CellValue::Number(345.into())));
    // `3128000.50元`: a count and an amount, cut anywhere a valid pair results: ambiguous.
    let Some(CellValue::Ambiguous(counts)) = get(T2Row::Procurement, T2Col::PurchaseCount) else {
        panic!("{:?}", p.report.table2)
    };
    assert_eq!(&counts[..2], &[Decimal::from(3), Decimal::from(31)]);
    let Some(CellValue::Ambiguous(amounts)) = get(T2Row::Procurement, T2Col::PurchaseAmount) else { panic!() };
    assert!(amounts.contains(&Decimal::new(12_800_050, 2)) && amounts.contains(&Decimal::new(2_800_050, 2)));
    let cell = p.report.table2.get(&T2Row::Procurement).and_then(|m| m.get(&T2Col::PurchaseAmount)).unwrap();
    assert_eq!(cell.raw, "3128000.50元");
    let f = p.findings.iter().find(|f| f.rule == "P3").unwrap();
    assert!(f.message.contains("3|128000.50") && f.message.contains("31|28000.50"), "{}", f.message);
}

#[test]
fn long_runs_are_split_without_hitting_the_search_limit() {
    // 26 digits into seven counts (a property-test case that once exceeded the work limit).
    let Cuts::Found(c, false) = e3_cuts(&["13429651221584110617437753"]) else { panic!("search gave up") };
    let sums: Vec<bool> =
        c.iter().map(|s| s[..6].iter().map(|x| digits_value(x)).sum::<u64>() == digits_value(s[6])).collect();
    assert!(!c.is_empty() && sums.iter().all(|ok| *ok), "{c:?}");
}

#[test]
fn a_real_e2_violation_is_reported_and_nothing_else_arithmetic() {
    // 予以公开 grows by 6 in 自然人 and 总计 (its own row still adds up): the outcome rows add
    // up to 24 while （七）总计 says 18. E2 in 自然人 is broken whatever R3.7's split, so it
    // decides nothing; 商业企业 (E2) and E1 still choose R3.7 and R1.
    let text = include_str!("sample2021.txt").replace("（一）予以公开7101009", "（一）予以公开131010015");
    let p = parse_str(&text, Kind::Text);
    assert_eq!(t3(&p, T3Row::R3_7), ["15", "2", "0", "1", "0", "0", "18"]);
    let found = gongkai_rules::check(&p.report);
    let arith: Vec<(&str, &[String])> =
        found.iter().filter(|f| f.rule.starts_with('E')).map(|f| (f.rule.as_str(), f.cells.as_slice())).collect();
    assert_eq!(arith.len(), 2, "{arith:?}");
    assert!(arith.iter().all(|(r, _)| *r == "E2"), "{arith:?}");
}
