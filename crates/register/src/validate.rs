//! Validation at the edges, in one place for every entry path (the `register` and `event`
//! commands, the ledger import, the store's write path, and the future web forms): field
//! shapes with their check characters, one length bound per text field, money and count
//! bounds, and dates. Messages are Chinese, name the field and the problem, and never quote a
//! personal value.
//!
//! Two levels: [`stored_application`] and [`event`] need no clock and no reference data, and
//! the store runs them on every write; [`applicant`] (身份证/统一社会信用代码 check characters,
//! phone, e-mail) and [`not_after`] (dates in the future) are for new input at the edges,
//! where the caller knows today's date.

use gongkai_clock::Event;
use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::{Applicant, YearlyCounts};

/// Longest 受理编号 (characters).
pub const MAX_SERIAL: usize = 64;
/// Longest name of an applicant, an organ or an approver (characters).
pub const MAX_NAME: usize = 200;
/// Longest 申请内容 (characters): several pages of a request letter.
pub const MAX_DESCRIPTION: usize = 5_000;
/// Longest address (characters).
pub const MAX_ADDRESS: usize = 300;
/// Longest e-mail address (RFC 5321).
pub const MAX_EMAIL: usize = 254;
/// Longest ID number or phone number as typed (characters).
pub const MAX_ID: usize = 40;
/// Largest fee of one fee notice (yuan): ten million, far above any 信息处理费.
pub const MAX_FEE_YUAN: u64 = 10_000_000;
/// Largest yearly count of decisions (table 二).
pub const MAX_COUNT: u64 = 1_000_000_000;
/// Largest yearly fee income in 万元 (table 二): 1万亿元.
pub const MAX_FEE_WAN: u64 = 100_000_000;

/// One problem with one field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}：{reason}")]
pub struct Invalid {
    /// The field's Chinese name (a ledger column name where there is one).
    pub field: &'static str,
    pub reason: String,
}

fn invalid(field: &'static str, reason: impl Into<String>) -> Invalid {
    Invalid { field, reason: reason.into() }
}

/// The shapes a date may take, for messages.
const DATE_SHAPES: &str = "应为 2024-03-05、2024/3/5 或 2024年3月5日";

/// The one date parser of every entry path (command-line arguments, web forms, filters, the
/// ledger import): a date as clerks type it (`2024-03-05`, `2024/3/5`, `2024.3.5`,
/// `2024年3月5日`) or as Excel stores it (a serial day number between 20000 and 80000, i.e.
/// 1954–2119). Years outside 1990–2100 are refused. The error is the reason, in Chinese,
/// quoting the value; [`date`] adds the field's name.
pub fn parse_date(s: &str) -> Result<Date, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err(format!("未填写日期（{DATE_SHAPES}）"));
    }
    if let Ok(serial) = t.parse::<f64>() {
        // Excel's day 0 is 1899-12-30 (its 1900 leap-year bug folded in); 20000–80000 covers
        // 1954–2119, so a plain number outside that range is not taken for a date.
        if (20_000.0..80_000.0).contains(&serial) {
            let base = jiff::civil::date(1899, 12, 30);
            return base
                .checked_add(jiff::Span::new().days(serial.trunc() as i64))
                .map_err(|_| format!("“{t}”不是存在的日期"));
        }
        return Err(format!("“{t}”不是日期（{DATE_SHAPES}）"));
    }
    let cleaned: String = t
        .chars()
        .map(|c| if matches!(c, '年' | '月' | '/' | '.' | '－') { '-' } else { c })
        .filter(|c| *c != '日')
        .collect();
    let parts: Vec<&str> = cleaned.split('-').map(str::trim).collect();
    let not_a_date = || format!("“{t}”不是日期（{DATE_SHAPES}）");
    let [y, m, d] = parts.as_slice() else {
        return Err(not_a_date());
    };
    let num = |x: &str| x.parse::<i16>().map_err(|_| not_a_date());
    let (y, m, d) = (num(y)?, num(m)?, num(d)?);
    if !(1990..=2100).contains(&y) {
        return Err(format!("“{t}”的年份{y}不在1990–2100之间"));
    }
    let (Ok(m), Ok(d)) = (i8::try_from(m), i8::try_from(d)) else {
        return Err(format!("“{t}”不是存在的日期"));
    };
    Date::new(y, m, d).map_err(|_| format!("“{t}”不是存在的日期"))
}

/// A date field, read by [`parse_date`]; the error names the field and quotes the value
/// (a date is never personal data).
pub fn date(field: &'static str, s: &str) -> Result<Date, Invalid> {
    parse_date(s).map_err(|reason| invalid(field, reason))
}

