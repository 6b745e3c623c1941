//! The official working-day calendar (SPEC §5) as data: holidays and 调休 working weekends
//! from the State Council's notices, in the `holidays.tsv` format. The 2019–2026 file ships
//! embedded; a user file extends or overrides it, so next year's notice needs no new release.
//!
//! A year is *covered* when the data holds its 春节 holiday (every annual notice has one).
//! Asking about any other year is an error that names the year — the calendar never falls
//! back to weekends-only. Queries are O(1) (`is_workday`) or O(log n) per year crossed
//! (`add_workdays`, `workdays_between`): each year is precomputed as a per-day table with
//! prefix counts. No IO: the embedded file is compiled in, user files are passed as text.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use jiff::civil::{Date, Weekday};

/// The notices for 2019–2026 (copy of `shared/domain/holidays.tsv`).
pub const OFFICIAL_TSV: &str = include_str!("../data/holidays.tsv");

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("日历数据不包含{0}年（缺少该年的放假安排通知），无法计算工作日；请用 --holidays 提供该年的放假安排")]
    YearNotCovered(i16),
    #[error("放假安排文件第{line}行：{message}")]
    Parse { line: usize, message: String },
    #[error("日期超出范围")]
    OutOfRange,
}

/// What kind of day a date is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DayKind {
    Workday,
    Weekend,
    /// An official holiday (放假), with the festival's name.
    Holiday(String),
    /// A weekend day designated a working day (调休上班), with the holiday it compensates.
    AdjustedWorkday(String),
}

impl DayKind {
    pub fn is_workday(&self) -> bool {
        matches!(self, DayKind::Workday | DayKind::AdjustedWorkday(_))
    }
    pub fn zh(&self) -> String {
        match self {
            DayKind::Workday => "工作日".into(),
            DayKind::Weekend => "周末".into(),
            DayKind::Holiday(n) => format!("法定节假日（{n}）"),
            DayKind::AdjustedWorkday(n) => format!("调休上班日（{n}）"),
        }
    }
}

#[derive(Debug, Clone)]
struct YearTable {
    /// Working day flags by day of year (0-based).
    work: Vec<bool>,
    /// `prefix[i]` = working days among days `0..i`.
    prefix: Vec<u32>,
}

/// A working-day calendar.
#[derive(Debug, Clone)]
pub struct Calendar {
    entries: BTreeMap<Date, (bool, String)>,
    years: BTreeMap<i16, YearTable>,
}

fn parse_tsv(text: &str, into: &mut BTreeMap<Date, (bool, String)>) -> Result<(), CalendarError> {
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') || (line_no == 1 && line.starts_with("date")) {
            continue;
        }
        let mut f = line.split('\t');
        let (Some(d), Some(kind)) = (f.next(), f.next()) else {
            return Err(CalendarError::Parse {
                line: line_no, message: "应有“日期<TAB>类型<TAB>名称”三列".into()
            });
        };
        let name = f.next().unwrap_or("").trim().to_string();
        let date: Date = d.trim().parse().map_err(|e| CalendarError::Parse {
            line: line_no,
            message: format!("日期“{d}”无效（应为YYYY-MM-DD）：{e}"),
        })?;
        let workday = match kind.trim() {
            "holiday" => false,
            "workday" => {
                if !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) {
                    return Err(CalendarError::Parse {
                        line: line_no,
                        message: format!("调休上班日{date}不是周六或周日"),
                    });
                }
                true
            }
            other => {
                return Err(CalendarError::Parse {
                    line: line_no,
                    message: format!("类型“{other}”无效（应为 holiday 或 workday）"),
                });
            }
        };
        into.insert(date, (workday, name));
    }
    Ok(())
}

impl Calendar {
    /// A calendar from TSV text (`date<TAB>holiday|workday<TAB>name`, header optional).
    pub fn from_tsv(text: &str) -> Result<Calendar, CalendarError> {
        let mut entries = BTreeMap::new();
        parse_tsv(text, &mut entries)?;
        Ok(Calendar::build(entries))
    }

