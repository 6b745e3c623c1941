//! The official working-day calendar (SPEC §5, §3.6) as data, with fast working-day arithmetic.
//!
//! Working days are not a rule but data: the State Council's annual notices name the holiday
//! dates (放假) and the weekend days that are working days (调休上班). This crate reads them in
//! the `holidays.tsv` format (`date<TAB>holiday|workday<TAB>name`, header first):
//!
//! * [`Calendar::official`] — the 2019–2026 notices, compiled in (a copy of
//!   `shared/domain/holidays.tsv` in `data/holidays.tsv`).
//! * [`Calendar::extended`] — the official data extended or overridden date by date by a
//!   user-supplied TSV (next year's notice, a corrected date). Parse errors name the line.
//! * [`Calendar::from_tsv`] — a calendar from a TSV alone; [`Calendar::from_listed`] from
//!   listed dates (the register keeps them in its database).
//! * [`notice::parse`] — the State Council's notice itself, read from its text.
//! * [`Calendar::with_provisional`] — a calendar that never refuses a year: a year without a
//!   notice counts Monday–Friday as working days and is **provisional** (SPEC §5), so every
//!   date computed through it is shown with [`provisional_note`] and recomputed once the
//!   notice is loaded. The register and the CLI use it; the strict calendars refuse instead.
//!
//! A working day is a Monday–Friday that is not a listed holiday, plus any listed 调休 workday
//! (SPEC §3.6). A year is **covered** when the data holds that year's 春节 holiday — every annual
//! notice has one, so a year with only a few spill-over dates (2018-12-29..31 in the 2019 notice)
//! is not covered. In a strict calendar any question about an uncovered year is
//! [`CalendarError::YearNotCovered`], naming the year; only a calendar made by
//! [`Calendar::with_provisional`] answers it, and then says so ([`Calendar::is_provisional`]).
//!
//! Speed: each covered year is precomputed as a 366-bit bitset of working days with per-byte
//! prefix counts, and years carry a running total, so every working day has an ordinal number.
//! [`Calendar::is_workday`] is one bit test, [`Calendar::workdays_between`] is a difference of two
//! ordinals, and [`Calendar::add_workdays`] finds the year and the byte by branch-free counting
//! and the day by a 256-entry select table — no query walks day by day, none loops over a year's
//! days. See `examples/bench_calendar.rs`.
//!
//! Counting convention (SPEC §3.6, 《民法典》第二百零一条): "N working days from date D" means
//! the N-th working day *after* D; D itself is never counted, whatever kind of day it is.
//! No IO: the embedded file is compiled in, user files are passed in as text.

pub mod notice;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use jiff::civil::{Date, Weekday};

/// The notices for 2019–2026 (copy of `shared/domain/holidays.tsv`).
pub const OFFICIAL_TSV: &str = include_str!("../data/holidays.tsv");

/// Why a calendar question could not be answered or a calendar file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The data holds no notice for this year.
    #[error("日历数据不包含{0}年（缺少该年的放假安排通知），无法计算工作日；请用 --holidays 提供该年的放假安排")]
    YearNotCovered(i16),
    /// A line of a holidays file is wrong (1-based line number).
    #[error("放假安排文件第{line}行：{message}")]
    Parse { line: usize, message: String },
    /// The date arithmetic left the range of supported dates.
    #[error("日期超出范围")]
    OutOfRange,
}

impl CalendarError {
    /// A stable code for programs and logs (never changes with the wording).
    pub fn code(&self) -> &'static str {
        match self {
            CalendarError::YearNotCovered(_) => "calendar.year_not_covered",
            CalendarError::Parse { .. } => "calendar.parse",
            CalendarError::OutOfRange => "calendar.out_of_range",
        }
    }
}

/// What kind of day a date is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DayKind {
    /// An ordinary Monday–Friday.
    Workday,
    /// An ordinary Saturday or Sunday.
    Weekend,
    /// An official holiday (放假), with the festival's name.
    Holiday(String),
    /// A weekend day designated a working day (调休上班), with the holiday it compensates.
    AdjustedWorkday(String),
}

impl DayKind {
    /// Whether a day of this kind is a working day.
    pub fn is_workday(&self) -> bool {
        matches!(self, DayKind::Workday | DayKind::AdjustedWorkday(_))
    }

