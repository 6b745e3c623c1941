//! The statutory clock of one disclosure application (SPEC §3), derived from its event log on a
//! working-day calendar ([`gongkai_calendar`]). The due date is never stored as truth: replaying
//! the same log on the same calendar always gives the same state, due date and explanation.
//!
//! ```text
//! received ─┬─ correction_requested ─┬─ correction_received ─► (20-day clock restarts)
//!           │                        └─ correction_expired  ─► closed, R3.6.1
//!           ├─ consultation_started ── consultation_answered   (pause)
//!           ├─ fee_notice ─┬─ fee_paid                         (pause)
//!           │              └─ fee_not_paid                   ─► closed, R3.6.2
//!           ├─ extended (once, ≤ 20 working days, before expiry, approver recorded)
//!           ├─ agreed_date (第三十五条: an explicit later due date)
//!           ├─ withdrawn                                     ─► closed, R3.6.3
//!           └─ replied { outcome }                           ─► closed, that row
//! ```
//!
//! Semantics (choices where the law is silent are marked as such):
//!
//! * **Receipt** (第三十一条): the log records the legal receipt date; the channel says which rule
//!   produced it (当面 = submission date; 邮寄 = the organ's sign-for date; 平常信函 = the date the
//!   office confirmed with the applicant; 互联网/传真 = the date both parties confirmed) and is
//!   quoted in the explanation.
//! * **Day counting** (第三十三条, SPEC §3.6): the day of receipt is day 0 and the 20 working days
//!   are counted from the next working day, so the due date is the 20th working day after
//!   receipt. *Assumption*: no official disclosure text fixes this (SPEC §8 open question 5); it
//!   follows the general period rule of 《民法典》第二百零一条.
//! * **补正** (第三十条): the notice should go out within 7 working days of receipt — later is a
//!   warning, not an error. While the applicant corrects, no period runs. Receipt of the corrected
//!   application restarts a fresh 20-working-day period from that date (any earlier due date,
//!   extension or agreed date is replaced; the one extension per application stays used). A
//!   further 补正 may be requested after a correction (practice, SPEC §3.3). No correction in time
//!   closes the application as R3.6.1; a reply with R3.4.3 needs a corrected application first.
//! * **Pauses** (第三十三条第三款: consultation of third parties 第三十二条 or co-producing organs
//!   第三十四条; the fee notice until payment, 国办函〔2020〕109号): on the day a pause starts the
//!   clock stores the working days still remaining (that day itself counts as used); on resumption
//!   the due date is recomputed as that many working days after the resume date. A pause therefore
//!   never shortens a deadline. A pause started after the due date keeps the (passed) due date.
//!   Waiting more than 15 working days for a consultation answer is a warning (第三十二条、第三十四条
//!   give the consulted party 15 working days). Only one pause at a time.
//! * **Extension** (第三十三条第二款): once per application, 1–20 working days, approved on or before
//!   the current due date by the head of the disclosure office (the approver is recorded). It adds
//!   the days to the current due date (while paused: to the remaining days).
//! * **第三十五条 agreed date**: an explicit later due date replaces the computed one; no extension
//!   is possible afterwards.
//! * **Closing**: a reply (its table-三 row, see [`Outcome`]), withdrawal (R3.6.3), 补正 expiry
//!   (R3.6.1) or non-payment (R3.6.2). A reply after the due date is a late reply.
//!
//! Invalid sequences are rejected with the 1-based position of the offending event: anything
//! before receipt, dates going backwards, events after closing, a second extension, a resume
//! without a pause, a reply while paused or awaiting correction, and so on. Messages are Chinese.

mod outcome;

pub use outcome::{NotAnOutcome, Outcome};

use gongkai_calendar::{Calendar, CalendarError, DayKind};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Reply period in working days (第三十三条第二款).
pub const REPLY_DAYS: u32 = 20;
/// Longest extension in working days (第三十三条第二款).
pub const MAX_EXTENSION: u32 = 20;
/// The 补正 notice is due within 7 working days of receipt (第三十条).
pub const CORRECTION_NOTICE_DAYS: i64 = 7;
/// Third parties and co-producers answer within 15 working days (第三十二条、第三十四条).
pub const CONSULTATION_DAYS: i64 = 15;

/// How the application arrived (第三十一条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 当面提交: the submission date.
    InPerson,
    /// 邮寄 (signed for): the date the organ signs for it.
    Post,
    /// 平常信函 etc. without signature: the date the office confirms with the applicant.
    Letter,
    /// 互联网渠道: the date both parties confirm.
    Online,
    /// The office's 传真: the date both parties confirm.
    Fax,
}

