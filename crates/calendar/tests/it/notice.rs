//! The notice reader against the official data: for each year 2019–2026 a notice is written
//! from the facts of `holidays.tsv` in the notice's fixed phrasing (with random variations of
//! the remarks, weekday words, digits and line breaks), read back, and compared date by date.
//! Two notices are also kept as published (2024, 2026).

use gongkai_calendar::notice::{self, NoticeError};
use gongkai_calendar::{Calendar, Listed, read_any};
use jiff::civil::{Date, Weekday, date};
use proptest::prelude::*;

/// The year whose notice lists a date: late-December 元旦 dates belong to the next year's.
fn notice_year(l: &Listed) -> i16 {
    if l.name == "元旦" && l.date.month() == 12 { l.date.year() + 1 } else { l.date.year() }
}

fn official_year(year: i16) -> Vec<Listed> {
    Calendar::official().listed().into_iter().filter(|l| notice_year(l) == year).collect()
}

/// Style choices for writing a notice.
#[derive(Debug, Clone, Copy)]
struct Style {
    weekday_remarks: bool,
    xingqi: bool,
    fullwidth_digits: bool,
    line_breaks: bool,
    title: bool,
}

fn weekday(d: Date, xingqi: bool) -> String {
    let c = match d.weekday() {
        Weekday::Monday => "一",
        Weekday::Tuesday => "二",
        Weekday::Wednesday => "三",
        Weekday::Thursday => "四",
        Weekday::Friday => "五",
        Weekday::Saturday => "六",
        Weekday::Sunday => "日",
    };
    format!("（{}{c}）", if xingqi { "星期" } else { "周" })
}

/// `M月D日`, with the year when it is not the notice's.
fn day(d: Date, year: i16, s: Style) -> String {
    let y = if d.year() != year { format!("{}年", d.year()) } else { String::new() };
    let w = if s.weekday_remarks { weekday(d, s.xingqi) } else { String::new() };
    format!("{y}{}月{}日{w}", d.month(), d.day())
}

/// Write the notice of `year` from listed dates.
fn write_notice(year: i16, listed: &[Listed], s: Style) -> String {
    let mut names: Vec<String> = Vec::new();
    for l in listed {
        if !names.contains(&l.name) {
            names.push(l.name.clone());
        }
    }
    let numerals = ["一", "二", "三", "四", "五", "六", "七", "八", "九"];
    let mut out = String::new();
    if s.title {
        out.push_str(&format!("国务院办公厅关于{year}年部分节假日安排的通知\n各省、自治区、直辖市人民政府，国务院各部委、各直属机构：\n经国务院批准，现将{year}年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。\n"));
    }
    for (i, name) in names.iter().enumerate() {
        out.push_str(&format!("{}、{name}：", numerals[i]));
        let hol: Vec<Date> = listed.iter().filter(|l| &l.name == name && !l.workday).map(|l| l.date).collect();
        let work: Vec<Date> = listed.iter().filter(|l| &l.name == name && l.workday).map(|l| l.date).collect();
        // Runs of consecutive holidays.
        let mut runs: Vec<(Date, Date)> = Vec::new();
        for d in hol {
            match runs.last_mut() {
                Some((_, end)) if end.tomorrow().ok() == Some(d) => *end = d,
                _ => runs.push((d, d)),
            }
        }
        for (a, b) in runs {
            if a == b {
                out.push_str(&format!("{}放假，与周末连休。", day(a, year, s)));
            } else {
                let end = if b.year() != a.year() {
                    day(b, year, s)
                } else if b.month() != a.month() {
                    let w = if s.weekday_remarks { weekday(b, s.xingqi) } else { String::new() };
                    format!("{}月{}日{w}", b.month(), b.day())
                } else {
                    let w = if s.weekday_remarks { weekday(b, s.xingqi) } else { String::new() };
                    format!("{}日{w}", b.day())
                };
                let n = (b - a).get_days() + 1;
                out.push_str(&format!("{}至{end}放假调休，共{n}天。", day(a, year, s)));
            }
        }
        if !work.is_empty() {
            let days: Vec<String> =
                work.iter().map(|d| format!("{}月{}日{}", d.month(), d.day(), weekday(*d, s.xingqi))).collect();
            let days: Vec<String> = work
                .iter()
                .zip(days)
                .map(|(d, t)| if d.year() != year { format!("{}年{t}", d.year()) } else { t })
                .collect();
            out.push_str(&format!("{}上班。", days.join("、")));
        }
        out.push(if s.line_breaks { '\n' } else { ' ' });
    }
    if s.fullwidth_digits {
        out = out
            .chars()
            .map(|c| if c.is_ascii_digit() { char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap() } else { c })
            .collect();
    }
    out
}

