//! The State Council's annual holiday notice (国务院办公厅关于20XX年部分节假日安排的通知), read
//! from its own text, so that a clerk can paste the notice instead of writing a TSV file.
//!
//! The notices keep one fixed phrasing since 2008:
//!
//! ```text
//! 一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
//! 二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。
//!     2月14日（周六）、2月28日（周六）上班。
//! 五、端午节：6月10日放假，与周末连休。
//! 六、国庆节、中秋节：10月1日至8日放假调休，共8天。9月27日（星期日）、10月10日（星期六）上班。
//! ```
//!
//! Each item is `N、节日：` followed by sentences. A sentence with 放假 lists the holiday: a range
//! `A至B` (every date of it is a holiday, weekend days included; `B` may omit the month or
//! year) or a single date (`X日放假，与周末连休`: only that date). A sentence with 上班 lists
//! the 调休 working days. Parenthetical remarks (weekday, lunar date) are checked where they
//! name a weekday and otherwise ignored; `共N天` is checked against the range. Dates without a
//! year belong to the notice's year (from its title, or given by the caller); a year written
//! out (`2018年12月30日至2019年1月1日`) is kept. Other sentences (recommendations such as
//! 鼓励…安排职工在除夕休息) list nothing.
//!
//! A notice for a whole year must name all seven statutory holidays (元旦, 春节, 清明节,
//! 劳动节, 端午节, 中秋节, 国庆节; combined headings count for each): one that lacks any is
//! refused as incomplete, so that a partial paste never becomes a year's calendar.

use jiff::civil::{Date, Weekday};

use crate::{Listed, weekday_zh};

/// The statutory holidays every annual notice arranges (《全国年节及纪念日放假办法》).
pub const STATUTORY: [&str; 7] = ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"];

/// Why a notice could not be read. Messages are Chinese and name the item.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoticeError {
    #[error("无法确定通知所属年份：标题中应有“关于20XX年部分节假日安排的通知”，或另行指定年份")]
    NoYear,
    #[error("未找到放假安排条目（应为“一、元旦：1月1日放假……”的格式）")]
    NoItems,
    #[error("放假安排通知不完整：缺少{}（全年通知应包含七个法定节日）", .0.join("、"))]
    Incomplete(Vec<String>),
    #[error("“{item}”一项：{message}")]
    Item { item: String, message: String },
}

impl NoticeError {
    /// A stable code for programs and logs (never changes with the wording).
    pub fn code(&self) -> &'static str {
        match self {
            NoticeError::NoYear => "calendar.notice_no_year",
            NoticeError::NoItems => "calendar.notice_no_items",
            NoticeError::Incomplete(_) => "calendar.notice_incomplete",
            NoticeError::Item { .. } => "calendar.notice_item",
        }
    }
}

/// A notice read from its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub year: i16,
    /// Holidays and 调休 working days, in date order.
    pub listed: Vec<Listed>,
}

/// Whether `text` looks like a notice rather than a TSV file.
pub fn looks_like_notice(text: &str) -> bool {
    text.contains("放假") && !text.lines().any(|l| l.contains('\t'))
}

/// Read a notice. `year` is used when the title does not give one.
pub fn parse(text: &str, year: Option<i16>) -> Result<Notice, NoticeError> {
    let text = normalise(text);
    let year = title_year(&text).or(year).ok_or(NoticeError::NoYear)?;
    let items = items(&text);
    if items.is_empty() {
        return Err(NoticeError::NoItems);
    }
    let mut listed: Vec<Listed> = Vec::new();
    let mut named: Vec<&str> = Vec::new();
    for (name, body) in &items {
        let err = |message: String| NoticeError::Item { item: name.clone(), message };
        let mut any_holiday = false;
        for sentence in body.split(['。', '；']) {
            let (plain, weekdays) = strip_parentheses(sentence);
            let dates = dates_in(&plain, year).map_err(err)?;
            check_weekdays(&dates, &weekdays).map_err(err)?;
            if plain.contains("放假") {
                let holidays = holiday_dates(&plain, &dates).map_err(err)?;
                if let Some(n) = total_days(&plain)
                    && holidays.len() != n
                {
                    return Err(err(format!("放假日期共{}天，与通知所写“共{n}天”不符", holidays.len())));
                }
                any_holiday |= !holidays.is_empty();
                listed.extend(holidays.into_iter().map(|date| Listed { date, workday: false, name: name.clone() }));
            } else if plain.contains("上班") {
                for (date, _) in &dates {
                    if !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) {
                        return Err(err(format!("调休上班日{date}不是周六或周日")));
                    }
                    listed.push(Listed { date: *date, workday: true, name: name.clone() });
                }
            }
        }
        if !any_holiday {
            return Err(err("未写明放假日期".into()));
        }
        named.extend(STATUTORY.iter().copied().filter(|s| name.contains(s)));
    }
    let missing: Vec<String> = STATUTORY.iter().filter(|s| !named.contains(s)).map(|s| s.to_string()).collect();
    if !missing.is_empty() {
        return Err(NoticeError::Incomplete(missing));
    }
    listed.sort_by_key(|l| l.date);
    for w in listed.windows(2) {
        if w[0].date == w[1].date {
            return Err(NoticeError::Item {
                item: w[1].name.clone(),
                message: format!("日期{}在通知中出现两次", w[1].date),
            });
        }
    }
    Ok(Notice { year, listed })
}

