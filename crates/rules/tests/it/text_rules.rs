//! Each text rule (SPEC §6) on small hand-written reports: it fires on the defect, points at
//! the right text, and stays silent on the corrected report.

use gongkai_model::Finding;
use gongkai_parse::{Kind, parse_str};

fn check(text: &str) -> (String, Vec<Finding>) {
    let p = parse_str(text, Kind::Text);
    let mut f = p.findings.clone();
    f.extend(gongkai_rules::check(&p.report));
    (p.text, f)
}

fn rules(f: &[Finding], rule: &str) -> Vec<String> {
    f.iter().filter(|x| x.rule == rule).map(|x| x.message.clone()).collect()
}

fn located<'a>(text: &'a str, f: &[Finding], rule: &str) -> &'a str {
    let l = f.iter().find(|x| x.rule == rule).and_then(|x| x.location).expect(rule);
    &text[l.start as usize..l.end as usize]
}

fn report(organ: &str, year: u32, s1: &str, s5: &str, s6: &str, sign: &str) -> String {
    format!(
        "{year}年{organ}政府信息公开工作年度报告\n\
         本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。\n\
         一、总体情况\n{s1}\n二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况\n\
         四、政府信息公开行政复议、行政诉讼情况\n五、存在的主要问题及改进情况\n{s5}\n\
         六、其他需要报告的事项\n{s6}\n{sign}\n"
    )
}

const S1: &str = "2024年，本局持续深化政务公开。";
const S5: &str = "一是解读形式单一；二是答复规范化不足。下一步，我局将持续改进。";
const S6: &str = "本年度未收取信息处理费。";

#[test]
fn clean_report_has_no_text_findings() {
    let (_, f) = check(&report("示例区民政局", 2024, S1, S5, S6, "示例区民政局\n2025年1月20日"));
    let text_rules: Vec<_> = f.iter().filter(|x| x.rule.starts_with('D') && x.rule != "D8").collect();
    assert!(text_rules.is_empty(), "{text_rules:?}");
}

#[test]
fn d10_statistics_period_and_signature_date() {
    let t = report("示例区民政局", 2024, S1, S5, S6, "示例区民政局\n2025年1月20日")
        .replace("统计期限自2024年1月1日起至2024年12月31日止", "统计期限自2023年1月1日起至2023年12月31日止");
    let (text, f) = check(&t);
    assert!(rules(&f, "D10").iter().any(|m| m.contains("统计期限写为2023年")), "{f:?}");
    assert_eq!(located(&text, &f, "D10"), "2023年");
    let (_, f) = check(&report("示例区民政局", 2024, S1, S5, S6, "示例区民政局\n2024年1月20日"));
    assert!(rules(&f, "D10").iter().any(|m| m.contains("落款日期却在2024年")), "{f:?}");
}

#[test]
fn d10_ignores_plans_for_next_year() {
    let s5 = "2025年，我局将进一步加强政策解读。";
    let (_, f) = check(&report("示例区民政局", 2024, S1, s5, S6, "2025年1月20日"));
    assert!(rules(&f, "D10").is_empty(), "{f:?}");
}

#[test]
fn d12_each_missing_heading_is_named() {
    let t = report("示例区民政局", 2024, S1, S5, S6, "").replace("四、政府信息公开行政复议、行政诉讼情况\n", "");
    let (_, f) = check(&t);
    assert_eq!(rules(&f, "D12"), vec!["缺少第四部分“四、政府信息公开行政复议、行政诉讼情况”".to_string()]);
}

#[test]
fn d13_fee_statement() {
    let (_, f) = check(&report("示例区民政局", 2024, S1, S5, "本年度无其他需要报告的事项。", ""));
    assert_eq!(rules(&f, "D13").len(), 1);
    let (_, f) = check(&report("示例区民政局", 2024, S1, S5, S6, ""));
    assert!(rules(&f, "D13").is_empty());
}

#[test]
fn d14_government_reports_state_evaluation_results() {
    let (_, f) = check(&report("示例县人民政府", 2024, S1, S5, S6, ""));
    assert_eq!(rules(&f, "D14").len(), 1, "{f:?}");
    let s1 = "2024年，县政府将政务公开纳入工作考核，未发生责任追究情况。";
    let (_, f) = check(&report("示例县人民政府", 2024, s1, S5, S6, ""));
    assert!(rules(&f, "D14").is_empty());
    // A government's general office is a department, not a 人民政府.
    let (_, f) = check(&report("示例县人民政府办公室", 2024, S1, S5, S6, ""));
    assert!(rules(&f, "D14").is_empty());
}

#[test]
fn d21_another_organs_platform_and_signature() {
    let s1 = "2024年，本局打造“示例教育”微信公众号，及时发布信息。";
    let (text, f) = check(&report("示例区民政局", 2024, s1, S5, S6, ""));
    assert_eq!(located(&text, &f, "D21"), "“示例教育”");
    let s1 = "2024年，本局运营“示例民政”微信公众号。";
    let (_, f) = check(&report("示例区民政局", 2024, s1, S5, S6, ""));
    assert!(rules(&f, "D21").is_empty());
    let (_, f) = check(&report("示例区民政局", 2024, S1, S5, S6, "示例区教育局\n2025年1月20日"));
    assert!(rules(&f, "D21").iter().any(|m| m.contains("落款却是“示例区教育局”")), "{f:?}");
}