    /// Chinese description: "工作日", "周末", "法定节假日（春节）", "调休上班日（春节）".
    pub fn zh(&self) -> String {
        match self {
            DayKind::Workday => "工作日".into(),
            DayKind::Weekend => "周末".into(),
            DayKind::Holiday(n) => format!("法定节假日（{n}）"),
            DayKind::AdjustedWorkday(n) => format!("调休上班日（{n}）"),
        }
    }
}

/// One listed date of a notice.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    workday: bool,
    name: String,
}

/// Set bits of each byte value (table lookups: the baseline x86-64 target has no POPCNT).
const POP8: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = (i as u8).count_ones() as u8;
        i += 1;
    }
    t
};

/// `SELECT8[x][k]` = position of the `(k+1)`-th set bit of byte `x`.
const SELECT8: [[u8; 8]; 256] = {
    let mut t = [[0u8; 8]; 256];
    let mut x = 0;
    while x < 256 {
        let (mut k, mut bit) = (0, 0);
        while bit < 8 {
            if x >> bit & 1 == 1 {
                t[x][k] = bit as u8;
                k += 1;
            }
            bit += 1;
        }
        x += 1;
    }
    t
};

/// One covered year: a bitset of working days with per-byte prefix counts.
#[derive(Debug, Clone)]
struct YearTable {
    /// Bit `i % 8` of byte `i / 8` is set when day-of-year `i + 1` is a working day.
    bits: [u8; 46],
    /// `prefix[i]` = working days in bytes `0..i`; `prefix[46]` = the year's total.
    prefix: [u16; 47],
    leap: bool,
}

impl YearTable {
    fn new(work: impl Iterator<Item = bool>, leap: bool) -> YearTable {
        let mut bits = [0u8; 46];
        for (i, w) in work.enumerate().take(366) {
            bits[i / 8] |= u8::from(w) << (i % 8);
        }
        let mut prefix = [0u16; 47];
        for i in 0..46 {
            prefix[i + 1] = prefix[i] + u16::from(POP8[usize::from(bits[i])]);
        }
        YearTable { bits, prefix, leap }
    }

    fn total(&self) -> u16 {
        self.prefix[46]
    }

    fn get(&self, i: usize) -> bool {
        self.bits[i / 8] >> (i % 8) & 1 == 1
    }

    /// Working days among days-of-year `1..=doy` (`doy` 0..=366).
    fn upto(&self, doy: u16) -> u16 {
        let (i, b) = (usize::from(doy / 8), doy % 8);
        if i >= 46 {
            return self.total();
        }
        self.prefix[i] + u16::from(POP8[usize::from(self.bits[i] & ((1u16 << b) - 1) as u8)])
    }

    /// Day-of-year (1-based) of the `r`-th working day of the year (`1 <= r <= total`).
    fn select(&self, r: u16) -> u16 {
        // Branch-free count of the bytes that end before the r-th working day (random queries
        // would mispredict a binary search).
        let i = self.prefix[1..46].iter().map(|p| usize::from(*p < r)).sum::<usize>();
        let k = usize::from(r - self.prefix[i] - 1);
        (i as u16) * 8 + u16::from(SELECT8[usize::from(self.bits[i])][k]) + 1
    }
}

fn is_weekend(d: Date) -> bool {
    matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// Cumulative days before each month, non-leap and leap.
const MONTH_START: [[u16; 13]; 2] = [
    [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365],
    [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366],
];

fn from_day_of_year(year: i16, leap: bool, doy: u16) -> Result<Date, CalendarError> {
    let starts = &MONTH_START[usize::from(leap)];
    let m = starts[1..12].iter().map(|s| usize::from(*s < doy)).sum::<usize>();
    let day = doy - starts[m];
    Date::new(year, m as i8 + 1, day as i8).map_err(|_| CalendarError::OutOfRange)
}

/// A working-day calendar. Cheap to query, built once from TSV text.
#[derive(Debug, Clone)]
pub struct Calendar {
    entries: BTreeMap<Date, Entry>,
    /// First year of `years` (meaningful only when `years` is non-empty).
    first_year: i16,
    /// One slot per year from `first_year`; `None` = not covered.
    years: Vec<Option<YearTable>>,
    /// `before[i]` = working days in covered years before slot `i` (len = years.len() + 1).
    before: Vec<u32>,
    /// `gaps[i]` = uncovered slots before slot `i` (len = years.len() + 1).
    gaps: Vec<u16>,
    /// `provisional[i]`: slot `i` has no notice and was filled with Monday–Friday working days
    /// (only in a calendar made by [`Calendar::with_provisional`]).
    provisional: Vec<bool>,
    /// Whether uncovered years are filled provisionally.
    lenient: bool,
}

/// The last year a provisional (weekends-only) calendar answers for.
pub const PROVISIONAL_UNTIL: i16 = 2099;

/// `星期一` … `星期日`.
pub fn weekday_zh(w: Weekday) -> &'static str {
    match w {
        Weekday::Monday => "星期一",
        Weekday::Tuesday => "星期二",
        Weekday::Wednesday => "星期三",
        Weekday::Thursday => "星期四",
        Weekday::Friday => "星期五",
        Weekday::Saturday => "星期六",
        Weekday::Sunday => "星期日",
    }
}