/// A required text: not empty or only whitespace (any Unicode space, e.g. U+3000), at most
/// `max` characters.
pub fn required_text(field: &'static str, v: &str, max: usize) -> Result<(), Invalid> {
    if v.trim().is_empty() {
        return Err(invalid(field, "不能为空或只有空白"));
    }
    optional_text(field, v, max)
}

/// An optional text: at most `max` characters.
pub fn optional_text(field: &'static str, v: &str, max: usize) -> Result<(), Invalid> {
    let n = v.chars().count();
    if n > max {
        return Err(invalid(field, format!("有{n}个字，超过上限{max}个字")));
    }
    Ok(())
}

/// The 身份证 check character of 17 digits (GB 11643-1999, ISO 7064 MOD 11-2).
fn id_card_check(first17: &[u8]) -> char {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let s: u32 = first17.iter().zip(W).map(|(d, w)| u32::from(d - b'0') * w).sum();
    b"10X98765432"[(s % 11) as usize] as char
}

/// The characters of a 统一社会信用代码 (GB 32100-2015: digits and capitals without I O S V Z).
const USCC: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// The 统一社会信用代码 check character of the first 17 characters (GB 32100-2015).
fn uscc_check(first17: &[u8]) -> Option<char> {
    const W: [usize; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    let mut s = 0;
    for (c, w) in first17.iter().zip(W) {
        s += USCC.iter().position(|x| x == c)? * w;
    }
    Some(USCC[(31 - s % 31) % 31] as char)
}

/// A 证件号码: an 18-character 身份证 (17 digits and a check digit or X) or 统一社会信用代码
/// is checked with its check character; an all-digit number of another length is refused (a
/// 身份证 has 18); other documents (passports, 港澳台 permits: letters, digits, `-`, 5–30
/// characters) are accepted as typed.
pub fn id_number(v: &str) -> Result<(), Invalid> {
    let t = v.trim();
    let b = t.as_bytes();
    const F: &str = "证件号码";
    if t.chars().count() > MAX_ID {
        return Err(invalid(F, format!("超过{MAX_ID}个字符")));
    }
    if b.len() == 18
        && b[..17].iter().all(u8::is_ascii_digit)
        && (b[17].is_ascii_digit() || b[17] == b'X' || b[17] == b'x')
    {
        let want = id_card_check(&b[..17]);
        if (b[17] as char).to_ascii_uppercase() != want {
            return Err(invalid(F, "18位身份证号码的校验码（最后一位）不对，请核对"));
        }
        return Ok(());
    }
    if b.len() == 18 && b.iter().all(|c| USCC.contains(c)) {
        return match uscc_check(&b[..17]) {
            Some(c) if c as u8 == b[17] => Ok(()),
            _ => Err(invalid(F, "18位统一社会信用代码的校验码（最后一位）不对，请核对")),
        };
    }
    if b.iter().all(u8::is_ascii_digit) {
        return Err(invalid(F, format!("身份证号码应为18位（现为{}位）", b.len())));
    }
    if b.len() == 18 {
        return Err(invalid(F, "18位的证件号码既不是身份证号码也不是统一社会信用代码（含不允许的字符）"));
    }
    if !(5..=30).contains(&b.len()) || !b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-') {
        return Err(invalid(F, "不是可识别的证件号码（身份证、统一社会信用代码，或5–30位字母数字的其他证件号）"));
    }
    Ok(())
}

/// A phone number: digits with optional `+`, spaces, `-` and parentheses; 7–15 digits; an
/// 11-digit number beginning with 1 is a mobile number and must begin with 13–19.
pub fn phone(v: &str) -> Result<(), Invalid> {
    const F: &str = "联系电话";
    let t = v.trim();
    if t.chars().count() > MAX_ID {
        return Err(invalid(F, format!("超过{MAX_ID}个字符")));
    }
    if !t.chars().all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')' | '（' | '）')) {
        return Err(invalid(F, "只能含数字及 + - ( ) 和空格"));
    }
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    if !(7..=15).contains(&digits.len()) {
        return Err(invalid(F, format!("有{}位数字，应为7–15位", digits.len())));
    }
    if digits.len() == 11 && digits.starts_with('1') && !matches!(digits.as_bytes()[1], b'3'..=b'9') {
        return Err(invalid(F, "11位手机号码应以13–19开头"));
    }
    Ok(())
}

