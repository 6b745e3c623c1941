//! The statutory clock of one disclosure application (SPEC §3), derived from its event log.
//! The due date is never stored as truth: replaying the same log on the same calendar always
//! gives the same state, due date and explanation.
//!
//! Day counting (SPEC §3.6): the day of receipt is not counted; the N-th working day after it is
//! the deadline. A pause (third-party or co-producer consultation, fee notice) keeps the working
//! days still left on the day it starts and restarts them the day after it ends: days in between
//! are not counted (第三十三条第三款). Which channel rule produced the receipt date (第三十一条) is
//! recorded and explained; the date given is the legal receipt date.

use gongkai_calendar::{Calendar, CalendarError};
use gongkai_model::T3Row;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Reply period (第三十三条第二款).
pub const REPLY_DAYS: u32 = 20;
/// Longest extension (第三十三条第二款).
pub const MAX_EXTENSION: u32 = 20;
/// 补正 notice within 7 working days of receipt (第三十条).
pub const CORRECTION_NOTICE_DAYS: i64 = 7;
/// Third parties and co-producers answer within 15 working days (第三十二条、第三十四条).
pub const CONSULTATION_DAYS: i64 = 15;

/// How the application arrived (第三十一条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    InPerson,
    Post,
    Letter,
    Online,
    Fax,
}

impl Channel {
    fn rule(self) -> &'static str {
        match self {
            Channel::InPerson => "当面提交，以提交之日为收到申请之日",
            Channel::Post => "以邮寄方式提交，以行政机关签收之日为收到申请之日",
            Channel::Letter => "以平常信函等无需签收的方式提交，以双方确认之日为收到申请之日",
            Channel::Online => "通过互联网渠道提交，以双方确认之日为收到申请之日",
            Channel::Fax => "通过传真提交，以双方确认之日为收到申请之日",
        }
    }
}

/// Why the clock is paused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PauseKind {
    /// 第三十二条: a third party whose rights may be harmed.
    ThirdParty,
    /// 第三十四条: organs that produced the information jointly.
    CoProducer,
    /// 信息处理费 notice until payment.
    Fee,
}

impl PauseKind {
    fn zh(self) -> &'static str {
        match self {
            PauseKind::ThirdParty => "征求第三方意见",
            PauseKind::CoProducer => "征求共同制作机关意见",
            PauseKind::Fee => "收费通知至缴费",
        }
    }
}

/// One event of an application's log. JSON: `{"event": "received", "date": "2024-09-27",
/// "channel": "online"}`, `{"event": "replied", "date": …, "outcome": "R3.1"}` …
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    Received {
        date: Date,
        channel: Channel,
    },
    /// 补正告知 sent (第三十条).
    CorrectionRequested {
        date: Date,
    },
    /// The corrected application arrived: the reply period restarts.
    CorrectionReceived {
        date: Date,
    },
    /// No correction in time without good reason: not processed further (R3.6.1).
    CorrectionExpired {
        date: Date,
    },
    PauseStarted {
        date: Date,
        kind: PauseKind,
    },
    PauseEnded {
        date: Date,
    },
    /// Extension approved by the head of the disclosure office (第三十三条第二款).
    Extended {
        date: Date,
        days: u32,
        approver: String,
    },
    /// Fee not paid in time: not processed further (R3.6.2).
    FeeNotPaid {
        date: Date,
    },
    /// 第三十五条: a later reply date agreed with the applicant.
    AgreedDate {
        date: Date,
        due: Date,
    },
    /// Withdrawn by the applicant (R3.6.3).
    Withdrawn {
        date: Date,
    },
    Replied {
        date: Date,
        outcome: T3Row,
    },
}

impl Event {
    pub fn date(&self) -> Date {
        match self {
            Event::Received { date, .. }
            | Event::CorrectionRequested { date }
            | Event::CorrectionReceived { date }
            | Event::CorrectionExpired { date }
            | Event::PauseStarted { date, .. }
            | Event::PauseEnded { date }
            | Event::Extended { date, .. }
            | Event::FeeNotPaid { date }
            | Event::AgreedDate { date, .. }
            | Event::Withdrawn { date }
            | Event::Replied { date, .. } => *date,
        }
    }
}