impl Channel {
    /// The channel taken when none is given: by `register` without `--channel`, by a ledger
    /// row with a blank 提交方式, and preselected in the web's registration form. One
    /// definition, so the front ends cannot drift apart.
    pub const DEFAULT: Channel = Channel::Online;

    /// Every channel, in the order of 第三十一条.
    pub const ALL: [Channel; 5] = [Channel::InPerson, Channel::Post, Channel::Letter, Channel::Online, Channel::Fax];

    /// Short Chinese label: `当面提交`, `邮寄`, `平常信函`, `互联网`, `传真`.
    pub fn label(self) -> &'static str {
        match self {
            Channel::InPerson => "当面提交",
            Channel::Post => "邮寄",
            Channel::Letter => "平常信函",
            Channel::Online => "互联网",
            Channel::Fax => "传真",
        }
    }

    /// The 第三十一条 rule for this channel, in Chinese.
    pub fn rule_zh(self) -> &'static str {
        match self {
            Channel::InPerson => "当面提交，以提交之日为收到申请之日",
            Channel::Post => "以邮寄方式提交，以行政机关签收之日为收到申请之日",
            Channel::Letter => "以平常信函等无需签收的方式提交，以政府信息公开工作机构与申请人确认之日为收到申请之日",
            Channel::Online => "通过互联网渠道提交，以双方确认之日为收到申请之日",
            Channel::Fax => "通过政府信息公开工作机构的传真提交，以双方确认之日为收到申请之日",
        }
    }
}

/// Who is consulted (第三十二条, 第三十四条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    /// 第三十二条: a third party whose lawful rights may be harmed.
    ThirdParty,
    /// 第三十四条: organs that produced the information jointly.
    CoProducer,
}

/// Why the clock is paused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PauseKind {
    /// 第三十二条 consultation of a third party.
    ThirdParty,
    /// 第三十四条 consultation of co-producing organs.
    CoProducer,
    /// 信息处理费 notice until payment.
    Fee,
}

impl From<Party> for PauseKind {
    fn from(p: Party) -> PauseKind {
        match p {
            Party::ThirdParty => PauseKind::ThirdParty,
            Party::CoProducer => PauseKind::CoProducer,
        }
    }
}

impl PauseKind {
    fn started_zh(self) -> &'static str {
        match self {
            PauseKind::ThirdParty => "书面征求第三方意见（条例第三十二条）",
            PauseKind::CoProducer => "征求共同制作机关意见（条例第三十四条）",
            PauseKind::Fee => "发出收费通知（《政府信息公开信息处理费管理办法》）",
        }
    }
    fn ended_zh(self) -> &'static str {
        match self {
            PauseKind::ThirdParty => "收到第三方意见（或意见期限届满）",
            PauseKind::CoProducer => "收到共同制作机关意见（或意见期限届满）",
            PauseKind::Fee => "申请人缴纳费用",
        }
    }
    fn waiting_zh(self) -> &'static str {
        match self {
            PauseKind::ThirdParty => "征求第三方意见",
            PauseKind::CoProducer => "征求共同制作机关意见",
            PauseKind::Fee => "等待缴纳信息处理费",
        }
    }
    fn is_consultation(self) -> bool {
        matches!(self, PauseKind::ThirdParty | PauseKind::CoProducer)
    }
}

/// One event of an application's log, in date order. JSON (tag `event`):
/// `{"event": "received", "date": "2024-09-27", "channel": "online"}`,
/// `{"event": "consultation_started", "date": …, "party": "third_party"}`,
/// `{"event": "extended", "date": …, "days": 20, "approver": "张某"}`,
/// `{"event": "replied", "date": …, "outcome": "R3.1"}` …
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The legal receipt date under 第三十一条 and the channel that determined it.
    Received { date: Date, channel: Channel },
    /// 补正告知 sent (第三十条).
    CorrectionRequested { date: Date },
    /// The corrected application arrived: the reply period restarts (第三十条).
    CorrectionReceived { date: Date },
    /// No correction in time without good reason: not processed further (R3.6.1).
    CorrectionExpired { date: Date },
    /// Consultation letter sent (第三十二条 / 第三十四条): the clock pauses.
    ConsultationStarted { date: Date, party: Party },
    /// The consulted party answered (or its period ran out): the clock resumes.
    #[serde(alias = "consultation_ended")]
    ConsultationAnswered { date: Date },
    /// 收费通知 sent: the clock pauses until payment.
    FeeNotice {
        date: Date,
        /// Amount in yuan, for the record.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        amount: Option<u64>,
    },
    /// Fee paid: the clock resumes.
    FeePaid { date: Date },
    /// Fee not paid in time: not processed further (R3.6.2).
    FeeNotPaid { date: Date },
    /// Generic spelling of a pause start (any [`PauseKind`]).
    PauseStarted { date: Date, kind: PauseKind },
    /// Generic spelling of the end of the current pause.
    PauseEnded { date: Date },
    /// Extension approved by the head of the disclosure office (第三十三条第二款).
    Extended { date: Date, days: u32, approver: String },
    /// 第三十五条: a later reply date set and notified to the applicant.
    AgreedDate { date: Date, due: Date },
    /// Withdrawn by the applicant (R3.6.3).
    Withdrawn { date: Date },
    /// The reply, with its table-三 row.
    Replied { date: Date, outcome: Outcome },
}

