//! The views the use cases return: plain data, serialisable, with no text layout of a front
//! end (the CLI prints them, the web renders them). Chinese strings that state domain facts
//! (the clock's explanation, the state line) are part of the view so that every front end says
//! the same thing.

use gongkai_clock::{Clock, State};
use gongkai_register::{AppId, Application, Organ, OrganId};
use gongkai_store::{ApplicationSummary, AuditEntry};
use jiff::civil::Date;
use serde::Serialize;

/// After registering an application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegisterView {
    pub id: AppId,
    pub serial: String,
    pub version: i64,
    pub due: Option<Date>,
    /// Years without a holiday notice the due date was counted through (weekends only).
    pub provisional: Vec<i16>,
}

/// After recording an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventView {
    pub id: AppId,
    pub version: i64,
    /// How many events the log now has.
    pub events: usize,
    pub due: Option<Date>,
    pub state: State,
    pub state_text: String,
    pub provisional: Vec<i16>,
}

/// One application with its clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShowView {
    /// Personal data masked unless unmasking was asked for, allowed and audited.
    pub application: Application,
    pub clock: Clock,
    pub today: Date,
    pub overdue: bool,
    /// Working days left on `today` (negative: overdue); none while awaiting 补正 or closed.
    pub days_left: Option<i64>,
    pub state_text: String,
    /// 期限如何得出: the numbered steps, warnings last.
    pub explain: String,
}

/// One line of the due list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueRow {
    pub id: AppId,
    pub organ: OrganId,
    pub serial: String,
    pub received: Date,
    pub due: Date,
    pub version: i64,
    pub overdue: bool,
    pub days_left: Option<i64>,
    pub provisional: bool,
}

impl DueRow {
    /// The time left in the clerk's words (`剩 3 个工作日`, `今天到期`, `已超期 2 个工作日`).
    pub fn left_text(&self) -> String {
        days_left_text(self.days_left, self.overdue)
    }
}

/// Working days left in the clerk's words: `剩 3 个工作日`, `今天到期`, `已超期 2 个工作日`
/// (overdue, or a negative count); empty when no period runs (awaiting 补正, closed). The
/// due list and the application page of every front end say it this way.
pub fn days_left_text(days_left: Option<i64>, overdue: bool) -> String {
    match days_left {
        _ if overdue => format!("已超期 {} 个工作日", days_left.map(|n| -n).unwrap_or_default()),
        Some(n) if n < 0 => format!("已超期 {} 个工作日", -n),
        Some(0) => "今天到期".to_string(),
        Some(n) => format!("剩 {n} 个工作日"),
        None => String::new(),
    }
}

/// An event log's clock as of a day, without a register (`gongkai clock FILE`): the replayed
/// clock and what it means on `today`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClockView {
    #[serde(flatten)]
    pub clock: Clock,
    pub today: Date,
    /// Working days left on `today` (negative: overdue); none while awaiting 补正 or closed.
    pub days_left: Option<i64>,
    pub overdue: bool,
}

impl ClockView {
    /// Replay `events` on `cal` and read the clock on `today`.
    pub fn replay(
        cal: &gongkai_calendar::Calendar,
        events: &[gongkai_clock::Event],
        today: Date,
    ) -> Result<ClockView, gongkai_clock::ClockError> {
        let clock = Clock::replay(cal, events)?;
        let days_left = clock.days_left(cal, today).ok().flatten();
        Ok(ClockView { overdue: clock.overdue(today), today, days_left, clock })
    }
}

/// An audit time (RFC 3339, UTC) on China's wall clock (Asia/Shanghai: UTC+8, no daylight
/// saving since 1991), `2024-11-15 10:23:45`; `None` when the value is not a timestamp.
pub fn china_time(at: &str) -> Option<String> {
    let china = jiff::tz::TimeZone::fixed(jiff::tz::Offset::constant(8));
    at.parse::<jiff::Timestamp>().ok().map(|t| t.to_zoned(china).strftime("%Y-%m-%d %H:%M:%S").to_string())
}

/// What falls due within some working days, overdue included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueView {
    pub today: Date,
    pub until: Date,
    pub within: u32,
    pub items: Vec<DueRow>,
    /// Years without a holiday notice that the window or a listed date was counted through.
    pub provisional_years: Vec<i16>,
}

/// The kind of an audit row, as a clerk reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Created,
    Changed,
    /// Personal data was shown unmasked.
    Disclosure,
    /// A head signed a letter off (see `letters::SIGN_PREFIX`).
    SignOff,
}

/// One row of a record's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryRow {
    #[serde(flatten)]
    pub entry: AuditEntry,
    pub change: Change,
    /// `创建`, `版本 1 → 2`, `查看个人信息（用途）` …
    pub change_text: String,
}