/// State derived from the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum State {
    Open,
    Paused(PauseKind),
    AwaitingCorrection,
    Closed { outcome: T3Row, on: Date },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    #[error("第{0}个事件：申请尚未登记收到，不能先有其他事件")]
    NotReceived(usize),
    #[error("第{index}个事件：日期{date}早于上一事件的日期{prev}")]
    BackInTime { index: usize, date: Date, prev: Date },
    #[error("第{0}个事件：申请已办结，不能再记录事件")]
    AfterClose(usize),
    #[error("第{index}个事件：{message}")]
    Invalid { index: usize, message: String },
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

/// The clock after replaying a log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Clock {
    pub state: State,
    pub received: Date,
    /// Current due date (None while paused or awaiting a correction).
    pub due: Option<Date>,
    /// Working days left when a pause started.
    pub remaining_at_pause: Option<u32>,
    pub extended: bool,
    /// The reply came after the due date.
    pub late: bool,
    /// Warnings about procedure (late 补正 notice, long consultation).
    pub warnings: Vec<String>,
    /// How the due date was reached, step by step (Chinese).
    pub steps: Vec<String>,
}

fn zh(d: Date) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

impl Clock {
    /// Replay an event log. Invalid sequences are rejected with the event's position.
    pub fn replay(cal: &Calendar, events: &[Event]) -> Result<Clock, ClockError> {
        let Some(Event::Received { date: received, channel }) = events.first() else {
            return Err(ClockError::NotReceived(1));
        };
        let due = cal.add_workdays(*received, REPLY_DAYS)?;
        let mut c = Clock {
            state: State::Open,
            received: *received,
            due: Some(due),
            remaining_at_pause: None,
            extended: false,
            late: false,
            warnings: Vec::new(),
            steps: vec![
                format!("收到申请之日：{}（{}，条例第三十一条）", zh(*received), channel.rule()),
                format!("答复期限：自收到申请之日的次日起算{}个工作日（条例第三十三条），至{}", REPLY_DAYS, zh(due)),
            ],
        };
        if !cal.is_workday(*received)? {
            c.steps.push(format!("{}为{}，期限自其后第一个工作日起算", zh(*received), cal.kind(*received)?.zh()));
        }
        let mut prev = *received;
        let mut pause_start: Option<Date> = None;
        for (i, e) in events.iter().enumerate().skip(1) {
            let index = i + 1;
            let date = e.date();
            if date < prev {
                return Err(ClockError::BackInTime { index, date, prev });
            }
            prev = date;
            if matches!(c.state, State::Closed { .. }) {
                return Err(ClockError::AfterClose(index));
            }
            let invalid = |m: &str| ClockError::Invalid { index, message: m.to_string() };
            match e {
                Event::Received { .. } => return Err(invalid("同一申请不能重复登记收到")),
                Event::CorrectionRequested { .. } => {
                    if c.state != State::Open {
                        return Err(invalid("只有办理中的申请才能发出补正告知"));
                    }
                    let used = cal.workdays_between(c.received, date)?;
                    if used > CORRECTION_NOTICE_DAYS {
                        c.warnings.push(format!(
                            "补正告知于收到申请后第{used}个工作日发出，超过条例第三十条规定的{CORRECTION_NOTICE_DAYS}个工作日"
                        ));
                    }
                    c.state = State::AwaitingCorrection;
                    c.due = None;
                    c.steps
                        .push(format!("{}发出补正告知（条例第三十条），答复期限待收到补正后的申请重新起算", zh(date)));
                }
                Event::CorrectionReceived { .. } => {
                    if c.state != State::AwaitingCorrection {
                        return Err(invalid("没有待补正的告知，不能登记收到补正"));
                    }
                    let due = cal.add_workdays(date, REPLY_DAYS)?;
                    c.state = State::Open;
                    c.due = Some(due);
                    c.steps.push(format!(
                        "{}收到补正后的申请，答复期限自次日起重新计算{}个工作日，至{}",
                        zh(date),
                        REPLY_DAYS,
                        zh(due)
                    ));
                }
                Event::CorrectionExpired { .. } => {
                    if c.state != State::AwaitingCorrection {
                        return Err(invalid("没有待补正的告知，不能登记逾期未补正"));
                    }
                    c.close(T3Row::R3_6_1, date, "申请人无正当理由逾期不补正，不再处理（条例第三十条）");
                }
                Event::PauseStarted { kind, .. } => {
                    let (State::Open, Some(due)) = (&c.state, c.due) else {
                        return Err(invalid("只有计时中的申请才能暂停计时"));
                    };
                    let left = cal.workdays_between(date, due)?.max(0) as u32;
                    c.remaining_at_pause = Some(left);
                    c.state = State::Paused(*kind);
                    c.due = None;
                    pause_start = Some(date);
                    c.steps.push(format!(
                        "{}开始{}，期间不计入答复期限（条例第三十三条第三款）；此时剩余{}个工作日",
                        zh(date),
                        kind.zh(),
                        left
                    ));
                }
                Event::PauseEnded { .. } => {
                    let State::Paused(kind) = c.state else {
                        return Err(invalid("没有暂停的计时，不能恢复"));
                    };
                    let left = c.remaining_at_pause.take().unwrap_or(0);
                    if matches!(kind, PauseKind::ThirdParty | PauseKind::CoProducer)
                        && let Some(s) = pause_start
                    {
                        let waited = cal.workdays_between(s, date)?;
                        if waited > CONSULTATION_DAYS {
                            c.warnings.push(format!(
                                "{}历时{waited}个工作日，超过{CONSULTATION_DAYS}个工作日的答复期限（第三十二条、第三十四条）",
                                kind.zh()
                            ));
                        }
                    }
                    let due = cal.add_workdays(date, left)?;
                    c.state = State::Open;
                    c.due = Some(due);
                    c.steps.push(format!(
                        "{}{}结束，自次日起继续计算剩余{}个工作日，至{}",
                        zh(date),
                        kind.zh(),
                        left,
                        zh(due)
                    ));
                }
                Event::Extended { days, approver, .. } => {
                    let (State::Open, Some(due)) = (&c.state, c.due) else {
                        return Err(invalid("只有计时中的申请才能延期"));
                    };
                    if c.extended {
                        return Err(invalid("答复期限只能延长一次"));
                    }
                    if *days == 0 || *days > MAX_EXTENSION {
                        return Err(invalid(&format!("延长期限应为1至{MAX_EXTENSION}个工作日，实际为{days}")));
                    }
                    if approver.trim().is_empty() {
                        return Err(invalid("延期须经政府信息公开工作机构负责人同意，应记录批准人"));
                    }
                    if date > due {
                        return Err(invalid(&format!("延期须在期限届满（{}）前批准", zh(due))));
                    }
                    let new_due = cal.add_workdays(due, *days)?;
                    c.extended = true;
                    c.due = Some(new_due);
                    c.steps.push(format!(
                        "{}经{}同意延长答复期限{}个工作日（条例第三十三条第二款），自{}起顺延至{}",
                        zh(date),
                        approver,
                        days,
                        zh(due),
                        zh(new_due)
                    ));
                }
                Event::FeeNotPaid { .. } => {
                    if c.state != State::Paused(PauseKind::Fee) {
                        return Err(invalid("没有发出收费通知，不能登记逾期未缴费"));
                    }
                    c.close(T3Row::R3_6_2, date, "申请人逾期未按收费通知要求缴纳费用，不再处理");
                }
                Event::AgreedDate { due: agreed, .. } => {
                    let (State::Open, Some(due)) = (&c.state, c.due) else {
                        return Err(invalid("只有计时中的申请才能确定答复期限"));
                    };
                    if *agreed < due {
                        return Err(invalid(&format!(
                            "第三十五条确定的答复期限{}早于现有期限{}",
                            zh(*agreed),
                            zh(due)
                        )));
                    }
                    c.due = Some(*agreed);
                    c.steps.push(format!("{}依条例第三十五条确定答复期限为{}并告知申请人", zh(date), zh(*agreed)));
                }
                Event::Withdrawn { .. } => {
                    c.close(T3Row::R3_6_3, date, "申请人撤回申请");
                }
                Event::Replied { outcome, .. } => {
                    let valid = T3Row::result_rows(true).any(|r| r == *outcome)
                        && !matches!(outcome, T3Row::R3_6_1 | T3Row::R3_6_2);
                    if !valid {
                        return Err(invalid(&format!("答复结果应为表三的一个办理结果行，不能是{}", outcome.id())));
                    }
                    if c.state == State::AwaitingCorrection && *outcome != T3Row::R3_4_3 {
                        return Err(invalid(
                            "等待补正期间只能以“补正后申请内容仍不明确”以外的方式结束：请先登记收到补正或逾期未补正",
                        ));
                    }
                    c.late = c.due.is_some_and(|d| date > d);
                    let what = format!("答复（{}）", outcome.display_name());
                    c.close(*outcome, date, &what);
                    if c.late {
                        c.steps.push("答复晚于答复期限，属逾期答复".to_string());
                    }
                }
            }
        }
        Ok(c)
    }