impl Event {
    /// The date the event happened.
    pub fn date(&self) -> Date {
        match self {
            Event::Received { date, .. }
            | Event::CorrectionRequested { date }
            | Event::CorrectionReceived { date }
            | Event::CorrectionExpired { date }
            | Event::ConsultationStarted { date, .. }
            | Event::ConsultationAnswered { date }
            | Event::FeeNotice { date, .. }
            | Event::FeePaid { date }
            | Event::FeeNotPaid { date }
            | Event::PauseStarted { date, .. }
            | Event::PauseEnded { date }
            | Event::Extended { date, .. }
            | Event::AgreedDate { date, .. }
            | Event::Withdrawn { date }
            | Event::Replied { date, .. } => *date,
        }
    }
}

/// State derived from the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum State {
    /// The reply period is running.
    Open,
    /// The period is stopped (consultation or fee).
    Paused(PauseKind),
    /// A 补正 notice is out; no period runs until the corrected application arrives.
    AwaitingCorrection,
    /// Finished, with its table-三 row.
    Closed { outcome: Outcome, on: Date },
}

/// A pause interval, stored explicitly (SPEC §3.6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pause {
    pub kind: PauseKind,
    pub from: Date,
    /// `None` while the pause lasts.
    pub to: Option<Date>,
    /// Working days left when the pause started.
    pub remaining: u32,
}

/// The approved extension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Extension {
    pub approved_on: Date,
    pub days: u32,
    pub approver: String,
}

/// Why a log was rejected. Positions are 1-based.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    #[error("事件记录为空：应以“收到申请”开始")]
    Empty,
    #[error("第{0}个事件：申请尚未登记收到，不能先有其他事件")]
    NotReceived(usize),
    #[error("第{index}个事件：日期{date}早于上一事件的日期{prev}")]
    BackInTime { index: usize, date: Date, prev: Date },
    #[error("第{0}个事件：申请已办结，不能再记录事件")]
    AfterClose(usize),
    #[error("第{index}个事件：{message}")]
    Invalid { index: usize, message: String },
    #[error("第{index}个事件：{source}")]
    Calendar { index: usize, source: CalendarError },
}

impl ClockError {
    /// A stable code for programs and logs (never changes with the wording).
    pub fn code(&self) -> &'static str {
        match self {
            ClockError::Empty => "clock.empty",
            ClockError::NotReceived(_) => "clock.not_received",
            ClockError::BackInTime { .. } => "clock.back_in_time",
            ClockError::AfterClose(_) => "clock.after_close",
            ClockError::Invalid { .. } => "clock.invalid",
            ClockError::Calendar { .. } => "clock.calendar",
        }
    }
}

/// The clock after replaying a log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Clock {
    pub state: State,
    /// The legal receipt date (第三十一条) and its channel.
    pub received: Date,
    pub channel: Channel,
    /// Start of the current reply period: the receipt date, or the date the last corrected
    /// application arrived (第三十条).
    pub period_start: Date,
    /// Current due date; `None` while paused or awaiting a correction.
    pub due: Option<Date>,
    /// Working days left when the current pause started.
    pub remaining_at_pause: Option<u32>,
    /// Every pause, in order.
    pub pauses: Vec<Pause>,
    pub extension: Option<Extension>,
    /// The 第三十五条 date, if one was set.
    pub agreed_due: Option<Date>,
    /// The reply came after the due date.
    pub late: bool,
    /// Procedure warnings (late 补正 notice, long consultation …), in Chinese.
    pub warnings: Vec<String>,
    /// How the due date was reached, step by step, in Chinese.
    pub steps: Vec<String>,
    /// Years without a loaded holiday notice that the dates above were counted through
    /// (Monday–Friday only, SPEC §5): the due date is **provisional** until those notices are
    /// loaded and the log is replayed again. Empty on a strict calendar (which refuses instead).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub provisional: Vec<i16>,
    /// The due date at the start of a pause that began after it had passed.
    #[serde(skip)]
    passed_due_at_pause: Option<Date>,
    /// A due date that is not a working day (a 第三十五条 date) at the start of a pause: the
    /// working days left count up to the working day before it, so the due date after the
    /// pause is never set earlier than this date.
    #[serde(skip)]
    nonworking_due_at_pause: Option<Date>,
    #[serde(skip)]
    corrected: bool,
}

