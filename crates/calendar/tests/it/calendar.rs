//! Golden tests against `holidays.tsv` (SPEC §5) and property tests of the working-day
//! arithmetic (SPEC §3.6).

use gongkai_calendar::{Calendar, CalendarError, DayKind};
use jiff::civil::{Date, date};

fn cal() -> &'static Calendar {
    Calendar::official()
}

#[test]
fn covers_2019_to_2026_only_spec_5() {
    assert_eq!(cal().covered_years(), (2019..=2026).collect::<Vec<_>>());
    assert_eq!(cal().is_workday(date(2027, 3, 1)), Err(CalendarError::YearNotCovered(2027)));
    // 2018 holds only the three spill-over dates of the 2019 元旦 notice: not covered.
    assert_eq!(cal().is_workday(date(2018, 12, 29)), Err(CalendarError::YearNotCovered(2018)));
    assert_eq!(cal().kind(date(2018, 6, 1)), Err(CalendarError::YearNotCovered(2018)));
    assert_eq!(cal().workdays_between(date(2026, 6, 1), date(2027, 1, 4)), Err(CalendarError::YearNotCovered(2027)));
    assert_eq!(cal().add_workdays(date(2026, 12, 20), 20), Err(CalendarError::YearNotCovered(2027)));
    assert!(CalendarError::YearNotCovered(2027).to_string().contains("2027年"));
}

#[test]
fn golden_days_spec_5() {
    // 2020 extended 春节: 01-24 … 02-02 off; 01-19 (Sunday) a working day; the originally
    // scheduled workday 2020-02-01 (Saturday) was cancelled.
    assert_eq!(cal().kind(date(2020, 1, 19)).unwrap(), DayKind::AdjustedWorkday("春节".into()));
    assert!(cal().is_workday(date(2020, 1, 19)).unwrap());
    for d in [date(2020, 1, 24), date(2020, 1, 31), date(2020, 2, 1), date(2020, 2, 2)] {
        assert!(!cal().is_workday(d).unwrap(), "{d}");
    }
    assert!(cal().is_workday(date(2020, 2, 3)).unwrap());
    // 2024-09-29 (Sunday) and 2024-10-12 (Saturday) were 调休 working days for 国庆节.
    assert!(cal().is_workday(date(2024, 9, 29)).unwrap());
    assert!(cal().is_workday(date(2024, 10, 12)).unwrap());
    assert_eq!(cal().kind(date(2024, 10, 7)).unwrap(), DayKind::Holiday("国庆节".into()));
    // 2019 劳动节 uses the adjusted arrangement: 05-04 off, 05-05 (Sunday) working.
    assert!(!cal().is_workday(date(2019, 5, 4)).unwrap());
    assert!(cal().is_workday(date(2019, 5, 5)).unwrap());
    // 2024 端午: only 06-10 is listed; the adjacent weekend is an ordinary weekend.
    assert_eq!(cal().kind(date(2024, 6, 8)).unwrap(), DayKind::Weekend);
    assert_eq!(cal().kind(date(2024, 6, 11)).unwrap(), DayKind::Workday);
    // 2025 除夕 is an official holiday.
    assert!(!cal().is_workday(date(2025, 1, 28)).unwrap());
}

#[test]
fn twenty_working_days_over_the_extended_2020_spring_festival() {
    // Received 2020-01-20 (Monday). Counted by hand on holidays.tsv: 01-21, 01-22, 01-23 (3);
    // 01-24..02-02 holiday; 02-03..07 (8), 02-10..14 (13), 02-17..21 (18), 02-24 (19),
    // 02-25 (20).
    assert_eq!(cal().add_workdays(date(2020, 1, 20), 20).unwrap(), date(2020, 2, 25));
    assert_eq!(cal().workdays_between(date(2020, 1, 20), date(2020, 2, 25)).unwrap(), 20);
}

#[test]
fn twenty_working_days_over_national_day_with_adjusted_weekend_days() {
    // Received 2024-09-27 (Friday): 09-29 (Sunday, 调休) is the 1st, 09-30 the 2nd, the
    // holiday runs 10-01..10-07, 10-08..10-11 (6), 10-12 (Saturday, 调休) the 7th,
    // 10-14..10-18 (12), 10-21..10-25 (17), 10-28, 10-29, 10-30 → the 20th.
    assert_eq!(cal().add_workdays(date(2024, 9, 27), 1).unwrap(), date(2024, 9, 29));
    assert_eq!(cal().add_workdays(date(2024, 9, 27), 20).unwrap(), date(2024, 10, 30));
    // Received on a holiday (2024-10-03): day 1 is 10-08, the 20th is 11-01 (10-08..11 (4),
    // 10-12 (5), 10-14..18 (10), 10-21..25 (15), 10-28..11-01 (20)).
    assert_eq!(cal().add_workdays(date(2024, 10, 3), 20).unwrap(), date(2024, 11, 1));
}

#[test]
fn across_the_year_end() {
    // 2024-12-20 (Friday): 12-23..27 (5), 12-30, 12-31 (7), 2025-01-01 元旦, 01-02, 01-03 (9),
    // 01-06..10 (14), 01-13..17 (19), 01-20 (20).
    assert_eq!(cal().add_workdays(date(2024, 12, 20), 20).unwrap(), date(2025, 1, 20));
    assert_eq!(cal().workdays_between(date(2024, 12, 20), date(2025, 1, 20)).unwrap(), 20);
    assert_eq!(cal().workdays_between(date(2025, 1, 20), date(2024, 12, 20)).unwrap(), -20);
    // 2018-12-29 was a 调休 Saturday, but 2018 is not covered; the 2019 元旦 holiday is.
    assert!(!cal().is_workday(date(2019, 1, 1)).unwrap());
    // Over several years at once.
    let d = cal().add_workdays(date(2019, 1, 2), 1500).unwrap();
    assert_eq!(cal().workdays_between(date(2019, 1, 2), d).unwrap(), 1500);
}