    fn close(&mut self, outcome: T3Row, on: Date, what: &str) {
        self.state = State::Closed { outcome, on };
        self.steps.push(format!("{}{}，办结（计入表三 {}）", zh(on), what, outcome.id()));
    }

    /// Working days from `today` to the due date (negative when overdue); None unless counting.
    pub fn days_left(&self, cal: &Calendar, today: Date) -> Result<Option<i64>, CalendarError> {
        match (&self.state, self.due) {
            (State::Open, Some(due)) => cal.workdays_between(today, due).map(Some),
            _ => Ok(None),
        }
    }

    /// Open and past its due date.
    pub fn overdue(&self, today: Date) -> bool {
        matches!(self.state, State::Open) && self.due.is_some_and(|d| today > d)
    }

    /// The explanation as one text.
    pub fn explain(&self) -> String {
        let mut s =
            self.steps.iter().enumerate().map(|(i, l)| format!("{}. {l}", i + 1)).collect::<Vec<_>>().join("\n");
        for w in &self.warnings {
            s.push_str(&format!("\n注意：{w}"));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn cal() -> &'static Calendar {
        Calendar::official()
    }

    fn recv(d: Date) -> Event {
        Event::Received { date: d, channel: Channel::Online }
    }

    #[test]
    fn plain_request_over_national_day() {
        let c = Clock::replay(cal(), &[recv(date(2024, 9, 27))]).unwrap();
        assert_eq!(c.due, Some(date(2024, 10, 30)));
        assert_eq!(c.days_left(cal(), date(2024, 10, 28)).unwrap(), Some(2));
        assert!(c.overdue(date(2024, 10, 31)));
        insta::assert_snapshot!("plain_over_national_day", c.explain());
    }

    #[test]
    fn correction_restarts_the_clock_article_30() {
        let log = [
            Event::Received { date: date(2020, 1, 20), channel: Channel::Post },
            Event::CorrectionRequested { date: date(2020, 2, 10) },
            Event::CorrectionReceived { date: date(2020, 2, 14) },
            Event::Replied { date: date(2020, 3, 13), outcome: T3Row::R3_1 },
        ];
        let c = Clock::replay(cal(), &log).unwrap();
        // The notice went out on the 9th working day (01-21..23, 02-03..07, 02-10): a warning.
        assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);
        assert_eq!(c.due, Some(date(2020, 3, 13)));
        assert!(!c.late);
        assert_eq!(c.state, State::Closed { outcome: T3Row::R3_1, on: date(2020, 3, 13) });
        insta::assert_snapshot!("correction_restart", c.explain());
    }