/// China's civil time, in which every statutory period counts its days: Asia/Shanghai, UTC+8
/// all year (no daylight saving since 1991), whatever the server's own time zone. The one
/// definition of the zone; the caller reads the clock and passes the instant in.
pub fn in_china(at: jiff::Timestamp) -> jiff::Zoned {
    at.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
}

/// The date in China at the instant `at` (see [`in_china`]): "today" for a use case, taken by
/// the front end from the system clock and passed in.
pub fn date_in_china(at: jiff::Timestamp) -> Date {
    in_china(at).date()
}

/// `2024年9月27日`.
pub fn zh_date(d: Date) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

fn zh_weekday(d: Date) -> &'static str {
    gongkai_calendar::weekday_zh(d.weekday())
}

/// `2024年9月29日（星期日）`.
fn zh_day(d: Date) -> String {
    format!("{}（{}）", zh_date(d), zh_weekday(d))
}

/// Why the working days in `(from, to]` differ from a plain Monday–Friday count: holiday runs
/// and 调休 working days, e.g. "其间国庆节假期2024年10月1日至10月7日不计入，期限相应顺延；…".
fn calendar_note(cal: &Calendar, from: Date, to: Date) -> Option<String> {
    let special = cal.special_days(from, to);
    // Runs of consecutive holidays with the same name.
    let mut runs: Vec<(String, Date, Date)> = Vec::new();
    let mut adjusted: Vec<(String, Date)> = Vec::new();
    for (d, kind) in special {
        match kind {
            DayKind::Holiday(name) => match runs.last_mut() {
                Some((n, _, end)) if *n == name && end.tomorrow().ok() == Some(d) => *end = d,
                _ => runs.push((name, d, d)),
            },
            DayKind::AdjustedWorkday(name) => adjusted.push((name, d)),
            DayKind::Workday | DayKind::Weekend => {}
        }
    }
    let mut parts = Vec::new();
    if !runs.is_empty() {
        let list: Vec<String> = runs
            .iter()
            .map(|(name, a, b)| {
                if a == b {
                    format!("{name}假期{}", zh_date(*a))
                } else {
                    let end =
                        if a.year() == b.year() { format!("{}月{}日", b.month(), b.day()) } else { zh_date(*b) };
                    format!("{name}假期{}至{end}", zh_date(*a))
                }
            })
            .collect();
        parts.push(format!("其间{}不计入工作日，期限相应顺延", list.join("、")));
    }
    // 调休 working days, grouped by the holiday they compensate.
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for (name, d) in adjusted {
        match groups.last_mut() {
            Some((n, days)) if *n == name => days.push(zh_day(d)),
            _ => groups.push((name, vec![zh_day(d)])),
        }
    }
    if !groups.is_empty() {
        let list: Vec<String> =
            groups.iter().map(|(name, days)| format!("{}为{name}调休上班日", days.join("、"))).collect();
        parts.push(format!("{}，计入工作日", list.join("；")));
    }
    if parts.is_empty() { None } else { Some(parts.join("；")) }
}

struct Replay<'a> {
    cal: &'a Calendar,
    index: usize,
}

impl Replay<'_> {
    fn invalid(&self, message: impl Into<String>) -> ClockError {
        ClockError::Invalid { index: self.index, message: message.into() }
    }
    fn cal<T>(&self, r: Result<T, CalendarError>) -> Result<T, ClockError> {
        r.map_err(|source| ClockError::Calendar { index: self.index, source })
    }
}