/// Full-width digits and colons to ASCII, ASCII parentheses to full-width, and line breaks
/// removed (a pasted notice is often broken across lines).
fn normalise(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, '\r' | '\n' | ' ' | '\u{3000}' | '\t'))
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '(' => '（',
            ')' => '）',
            ':' => '：',
            ',' => '，',
            ';' => '；',
            c => c,
        })
        .collect()
}

/// `关于2027年部分节假日安排` → 2027.
fn title_year(text: &str) -> Option<i16> {
    let at = text.find("年部分节假日")?;
    let digits: String = text[..at].chars().rev().take_while(char::is_ascii_digit).collect();
    let y: String = digits.chars().rev().collect();
    (y.len() == 4).then(|| y.parse().ok()).flatten()
}

const NUMERALS: [char; 10] = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

/// The items `N、名称：正文` in order. A heading is a Chinese numeral and `、` followed by a
/// name of at most 12 characters ending in `：` that contains 节 or 元旦.
fn items(text: &str) -> Vec<(String, String)> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut heads: Vec<(usize, usize, String)> = Vec::new(); // (start, body start, name)
    for (k, &(at, c)) in chars.iter().enumerate() {
        if !NUMERALS.contains(&c) || chars.get(k + 1).map(|x| x.1) != Some('、') {
            continue;
        }
        if k > 0 && NUMERALS.contains(&chars[k - 1].1) {
            continue;
        }
        let rest: Vec<&(usize, char)> = chars[k + 2..].iter().take(13).collect();
        let Some(colon) = rest.iter().position(|x| x.1 == '：') else { continue };
        let name: String = rest[..colon].iter().map(|x| x.1).collect();
        if name.is_empty() || !(name.contains('节') || name.contains("元旦")) {
            continue;
        }
        heads.push((at, rest[colon].0 + '：'.len_utf8(), name));
    }
    let mut out = Vec::new();
    for (i, (_, body, name)) in heads.iter().enumerate() {
        let end = heads.get(i + 1).map_or(text.len(), |h| h.0);
        out.push((name.clone(), text[*body..end].to_string()));
    }
    out
}

/// The sentence without its parenthetical remarks, and the weekday each remark names, keyed by
/// the byte position (in the stripped text) where the remark stood.
fn strip_parentheses(s: &str) -> (String, Vec<(usize, Weekday)>) {
    let mut plain = String::new();
    let mut remarks = Vec::new();
    let mut depth = 0usize;
    let mut remark = String::new();
    for c in s.chars() {
        match c {
            '（' => {
                depth += 1;
                if depth == 1 {
                    remark.clear();
                }
            }
            '）' if depth > 0 => {
                depth -= 1;
                if depth == 0
                    && let Some(w) = weekday_in(&remark)
                {
                    remarks.push((plain.len(), w));
                }
            }
            c if depth > 0 => remark.push(c),
            c => plain.push(c),
        }
    }
    (plain, remarks)
}

/// `周六`, `星期六`, `星期日`, `周天` → the weekday.
fn weekday_in(remark: &str) -> Option<Weekday> {
    let names = [
        ('一', Weekday::Monday),
        ('二', Weekday::Tuesday),
        ('三', Weekday::Wednesday),
        ('四', Weekday::Thursday),
        ('五', Weekday::Friday),
        ('六', Weekday::Saturday),
        ('日', Weekday::Sunday),
        ('天', Weekday::Sunday),
    ];
    for prefix in ["星期", "周"] {
        if let Some(at) = remark.find(prefix) {
            let c = remark[at + prefix.len()..].chars().next()?;
            return names.iter().find(|(n, _)| *n == c).map(|(_, w)| *w);
        }
    }
    None
}

