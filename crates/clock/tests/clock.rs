//! Golden tests on real calendar dates (hand-counted on holidays.tsv), rejected sequences,
//! snapshot tests of the Chinese explanation, and property tests of the statutory clock.

use gongkai_calendar::{Calendar, CalendarError};
use gongkai_clock::{Channel, Clock, ClockError, Event, Outcome, Party, PauseKind, State};
use jiff::civil::{Date, date};

fn cal() -> &'static Calendar {
    Calendar::official()
}

fn recv(d: Date, channel: Channel) -> Event {
    Event::Received { date: d, channel }
}

fn reply(d: Date, outcome: Outcome) -> Event {
    Event::Replied { date: d, outcome }
}

fn ext(d: Date, days: u32) -> Event {
    Event::Extended { date: d, days, approver: "办公室主任张某".into() }
}

fn replay(log: &[Event]) -> Result<Clock, ClockError> {
    Clock::replay(cal(), log)
}

// ---------------------------------------------------------------- golden: 第三十三条 deadlines

#[test]
fn article_33_received_2020_01_20_over_the_extended_spring_festival() {
    // 01-21..23 (3); 01-24..02-02 春节 (extended); 02-03..07 (8), 02-10..14 (13),
    // 02-17..21 (18), 02-24 (19), 02-25 (20).
    let c = replay(&[recv(date(2020, 1, 20), Channel::InPerson)]).unwrap();
    assert_eq!(c.due, Some(date(2020, 2, 25)));
    assert_eq!(c.state, State::Open);
    assert!(c.explain().contains("春节假期2020年1月24日至2月2日"), "{}", c.explain());
}

#[test]
fn article_33_received_on_an_adjusted_sunday_counts_the_adjusted_saturday() {
    // 2024-09-29 is a 调休 Sunday (a working day). 09-30 (1); 10-01..07 国庆节;
    // 10-08..11 (5); 10-12 调休 Saturday (6); 10-14..18 (11); 10-21..25 (16); 10-28..31 (20).
    let c = replay(&[recv(date(2024, 9, 29), Channel::InPerson)]).unwrap();
    assert_eq!(c.due, Some(date(2024, 10, 31)));
    assert!(c.explain().contains("2024年10月12日（星期六）为国庆节调休上班日"), "{}", c.explain());
}

#[test]
fn article_33_received_on_a_holiday_starts_on_the_next_working_day() {
    // 2023-10-01 (holiday): 10-07 (Sat, 调休) is day 1, 10-08 (Sun, 调休) day 2, 10-09..13 (7),
    // 10-16..20 (12), 10-23..27 (17), 10-30, 10-31, 11-01 (20).
    let c = replay(&[recv(date(2023, 10, 1), Channel::Online)]).unwrap();
    assert_eq!(c.due, Some(date(2023, 11, 1)));
    assert!(c.steps[1].contains("第1个工作日为2023年10月7日（星期六）"), "{}", c.steps[1]);
    assert!(c.steps[1].contains("法定节假日（中秋节、国庆节）"), "{}", c.steps[1]);
}

#[test]
fn days_left_overdue_and_late_reply() {
    let c = replay(&[recv(date(2024, 9, 27), Channel::Online)]).unwrap();
    assert_eq!(c.due, Some(date(2024, 10, 30)));
    assert_eq!(c.days_left(cal(), date(2024, 10, 28)).unwrap(), Some(2));
    assert_eq!(c.days_left(cal(), date(2024, 10, 30)).unwrap(), Some(0));
    assert!(!c.overdue(date(2024, 10, 30)));
    assert!(c.overdue(date(2024, 10, 31)));
    assert_eq!(c.days_left(cal(), date(2024, 10, 31)).unwrap(), Some(-1));
    let late = replay(&[recv(date(2024, 9, 27), Channel::Online), reply(date(2024, 11, 1), Outcome::R3_1)]).unwrap();
    assert!(late.late);
    assert!(late.explain().contains("逾期2个工作日"), "{}", late.explain());
    assert_eq!(late.days_left(cal(), date(2024, 11, 1)).unwrap(), None);
    assert!(!late.overdue(date(2024, 12, 1)), "a closed application is not overdue");
    let on_time =
        replay(&[recv(date(2024, 9, 27), Channel::Online), reply(date(2024, 10, 30), Outcome::R3_1)]).unwrap();
    assert!(!on_time.late);
}