impl Clock {
    /// Replay an event log. The first event must be the receipt; invalid sequences are
    /// rejected with the event's position.
    pub fn replay(cal: &Calendar, events: &[Event]) -> Result<Clock, ClockError> {
        let (received, channel) = match events.first() {
            None => return Err(ClockError::Empty),
            Some(Event::Received { date, channel }) => (*date, *channel),
            Some(_) => return Err(ClockError::NotReceived(1)),
        };
        let mut r = Replay { cal, index: 1 };
        let mut c = Clock {
            state: State::Open,
            received,
            channel,
            period_start: received,
            due: None,
            remaining_at_pause: None,
            pauses: Vec::new(),
            extension: None,
            agreed_due: None,
            late: false,
            warnings: Vec::new(),
            steps: vec![format!("收到申请之日：{}。申请{}（条例第三十一条）", zh_day(received), channel.rule_zh())],
            provisional: Vec::new(),
            passed_due_at_pause: None,
            nonworking_due_at_pause: None,
            corrected: false,
        };
        c.start_period(&r, received, "答复期限：自收到申请之日起20个工作日内答复（条例第三十三条第二款）")?;
        let mut prev = received;
        for (i, e) in events.iter().enumerate().skip(1) {
            r.index = i + 1;
            let date = e.date();
            if matches!(c.state, State::Closed { .. }) {
                return Err(ClockError::AfterClose(r.index));
            }
            if date < prev {
                return Err(ClockError::BackInTime { index: r.index, date, prev });
            }
            prev = date;
            c.apply(&r, e)?;
        }
        // Every date the replay computed lies between the receipt and the latest of the last
        // event and the current (or passed) due date.
        let last = [Some(prev), c.due, c.passed_due_at_pause, c.agreed_due].into_iter().flatten().max();
        c.provisional = cal.provisional_years(received, last.unwrap_or(received));
        c.warnings.extend(c.provisional.iter().map(|y| gongkai_calendar::provisional_note(*y)));
        Ok(c)
    }

    /// A fresh 20-working-day period from `start` (receipt, or a corrected application).
    fn start_period(&mut self, r: &Replay<'_>, start: Date, lead: &str) -> Result<(), ClockError> {
        let due = r.cal(r.cal.add_workdays(start, REPLY_DAYS))?;
        let first = r.cal(r.cal.add_workdays(start, 1))?;
        let kind = r.cal(r.cal.kind(start))?;
        let mut s = format!(
            "{lead}。{}当日不计入，自次日起算（计算假设：开始的当日不计入，参照《民法典》第二百零一条）",
            zh_date(start)
        );
        if !kind.is_workday() {
            s.push_str(&format!("；该日为{}，自其后第一个工作日起算", kind.zh()));
        }
        s.push_str(&format!("。第1个工作日为{}，第{REPLY_DAYS}个工作日为{}", zh_day(first), zh_day(due)));
        self.steps.push(s);
        if let Some(note) = calendar_note(r.cal, start, due) {
            self.steps.push(note);
        }
        self.steps.push(format!("答复期限届满日：{}", zh_day(due)));
        self.period_start = start;
        self.due = Some(due);
        self.agreed_due = None;
        Ok(())
    }