    #[test]
    fn consultation_pause_and_extension_articles_32_33() {
        let log = [
            recv(date(2024, 3, 1)),
            Event::PauseStarted { date: date(2024, 3, 11), kind: PauseKind::ThirdParty },
            Event::PauseEnded { date: date(2024, 4, 8) },
            Event::Extended { date: date(2024, 4, 15), days: 20, approver: "办公室主任张某".into() },
            Event::Replied { date: date(2024, 5, 30), outcome: T3Row::R3_3_4 },
        ];
        let c = Clock::replay(cal(), &log).unwrap();
        insta::assert_snapshot!("consultation_and_extension", c.explain());
        assert!(c.extended);
        assert!(!c.warnings.is_empty(), "the consultation took more than 15 working days");
    }

    #[test]
    fn invalid_sequences_are_rejected() {
        let r = recv(date(2024, 3, 1));
        let reply = |d| Event::Replied { date: d, outcome: T3Row::R3_1 };
        assert_eq!(Clock::replay(cal(), &[reply(date(2024, 3, 2))]), Err(ClockError::NotReceived(1)));
        let ext = |d| Event::Extended { date: d, days: 20, approver: "主任".into() };
        let e = Clock::replay(cal(), &[r.clone(), ext(date(2024, 3, 5)), ext(date(2024, 3, 6))]).unwrap_err();
        assert!(e.to_string().contains("只能延长一次"), "{e}");
        let e = Clock::replay(cal(), &[r.clone(), Event::PauseEnded { date: date(2024, 3, 5) }]).unwrap_err();
        assert!(e.to_string().contains("没有暂停"), "{e}");
        let e = Clock::replay(cal(), &[r.clone(), reply(date(2024, 3, 5)), reply(date(2024, 3, 6))]).unwrap_err();
        assert_eq!(e, ClockError::AfterClose(3));
        let e = Clock::replay(cal(), &[r.clone(), reply(date(2024, 2, 5))]).unwrap_err();
        assert!(matches!(e, ClockError::BackInTime { index: 2, .. }));
        let e = Clock::replay(cal(), &[r.clone(), ext(date(2024, 5, 5))]).unwrap_err();
        assert!(e.to_string().contains("届满"), "{e}");
        let e = Clock::replay(cal(), &[r.clone(), Event::Replied { date: date(2024, 3, 5), outcome: T3Row::R1 }])
            .unwrap_err();
        assert!(e.to_string().contains("办理结果"), "{e}");
        let e =
            Clock::replay(cal(), &[r, Event::Extended { date: date(2024, 3, 5), days: 21, approver: "主任".into() }])
                .unwrap_err();
        assert!(e.to_string().contains("1至20"), "{e}");
    }