// ---------------------------------------------------------------- 第三十条 补正

#[test]
fn article_30_correction_restarts_the_clock_and_late_notice_warns() {
    let log = [
        recv(date(2020, 1, 20), Channel::Post),
        Event::CorrectionRequested { date: date(2020, 2, 10) },
        Event::CorrectionReceived { date: date(2020, 2, 14) },
        reply(date(2020, 3, 13), Outcome::R3_4_3),
    ];
    let c = replay(&log).unwrap();
    // The notice went out on the 9th working day (01-21..23, 02-03..07, 02-10): a warning.
    assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);
    assert!(c.warnings[0].contains("第9个工作日"), "{:?}", c.warnings);
    // From 02-14: 02-17..21 (5), 02-24..28 (10), 03-02..06 (15), 03-09..13 (20).
    assert_eq!(c.due, Some(date(2020, 3, 13)));
    assert_eq!(c.period_start, date(2020, 2, 14));
    assert!(!c.late);
    assert_eq!(c.state, State::Closed { outcome: Outcome::R3_4_3, on: date(2020, 3, 13) });
}

#[test]
fn article_30_correction_expired_closes_as_r3_6_1() {
    let log = [
        recv(date(2024, 3, 1), Channel::Online),
        Event::CorrectionRequested { date: date(2024, 3, 4) },
        Event::CorrectionExpired { date: date(2024, 4, 2) },
    ];
    let c = replay(&log).unwrap();
    assert_eq!(c.state, State::Closed { outcome: Outcome::R3_6_1, on: date(2024, 4, 2) });
    assert!(c.warnings.is_empty());
    assert_eq!(c.due, None);
}

#[test]
fn article_30_a_second_correction_after_the_corrected_application() {
    let log = [
        recv(date(2024, 3, 1), Channel::Online),
        Event::CorrectionRequested { date: date(2024, 3, 4) },
        Event::CorrectionReceived { date: date(2024, 3, 8) },
        Event::CorrectionRequested { date: date(2024, 3, 12) },
        Event::CorrectionReceived { date: date(2024, 3, 15) },
    ];
    let c = replay(&log).unwrap();
    assert_eq!(c.due, Some(cal().add_workdays(date(2024, 3, 15), 20).unwrap()));
    assert!(c.warnings.is_empty(), "the second notice is 2 working days after the corrected application");
}

// ---------------------------------------------------------------- pauses 第三十二条/第三十四条/fees

#[test]
fn article_32_consultation_pause_keeps_the_remaining_days() {
    // Due 2024-03-29; paused 03-11 with 14 left; answered 04-08 (清明 04-04..06 off,
    // 04-07 Sunday worked): 04-09..12 (4), 04-15..19 (9), 04-22..26 (14) → 04-26.
    let log = [
        recv(date(2024, 3, 1), Channel::Online),
        Event::ConsultationStarted { date: date(2024, 3, 11), party: Party::ThirdParty },
    ];
    let paused = replay(&log).unwrap();
    assert_eq!(paused.state, State::Paused(PauseKind::ThirdParty));
    assert_eq!(paused.due, None);
    assert_eq!(paused.remaining_at_pause, Some(14));
    assert_eq!(paused.days_left(cal(), date(2024, 3, 25)).unwrap(), Some(14));
    assert!(!paused.overdue(date(2024, 4, 5)));
    let mut log = log.to_vec();
    log.push(Event::ConsultationAnswered { date: date(2024, 4, 8) });
    let c = replay(&log).unwrap();
    assert_eq!(c.due, Some(date(2024, 4, 26)));
    assert_eq!(c.pauses.len(), 1);
    assert_eq!(c.pauses[0].to, Some(date(2024, 4, 8)));
    // 03-12..15, 18..22, 25..29, 04-01..03, 04-07, 04-08 = 19 working days of waiting.
    assert_eq!(c.warnings.len(), 1);
    assert!(c.warnings[0].contains("19个工作日"), "{:?}", c.warnings);
}