#[test]
fn every_official_year_reads_back_from_its_notice() {
    let plain = Style { weekday_remarks: true, xingqi: false, fullwidth_digits: false, line_breaks: true, title: true };
    for year in 2019..=2026 {
        let truth = official_year(year);
        let text = write_notice(year, &truth, plain);
        let n = notice::parse(&text, None).unwrap_or_else(|e| panic!("{year}: {e}\n{text}"));
        assert_eq!(n.year, year);
        assert_eq!(n.listed, truth, "{year}:\n{text}");
    }
}

proptest! {
    #[test]
    fn notices_read_back_in_any_phrasing(
        year in 2019i16..=2026,
        weekday_remarks: bool, xingqi: bool, fullwidth_digits: bool, line_breaks: bool, title: bool,
    ) {
        let s = Style { weekday_remarks, xingqi, fullwidth_digits, line_breaks, title };
        let truth = official_year(year);
        let text = write_notice(year, &truth, s);
        let n = notice::parse(&text, Some(year)).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(n.listed, truth);
    }
}

/// The 2026 notice as published (国办发明电〔2025〕7号), items only.
const NOTICE_2026: &str = "国务院办公厅关于2026年部分节假日安排的通知
一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
三、清明节：4月4日（周六）至6日（周一）放假，共3天。
四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。
五、端午节：6月19日（周五）至21日（周日）放假，共3天。
六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。
节假日期间，各地区、各部门要妥善安排好值班和安全、保卫、疫情防控等工作。";

/// The 2024 notice as published (国办发明电〔2023〕7号), items only: single dates 与周末连休
/// and a recommendation sentence with a date in parentheses.
const NOTICE_2024: &str = "国务院办公厅关于2024年部分节假日安排的通知
一、元旦：1月1日放假，与周末连休。
二、春节：2月10日至17日放假调休，共8天。2月4日（星期日）、2月18日（星期日）上班。鼓励各单位结合带薪年休假等制度落实，安排职工在除夕（2月9日）休息。
三、清明节：4月4日至6日放假调休，共3天。4月7日（星期日）上班。
四、劳动节：5月1日至5日放假调休，共5天。4月28日（星期日）、5月11日（星期六）上班。
五、端午节：6月10日放假，与周末连休。
六、中秋节：9月15日至17日放假调休，共3天。9月14日（星期六）上班。
七、国庆节：10月1日至7日放假调休，共7天。9月29日（星期日）、10月12日（星期六）上班。";

#[test]
fn published_notices_match_the_official_data() {
    for (year, text) in [(2026, NOTICE_2026), (2024, NOTICE_2024)] {
        let n = notice::parse(text, None).unwrap();
        assert_eq!(n.year, year);
        assert_eq!(n.listed, official_year(year), "{year}");
        assert_eq!(read_any(text, None).unwrap(), official_year(year));
    }
}

#[test]
fn a_notice_without_every_statutory_holiday_is_refused() {
    let only_spring = "国务院办公厅关于2027年部分节假日安排的通知\n一、春节：2月5日至12日放假调休，共8天。";
    assert_eq!(
        notice::parse(only_spring, None),
        Err(NoticeError::Incomplete(
            ["元旦", "清明节", "劳动节", "端午节", "中秋节", "国庆节"].map(String::from).to_vec()
        ))
    );
    let msg = notice::parse(only_spring, None).unwrap_err().to_string();
    assert!(msg.contains("不完整") && msg.contains("清明节"), "{msg}");
}