#[test]
fn d22_repeated_and_skipped_ordinals() {
    let (text, f) = check(&report("示例区民政局", 2024, S1, "一是解读不足；三是答复不规范。", S6, ""));
    assert!(rules(&f, "D22")[0].contains("跳号"));
    assert_eq!(located(&text, &f, "D22"), "三是");
    let s1 = "（一）主动公开。\n（二）依申请公开。\n（二）政府信息管理。";
    let (_, f) = check(&report("示例区民政局", 2024, s1, S5, S6, ""));
    assert!(rules(&f, "D22")[0].contains("重复"), "{f:?}");
    // "统一是" and "十一是" are not ordinals of a 一是 list.
    let s1 = "标准统一是关键。一是规范；二是及时。";
    let (_, f) = check(&report("示例区民政局", 2024, s1, S5, S6, ""));
    assert!(rules(&f, "D22").is_empty(), "{f:?}");
}

#[test]
fn d23_spam_and_mojibake() {
    let s1 = "2024年，本局推进公开。澳门新葡京真人娱乐开户送彩金。";
    let (text, f) = check(&report("示例区民政局", 2024, s1, S5, S6, ""));
    assert!(rules(&f, "D23")[0].contains("新葡京"));
    assert_eq!(located(&text, &f, "D23"), "新葡京");
    let s1 = "2024年，本局推进公开????工作。";
    let (_, f) = check(&report("示例区民政局", 2024, s1, S5, S6, ""));
    assert!(rules(&f, "D23")[0].contains("乱码"));
    // One finding per paragraph, by kind: a spam phrase before `???`, `???` before U+FFFD,
    // U+FFFD before pinyin, wherever each sits in the paragraph.
    let s1 = "2024年\u{FFFD}，本局推进公开???工作，威尼斯人。";
    let (text, f) = check(&report("示例区民政局", 2024, s1, S5, S6, ""));
    assert_eq!(rules(&f, "D23").len(), 1, "{f:?}");
    assert_eq!(located(&text, &f, "D23"), "威尼斯人");
    let s1 = "2024年\u{FFFD}，本局推进公开???工作。";
    let (text, f) = check(&report("示例区民政局", 2024, s1, S5, S6, ""));
    assert_eq!(located(&text, &f, "D23"), "???");
    let s1 = "2024年，本局zhèngwù公开\u{FFFD}工作。";
    let (text, f) = check(&report("示例区民政局", 2024, s1, S5, S6, ""));
    assert!(rules(&f, "D23")[0].contains("无法解码"), "{f:?}");
    assert_eq!(located(&text, &f, "D23"), "\u{FFFD}");
    let s1 = "2024年，本局推进zhèngwù公开。";
    let (text, f) = check(&report("示例区民政局", 2024, s1, S5, S6, ""));
    assert!(rules(&f, "D23")[0].contains("拼音"), "{f:?}");
    assert_eq!(located(&text, &f, "D23"), "è");
}

#[test]
fn d17_text_numbers_against_table_totals() {
    let mut t = report("示例区民政局", 2024, "2024年，本局共收到政府信息公开申请15件。", S5, S6, "");
    t = t.replace(
        "三、收到和处理政府信息公开申请情况\n",
        "三、收到和处理政府信息公开申请情况\n申请人情况\n一、本年新收政府信息公开申请数量 10 2 0 0 0 0 12\n",
    );
    let (text, f) = check(&t);
    assert!(rules(&f, "D17").iter().any(|m| m.contains("本年新收15件") && m.contains("总计为12")), "{f:?}");
    assert_eq!(located(&text, &f, "D17"), "15");
    let (_, f) = check(&t.replace("申请15件", "申请12件"));
    assert!(rules(&f, "D17").is_empty());
}

#[test]
fn d11_signature_after_the_statutory_deadline() {
    let (text, f) = check(&report("示例区民政局", 2024, S1, S5, S6, "示例区民政局\n2025年2月10日"));
    assert!(rules(&f, "D11")[0].contains("2025年1月31日前"), "{f:?}");
    assert_eq!(located(&text, &f, "D11"), "2025年2月10日");
    // A county government has until 31 March.
    let s1 = "2024年，县政府开展工作考核。";
    let (_, f) = check(&report("示例县人民政府", 2024, s1, S5, S6, "示例县人民政府\n2025年3月20日"));
    assert!(rules(&f, "D11").is_empty(), "{f:?}");
    let (_, f) = check(&report("示例县人民政府", 2024, s1, S5, S6, "示例县人民政府\n2025年4月2日"));
    assert_eq!(rules(&f, "D11").len(), 1);
}

#[test]
fn a_misnumbered_heading_is_d12_from_the_checker() {
    let good = report("示例区民政局", 2024, S1, S5, S6, "示例区民政局\n2025年1月20日");
    let bad = good.replace("五、存在的主要问题", "四、存在的主要问题");
    let p = parse_str(&bad, Kind::Text);
    // The parser records the printed number; judging it is the checker's.
    let s5 = p.report.section(5).expect("section 五 is found by its words");
    assert_eq!(s5.number, Some(4));
    assert!(p.findings.iter().all(|f| f.rule != "D12"), "{:?}", p.findings);
    let (text, f) = check(&bad);
    assert_eq!(
        rules(&f, "D12"),
        vec!["标题“四、存在的主要问题及改进情况”的序号为4，按标准格式应为“五、存在的主要问题及改进情况”".to_string()]
    );
    assert_eq!(located(&text, &f, "D12"), "四、存在的主要问题及改进情况");
    let (_, f) = check(&good);
    assert!(rules(&f, "D12").is_empty(), "{f:?}");
}