#[test]
fn fee_pause_resumes_on_payment_and_non_payment_closes_as_r3_6_2() {
    // 2025-09-26 (Fri): due 09-28 (Sun, 调休) … ; fee notice 09-30 after 3 working days
    // (09-28, 09-29, 09-30), 17 left; paid 10-15: 10-16, 17 (2), 10-20..24 (7),
    // 10-27..31 (12), 11-03..07 (17) → 2025-11-07.
    let base =
        [recv(date(2025, 9, 26), Channel::Online), Event::FeeNotice { date: date(2025, 9, 30), amount: Some(2200) }];
    let mut paid = base.to_vec();
    paid.push(Event::FeePaid { date: date(2025, 10, 15) });
    let c = replay(&paid).unwrap();
    assert_eq!(c.pauses[0].remaining, 17);
    assert_eq!(c.due, Some(date(2025, 11, 7)));
    assert!(c.explain().contains("发出收费通知（2200元，"), "{}", c.explain());
    let mut unpaid = base.to_vec();
    unpaid.push(Event::FeeNotPaid { date: date(2025, 11, 12) });
    let c = replay(&unpaid).unwrap();
    assert_eq!(c.state, State::Closed { outcome: Outcome::R3_6_2, on: date(2025, 11, 12) });
}

#[test]
fn a_pause_after_the_due_date_does_not_rescue_it() {
    let log = [
        recv(date(2024, 3, 1), Channel::Online),
        Event::ConsultationStarted { date: date(2024, 4, 1), party: Party::CoProducer },
    ];
    let c = replay(&log).unwrap();
    assert!(c.overdue(date(2024, 4, 2)));
    assert_eq!(c.days_left(cal(), date(2024, 4, 2)).unwrap(), Some(-2));
    let mut log = log.to_vec();
    log.push(Event::ConsultationAnswered { date: date(2024, 4, 10) });
    let c = replay(&log).unwrap();
    assert_eq!(c.due, Some(date(2024, 3, 29)));
    assert!(c.overdue(date(2024, 4, 10)));
}

// ---------------------------------------------------------------- extension, 第三十五条, withdrawal

#[test]
fn article_33_extension_adds_to_the_current_due_date() {
    // Due 2024-04-26 after the consultation (see above); +20: 04-28 (Sun, 调休) 1, 04-29, 04-30 (3), 05-01..05 劳动节,
    // 05-06..10 (8), 05-11 (Sat, 调休) 9, 05-13..17 (14), 05-20..24 (19), 05-27 (20).
    let paused = [
        recv(date(2024, 3, 1), Channel::Online),
        Event::ConsultationStarted { date: date(2024, 3, 11), party: Party::ThirdParty },
        Event::ConsultationAnswered { date: date(2024, 4, 8) },
    ];
    let mut log = paused.to_vec();
    log.push(ext(date(2024, 4, 26), 20)); // approved on the last day: still in time
    let c = replay(&log).unwrap();
    assert_eq!(c.due, Some(date(2024, 5, 27)));
    let x = c.extension.unwrap();
    assert_eq!((x.days, x.approver.as_str()), (20, "办公室主任张某"));
    // Approved during a pause, the days join the remaining ones: same due date either way.
    let during = replay(&[
        recv(date(2024, 3, 1), Channel::Online),
        Event::ConsultationStarted { date: date(2024, 3, 11), party: Party::ThirdParty },
        ext(date(2024, 3, 20), 20),
        Event::ConsultationAnswered { date: date(2024, 4, 8) },
    ])
    .unwrap();
    assert_eq!(during.due, Some(date(2024, 5, 27)));
}

#[test]
fn article_33_received_before_qingming_and_an_adjusted_sunday() {
    // 2024-03-29 (Fri): 04-01..03 (3); 04-04..06 清明节; 04-07 Sunday 调休 (4); 04-08..12 (9),
    // 04-15..19 (14), 04-22..26 (19), 04-28 Sunday 调休 (20).
    let c = replay(&[recv(date(2024, 3, 29), Channel::Fax)]).unwrap();
    assert_eq!(c.due, Some(date(2024, 4, 28)));
}

#[test]
fn article_35_agreed_date_and_withdrawal() {
    let agreed = [
        recv(date(2024, 3, 1), Channel::Online),
        Event::AgreedDate { date: date(2024, 3, 4), due: date(2024, 6, 28) },
        reply(date(2024, 7, 1), Outcome::R3_1),
    ];
    let c = replay(&agreed).unwrap();
    assert_eq!(c.agreed_due, Some(date(2024, 6, 28)));
    assert!(c.late);
    let wd = replay(&[recv(date(2024, 3, 1), Channel::Letter), Event::Withdrawn { date: date(2024, 3, 4) }]).unwrap();
    assert_eq!(wd.state, State::Closed { outcome: Outcome::R3_6_3, on: date(2024, 3, 4) });
}