#[test]
fn notice_errors_name_the_item_and_the_problem() {
    // A weekday remark that contradicts the date (2026-01-04 is a Sunday).
    let typo = NOTICE_2026.replace("1月4日（周日）上班", "1月4日（周六）上班");
    let e = notice::parse(&typo, None).unwrap_err().to_string();
    assert!(e.contains("元旦") && e.contains("2026-01-04") && e.contains("星期日"), "{e}");
    // 共N天 that does not match the range.
    let count = NOTICE_2026.replace("共9天", "共8天");
    let e = notice::parse(&count, None).unwrap_err().to_string();
    assert!(e.contains("春节") && e.contains("共9天") && e.contains("“共8天”"), "{e}");
    // A 上班 day that is a weekday.
    let weekday = NOTICE_2026.replace("5月9日（周六）上班", "5月8日上班");
    let e = notice::parse(&weekday, None).unwrap_err().to_string();
    assert!(e.contains("劳动节") && e.contains("不是周六或周日"), "{e}");
    // No year anywhere.
    let no_title = NOTICE_2026.lines().skip(1).collect::<Vec<_>>().join("\n");
    assert_eq!(notice::parse(&no_title, None), Err(NoticeError::NoYear));
    assert_eq!(notice::parse(&no_title, Some(2026)).unwrap().listed, official_year(2026));
    // Not a notice at all.
    assert_eq!(notice::parse("关于2027年部分节假日安排的通知。放假。", None), Err(NoticeError::NoItems));
}

#[test]
fn a_year_written_out_crosses_the_new_year() {
    let text = "关于2019年部分节假日安排的通知 一、元旦：2018年12月30日至2019年1月1日放假调休，共3天。2018年12月29日（星期六）上班。";
    let e = notice::parse(text, None).unwrap_err();
    assert!(matches!(e, NoticeError::Incomplete(_)));
    let full = write_notice(
        2019,
        &official_year(2019),
        Style { weekday_remarks: false, xingqi: true, fullwidth_digits: false, line_breaks: false, title: true },
    );
    let n = notice::parse(&full, None).unwrap();
    assert_eq!(n.listed[0], Listed { date: date(2018, 12, 29), workday: true, name: "元旦".into() });
    assert_eq!(n.listed[1].date, date(2018, 12, 30));
}

#[test]
fn a_notice_extends_the_calendar_for_its_year() {
    // A plausible 2027 notice (dates invented for the test, shaped like the real ones).
    let text = "国务院办公厅关于2027年部分节假日安排的通知
一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月5日（农历除夕、周五）至12日（周五）放假调休，共8天。2月14日（周日）、2月20日（周六）上班。
三、清明节：4月3日（周六）至5日（周一）放假，共3天。
四、劳动节：5月1日（周六）至5日（周三）放假调休，共5天。5月8日（周六）上班。
五、端午节：6月9日（周三）放假1天。
六、中秋节：9月15日（周三）放假1天。
七、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。";
    let n = notice::parse(text, None).unwrap();
    let cal = Calendar::official().extended_with(&n.listed).unwrap();
    assert!(cal.covered_years().contains(&2027));
    assert!(!cal.is_workday(date(2027, 2, 8)).unwrap());
    assert!(cal.is_workday(date(2027, 2, 14)).unwrap());
    assert!(!cal.is_workday(date(2027, 6, 9)).unwrap());
}

#[test]
fn provisional_years_count_weekdays_and_say_so() {
    let strict = Calendar::official();
    assert!(strict.add_workdays(date(2026, 12, 28), 20).is_err());
    let cal = strict.with_provisional();
    assert!(!cal.is_provisional(2026));
    assert!(cal.is_provisional(2027));
    assert!(!cal.covered_years().contains(&2027));
    // 2026-12-28 (Mon) + 20 working days, weekends only in 2027: 4 days in 2026 (29..31 Dec
    // are Tue–Thu, 1 Jan Fri is a weekday in the provisional year) …
    let due = cal.add_workdays(date(2026, 12, 28), 20).unwrap();
    assert_eq!(due, date(2027, 1, 25));
    assert_eq!(cal.provisional_years(date(2026, 12, 28), due), vec![2027]);
    assert_eq!(cal.workdays_between(date(2026, 12, 28), due).unwrap(), 20);
    // Official data always wins over the provisional count.
    let with_2027 =
        cal.extended_with(&[Listed { date: date(2027, 1, 1), workday: false, name: "元旦".into() }]).unwrap();
    assert!(!with_2027.is_workday(date(2027, 1, 1)).unwrap());
    assert!(gongkai_calendar::provisional_note(2027).contains("暂按周末计算"));
}