/// Why a date is provisional, in the words shown to clerks wherever such a date appears.
pub fn provisional_note(year: i16) -> String {
    format!("{year}年放假安排尚未导入，暂按周末计算，待国务院办公厅公布{year}年放假安排并导入后自动重算")
}

/// One listed date: a holiday (放假) or a 调休 working day, with the festival's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub date: Date,
    /// `true` for a weekend day designated a working day, `false` for a holiday.
    pub workday: bool,
    pub name: String,
}

/// Listed dates as `holidays.tsv` text (header first).
pub fn listed_to_tsv(listed: &[Listed]) -> String {
    let mut out = String::from("date\tkind\tname\n");
    for l in listed {
        out.push_str(&format!("{}\t{}\t{}\n", l.date, if l.workday { "workday" } else { "holiday" }, l.name));
    }
    out
}

/// Read `holidays.tsv` text into listed dates, in date order, checked as
/// [`Calendar::extended`] checks a file over the embedded data: a date listed twice is an error
/// naming the line, and a weekday may be listed as `workday` only to cancel an embedded
/// holiday (it is returned as a working day on that date).
pub fn read_tsv(text: &str) -> Result<Vec<Listed>, CalendarError> {
    let mut entries = Calendar::official().entries.clone();
    let mut dates = parse_tsv(text, &mut entries)?;
    dates.sort();
    Ok(dates
        .into_iter()
        .map(|date| match entries.get(&date) {
            Some(e) => Listed { date, workday: e.workday, name: e.name.clone() },
            None => Listed { date, workday: true, name: String::new() },
        })
        .collect())
}

/// Read holiday data in either accepted form: `holidays.tsv` text, or the text of the State
/// Council's notice ([`notice::parse`]; `year` is used when its title gives none).
pub fn read_any(text: &str, year: Option<i16>) -> Result<Vec<Listed>, String> {
    if notice::looks_like_notice(text) {
        notice::parse(text, year).map(|n| n.listed).map_err(|e| e.to_string())
    } else {
        read_tsv(text).map_err(|e| e.to_string())
    }
}

/// Apply listed dates in order. A weekday listed as a working day is an ordinary working day:
/// it cancels a holiday listed before it on that date (a correction) and is otherwise a no-op
/// (user files are checked for such lines by [`read_tsv`] and [`notice::parse`]).
fn apply_listed(listed: &[Listed], into: &mut BTreeMap<Date, Entry>) -> Result<(), CalendarError> {
    for l in listed {
        if !l.workday || is_weekend(l.date) {
            into.insert(l.date, Entry { workday: l.workday, name: l.name.clone() });
        } else {
            into.remove(&l.date);
        }
    }
    Ok(())
}

fn parse_err(line: usize, message: impl Into<String>) -> CalendarError {
    CalendarError::Parse { line, message: message.into() }
}

/// Parse `text` into `into`. Dates already in `into` (from the base calendar) are overridden;
/// a date listed twice in `text` itself is an error.
fn parse_tsv(text: &str, into: &mut BTreeMap<Date, Entry>) -> Result<Vec<Date>, CalendarError> {
    let mut seen: BTreeMap<Date, usize> = BTreeMap::new();
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let mut f = line.split('\t');
        let (Some(d), Some(kind)) = (f.next(), f.next()) else {
            return Err(parse_err(line_no, "应有“日期<TAB>类型<TAB>名称”三列，以制表符分隔"));
        };
        if line_no == 1 && d.trim() == "date" {
            continue; // header
        }
        let name = f.next().unwrap_or("").trim().to_string();
        if f.next().is_some() {
            return Err(parse_err(line_no, "列数过多：应为“日期<TAB>类型<TAB>名称”三列"));
        }
        let date: Date = d
            .trim()
            .parse()
            .map_err(|_| parse_err(line_no, format!("日期“{}”无效（应为YYYY-MM-DD格式的有效日期）", d.trim())))?;
        if let Some(first) = seen.insert(date, line_no) {
            return Err(parse_err(line_no, format!("日期{date}与第{first}行重复")));
        }
        match kind.trim() {
            "holiday" => {
                into.insert(date, Entry { workday: false, name });
            }
            "workday" if is_weekend(date) => {
                into.insert(date, Entry { workday: true, name });
            }
            // A weekday marked `workday` only makes sense as a correction that cancels a
            // holiday of the base data: the date becomes an ordinary working day again.
            "workday" if into.get(&date).is_some_and(|e| !e.workday) => {
                into.remove(&date);
            }
            "workday" => {
                return Err(parse_err(line_no, format!("调休上班日{date}不是周六或周日")));
            }
            other => {
                return Err(parse_err(line_no, format!("类型“{other}”无效（应为 holiday 或 workday）")));
            }
        }
    }
    Ok(seen.into_keys().collect())
}