/// 第三十五条 date on a Saturday, then a third-party consultation (第三十二条) answered the
/// day it started: the pause took no working day, so the deadline stays on the agreed
/// Saturday (found by `pauses_never_shorten_a_deadline`, which once saw it move to Friday).
#[test]
fn article_35_date_on_a_rest_day_survives_an_empty_pause() {
    let base = [
        recv(date(2024, 10, 7), Channel::Online),
        Event::AgreedDate { date: date(2024, 10, 20), due: date(2024, 12, 14) },
    ];
    let plain = replay(&base).unwrap();
    assert_eq!(plain.due, Some(date(2024, 12, 14)));
    let mut paused = base.to_vec();
    paused.push(Event::ConsultationStarted { date: date(2024, 11, 1), party: Party::ThirdParty });
    paused.push(Event::ConsultationAnswered { date: date(2024, 11, 1) });
    let c = replay(&paused).unwrap();
    assert_eq!(c.due, Some(date(2024, 12, 14)));
    assert!(c.steps.last().unwrap().contains("不早于原定答复期限"), "{:?}", c.steps);
    // A pause of three working days (Fri 1 Nov – Wed 6 Nov) moves the last working day
    // (Fri 13 Dec) on by three working days: Wed 18 Dec.
    let mut longer = base.to_vec();
    longer.push(Event::ConsultationStarted { date: date(2024, 11, 1), party: Party::ThirdParty });
    longer.push(Event::ConsultationAnswered { date: date(2024, 11, 6) });
    assert_eq!(replay(&longer).unwrap().due, Some(date(2024, 12, 18)));
}

// ---------------------------------------------------------------- rejected sequences

#[test]
fn invalid_sequences_are_rejected() {
    let r = recv(date(2024, 3, 1), Channel::Online);
    let msg = |log: &[Event]| replay(log).unwrap_err().to_string();
    assert_eq!(replay(&[]), Err(ClockError::Empty));
    assert_eq!(replay(&[reply(date(2024, 3, 2), Outcome::R3_1)]), Err(ClockError::NotReceived(1)));
    // A reply dated before the receipt: dates go backwards.
    assert!(matches!(
        replay(&[r.clone(), reply(date(2024, 2, 5), Outcome::R3_1)]),
        Err(ClockError::BackInTime { index: 2, .. })
    ));
    assert!(msg(&[r.clone(), r.clone()]).contains("重复登记"));
    let e = msg(&[r.clone(), ext(date(2024, 3, 5), 20), ext(date(2024, 3, 6), 5)]);
    assert!(e.contains("第3个事件") && e.contains("只能延长一次"), "{e}");
    assert!(msg(&[r.clone(), Event::PauseEnded { date: date(2024, 3, 5) }]).contains("没有暂停"));
    assert!(
        msg(&[r.clone(), Event::ConsultationAnswered { date: date(2024, 3, 5) }]).contains("没有正在进行的征求意见")
    );
    assert!(msg(&[r.clone(), Event::FeePaid { date: date(2024, 3, 5) }]).contains("没有发出收费通知"));
    assert!(msg(&[r.clone(), Event::FeeNotPaid { date: date(2024, 3, 5) }]).contains("没有发出收费通知"));
    let fee = Event::FeeNotice { date: date(2024, 3, 4), amount: None };
    assert!(
        msg(&[r.clone(), fee.clone(), Event::ConsultationAnswered { date: date(2024, 3, 5) }]).contains("等待缴费")
    );
    assert!(msg(&[r.clone(), fee.clone(), reply(date(2024, 3, 5), Outcome::R3_1)]).contains("期间不能答复"));
    assert!(
        msg(&[r.clone(), fee, Event::PauseStarted { date: date(2024, 3, 5), kind: PauseKind::ThirdParty }])
            .contains("计时暂停时不能开始征求第三方意见")
    );
    assert_eq!(
        replay(&[r.clone(), reply(date(2024, 3, 5), Outcome::R3_1), reply(date(2024, 3, 6), Outcome::R3_1)]),
        Err(ClockError::AfterClose(3))
    );
    assert_eq!(
        replay(&[r.clone(), Event::Withdrawn { date: date(2024, 3, 5) }, ext(date(2024, 3, 6), 5)]),
        Err(ClockError::AfterClose(3))
    );
    assert!(msg(&[r.clone(), ext(date(2024, 4, 1), 20)]).contains("届满前批准"));
    assert!(msg(&[r.clone(), ext(date(2024, 3, 5), 21)]).contains("1至20"));
    assert!(
        msg(&[r.clone(), Event::Extended { date: date(2024, 3, 5), days: 5, approver: " ".into() }]).contains("批准人")
    );
    assert!(msg(&[r.clone(), reply(date(2024, 3, 5), Outcome::R3_6_1)]).contains("逾期未补正"));
    assert!(msg(&[r.clone(), reply(date(2024, 3, 5), Outcome::R3_4_3)]).contains("须先有补正后的申请"));
    let corr = Event::CorrectionRequested { date: date(2024, 3, 4) };
    assert!(msg(&[r.clone(), corr.clone(), reply(date(2024, 3, 5), Outcome::R3_1)]).contains("等待补正期间不能答复"));
    assert!(msg(&[r.clone(), corr.clone(), corr.clone()]).contains("等待补正时不能发出补正告知"));
    assert!(msg(&[r.clone(), corr, ext(date(2024, 3, 5), 5)]).contains("等待补正时不能延期"));
    assert!(msg(&[r.clone(), Event::CorrectionReceived { date: date(2024, 3, 5) }]).contains("没有待补正"));
    assert!(msg(&[r.clone(), Event::CorrectionExpired { date: date(2024, 3, 5) }]).contains("没有待补正"));
    let agreed = Event::AgreedDate { date: date(2024, 3, 4), due: date(2024, 6, 28) };
    assert!(msg(&[r.clone(), agreed, ext(date(2024, 3, 5), 5)]).contains("第三十五条"));
    assert!(
        msg(&[r.clone(), Event::AgreedDate { date: date(2024, 3, 4), due: date(2024, 3, 20) }])
            .contains("早于现有答复期限")
    );
    // A date outside the calendar data: the calendar error names the year and the event.
    let e = replay(&[recv(date(2026, 12, 20), Channel::Online)]).unwrap_err();
    assert_eq!(e, ClockError::Calendar { index: 1, source: CalendarError::YearNotCovered(2027) });
    assert!(e.to_string().contains("2027年"), "{e}");
}