    fn apply(&mut self, r: &Replay<'_>, e: &Event) -> Result<(), ClockError> {
        let cal = r.cal;
        match e {
            Event::Received { .. } => Err(r.invalid("同一申请不能重复登记收到；新的申请请另建记录")),
            Event::CorrectionRequested { date } => {
                if self.state != State::Open {
                    return Err(r.invalid(format!("{}时不能发出补正告知", self.state_zh())));
                }
                let used = r.cal(cal.workdays_between(self.period_start, *date))?;
                if used > CORRECTION_NOTICE_DAYS {
                    self.warnings.push(format!(
                        "补正告知于{}发出，为收到申请后第{used}个工作日，超过条例第三十条规定的{CORRECTION_NOTICE_DAYS}个工作日",
                        zh_date(*date)
                    ));
                }
                self.state = State::AwaitingCorrection;
                self.due = None;
                self.steps.push(format!(
                    "{}一次性告知申请人补正（条例第三十条），答复期限自收到补正后的申请之日起重新计算",
                    zh_date(*date)
                ));
                Ok(())
            }
            Event::CorrectionReceived { date } => {
                if self.state != State::AwaitingCorrection {
                    return Err(r.invalid("没有待补正的告知，不能登记收到补正后的申请"));
                }
                self.state = State::Open;
                self.corrected = true;
                self.start_period(
                    r,
                    *date,
                    &format!("{}收到补正后的申请，答复期限重新计算20个工作日（条例第三十条）", zh_date(*date)),
                )
            }
            Event::CorrectionExpired { date } => {
                if self.state != State::AwaitingCorrection {
                    return Err(r.invalid("没有待补正的告知，不能登记逾期未补正"));
                }
                self.close(
                    Outcome::R3_6_1,
                    *date,
                    "申请人无正当理由逾期不补正，行政机关不再处理该申请（条例第三十条）",
                );
                Ok(())
            }
            Event::ConsultationStarted { date, party } => {
                let kind = PauseKind::from(*party);
                self.pause(r, *date, kind, kind.started_zh())
            }
            Event::FeeNotice { date, amount } => {
                let what = match amount {
                    Some(a) => format!("发出收费通知（{a}元，《政府信息公开信息处理费管理办法》）"),
                    None => PauseKind::Fee.started_zh().to_string(),
                };
                self.pause(r, *date, PauseKind::Fee, &what)
            }
            Event::PauseStarted { date, kind } => self.pause(r, *date, *kind, kind.started_zh()),
            Event::ConsultationAnswered { date } => match self.state {
                State::Paused(k) if k.is_consultation() => self.resume(r, *date),
                State::Paused(_) => Err(r.invalid("当前暂停是等待缴费，不是征求意见；缴费请登记“缴纳费用”")),
                _ => Err(r.invalid("没有正在进行的征求意见，不能登记收到意见")),
            },
            Event::FeePaid { date } => match self.state {
                State::Paused(PauseKind::Fee) => self.resume(r, *date),
                _ => Err(r.invalid("没有发出收费通知，不能登记缴纳费用")),
            },
            Event::PauseEnded { date } => match self.state {
                State::Paused(_) => self.resume(r, *date),
                _ => Err(r.invalid("计时没有暂停，不能恢复计时")),
            },
            Event::FeeNotPaid { date } => {
                if self.state != State::Paused(PauseKind::Fee) {
                    return Err(r.invalid("没有发出收费通知，不能登记逾期未缴费"));
                }
                self.end_pause_interval(*date);
                self.close(Outcome::R3_6_2, *date, "申请人逾期未按收费通知要求缴纳费用，行政机关不再处理该申请");
                Ok(())
            }
            Event::Extended { date, days, approver } => self.extend(r, *date, *days, approver),
            Event::AgreedDate { date, due: agreed } => {
                let (State::Open, Some(due)) = (&self.state, self.due) else {
                    return Err(r.invalid(format!("{}时不能依第三十五条确定答复期限", self.state_zh())));
                };
                if *agreed < due {
                    return Err(r.invalid(format!(
                        "第三十五条确定的答复期限{}早于现有答复期限{}",
                        zh_date(*agreed),
                        zh_date(due)
                    )));
                }
                if !r.cal(cal.is_workday(*agreed))? {
                    self.warnings.push(format!("第三十五条确定的答复期限{}不是工作日", zh_day(*agreed)));
                }
                self.due = Some(*agreed);
                self.agreed_due = Some(*agreed);
                self.steps.push(format!(
                    "{}申请人申请数量、频次明显超过合理范围而说明的理由合理，行政机关依条例第三十五条确定答复期限为{}并告知申请人",
                    zh_date(*date),
                    zh_day(*agreed)
                ));
                Ok(())
            }
            Event::Withdrawn { date } => {
                self.end_pause_interval(*date);
                self.close(Outcome::R3_6_3, *date, "申请人撤回申请");
                Ok(())
            }
            Event::Replied { date, outcome } => {
                match self.state {
                    State::Open => {}
                    State::AwaitingCorrection => {
                        return Err(r.invalid("等待补正期间不能答复：请先登记收到补正后的申请或逾期未补正"));
                    }
                    State::Paused(k) => {
                        return Err(r.invalid(format!("{}期间不能答复：请先登记暂停结束", k.waiting_zh())));
                    }
                    State::Closed { .. } => unreachable!("checked before apply"),
                }
                if matches!(outcome, Outcome::R3_6_1 | Outcome::R3_6_2) {
                    return Err(
                        r.invalid(format!("{}由“逾期未补正”或“逾期未缴费”事件办结，不作为答复结果登记", outcome.id()))
                    );
                }
                if *outcome == Outcome::R3_4_3 && !self.corrected {
                    return Err(r.invalid("R3.4.3“补正后申请内容仍不明确”须先有补正后的申请"));
                }
                let due = self.due.unwrap_or(*date);
                self.late = *date > due;
                self.close(*outcome, *date, &format!("作出答复：{}", outcome.label()));
                if self.late {
                    let over = r.cal(cal.workdays_between(due, *date))?;
                    self.steps.push(format!("答复日期晚于答复期限{}，逾期{over}个工作日，属逾期答复", zh_date(due)));
                }
                Ok(())
            }
        }
    }