impl Calendar {
    /// A calendar from TSV text alone (`date<TAB>holiday|workday<TAB>name`; header line and
    /// `#` comment lines optional).
    pub fn from_tsv(text: &str) -> Result<Calendar, CalendarError> {
        let mut entries = BTreeMap::new();
        parse_tsv(text, &mut entries)?;
        Ok(Calendar::build(entries, false))
    }

    /// A calendar from listed dates (e.g. read from the register's database), in order; a
    /// later listing of a date overrides an earlier one, with the same rules as
    /// [`Calendar::extended`].
    pub fn from_listed(listed: &[Listed]) -> Result<Calendar, CalendarError> {
        let mut entries = BTreeMap::new();
        apply_listed(listed, &mut entries)?;
        Ok(Calendar::build(entries, false))
    }

    /// This calendar extended by listed dates (a notice read by [`notice::parse`], say).
    pub fn extended_with(&self, listed: &[Listed]) -> Result<Calendar, CalendarError> {
        let mut entries = self.entries.clone();
        apply_listed(listed, &mut entries)?;
        Ok(Calendar::build(entries, self.lenient))
    }

    /// This calendar, answering also for years without a notice (from its first covered year
    /// to [`PROVISIONAL_UNTIL`]) by counting Monday–Friday as working days. Such years are
    /// **provisional** ([`Calendar::is_provisional`]): every date computed through them must
    /// be shown with [`provisional_note`], and recomputed once the year's notice is loaded.
    /// Where a notice exists it always wins.
    pub fn with_provisional(&self) -> Calendar {
        Calendar::build(self.entries.clone(), true)
    }

    /// Whether `year` is answered provisionally (no notice loaded; weekends only).
    pub fn is_provisional(&self, year: i16) -> bool {
        usize::try_from(i32::from(year) - i32::from(self.first_year))
            .ok()
            .and_then(|i| self.provisional.get(i))
            .copied()
            .unwrap_or(false)
    }

    /// The provisional years among the years of `a..=b` (in order).
    pub fn provisional_years(&self, a: Date, b: Date) -> Vec<i16> {
        let (lo, hi) = if a <= b { (a.year(), b.year()) } else { (b.year(), a.year()) };
        (lo..=hi).filter(|y| self.is_provisional(*y)).collect()
    }

    /// Every listed date (holidays and 调休 workdays), in date order.
    pub fn listed(&self) -> Vec<Listed> {
        self.entries.iter().map(|(d, e)| Listed { date: *d, workday: e.workday, name: e.name.clone() }).collect()
    }

    /// The listed dates as `holidays.tsv` text (header first).
    pub fn to_tsv(&self) -> String {
        listed_to_tsv(&self.listed())
    }