/// A date mention with the byte range it covers in the stripped sentence.
type Mention = (Date, std::ops::Range<usize>);

/// Every date in a stripped sentence, in order: `[YYYY年][M月]D日`. A mention without a month
/// takes the month (and year) of the mention before it; without a year, the year before it or
/// the notice's year (and the next year when that would make a range run backwards).
fn dates_in(s: &str, year: i16) -> Result<Vec<Mention>, String> {
    let b = s.as_bytes();
    let mut out: Vec<Mention> = Vec::new();
    let mut i = 0;
    let mut last: Option<Date> = None;
    while i < b.len() {
        if !b[i].is_ascii_digit() || (i > 0 && b[i - 1].is_ascii_digit()) {
            i += 1;
            continue;
        }
        let start = i;
        let mut nums: Vec<(u32, &str)> = Vec::new();
        let mut j = i;
        // Up to three number+unit groups: 年, 月, 日.
        while j < b.len() && b[j].is_ascii_digit() && nums.len() < 3 {
            let k = j + b[j..].iter().take_while(|c| c.is_ascii_digit()).count();
            let n: u32 = s[j..k].parse().map_err(|_| format!("数字“{}”无效", &s[j..k]))?;
            let unit = ["年", "月", "日"].into_iter().find(|u| s[k..].starts_with(u));
            let Some(unit) = unit else { break };
            nums.push((n, unit));
            j = k + unit.len();
            if unit == "日" {
                break;
            }
        }
        let Some(&(day, "日")) = nums.last() else {
            i = j.max(i + 1);
            continue;
        };
        let get = |u: &str| nums.iter().find(|(_, x)| *x == u).map(|(n, _)| *n);
        let y = match get("年") {
            Some(y) => i16::try_from(y).map_err(|_| format!("年份{y}无效"))?,
            None => last.map_or(year, |d| d.year()),
        };
        let m = match get("月") {
            Some(m) => m,
            None => last.map(|d| d.month() as u32).ok_or_else(|| format!("“{}”缺少月份", &s[start..j]))?,
        };
        let mut date = Date::new(y, m as i8, day as i8).map_err(|_| format!("日期“{}”无效", &s[start..j]))?;
        if get("年").is_none()
            && let Some(prev) = last
            && date < prev
        {
            date = Date::new(y + 1, m as i8, day as i8).map_err(|_| format!("日期“{}”无效", &s[start..j]))?;
        }
        out.push((date, start..j));
        last = Some(date);
        i = j;
    }
    Ok(out)
}

/// A weekday remark right after a date must name that date's weekday (catches typos in a
/// pasted notice).
fn check_weekdays(dates: &[Mention], remarks: &[(usize, Weekday)]) -> Result<(), String> {
    for (at, w) in remarks {
        if let Some((d, _)) = dates.iter().find(|(_, r)| r.end == *at)
            && d.weekday() != *w
        {
            return Err(format!("{d}实为{}，与通知括注的{}不符", weekday_zh(d.weekday()), weekday_zh(*w)));
        }
    }
    Ok(())
}

/// The holiday dates of a 放假 sentence: `A至B` is every date from A to B; otherwise each
/// date mentioned before 放假 is one holiday.
fn holiday_dates(s: &str, dates: &[Mention]) -> Result<Vec<Date>, String> {
    let cut = s.find("放假").unwrap_or(s.len());
    let before: Vec<&Mention> = dates.iter().filter(|(_, r)| r.end <= cut).collect();
    let mut out = Vec::new();
    let mut k = 0;
    while k < before.len() {
        let (a, ra) = before[k];
        let joined = before.get(k + 1).filter(|(_, rb)| matches!(&s[ra.end..rb.start], "至" | "到" | "-" | "—" | "～"));
        if let Some((b, _)) = joined {
            if b < a {
                return Err(format!("放假起止日期颠倒：{a}至{b}"));
            }
            let mut d = *a;
            while d <= *b {
                out.push(d);
                if out.len() > 31 {
                    return Err(format!("放假期间{a}至{b}超过31天"));
                }
                d = d.tomorrow().map_err(|_| "日期超出范围".to_string())?;
            }
            k += 2;
        } else {
            out.push(*a);
            k += 1;
        }
    }
    Ok(out)
}

/// `共8天` → 8.
fn total_days(s: &str) -> Option<usize> {
    let at = s.find('共')? + '共'.len_utf8();
    let digits: String = s[at..].chars().take_while(char::is_ascii_digit).collect();
    if s[at + digits.len()..].starts_with('天') { digits.parse().ok() } else { None }
}