    fn state_zh(&self) -> &'static str {
        match self.state {
            State::Open => "计时中",
            State::Paused(_) => "计时暂停",
            State::AwaitingCorrection => "等待补正",
            State::Closed { .. } => "已办结",
        }
    }

    fn pause(&mut self, r: &Replay<'_>, date: Date, kind: PauseKind, what: &str) -> Result<(), ClockError> {
        let (State::Open, Some(due)) = (&self.state, self.due) else {
            return Err(r.invalid(format!("{}时不能开始{}", self.state_zh(), kind.waiting_zh())));
        };
        let left = r.cal(r.cal.workdays_between(date, due))?;
        let remaining = u32::try_from(left.max(0)).unwrap_or(0);
        self.passed_due_at_pause = (left <= 0).then_some(due);
        self.nonworking_due_at_pause = (left > 0 && !r.cal(r.cal.is_workday(due))?).then_some(due);
        self.remaining_at_pause = Some(remaining);
        self.pauses.push(Pause { kind, from: date, to: None, remaining });
        self.state = State::Paused(kind);
        self.due = None;
        let used = r.cal(r.cal.workdays_between(self.period_start, date))?;
        let mut s = format!("{}{what}，计时暂停，所需时间不计入答复期限（条例第三十三条第三款）；", zh_date(date));
        if left > 0 {
            s.push_str(&format!("暂停前已用{used}个工作日（含当日），剩余{remaining}个工作日"));
        } else {
            s.push_str(&format!("此时答复期限{}已届满，暂停不能使其延后", zh_date(due)));
        }
        self.steps.push(s);
        Ok(())
    }

    fn end_pause_interval(&mut self, date: Date) {
        if matches!(self.state, State::Paused(_))
            && let Some(p) = self.pauses.last_mut()
        {
            p.to = Some(date);
        }
    }

    fn resume(&mut self, r: &Replay<'_>, date: Date) -> Result<(), ClockError> {
        let State::Paused(kind) = self.state else {
            return Err(r.invalid("计时没有暂停，不能恢复计时"));
        };
        let left = self.remaining_at_pause.take().unwrap_or(0);
        let from = self.pauses.last().map_or(date, |p| p.from);
        self.end_pause_interval(date);
        if kind.is_consultation() {
            let waited = r.cal(r.cal.workdays_between(from, date))?;
            if waited > CONSULTATION_DAYS {
                self.warnings.push(format!(
                    "{}自{}至{}历时{waited}个工作日，超过条例第三十二条、第三十四条规定的{CONSULTATION_DAYS}个工作日答复期限",
                    kind.waiting_zh(),
                    zh_date(from),
                    zh_date(date)
                ));
            }
        }
        self.state = State::Open;
        if let Some(passed) = self.passed_due_at_pause.take() {
            self.due = Some(passed);
            self.steps.push(format!(
                "{}{}，恢复计时；答复期限仍为{}，已届满",
                zh_date(date),
                kind.ended_zh(),
                zh_day(passed)
            ));
            return Ok(());
        }
        let counted = r.cal(r.cal.add_workdays(date, left))?;
        // A 第三十五条 date on a non-working day: the count ends on the working day before
        // it, and a pause must not bring the deadline forward (a pause of no working days
        // leaves it where it was).
        let due = match self.nonworking_due_at_pause.take() {
            Some(agreed) if agreed > counted => agreed,
            _ => counted,
        };
        self.due = Some(due);
        self.steps.push(if due == counted {
            format!(
                "{}{}，恢复计时：剩余{left}个工作日自次日起计算，答复期限顺延至{}",
                zh_date(date),
                kind.ended_zh(),
                zh_day(due)
            )
        } else {
            format!(
                "{}{}，恢复计时：剩余{left}个工作日自次日起计算至{}，不早于原定答复期限{}（非工作日），答复期限仍为{}",
                zh_date(date),
                kind.ended_zh(),
                zh_date(counted),
                zh_date(due),
                zh_day(due)
            )
        });
        if let Some(note) = calendar_note(r.cal, date, due) {
            self.steps.push(note);
        }
        Ok(())
    }

    fn extend(&mut self, r: &Replay<'_>, date: Date, days: u32, approver: &str) -> Result<(), ClockError> {
        if let Some(x) = &self.extension {
            return Err(r.invalid(format!(
                "答复期限只能延长一次（已于{}经{}同意延长）",
                zh_date(x.approved_on),
                x.approver
            )));
        }
        if self.agreed_due.is_some() {
            return Err(r.invalid("已依条例第三十五条确定答复期限，不能再延期"));
        }
        if days == 0 || days > MAX_EXTENSION {
            return Err(r.invalid(format!("延长期限应为1至{MAX_EXTENSION}个工作日，实际为{days}个")));
        }
        if approver.trim().is_empty() {
            return Err(r.invalid("延期须经政府信息公开工作机构负责人同意，应记录批准人"));
        }
        let x = Extension { approved_on: date, days, approver: approver.trim().to_string() };
        let who = format!("{}经{}（政府信息公开工作机构负责人）同意", zh_date(date), x.approver);
        match (&self.state, self.due) {
            (State::Open, Some(due)) => {
                if date > due {
                    return Err(r.invalid(format!("延期须在答复期限{}届满前批准", zh_date(due))));
                }
                let new_due = r.cal(r.cal.add_workdays(due, days))?;
                self.due = Some(new_due);
                self.steps.push(format!(
                    "{who}延长答复期限{days}个工作日并告知申请人（条例第三十三条第二款）：自原答复期限{}的次日起算，延长后的答复期限为{}",
                    zh_date(due),
                    zh_day(new_due)
                ));
                if let Some(note) = calendar_note(r.cal, due, new_due) {
                    self.steps.push(note);
                }
            }
            (State::Paused(_), _) => {
                let Some(left) = self.remaining_at_pause.filter(|l| *l > 0) else {
                    return Err(r.invalid("答复期限在暂停前已届满，不能再延期"));
                };
                self.remaining_at_pause = Some(left + days);
                self.steps.push(format!(
                    "{who}延长答复期限{days}个工作日并告知申请人（条例第三十三条第二款）：恢复计时后剩余{}个工作日",
                    left + days
                ));
            }
            _ => return Err(r.invalid(format!("{}时不能延期", self.state_zh()))),
        }
        self.extension = Some(x);
        Ok(())
    }

    fn close(&mut self, outcome: Outcome, on: Date, what: &str) {
        self.state = State::Closed { outcome, on };
        self.remaining_at_pause = None;
        self.nonworking_due_at_pause = None;
        self.steps.push(format!("{}{}，办结（计入表三 {} 行）", zh_date(on), what, outcome.id()));
    }

    /// Working days left on `today`: from `today` (not counted) to the due date inclusive —
    /// 0 on the last day, negative when overdue. While paused: the stored remaining days.
    /// `None` while awaiting a correction or after closing.
    pub fn days_left(&self, cal: &Calendar, today: Date) -> Result<Option<i64>, CalendarError> {
        match (&self.state, self.due) {
            (State::Open, Some(due)) => cal.workdays_between(today, due).map(Some),
            (State::Paused(_), _) => match self.passed_due_at_pause {
                Some(passed) => cal.workdays_between(today, passed).map(|n| Some(n.min(0))),
                None => Ok(self.remaining_at_pause.map(i64::from)),
            },
            _ => Ok(None),
        }
    }

    /// The due date a paused application had already passed when its pause began (it stays
    /// overdue while paused); None otherwise.
    pub fn overdue_since(&self) -> Option<Date> {
        match self.state {
            State::Paused(_) => self.passed_due_at_pause,
            _ => None,
        }
    }

    /// Not closed and past its due date on `today` (a pause that began after the due date
    /// does not stop an application being overdue).
    pub fn overdue(&self, today: Date) -> bool {
        match self.state {
            State::Open => self.due.is_some_and(|d| today > d),
            State::Paused(_) => self.passed_due_at_pause.is_some_and(|d| today > d),
            _ => false,
        }
    }

    /// The explanation as one numbered text, warnings last (prefixed `注意：`).
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
mod code_tests {
    use super::*;