    /// The embedded official calendar (2019–2026), built once.
    pub fn official() -> &'static Calendar {
        static C: OnceLock<Calendar> = OnceLock::new();
        C.get_or_init(|| Calendar::from_tsv(OFFICIAL_TSV).expect("the embedded calendar is valid"))
    }

    /// This calendar extended, or overridden date by date, by a user file in the same format.
    /// A weekday listed as `workday` cancels a holiday of this calendar on that date.
    pub fn extended(&self, text: &str) -> Result<Calendar, CalendarError> {
        let mut entries = self.entries.clone();
        parse_tsv(text, &mut entries)?;
        Ok(Calendar::build(entries, self.lenient))
    }

    fn build(entries: BTreeMap<Date, Entry>, lenient: bool) -> Calendar {
        let covered: std::collections::BTreeSet<i16> =
            entries.iter().filter(|(_, e)| !e.workday && e.name.contains("春节")).map(|(d, _)| d.year()).collect();
        let (Some(&first_year), Some(&last_year)) = (covered.first(), covered.last()) else {
            return Calendar {
                entries,
                first_year: 0,
                years: Vec::new(),
                before: vec![0],
                gaps: vec![0],
                provisional: Vec::new(),
                lenient,
            };
        };
        let last_year = if lenient { last_year.max(PROVISIONAL_UNTIL) } else { last_year };
        let mut years = Vec::new();
        let mut provisional = Vec::new();
        for y in first_year..=last_year {
            let assumed = !covered.contains(&y);
            if assumed && !lenient {
                years.push(None);
                provisional.push(false);
                continue;
            }
            provisional.push(assumed);
            let Ok(first) = Date::new(y, 1, 1) else {
                years.push(None);
                continue;
            };
            let leap = first.in_leap_year();
            let len = if leap { 366 } else { 365 };
            // Monday–Friday by arithmetic (no date stepping), then the year's listed dates.
            let monday0 = first.weekday().to_monday_zero_offset() as usize;
            let mut work: Vec<bool> = (0..len).map(|i| (monday0 + i) % 7 < 5).collect();
            if let Ok(last) = Date::new(y, 12, 31) {
                for (d, e) in entries.range(first..=last) {
                    work[usize::from(d.day_of_year() as u16) - 1] = e.workday;
                }
            }
            years.push(Some(YearTable::new(work.into_iter(), leap)));
        }
        let mut before = vec![0u32];
        let mut gaps = vec![0u16];
        for t in &years {
            before.push(before.last().copied().unwrap_or(0) + t.as_ref().map_or(0, |t| u32::from(t.total())));
            gaps.push(gaps.last().copied().unwrap_or(0) + u16::from(t.is_none()));
        }
        Calendar { entries, first_year, years, before, gaps, provisional, lenient }
    }

    /// Years this calendar holds a notice for (provisional years are not covered).
    pub fn covered_years(&self) -> Vec<i16> {
        self.years
            .iter()
            .zip(&self.provisional)
            .enumerate()
            .filter(|(_, (t, p))| t.is_some() && !**p)
            .map(|(i, _)| self.first_year + i as i16)
            .collect()
    }

    fn slot(&self, year: i16) -> Result<usize, CalendarError> {
        let i = usize::try_from(i32::from(year) - i32::from(self.first_year))
            .map_err(|_| CalendarError::YearNotCovered(year))?;
        match self.years.get(i) {
            Some(Some(_)) => Ok(i),
            _ => Err(CalendarError::YearNotCovered(year)),
        }
    }

    fn table(&self, slot: usize) -> &YearTable {
        self.years[slot].as_ref().expect("slot() returns covered slots only")
    }

    /// Ordinal of `d`: working days in covered years up to and including `d`.
    fn ordinal(&self, d: Date) -> Result<(usize, u32), CalendarError> {
        let s = self.slot(d.year())?;
        Ok((s, self.before[s] + u32::from(self.table(s).upto(d.day_of_year() as u16))))
    }

    /// Error for the first uncovered year in slots `a..=b`.
    fn check_gapless(&self, a: usize, b: usize) -> Result<(), CalendarError> {
        if self.gaps[b + 1] == self.gaps[a] {
            return Ok(());
        }
        let i = (a..=b).find(|i| self.years[*i].is_none()).unwrap_or(a);
        Err(CalendarError::YearNotCovered(self.first_year + i as i16))
    }

    /// Whether `d` is a working day.
    pub fn is_workday(&self, d: Date) -> Result<bool, CalendarError> {
        let t = self.table(self.slot(d.year())?);
        Ok(t.get(d.day_of_year() as usize - 1))
    }

    /// The kind of day `d` is, with the festival's name.
    pub fn kind(&self, d: Date) -> Result<DayKind, CalendarError> {
        self.slot(d.year())?;
        Ok(match self.entries.get(&d) {
            Some(Entry { workday: true, name }) => DayKind::AdjustedWorkday(name.clone()),
            Some(Entry { workday: false, name }) => DayKind::Holiday(name.clone()),
            None if is_weekend(d) => DayKind::Weekend,
            None => DayKind::Workday,
        })
    }

    /// The `n`-th working day after `d` (`d` itself is never counted; `n = 0` returns `d`).
    /// This is "自`d`起`n`个工作日" under SPEC §3.6.
    pub fn add_workdays(&self, d: Date, n: u32) -> Result<Date, CalendarError> {
        let (s, ord) = self.ordinal(d)?;
        if n == 0 {
            return Ok(d);
        }
        let target = ord.checked_add(n).ok_or(CalendarError::OutOfRange)?;
        // First slot whose running total reaches the target.
        let t_slot = self.before[1..].iter().map(|b| usize::from(*b < target)).sum::<usize>();
        if t_slot >= self.years.len() {
            self.check_gapless(s, self.years.len() - 1)?;
            let next = i32::from(self.first_year) + self.years.len() as i32;
            return Err(i16::try_from(next).map_or(CalendarError::OutOfRange, CalendarError::YearNotCovered));
        }
        self.check_gapless(s, t_slot)?;
        let t = self.table(t_slot);
        let doy = t.select((target - self.before[t_slot]) as u16);
        from_day_of_year(self.first_year + t_slot as i16, t.leap, doy)
    }

    /// Working days in `(a, b]` — the days after `a` up to and including `b`; negative when
    /// `b` is before `a`. `workdays_between(d, add_workdays(d, n)?) == n`.
    pub fn workdays_between(&self, a: Date, b: Date) -> Result<i64, CalendarError> {
        let (sa, oa) = self.ordinal(a)?;
        let (sb, ob) = self.ordinal(b)?;
        self.check_gapless(sa.min(sb), sa.max(sb))?;
        Ok(i64::from(ob) - i64::from(oa))
    }

    /// The listed dates (holidays and 调休 workdays) in `(a, b]`, in date order. Ordinary
    /// weekdays and weekends are not listed. Used to explain why a deadline moved.
    pub fn special_days(&self, a: Date, b: Date) -> Vec<(Date, DayKind)> {
        if b <= a {
            return Vec::new();
        }
        use std::ops::Bound::{Excluded, Included};
        self.entries
            .range((Excluded(a), Included(b)))
            .map(|(d, e)| {
                let kind =
                    if e.workday { DayKind::AdjustedWorkday(e.name.clone()) } else { DayKind::Holiday(e.name.clone()) };
                (*d, kind)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn select_and_upto_agree() {
        // Working days: 1, 2, 4, 129..=192, 321.
        let work = (1..=365u16).map(|d| matches!(d, 1 | 2 | 4 | 129..=192 | 321));
        let t = YearTable::new(work, false);
        assert_eq!(t.total(), 68);
        assert_eq!(t.select(1), 1);
        assert_eq!(t.select(2), 2);
        assert_eq!(t.select(3), 4);
        assert_eq!(t.select(4), 129);
        assert_eq!(t.select(67), 192);
        assert_eq!(t.select(68), 321);
        assert_eq!(t.upto(0), 0);
        assert_eq!(t.upto(3), 2);
        assert_eq!(t.upto(4), 3);
        assert_eq!(t.upto(129), 4);
        assert_eq!(t.upto(366), 68);
        for r in 1..=68 {
            assert_eq!(t.upto(t.select(r)), r);
            assert!(t.get(usize::from(t.select(r)) - 1));
        }
    }

    #[test]
    fn day_of_year_round_trip() {
        for (y, leap) in [(2023i16, false), (2024, true)] {
            let mut d = date(y, 1, 1);
            while d.year() == y {
                assert_eq!(from_day_of_year(y, leap, d.day_of_year() as u16).unwrap(), d);
                d = d.tomorrow().unwrap();
            }
        }
    }
}

#[cfg(test)]
mod code_tests {
    use super::notice::NoticeError;
    use super::*;

    #[test]
    fn error_codes_are_stable_and_unique() {
        let codes: Vec<&str> = [
            CalendarError::YearNotCovered(2030).code(),
            CalendarError::Parse { line: 1, message: String::new() }.code(),
            CalendarError::OutOfRange.code(),
            NoticeError::NoYear.code(),
            NoticeError::NoItems.code(),
            NoticeError::Incomplete(vec![]).code(),
            NoticeError::Item { item: String::new(), message: String::new() }.code(),
        ]
        .to_vec();
        assert_eq!(
            codes,
            [
                "calendar.year_not_covered",
                "calendar.parse",
                "calendar.out_of_range",
                "calendar.notice_no_year",
                "calendar.notice_no_items",
                "calendar.notice_incomplete",
                "calendar.notice_item",
            ]
        );
    }
}