    #[test]
    fn closing_events_map_to_table3_rows() {
        let r = recv(date(2024, 3, 1));
        let fee = [
            r.clone(),
            Event::PauseStarted { date: date(2024, 3, 4), kind: PauseKind::Fee },
            Event::FeeNotPaid { date: date(2024, 4, 2) },
        ];
        assert!(matches!(Clock::replay(cal(), &fee).unwrap().state, State::Closed { outcome: T3Row::R3_6_2, .. }));
        let corr = [
            r.clone(),
            Event::CorrectionRequested { date: date(2024, 3, 4) },
            Event::CorrectionExpired { date: date(2024, 4, 2) },
        ];
        assert!(matches!(Clock::replay(cal(), &corr).unwrap().state, State::Closed { outcome: T3Row::R3_6_1, .. }));
        let wd = [r.clone(), Event::Withdrawn { date: date(2024, 3, 4) }];
        assert!(matches!(Clock::replay(cal(), &wd).unwrap().state, State::Closed { outcome: T3Row::R3_6_3, .. }));
        // 第三十五条 agreed date, then a late reply.
        let agreed = [
            r,
            Event::AgreedDate { date: date(2024, 3, 4), due: date(2024, 6, 28) },
            Event::Replied { date: date(2024, 7, 1), outcome: T3Row::R3_1 },
        ];
        let c = Clock::replay(cal(), &agreed).unwrap();
        assert!(c.late);
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        fn start() -> impl Strategy<Value = Date> {
            (2019i16..=2025, 1u16..=330)
                .prop_map(|(y, d)| date(y, 1, 1).checked_add(jiff::Span::new().days(i64::from(d))).unwrap())
        }

        proptest! {
            #[test]
            fn due_dates_are_working_days_and_pauses_never_shorten(
                d in start(), pause_at in 0i64..15, pause_len in 0i64..30, ext in prop::option::of(1u32..=20)
            ) {
                let plain = Clock::replay(cal(), &[recv(d)]).unwrap();
                let due0 = plain.due.unwrap();
                prop_assert!(cal().is_workday(due0).unwrap());
                let ps = d.checked_add(jiff::Span::new().days(pause_at)).unwrap();
                let pe = ps.checked_add(jiff::Span::new().days(pause_len)).unwrap();
                let mut log = vec![recv(d), Event::PauseStarted { date: ps, kind: PauseKind::CoProducer }, Event::PauseEnded { date: pe }];
                if let Some(days) = ext {
                    log.push(Event::Extended { date: pe, days, approver: "主任".into() });
                }
                if let Ok(c) = Clock::replay(cal(), &log) {
                    let due = c.due.unwrap();
                    prop_assert!(cal().is_workday(due).unwrap() || due == pe, "due {due}");
                    prop_assert!(due >= due0, "a pause shortened the deadline: {due} < {due0}");
                    // Replaying the same log gives the same clock.
                    prop_assert_eq!(Clock::replay(cal(), &log).unwrap(), c);
                }
            }
        }
    }
}