    #[test]
    fn the_date_in_china_turns_at_1600_utc() {
        let at = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
        assert_eq!(date_in_china(at("2026-12-31T15:59:59Z")), jiff::civil::date(2026, 12, 31));
        assert_eq!(date_in_china(at("2026-12-31T16:00:00Z")), jiff::civil::date(2027, 1, 1));
        // Midsummer too: no daylight saving.
        assert_eq!(in_china(at("2026-07-01T00:00:00Z")).strftime("%H:%M").to_string(), "08:00");
    }

    #[test]
    fn error_codes_are_stable_and_unique() {
        let d = Date::constant(2026, 1, 5);
        let codes: Vec<&str> = [
            ClockError::Empty,
            ClockError::NotReceived(1),
            ClockError::BackInTime { index: 1, date: d, prev: d },
            ClockError::AfterClose(1),
            ClockError::Invalid { index: 1, message: String::new() },
            ClockError::Calendar { index: 1, source: CalendarError::OutOfRange },
        ]
        .iter()
        .map(ClockError::code)
        .collect();
        assert_eq!(
            codes,
            [
                "clock.empty",
                "clock.not_received",
                "clock.back_in_time",
                "clock.after_close",
                "clock.invalid",
                "clock.calendar"
            ]
        );
    }
}