/// An e-mail address: one `@`, a non-empty local part, a domain with a dot, no spaces.
pub fn email(v: &str) -> Result<(), Invalid> {
    const F: &str = "电子邮箱";
    let t = v.trim();
    if t.len() > MAX_EMAIL {
        return Err(invalid(F, format!("超过{MAX_EMAIL}个字符")));
    }
    let ok = match t.split_once('@') {
        Some((user, domain)) => {
            !user.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !t.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    };
    if ok { Ok(()) } else { Err(invalid(F, "不是有效的电子邮箱地址（应如 name@example.cn）")) }
}

/// Every check of an applicant's data: the name, the ID number's check character, phone,
/// e-mail, address length.
pub fn applicant(a: &Applicant) -> Vec<Invalid> {
    let mut out = Vec::new();
    out.extend(required_text("申请人姓名或名称", &a.name, MAX_NAME).err());
    out.extend(a.id_number.as_deref().filter(|v| !v.trim().is_empty()).and_then(|v| id_number(v).err()));
    out.extend(a.phone.as_deref().filter(|v| !v.trim().is_empty()).and_then(|v| phone(v).err()));
    out.extend(a.email.as_deref().filter(|v| !v.trim().is_empty()).and_then(|v| email(v).err()));
    out.extend(a.address.as_deref().and_then(|v| optional_text("通讯地址", v, MAX_ADDRESS).err()));
    out
}

/// The checks the store runs on every application it writes: required texts and one length
/// bound per text field (the same bounds as at the edges), and every event.
pub fn stored_application(serial: &str, a: &Applicant, description: &str, events: &[Event]) -> Vec<Invalid> {
    let mut out = Vec::new();
    out.extend(required_text("受理编号", serial, MAX_SERIAL).err());
    out.extend(required_text("申请人姓名或名称", &a.name, MAX_NAME).err());
    out.extend(required_text("申请内容", description, MAX_DESCRIPTION).err());
    for (f, v, max) in [
        ("证件号码", &a.id_number, MAX_ID),
        ("联系电话", &a.phone, MAX_ID),
        ("通讯地址", &a.address, MAX_ADDRESS),
        ("电子邮箱", &a.email, MAX_EMAIL),
    ] {
        out.extend(v.as_deref().and_then(|v| optional_text(f, v, max).err()));
    }
    out.extend(events.iter().filter_map(|e| event(e).err()));
    out
}

/// An event's own fields: a fee notice's amount is more than 0 and at most [`MAX_FEE_YUAN`]
/// (a notice without an amount is allowed: blank is not 0); an approver is named.
pub fn event(e: &Event) -> Result<(), Invalid> {
    match e {
        Event::FeeNotice { amount: Some(0), .. } => {
            Err(invalid("收费金额", "收费通知的金额为0元：不收费就不发收费通知（金额未知时请不填）"))
        }
        Event::FeeNotice { amount: Some(x), .. } if *x > MAX_FEE_YUAN => {
            Err(invalid("收费金额", format!("{x}元超过上限{MAX_FEE_YUAN}元，请核对")))
        }
        Event::Extended { approver, .. } => required_text("延期审批人", approver, MAX_NAME),
        _ => Ok(()),
    }
}

/// No event date after `today` (a date typed a year wrong, or a reply recorded ahead of time).
/// A 第三十五条 agreed reply date (`due`) may lie ahead; the day it was agreed may not.
pub fn not_after(events: &[Event], today: Date) -> Result<(), Invalid> {
    match events.iter().map(Event::date).find(|d| *d > today) {
        Some(d) => Err(invalid("日期", format!("{d}晚于今天（{today}），不能登记将来的日期"))),
        None => Ok(()),
    }
}

/// Table-二 yearly counts: each count at most [`MAX_COUNT`]; the fee income not negative, at
/// most [`MAX_FEE_WAN`] 万元 and with at most 4 decimals (1 yuan).
pub fn counts(c: &YearlyCounts) -> Vec<Invalid> {
    let mut out = Vec::new();
    for (f, v) in [("行政许可数量", c.licences), ("行政处罚数量", c.penalties), ("行政强制数量", c.coercions)]
    {
        if let Some(v) = v.filter(|v| *v > MAX_COUNT) {
            out.push(invalid(f, format!("{v}超过上限{MAX_COUNT}，请核对")));
        }
    }
    if let Some(f) = c.fee_wan {
        if f.is_sign_negative() && !f.is_zero() {
            out.push(invalid("收费金额（万元）", format!("{f}是负数，金额不能为负")));
        } else if f > Decimal::from(MAX_FEE_WAN) {
            out.push(invalid("收费金额（万元）", format!("{f}万元超过上限{MAX_FEE_WAN}万元，请核对")));
        }
        if f.normalize().scale() > 4 {
            out.push(invalid("收费金额（万元）", format!("{f}的小数超过4位（万元的4位小数即1元）")));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ApplicantKind, OrganId};
    use jiff::civil::date;
    use proptest::prelude::*;

    #[test]
    fn one_date_parser_names_the_field_and_the_value() {
        let d = jiff::civil::date(2024, 3, 5);
        for s in ["2024-03-05", " 2024/3/5 ", "2024.3.5", "2024年3月5日", "45356"] {
            assert_eq!(super::date("收到日期", s), Ok(d), "{s}");
        }
        assert_eq!(
            super::date("收到日期", "2024-02-30").unwrap_err().to_string(),
            "收到日期：“2024-02-30”不是存在的日期"
        );
        assert_eq!(
            super::date("落款日期", "明天").unwrap_err().to_string(),
            "落款日期：“明天”不是日期（应为 2024-03-05、2024/3/5 或 2024年3月5日）"
        );
        assert!(super::date("日期", "  ").unwrap_err().to_string().starts_with("日期：未填写日期"));
        assert!(super::date("日期", "1899-01-01").unwrap_err().to_string().contains("不在1990–2100之间"));
        assert!(super::date("日期", "2024-300-1").unwrap_err().to_string().contains("不是存在的日期"));
    }

    #[test]
    fn validation_at_the_edges() {
        // 身份证: the standard's example and a wrong check digit.
        assert!(id_number("11010519491231002X").is_ok());
        assert!(id_number("11010519491231002x").is_ok());
        let e = id_number("110105194912310021").unwrap_err();
        assert!(e.reason.contains("校验码"), "{e}");
        assert!(id_number("11010519491231").unwrap_err().reason.contains("18位"));
        // 统一社会信用代码 (a published one: 91350100M000100Y43) and a changed last character.
        assert!(id_number("91350100M000100Y43").is_ok());
        assert!(id_number("91350100M000100Y44").unwrap_err().reason.contains("统一社会信用代码"));
        assert!(id_number("E12345678").is_ok(), "a passport");
        assert!(id_number("张三").is_err());
        // Phones and e-mails.
        for ok in ["13812345678", "0571-88888888", "+86 138 1234 5678", "(010)12345678"] {
            assert!(phone(ok).is_ok(), "{ok}");
        }
        for bad in ["12345678901", "123", "138abc45678", "1381234567812345678"] {
            assert!(phone(bad).is_err(), "{bad}");
        }
        assert!(email("someone@example.cn").is_ok());
        for bad in ["someone", "@example.cn", "a@b", "a b@c.cn", "a@@b.cn", "a@.cn"] {
            assert!(email(bad).is_err(), "{bad}");
        }
        // Whitespace-only and over-long texts, the same bound on every path.
        let a = Applicant::new(ApplicantKind::NaturalPerson, "张三");
        assert!(stored_application("1", &a, " \u{3000}\t", &[]).iter().any(|e| e.field == "申请内容"));
        let ten_mb = "字".repeat(MAX_DESCRIPTION + 1);
        let e = stored_application("1", &a, &ten_mb, &[]);
        assert!(e.iter().any(|e| e.field == "申请内容" && e.reason.contains("超过上限")), "{e:?}");
        assert!(
            applicant(&Applicant::new(ApplicantKind::NaturalPerson, "  "))
                .iter()
                .any(|e| e.field == "申请人姓名或名称")
        );
        // A zero fee on a fee notice; an amount that would wrap a sum.
        let d = date(2024, 3, 5);
        assert!(event(&Event::FeeNotice { date: d, amount: Some(0) }).is_err());
        assert!(event(&Event::FeeNotice { date: d, amount: Some(u64::MAX) }).is_err());
        assert!(event(&Event::FeeNotice { date: d, amount: None }).is_ok());
        assert!(event(&Event::FeeNotice { date: d, amount: Some(700) }).is_ok());
        // Dates in the future.
        let log = [Event::Received { date: d, channel: gongkai_clock::Channel::Online }];
        assert!(not_after(&log, date(2024, 3, 5)).is_ok());
        assert!(not_after(&log, date(2024, 3, 4)).unwrap_err().reason.contains("晚于今天"));
        // Counts: negative and huge amounts.
        let mut c = YearlyCounts {
            organ: OrganId(1),
            year: 2024,
            licences: Some(u64::MAX),
            penalties: None,
            coercions: None,
            fee_wan: Some(Decimal::new(-5, 1)),
            confirmed_on: None,
        };
        let e = counts(&c);
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e[1].reason.contains("负数"));
        c.licences = Some(3);
        c.fee_wan = Some(Decimal::new(12345, 2));
        assert!(counts(&c).is_empty());
    }

    proptest! {
        #[test]
        fn every_generated_id_number_passes_and_any_changed_check_digit_fails(seed in 0u64..10_000) {
            let mut rng = gongkai_synth::Rng::new(seed);
            let id = gongkai_synth::ledger::id_number(&mut rng);
            prop_assert!(id_number(&id).is_ok(), "{}", id);
            let last = id.chars().last().unwrap();
            for c in "0123456789X".chars().filter(|c| *c != last) {
                let bad = format!("{}{c}", &id[..17]);
                prop_assert!(id_number(&bad).is_err(), "{}", bad);
            }
        }

        #[test]
        fn validation_never_panics(s in "\\PC{0,60}") {
            let _ = (id_number(&s), phone(&s), email(&s));
        }
    }
}