    /// The embedded official calendar (2019–2026).
    pub fn official() -> &'static Calendar {
        static C: OnceLock<Calendar> = OnceLock::new();
        C.get_or_init(|| Calendar::from_tsv(OFFICIAL_TSV).expect("the embedded calendar is valid"))
    }

    /// This calendar extended (or overridden, date by date) by a user file.
    pub fn extended(&self, text: &str) -> Result<Calendar, CalendarError> {
        let mut entries = self.entries.clone();
        parse_tsv(text, &mut entries)?;
        Ok(Calendar::build(entries))
    }

    fn build(entries: BTreeMap<Date, (bool, String)>) -> Calendar {
        let covered: std::collections::BTreeSet<i16> =
            entries.iter().filter(|(_, (w, n))| !w && n.contains("春节")).map(|(d, _)| d.year()).collect();
        let mut years = BTreeMap::new();
        for y in covered {
            let Ok(first) = Date::new(y, 1, 1) else { continue };
            let len = if first.in_leap_year() { 366 } else { 365 };
            let mut work = Vec::with_capacity(len);
            let mut d = first;
            for _ in 0..len {
                let weekend = matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday);
                let w = match entries.get(&d) {
                    Some((w, _)) => *w,
                    None => !weekend,
                };
                work.push(w);
                d = d.tomorrow().unwrap_or(d);
            }
            let mut prefix = Vec::with_capacity(len + 1);
            prefix.push(0);
            for w in &work {
                prefix.push(prefix.last().copied().unwrap_or(0) + u32::from(*w));
            }
            years.insert(y, YearTable { work, prefix });
        }
        Calendar { entries, years }
    }

    /// Years this calendar can answer for.
    pub fn covered_years(&self) -> Vec<i16> {
        self.years.keys().copied().collect()
    }

    fn table(&self, year: i16) -> Result<&YearTable, CalendarError> {
        self.years.get(&year).ok_or(CalendarError::YearNotCovered(year))
    }

    /// Whether `d` is a working day.
    pub fn is_workday(&self, d: Date) -> Result<bool, CalendarError> {
        let t = self.table(d.year())?;
        Ok(t.work[d.day_of_year() as usize - 1])
    }

    /// The kind of day `d` is, with the festival's name.
    pub fn kind(&self, d: Date) -> Result<DayKind, CalendarError> {
        self.table(d.year())?;
        Ok(match self.entries.get(&d) {
            Some((true, n)) => DayKind::AdjustedWorkday(n.clone()),
            Some((false, n)) => DayKind::Holiday(n.clone()),
            None if matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) => DayKind::Weekend,
            None => DayKind::Workday,
        })
    }

    /// The `n`-th working day after `d` (`d` itself is not counted; `n = 0` returns `d`).
    pub fn add_workdays(&self, d: Date, n: u32) -> Result<Date, CalendarError> {
        if n == 0 {
            return Ok(d);
        }
        let mut year = d.year();
        let t = self.table(year)?;
        let doy = d.day_of_year() as usize; // days 0..doy are up to and including d
        let mut need = n;
        let mut start_count = t.prefix[doy];
        let mut t = t;
        loop {
            let available = t.prefix[t.work.len()] - start_count;
            if need <= available {
                // First day index i with prefix[i + 1] == start_count + need.
                let target = start_count + need;
                let i = t.prefix.partition_point(|p| *p < target) - 1;
                let first = Date::new(year, 1, 1).map_err(|_| CalendarError::OutOfRange)?;
                return first.checked_add(jiff::Span::new().days(i as i64)).map_err(|_| CalendarError::OutOfRange);
            }
            need -= available;
            year = year.checked_add(1).ok_or(CalendarError::OutOfRange)?;
            t = self.table(year)?;
            start_count = 0;
        }
    }

    /// Working days in `(a, b]` — the days after `a` up to and including `b`; negative when
    /// `b` is before `a`.
    pub fn workdays_between(&self, a: Date, b: Date) -> Result<i64, CalendarError> {
        if b < a {
            return self.workdays_between(b, a).map(|n| -n);
        }
        let upto = |d: Date| -> Result<(i16, u32), CalendarError> {
            let t = self.table(d.year())?;
            Ok((d.year(), t.prefix[d.day_of_year() as usize]))
        };
        let (ya, pa) = upto(a)?;
        let (yb, pb) = upto(b)?;
        let mut total = i64::from(pb) - i64::from(pa);
        for y in ya..yb {
            let t = self.table(y)?;
            total += i64::from(t.prefix[t.work.len()]);
        }
        Ok(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn cal() -> &'static Calendar {
        Calendar::official()
    }

    #[test]
    fn covers_2019_to_2026_only() {
        assert_eq!(cal().covered_years(), (2019..=2026).collect::<Vec<_>>());
        assert_eq!(cal().is_workday(date(2027, 3, 1)), Err(CalendarError::YearNotCovered(2027)));
        assert_eq!(cal().is_workday(date(2018, 6, 1)), Err(CalendarError::YearNotCovered(2018)));
        assert!(CalendarError::YearNotCovered(2027).to_string().contains("2027年"));
    }

    #[test]
    fn golden_days_spec_5() {
        // 2020 extended 春节: 01-24 … 02-02 off; 01-19 (Sunday) a working day; the originally
        // scheduled workday 2020-02-01 (Saturday) was cancelled.
        assert_eq!(cal().kind(date(2020, 1, 19)).unwrap(), DayKind::AdjustedWorkday("春节".into()));
        assert!(!cal().is_workday(date(2020, 1, 31)).unwrap());
        assert!(!cal().is_workday(date(2020, 2, 1)).unwrap());
        assert!(!cal().is_workday(date(2020, 2, 2)).unwrap());
        assert!(cal().is_workday(date(2020, 2, 3)).unwrap());
        // 2024-09-29 (Sunday) and 2024-10-12 (Saturday) were 调休 working days for 国庆节.
        assert!(cal().is_workday(date(2024, 9, 29)).unwrap());
        assert!(cal().is_workday(date(2024, 10, 12)).unwrap());
        assert!(!cal().is_workday(date(2024, 10, 7)).unwrap());
        // 2019 劳动节 uses the adjusted arrangement: 05-04 off, 05-05 (Sunday) working.
        assert!(!cal().is_workday(date(2019, 5, 4)).unwrap());
        assert!(cal().is_workday(date(2019, 5, 5)).unwrap());
    }

    #[test]
    fn twenty_working_days_across_holidays() {
        // Received 2020-01-20 (Monday): working days after it are 01-21, 01-22, 01-23, then
        // the extended 春节 until 02-02; 02-03 is the 4th … counted by hand on the calendar:
        // 02-03..02-07 (5), 02-10..02-14 (5), 02-17..02-21 (5), 02-24, 02-25 → the 20th.
        assert_eq!(cal().add_workdays(date(2020, 1, 20), 20).unwrap(), date(2020, 2, 25));
        // Received 2024-09-27 (Friday): 09-29 (Sunday, 调休) is the 1st, 09-30 the 2nd, the
        // holiday runs 10-01..10-07, 10-08..10-11 (4), 10-12 (Saturday, 调休) the 7th,
        // 10-14..10-18 (5), 10-21..10-25 (5), 10-28, 10-29, 10-30 → the 20th.
        assert_eq!(cal().add_workdays(date(2024, 9, 27), 20).unwrap(), date(2024, 10, 30));
        // Across the year end: 2024-12-20 + 20 → 2025 元旦 (01-01) off.
        let d = cal().add_workdays(date(2024, 12, 20), 20).unwrap();
        assert_eq!(cal().workdays_between(date(2024, 12, 20), d).unwrap(), 20);
        assert_eq!(d, date(2025, 1, 20));
        assert_eq!(cal().add_workdays(date(2026, 12, 20), 20), Err(CalendarError::YearNotCovered(2027)));
    }

    #[test]
    fn user_file_extends_and_overrides() {
        let next = "date\tkind\tname\n2027-02-08\tholiday\t春节\n2027-02-09\tholiday\t春节\n";
        let c = cal().extended(next).unwrap();
        assert!(c.covered_years().contains(&2027));
        assert!(!c.is_workday(date(2027, 2, 8)).unwrap());
        let bad = "2027-02-30\tholiday\t春节\n";
        assert!(matches!(cal().extended(bad), Err(CalendarError::Parse { line: 1, .. })));
        let weekday_workday = "date\tkind\tname\n2027-02-10\tworkday\t春节\n";
        let e = cal().extended(weekday_workday).unwrap_err().to_string();
        assert!(e.contains("第2行") && e.contains("不是周六或周日"), "{e}");
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        fn any_date() -> impl Strategy<Value = Date> {
            (2019i16..=2026, 1u16..=365).prop_map(|(y, d)| {
                Date::new(y, 1, 1).unwrap().checked_add(jiff::Span::new().days(i64::from(d) - 1)).unwrap()
            })
        }

        proptest! {
            #[test]
            fn add_then_count_round_trips(d in any_date(), n in 1u32..60) {
                if let Ok(e) = cal().add_workdays(d, n) {
                    prop_assert!(cal().is_workday(e).unwrap(), "a due date is a working day");
                    prop_assert_eq!(cal().workdays_between(d, e).unwrap(), i64::from(n));
                    prop_assert!(e > d);
                }
            }

            #[test]
            fn counting_matches_a_day_by_day_walk(a in any_date(), span in 0i64..400) {
                let b = a.checked_add(jiff::Span::new().days(span)).unwrap();
                if b.year() <= 2026 {
                    let mut n = 0;
                    let mut d = a;
                    while d < b {
                        d = d.tomorrow().unwrap();
                        n += i64::from(cal().is_workday(d).unwrap());
                    }
                    prop_assert_eq!(cal().workdays_between(a, b).unwrap(), n);
                    prop_assert_eq!(cal().workdays_between(b, a).unwrap(), -n);
                }
            }
        }
    }
}