// ---------------------------------------------------------------- JSON

#[test]
fn events_and_clock_round_trip_through_json() {
    let json = r#"[
        {"event": "received", "date": "2024-03-01", "channel": "online"},
        {"event": "consultation_started", "date": "2024-03-11", "party": "third_party"},
        {"event": "consultation_ended", "date": "2024-04-08"},
        {"event": "extended", "date": "2024-04-15", "days": 20, "approver": "办公室主任张某"},
        {"event": "fee_notice", "date": "2024-04-16"},
        {"event": "fee_paid", "date": "2024-04-18"},
        {"event": "replied", "date": "2024-05-29", "outcome": "R3.3.4"}
    ]"#;
    let log: Vec<Event> = serde_json::from_str(json).unwrap();
    let c = replay(&log).unwrap();
    let again: Vec<Event> = serde_json::from_str(&serde_json::to_string(&log).unwrap()).unwrap();
    assert_eq!(again, log);
    let v = serde_json::to_value(&c).unwrap();
    assert_eq!(v["state"]["Closed"]["outcome"], "R3.3.4");
    assert_eq!(v["extension"]["days"], 20);
    assert_eq!(v["pauses"].as_array().unwrap().len(), 2);
    assert!(
        serde_json::from_str::<Vec<Event>>(r#"[{"event":"replied","date":"2024-05-29","outcome":"R3.7"}]"#).is_err()
    );
}

// ---------------------------------------------------------------- snapshots of the explanation

#[test]
fn snapshot_plain_internet_request_over_national_day() {
    let c = replay(&[recv(date(2024, 9, 27), Channel::Online), reply(date(2024, 10, 29), Outcome::R3_1)]).unwrap();
    assert_eq!(c.due, Some(date(2024, 10, 30)));
    insta::assert_snapshot!("plain_internet_over_national_day", c.explain());
}