impl From<AuditEntry> for HistoryRow {
    fn from(entry: AuditEntry) -> HistoryRow {
        let version = |x: &Option<serde_json::Value>| x.as_ref().and_then(|x| x.get("version")).map(|v| v.to_string());
        let disclosure = entry.after.as_ref().and_then(|a| a.get("disclosure")).and_then(|d| d.as_str());
        let (change, change_text) = match (disclosure, version(&entry.before), version(&entry.after)) {
            (Some(why), _, _) if entry.before.is_none() && why.starts_with(crate::letters::SIGN_PREFIX) => {
                (Change::SignOff, why.replacen(crate::letters::SIGN_PREFIX, "签发文书：", 1))
            }
            (Some(why), _, _) if entry.before.is_none() => (Change::Disclosure, format!("查看个人信息（{why}）")),
            (_, None, _) if entry.before.is_none() => (Change::Created, "创建".to_string()),
            (_, Some(a), Some(b)) => (Change::Changed, format!("版本 {a} → {b}")),
            _ => (Change::Changed, "修改".to_string()),
        };
        HistoryRow { entry, change, change_text }
    }
}

/// How many applications of one organ are in each state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrganCounts {
    pub organ: Organ,
    pub open: usize,
    pub paused: usize,
    pub awaiting: usize,
    pub closed: usize,
    pub overdue: usize,
}

/// The dashboard: what falls due, and counts by organ and state, in the principal's scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DashboardView {
    pub due: DueView,
    pub organs: Vec<OrganCounts>,
}

/// Filters of the application list, as a form or query string gives them (all text; a value
/// that cannot be read is an error naming it, never ignored).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
pub struct ListQuery {
    /// An organ id: that organ and everything below it that the principal reads.
    pub organ: Option<String>,
    /// `open`, `paused`, `awaiting_correction`, `closed` or `overdue`.
    pub state: Option<String>,
    /// Received on or after (YYYY-MM-DD).
    pub from: Option<String>,
    /// Received on or before.
    pub to: Option<String>,
    /// Applicant kind (Chinese label or id).
    pub kind: Option<String>,
    /// Outcome row id (`R3.1` …).
    pub outcome: Option<String>,
    /// Text in the 受理编号.
    pub q: Option<String>,
    /// 1-based page.
    pub page: Option<String>,
    /// Keyset paging (the pager's links): the page is the one after the row with this key,
    /// `received.id` (e.g. `2024-03-05.1234`), read from there instead of skipping the rows
    /// before it; `page` still numbers it.
    pub after: Option<String>,
    /// The page is the one before the row with this key.
    pub before: Option<String>,
}

impl ListQuery {
    /// The same list without its page: the key of its total.
    pub fn unpaged(&self) -> ListQuery {
        ListQuery { page: None, after: None, before: None, ..self.clone() }
    }
}

/// The keyset paging key of an application in the list (see [`ListQuery::after`]).
pub fn page_key(received: jiff::civil::Date, id: gongkai_register::AppId) -> String {
    format!("{received}.{}", id.0)
}

/// One page of the application list (personal data masked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListView {
    pub items: Vec<ApplicationSummary>,
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    /// The organs the principal reads (for names and the filter).
    pub organs: Vec<Organ>,
}

#[cfg(test)]
mod tests {
    use super::days_left_text;

    #[test]
    fn time_left_in_the_clerks_words() {
        assert_eq!(days_left_text(Some(3), false), "剩 3 个工作日");
        assert_eq!(days_left_text(Some(0), false), "今天到期");
        assert_eq!(days_left_text(Some(-2), false), "已超期 2 个工作日");
        assert_eq!(days_left_text(Some(-2), true), "已超期 2 个工作日");
        assert_eq!(days_left_text(None, false), "");
    }

    #[test]
    fn a_clock_view_is_the_clock_with_todays_reading() {
        use gongkai_clock::{Channel, Event};
        use jiff::civil::date;
        let cal = gongkai_calendar::Calendar::official();
        let events = [Event::Received { date: date(2024, 9, 27), channel: Channel::Online }];
        let today = date(2024, 10, 30);
        let v = super::ClockView::replay(cal, &events, today).unwrap();
        // As a JSON value (what `gongkai clock` prints): the clock's own object with three keys
        // added, as the command printed it before.
        let mut expected = serde_json::to_value(&v.clock).unwrap();
        expected["today"] = serde_json::json!(today.to_string());
        expected["days_left"] = serde_json::json!(v.clock.days_left(cal, today).ok().flatten());
        expected["overdue"] = serde_json::json!(v.clock.overdue(today));
        assert_eq!(serde_json::to_value(&v).unwrap().to_string(), expected.to_string());
        assert!(v.days_left.is_some());
    }

    #[test]
    fn audit_times_on_chinas_wall_clock() {
        assert_eq!(super::china_time("2024-11-15T02:23:45Z").as_deref(), Some("2024-11-15 10:23:45"));
        assert_eq!(super::china_time("2024-12-31T16:00:00Z").as_deref(), Some("2025-01-01 00:00:00"));
        assert_eq!(super::china_time("昨天"), None);
    }
}