#[test]
fn zero_days_returns_the_date_itself() {
    assert_eq!(cal().add_workdays(date(2024, 10, 1), 0).unwrap(), date(2024, 10, 1));
    assert_eq!(cal().workdays_between(date(2024, 10, 1), date(2024, 10, 1)).unwrap(), 0);
}

#[test]
fn user_file_extends_and_overrides() {
    let next = "date\tkind\tname\n2027-02-08\tholiday\t春节\n2027-02-09\tholiday\t春节\n2027-02-20\tworkday\t春节\n";
    let c = cal().extended(next).unwrap();
    assert_eq!(c.covered_years(), (2019..=2027).collect::<Vec<_>>());
    assert!(!c.is_workday(date(2027, 2, 8)).unwrap());
    assert!(c.is_workday(date(2027, 2, 20)).unwrap());
    assert!(c.is_workday(date(2027, 2, 10)).unwrap());
    assert_eq!(c.add_workdays(date(2026, 12, 31), 1).unwrap(), date(2027, 1, 1));
    // Override: cancel the 2024-10-07 holiday (a Monday) and make 2024-10-13 (Sunday) a holiday.
    let fix = "2024-10-07\tworkday\t国庆节\n2024-10-13\tholiday\t国庆节\n";
    let c = cal().extended(fix).unwrap();
    assert!(c.is_workday(date(2024, 10, 7)).unwrap());
    assert_eq!(c.kind(date(2024, 10, 7)).unwrap(), DayKind::Workday);
    assert!(!c.is_workday(date(2024, 10, 13)).unwrap());
    // The official calendar itself is unchanged.
    assert!(!cal().is_workday(date(2024, 10, 7)).unwrap());
}

#[test]
fn a_gap_year_is_named() {
    let c = cal().extended("2028-01-26\tholiday\t春节\n").unwrap();
    assert_eq!(c.covered_years().last(), Some(&2028));
    assert_eq!(c.is_workday(date(2027, 5, 5)), Err(CalendarError::YearNotCovered(2027)));
    assert_eq!(c.workdays_between(date(2026, 5, 5), date(2028, 5, 5)), Err(CalendarError::YearNotCovered(2027)));
    assert_eq!(c.add_workdays(date(2026, 12, 1), 40), Err(CalendarError::YearNotCovered(2027)));
    assert!(c.is_workday(date(2028, 3, 1)).unwrap());
}

#[test]
fn parse_errors_name_the_line() {
    let err = |text: &str| cal().extended(text).unwrap_err();
    assert!(matches!(err("2027-02-30\tholiday\t春节\n"), CalendarError::Parse { line: 1, .. }));
    let e = err("date\tkind\tname\n2027-02-10\tworkday\t春节\n").to_string();
    assert!(e.contains("第2行") && e.contains("不是周六或周日"), "{e}");
    let e = err("date\tkind\tname\n# comment\n\n2027-02-08 holiday 春节\n").to_string();
    assert!(e.contains("第4行") && e.contains("制表符"), "{e}");
    let e = err("2027-02-08\tvacation\t春节\n").to_string();
    assert!(e.contains("第1行") && e.contains("vacation"), "{e}");
    let e = err("2027-02-08\tholiday\t春节\n2027-02-08\tholiday\t春节\n").to_string();
    assert!(e.contains("第2行") && e.contains("第1行重复"), "{e}");
    assert!(Calendar::from_tsv("date\tkind\tname\n").unwrap().covered_years().is_empty());
}

#[test]
fn special_days_list_holidays_and_adjusted_workdays() {
    let s = cal().special_days(date(2024, 9, 27), date(2024, 10, 30));
    assert_eq!(s.len(), 9, "{s:?}");
    assert_eq!(s[0], (date(2024, 9, 29), DayKind::AdjustedWorkday("国庆节".into())));
    assert_eq!(s[8], (date(2024, 10, 12), DayKind::AdjustedWorkday("国庆节".into())));
}

mod props {
    use super::*;
    use proptest::prelude::*;

    fn any_date() -> impl Strategy<Value = Date> {
        (2019i16..=2026, 1i64..=365)
            .prop_map(|(y, d)| date(y, 1, 1).checked_add(jiff::Span::new().days(d - 1)).unwrap())
    }

    proptest! {
        #[test]
        fn add_then_count_round_trips(d in any_date(), n in 1u32..800) {
            if let Ok(e) = cal().add_workdays(d, n) {
                prop_assert!(cal().is_workday(e).unwrap(), "a due date is a working day");
                prop_assert_eq!(cal().workdays_between(d, e).unwrap(), i64::from(n));
                prop_assert!(e > d);
                // No working day is skipped: the day before is still short of n.
                prop_assert_eq!(cal().workdays_between(d, e.yesterday().unwrap()).unwrap(), i64::from(n) - 1);
            } else {
                prop_assert_eq!(cal().add_workdays(d, n), Err(CalendarError::YearNotCovered(2027)));
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

        #[test]
        fn is_workday_matches_the_rule_spec_3_6(d in any_date()) {
            let expected = cal().kind(d).unwrap().is_workday();
            prop_assert_eq!(cal().is_workday(d).unwrap(), expected);
        }
    }
}