#[test]
fn snapshot_correction_then_corrected_application() {
    // Received in person 2023-09-25 (Mon): first due 10-27 (09-26..28, 10-07 Sat, 10-08 Sun,
    // …). 补正 notice 09-27 (2nd working day, no warning). Corrected application 10-09 (Mon):
    // 10-10..13 (4), 10-16..20 (9), 10-23..27 (14), 10-30..11-03 (19), 11-06 (20).
    let log = [
        recv(date(2023, 9, 25), Channel::InPerson),
        Event::CorrectionRequested { date: date(2023, 9, 27) },
        Event::CorrectionReceived { date: date(2023, 10, 9) },
        reply(date(2023, 11, 3), Outcome::R3_2),
    ];
    let c = replay(&log).unwrap();
    assert_eq!(c.due, Some(date(2023, 11, 6)));
    assert!(c.warnings.is_empty());
    insta::assert_snapshot!("correction_then_corrected", c.explain());
}

#[test]
fn snapshot_third_party_consultation_plus_extension() {
    let log = [
        recv(date(2024, 3, 1), Channel::Post),
        Event::ConsultationStarted { date: date(2024, 3, 11), party: Party::ThirdParty },
        Event::ConsultationAnswered { date: date(2024, 4, 8) },
        ext(date(2024, 4, 15), 20),
        reply(date(2024, 5, 24), Outcome::R3_3_4),
    ];
    let c = replay(&log).unwrap();
    assert_eq!(c.due, Some(date(2024, 5, 27)));
    assert!(!c.late);
    insta::assert_snapshot!("consultation_and_extension", c.explain());
}

// ---------------------------------------------------------------- properties

mod props {
    use super::*;
    use proptest::prelude::*;

    fn start() -> impl Strategy<Value = Date> {
        (2019i16..=2025, 0i64..330).prop_map(|(y, d)| date(y, 1, 1).checked_add(jiff::Span::new().days(d)).unwrap())
    }

    /// An event of kind `op` on `d`; closing events are rarer so that logs get long.
    fn event(op: u8, d: Date, n: u32) -> Event {
        match op {
            0 | 1 => Event::CorrectionRequested { date: d },
            2 | 3 => Event::CorrectionReceived { date: d },
            4 | 5 => Event::ConsultationStarted {
                date: d,
                party: if n % 2 == 0 { Party::ThirdParty } else { Party::CoProducer },
            },
            6 | 7 => Event::ConsultationAnswered { date: d },
            8 => Event::FeeNotice { date: d, amount: None },
            9 | 10 => Event::FeePaid { date: d },
            11 | 12 => Event::Extended { date: d, days: 1 + n % 20, approver: "主任".into() },
            13 => Event::AgreedDate { date: d, due: d.checked_add(jiff::Span::new().days(i64::from(n))).unwrap() },
            14 => Event::Withdrawn { date: d },
            15 => Event::CorrectionExpired { date: d },
            16 => Event::FeeNotPaid { date: d },
            _ => Event::Replied { date: d, outcome: Outcome::ALL[n as usize % Outcome::ALL.len()] },
        }
    }

    /// A random log with its invalid events dropped (and cut after closing), so that most
    /// cases say something.
    fn log() -> impl Strategy<Value = Vec<Event>> {
        (start(), prop::collection::vec((0u8..18, 0i64..12, 0u32..100), 0..24)).prop_map(|(d0, ops)| {
            let mut log = vec![Event::Received { date: d0, channel: Channel::Online }];
            let mut d = d0;
            for (op, gap, n) in ops {
                d = d.checked_add(jiff::Span::new().days(gap)).unwrap();
                log.push(event(op, d, n));
            }
            loop {
                match Clock::replay(cal(), &log) {
                    Err(ClockError::Invalid { index, .. }) => {
                        log.remove(index - 1);
                    }
                    Err(ClockError::AfterClose(index)) => log.truncate(index - 1),
                    _ => return log,
                }
            }
        })
    }

    fn is_pause_event(e: &Event) -> bool {
        matches!(
            e,
            Event::ConsultationStarted { .. }
                | Event::ConsultationAnswered { .. }
                | Event::FeeNotice { .. }
                | Event::FeePaid { .. }
                | Event::PauseStarted { .. }
                | Event::PauseEnded { .. }
        )
    }

    #[test]
    fn the_generator_produces_long_valid_logs() {
        use proptest::strategy::ValueTree;
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let (mut events, mut closed) = (0usize, 0usize);
        for _ in 0..500 {
            let log = log().new_tree(&mut runner).unwrap().current();
            let c = Clock::replay(cal(), &log);
            assert!(matches!(c, Ok(_) | Err(ClockError::Calendar { .. })), "{log:?}: {c:?}");
            events += log.len();
            closed += usize::from(matches!(c, Ok(Clock { state: State::Closed { .. }, .. })));
        }
        assert!(events * 2 >= 500 * 5, "average log length {}", events as f64 / 500.0);
        assert!(closed >= 100, "only {closed} of 500 logs closed");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn a_due_date_is_always_a_working_day(log in log()) {
            if let Ok(c) = Clock::replay(cal(), &log) {
                if let (Some(due), None) = (c.due, c.agreed_due) {
                    prop_assert!(cal().is_workday(due).unwrap(), "due {due} is not a working day: {log:?}");
                    prop_assert!(due > c.period_start);
                }
            }
        }

        #[test]
        fn pauses_never_shorten_a_deadline(log in log()) {
            let without: Vec<Event> = log.iter().filter(|e| !is_pause_event(e)).cloned().collect();
            if let (Ok(with), Ok(plain)) = (Clock::replay(cal(), &log), Clock::replay(cal(), &without)) {
                if let (Some(a), Some(b)) = (with.due, plain.due) {
                    prop_assert!(a >= b, "with pauses {a} < without {b}: {log:?}");
                }
            }
        }

        #[test]
        fn replaying_the_same_log_gives_the_same_result(log in log()) {
            let first = Clock::replay(cal(), &log);
            prop_assert_eq!(&Clock::replay(cal(), &log), &first);
            let json = serde_json::to_string(&log).unwrap();
            let back: Vec<Event> = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(Clock::replay(cal(), &back), first);
        }

        #[test]
        fn a_plain_deadline_is_the_20th_working_day(d in start()) {
            let c = Clock::replay(cal(), &[Event::Received { date: d, channel: Channel::InPerson }]).unwrap();
            let due = c.due.unwrap();
            prop_assert_eq!(cal().workdays_between(d, due).unwrap(), 20);
            prop_assert!(cal().is_workday(due).unwrap());
        }
    }
}

// ---------------------------------------------------------------- provisional years (SPEC §5)

#[test]
fn a_due_date_in_a_year_without_a_notice_is_provisional_and_recomputed_with_it() {
    let lenient = cal().with_provisional();
    let log = [recv(date(2026, 12, 28), Channel::InPerson)];
    let c = Clock::replay(&lenient, &log).unwrap();
    // Weekends only in 2027: 29–31 Dec 2026 and 17 weekdays of January 2027.
    assert_eq!(c.due, Some(date(2027, 1, 25)));
    assert_eq!(c.provisional, vec![2027]);
    assert!(c.explain().contains("2027年放假安排尚未导入，暂按周末计算"), "{}", c.explain());
    assert!(serde_json::to_value(&c).unwrap()["provisional"] == serde_json::json!([2027]));
    // The 2027 notice arrives (元旦 on Friday 1 January, say): the same log replays to the
    // official date, no longer provisional.
    let with_2027 = lenient
        .extended_with(&[gongkai_calendar::Listed { date: date(2027, 1, 1), workday: false, name: "元旦".into() }])
        .unwrap();
    let c2 = Clock::replay(&with_2027, &log).unwrap();
    assert_eq!(c2.due, Some(date(2027, 1, 26)));
    // 2027 still has no 春节 in this partial data, so it stays provisional; a full notice
    // (covering the year) clears the flag.
    assert_eq!(c2.provisional, vec![2027]);
    let full: Vec<gongkai_calendar::Listed> = ["2027-01-01", "2027-02-08", "2027-02-09"]
        .iter()
        .map(|d| gongkai_calendar::Listed {
            date: d.parse().unwrap(),
            workday: false,
            name: if d.ends_with("01-01") { "元旦".into() } else { "春节".into() },
        })
        .collect();
    let c3 = Clock::replay(&lenient.extended_with(&full).unwrap(), &log).unwrap();
    assert_eq!((c3.due, c3.provisional.is_empty()), (Some(date(2027, 1, 26)), true));
    assert!(!c3.explain().contains("暂按周末计算"));
    // Closed applications answered before the year ends are not provisional.
    let closed = Clock::replay(
        &lenient,
        &[recv(date(2026, 11, 2), Channel::InPerson), reply(date(2026, 11, 20), Outcome::R3_1)],
    )
    .unwrap();
    assert!(closed.provisional.is_empty());
}
