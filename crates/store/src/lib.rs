//! The register's storage contract. Backends (`gongkai-store-sqlite`, `gongkai-store-postgres`)
//! implement [`Backend`] and [`WriteTx`] — typed SQL primitives and their row mapping; they are
//! the only crates that know SQL — and every `Backend` is a [`Store`] whose writes are the
//! workflows of [`workflow`], written once here. This crate also holds what the backends
//! share: the input records, the error type (Chinese messages), the columns derived from an
//! event log by [`gongkai_clock::Clock::replay`], audit masking, column helpers, and the
//! [`contract`] test suite that every backend runs against itself.
//!
//! Invariants every backend keeps:
//! - an application's events are append-only; every accepted log replays without error on the
//!   official calendar, and the stored derived columns (state, due date, receipt date,
//!   conclusion date, outcome row) are those of the replay;
//! - every write of a versioned record names the version it was based on; a stale version is
//!   rejected ([`StoreError::Stale`]), never silently overwritten;
//! - every change writes an audit row (actor, time, entity, id, before, after) in the same
//!   transaction as the change;
//! - listings mask personal data unless the caller passes [`Personal::Visible`].

pub mod contract;
pub mod pool;
pub mod workflow;

pub use pool::{Connect, Pooled, SharedCalendar};
pub use workflow::{AuditRow, Backend, CatalogueRow, Lock, WriteTx};

pub use gongkai_calendar::{Calendar, Listed};
use gongkai_clock::{Channel, Clock, ClockError, Event, Outcome, State};
use gongkai_register::{
    AppId, Applicant, ApplicantKind, Application, CaseKind, CatalogueKind, OrganId, OrganKind, RequestedForm,
};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

pub use gongkai_register::{Case, CaseId, CaseResult, CatalogueEntry, EntryId, IndexPattern, Organ, YearlyCounts};

/// Whether the caller may see applicants' personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Personal {
    /// Names, numbers and contacts are masked ([`Applicant::masked`]).
    Masked,
    /// The caller's role allows reading personal data.
    Visible,
}

impl Personal {
    /// Apply the policy to an applicant.
    pub fn apply(self, a: Applicant) -> Applicant {
        match self {
            Personal::Masked => a.masked(),
            Personal::Visible => a,
        }
    }
}

/// Why a store operation failed. Messages are Chinese: they reach clerks unchanged.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("未找到{entity}（{id}）")]
    NotFound { entity: &'static str, id: String },
    #[error("记录已被他人修改（版本 {expected}，当前 {current}），请刷新后重试")]
    Stale { expected: i64, current: i64 },
    #[error("受理编号“{0}”在本机关已存在")]
    DuplicateSerial(String),
    #[error("索引号“{0}”在本机关已存在")]
    DuplicateIndexNo(String),
    /// The clock's reason is part of the message (not a separate `source`, so that error
    /// chains do not print it twice).
    #[error("事件记录无效：{0}")]
    InvalidEvents(ClockError),
    #[error("{0}")]
    Invalid(String),
    /// The backend failed, or stored data cannot be read. `message` is the Display text
    /// (the driver's own message, or a Chinese explanation); the driver or decoding error it
    /// came from, if any, is kept as the `source`.
    #[error("数据库错误：{message}")]
    Backend {
        message: String,
        #[source]
        source: Option<BoxError>,
    },
    /// Every connection of the store's pool stayed in use for the whole checkout timeout.
    #[error(
        "登记簿繁忙：数据库连接池的 {size} 个连接都在使用中，等待 {waited_secs} 秒后仍无空闲连接，请稍后重试（服务器可用 --db-pool 调大连接数）"
    )]
    PoolTimeout { size: usize, waited_secs: u64 },
    /// The register was called on a thread that must not block (an async worker of the web
    /// server); a bug of the caller, refused instead of stalling the server.
    #[error("内部错误：在异步工作线程上直接调用了登记簿（数据库调用必须在阻塞线程上进行）")]
    AsyncWorker,
}

/// A boxed error kept as the source of a [`StoreError::Backend`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

impl StoreError {
    /// A backend failure: the driver's message is shown, the driver's error kept as the source.
    pub fn backend(source: impl std::error::Error + Send + Sync + 'static) -> StoreError {
        StoreError::Backend { message: source.to_string(), source: Some(Box::new(source)) }
    }

    /// A backend failure explained in Chinese, caused by `source` (kept).
    pub fn backend_because(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> StoreError {
        StoreError::Backend { message: message.into(), source: Some(Box::new(source)) }
    }

    /// Stored data this program cannot read, with no underlying error (an unknown state, a
    /// schema newer than the program …).
    pub fn corrupt(message: impl Into<String>) -> StoreError {
        StoreError::Backend { message: message.into(), source: None }
    }

    /// A stable code for programs and logs (never changes with the wording).
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::NotFound { .. } => "store.not_found",
            StoreError::Stale { .. } => "store.stale",
            StoreError::DuplicateSerial(_) => "store.duplicate_serial",
            StoreError::DuplicateIndexNo(_) => "store.duplicate_index_no",
            StoreError::InvalidEvents(_) => "store.invalid_events",
            StoreError::Invalid(_) => "store.invalid",
            StoreError::Backend { .. } => "store.backend",
            StoreError::PoolTimeout { .. } => "store.pool_timeout",
            StoreError::AsyncWorker => "store.async_worker",
        }
    }
}

/// An error and its sources, `: `-separated as `{:#}` prints an `anyhow` chain, but a source
/// whose text the message already ends with (a [`StoreError::Backend`] shows its driver's
/// message) is not repeated.
pub fn error_text(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let t = c.to_string();
        if !s.ends_with(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        cur = c.source();
    }
    s
}

impl From<ClockError> for StoreError {
    fn from(e: ClockError) -> StoreError {
        StoreError::InvalidEvents(e)
    }
}

/// Optimistic versioning: a write based on version `expected` is refused unless the record is
/// still at that version — a stale write is refused, never merged or lost.
pub fn check_version(expected: i64, current: i64) -> Result<()> {
    if expected == current { Ok(()) } else { Err(StoreError::Stale { expected, current }) }
}

/// The catalogue entry after repealing it on `repealed` (version checked, repeal not before
/// issue), for a backend to write.
pub fn repealed_entry(before: &CatalogueEntry, expected_version: i64, repealed: Date) -> Result<CatalogueEntry> {
    check_version(expected_version, before.version)?;
    if repealed < before.issued {
        return Err(StoreError::Invalid(format!("废止日期{repealed}早于发布日期{}", before.issued)));
    }
    Ok(CatalogueEntry { repealed: Some(repealed), version: before.version + 1, ..before.clone() })
}

/// The case after concluding it on `on` with `result` (version checked, not before filing),
/// for a backend to write.
pub fn concluded_case(before: &Case, expected_version: i64, on: Date, result: CaseResult) -> Result<Case> {
    check_version(expected_version, before.version)?;
    if on < before.filed {
        return Err(StoreError::Invalid(format!("审结日期{on}早于立案日期{}", before.filed)));
    }
    Ok(Case { concluded: Some((on, result)), version: before.version + 1, ..before.clone() })
}

/// Whether an event belongs to the fee procedure (`fee_notice`, `fee_paid`).
pub fn is_fee_event(e: &Event) -> bool {
    matches!(e, Event::FeeNotice { .. } | Event::FeePaid { .. })
}

/// Group (application id, event) rows that arrive ordered by application into per-application
/// lists, keeping their order.
pub fn group_by_app(rows: impl IntoIterator<Item = (i64, Event)>) -> Vec<(AppId, Vec<Event>)> {
    let mut out: Vec<(AppId, Vec<Event>)> = Vec::new();
    for (app, e) in rows {
        match out.last_mut() {
            Some((id, evs)) if id.0 == app => evs.push(e),
            _ => out.push((AppId(app), vec![e])),
        }
    }
    out
}

/// Result of a store operation.
pub type Result<T> = std::result::Result<T, StoreError>;

/// A new organisation; the store assigns the id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewOrgan {
    pub name: String,
    pub kind: OrganKind,
    pub parent: Option<OrganId>,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub index_pattern: Option<String>,
}

/// A change of an organ's name and place in the tree (renaming and moving; its kind, code and
/// 索引号 pattern stay).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganChange {
    pub name: String,
    /// The new parent (`None`: a top-level organ).
    pub parent: Option<OrganId>,
}

/// A new application: the store assigns the id and version 1. The first event must be
/// `Received`; the channel of the application is the channel of that event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewApplication {
    pub organ: OrganId,
    /// 受理编号, unique within the organ.
    pub serial: String,
    pub applicant: Applicant,
    pub description: String,
    pub form: RequestedForm,
    pub events: Vec<Event>,
}

/// A new catalogue entry; the store generates the 索引号 from the organ's pattern.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCatalogueEntry {
    pub organ: OrganId,
    pub kind: CatalogueKind,
    pub title: String,
    #[serde(default)]
    pub doc_number: String,
    pub issued: Date,
}

/// A new review or litigation case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCase {
    pub organ: OrganId,
    pub kind: CaseKind,
    #[serde(default)]
    pub number: String,
    pub filed: Date,
}

/// A user account's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UserId(pub i64);

/// A new user account. The role is the service layer's role name (`admin`, `clerk`, `head`,
/// `supervisor`); the store keeps it as text and knows no policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub name: String,
    pub display_name: String,
    pub role: String,
    /// The organ-tree node the user works in; `None` = the whole register.
    pub organ: Option<OrganId>,
    /// An argon2id PHC string (never a password).
    pub password_hash: String,
    /// The password was set by someone else and must be changed at first login.
    pub must_change: bool,
}

/// A user account as stored. `Debug` leaves the password hash out.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: UserId,
    pub name: String,
    pub display_name: String,
    pub role: String,
    pub organ: Option<OrganId>,
    #[serde(skip)]
    pub password_hash: String,
    pub must_change: bool,
    pub disabled: bool,
    /// Failed logins since the last successful one.
    pub failed_logins: i64,
    /// Unix seconds until which logins are refused (throttling).
    pub locked_until: Option<i64>,
    pub created_at: i64,
    pub version: i64,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("role", &self.role)
            .field("organ", &self.organ)
            .field("disabled", &self.disabled)
            .finish_non_exhaustive()
    }
}

/// What changes on a user account (versioned like every other record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserChange {
    Password { hash: String, must_change: bool },
    Disabled(bool),
    Role { role: String, organ: Option<OrganId> },
}

/// A session resumed with its user and the register's change mark ([`Store::resume`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resumed {
    pub session: Session,
    pub user: User,
    /// [`Store::change_mark`] as read with the session.
    pub mark: Option<String>,
}

/// A login session. Only the SHA-256 of its token is stored.
#[derive(Clone, PartialEq, Eq)]
pub struct Session {
    /// Hex SHA-256 of the token the browser holds.
    pub token_hash: String,
    pub user: UserId,
    /// The session's CSRF token (a form's hidden field must equal it).
    pub csrf: String,
    pub created_at: i64,
    pub expires_at: i64,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("user", &self.user)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// Checks on a new user that do not need the database.
pub fn validate_new_user(new: &NewUser) -> Result<()> {
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(StoreError::Invalid("用户名不能为空，且不超过64个字符".into()));
    }
    if name.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(StoreError::Invalid("用户名不能包含空白或控制字符".into()));
    }
    if !new.password_hash.starts_with("$argon2id$") {
        return Err(StoreError::Invalid("密码必须以 argon2id 散列保存".into()));
    }
    Ok(())
}

/// The audit snapshot of a user: no password hash.
pub fn user_snapshot(u: &User) -> String {
    snapshot(u)
}

/// The user after `change` (version checked), for a backend to write.
pub fn changed_user(before: &User, expected_version: i64, change: &UserChange) -> Result<User> {
    check_version(expected_version, before.version)?;
    let mut after = before.clone();
    match change {
        UserChange::Password { hash, must_change } => {
            if !hash.starts_with("$argon2id$") {
                return Err(StoreError::Invalid("密码必须以 argon2id 散列保存".into()));
            }
            after.password_hash = hash.clone();
            after.must_change = *must_change;
            after.failed_logins = 0;
            after.locked_until = None;
        }
        UserChange::Disabled(d) => after.disabled = *d,
        UserChange::Role { role, organ } => {
            after.role = role.clone();
            after.organ = *organ;
        }
    }
    after.version += 1;
    Ok(after)
}

/// The clock state as stored in the derived `state` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoredState {
    Open,
    Paused,
    AwaitingCorrection,
    Closed,
}

impl StoredState {
    /// Column value.
    pub fn as_str(self) -> &'static str {
        match self {
            StoredState::Open => "open",
            StoredState::Paused => "paused",
            StoredState::AwaitingCorrection => "awaiting_correction",
            StoredState::Closed => "closed",
        }
    }

    /// Parse a column value.
    pub fn parse(s: &str) -> Result<StoredState> {
        Ok(match s {
            "open" => StoredState::Open,
            "paused" => StoredState::Paused,
            "awaiting_correction" => StoredState::AwaitingCorrection,
            "closed" => StoredState::Closed,
            _ => return Err(StoreError::corrupt(format!("未知状态“{s}”"))),
        })
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            StoredState::Open => "办理中",
            StoredState::Paused => "中止计时",
            StoredState::AwaitingCorrection => "待补正",
            StoredState::Closed => "已办结",
        }
    }
}

/// Columns derived from an event log by replaying it; backends store them next to the log so
/// that due lists and yearly selections are index lookups. They are never edited by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Derived {
    pub state: StoredState,
    pub channel: Channel,
    pub received: Date,
    /// Current due date of an application that is not closed (None while paused/awaiting 补正).
    pub due: Option<Date>,
    pub concluded: Option<Date>,
    pub outcome: Option<Outcome>,
    pub late: bool,
    /// Some date was counted through a year without a holiday notice (SPEC §5): the row is
    /// re-derived when holiday data is imported ([`Store::import_holidays`]).
    pub provisional: bool,
}

/// Replay `events` on the register's calendar and derive the stored columns. The first event
/// must be `Received`; any sequence the clock refuses is refused with the clock's reason.
pub fn derive(cal: &Calendar, events: &[Event]) -> Result<Derived> {
    match events.first() {
        None => return Err(StoreError::InvalidEvents(ClockError::Empty)),
        Some(Event::Received { .. }) => {}
        Some(_) => return Err(StoreError::InvalidEvents(ClockError::NotReceived(1))),
    }
    // Each event's own fields (a fee notice of 0 元 or of an amount that could wrap a sum).
    if let Some(e) = events.iter().find_map(|e| gongkai_register::validate::event(e).err()) {
        return Err(StoreError::Invalid(e.to_string()));
    }
    let clock = Clock::replay(cal, events)?;
    Ok(derived_of(&clock))
}

/// The calendar a register works on: the holiday rows it stores, with every year that has no
/// notice answered provisionally (weekends only, flagged; SPEC §5). The register never stops
/// at a year boundary for want of data.
pub fn register_calendar(rows: &[Listed]) -> Result<Calendar> {
    Calendar::from_listed(rows)
        .map(|c| c.with_provisional())
        .map_err(|e| StoreError::Invalid(format!("登记簿中的放假安排数据有误：{e}")))
}

/// The embedded official dates that the register's rows lack (seeded when a register opens,
/// so that a newer build brings its newer notices; rows already there, including a clerk's
/// corrections, are kept).
pub fn missing_official(rows: &[Listed]) -> Vec<Listed> {
    let have: std::collections::BTreeSet<Date> = rows.iter().map(|l| l.date).collect();
    Calendar::official().listed().into_iter().filter(|l| !have.contains(&l.date)).collect()
}

/// The years of some listed dates, as the audit trail names them (`2027` or `2026,2027`).
pub fn years_of(listed: &[Listed]) -> String {
    let years: std::collections::BTreeSet<i16> = listed.iter().map(|l| l.date.year()).collect();
    years.iter().map(|y| y.to_string()).collect::<Vec<_>>().join(",")
}

/// The audit snapshot of a holiday import: where it came from, how many dates, what it did.
pub fn holiday_snapshot(listed: &[Listed], source: &str, report: &HolidayImport) -> String {
    serde_json::json!({
        "source": source,
        "dates": listed.len(),
        "years": years_of(listed),
        "recomputed": report.recomputed,
        "still_provisional": report.still_provisional,
    })
    .to_string()
}

/// The audit snapshot of a disclosure of personal data (see [`Store::audit_disclosure`]).
pub fn disclosure_snapshot(purpose: &str) -> String {
    serde_json::json!({ "disclosure": purpose }).to_string()
}

/// Where holiday rows came from: the embedded notices, or a clerk's import.
pub const EMBEDDED_SOURCE: &str = "内置国务院办公厅放假安排";

/// What importing holiday data did (see [`Store::import_holidays`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayImport {
    /// Dates written (holidays, 调休 workdays, and weekdays that cancel a holiday).
    pub dates: usize,
    /// The years the calendar now holds a notice for.
    pub covered: Vec<i16>,
    /// Applications whose provisional dates were recomputed.
    pub recomputed: usize,
    /// Of those, how many are still provisional (another year is still missing).
    pub still_provisional: usize,
}

/// The stored columns of a replayed clock.
pub fn derived_of(clock: &Clock) -> Derived {
    let (state, concluded, outcome) = match clock.state {
        State::Open => (StoredState::Open, None, None),
        State::Paused(_) => (StoredState::Paused, None, None),
        State::AwaitingCorrection => (StoredState::AwaitingCorrection, None, None),
        State::Closed { outcome, on } => (StoredState::Closed, Some(on), Some(outcome)),
    };
    Derived {
        state,
        channel: clock.channel,
        received: clock.received,
        // A paused application has no running due date, except one whose pause began after the
        // due date had passed: it stays overdue, so the passed date is kept for the due list.
        due: match state {
            StoredState::Closed => None,
            StoredState::Paused => clock.overdue_since(),
            _ => clock.due,
        },
        concluded,
        outcome,
        late: clock.late,
        provisional: !clock.provisional.is_empty(),
    }
}

/// Checks on a new application that do not need the database.
pub fn validate_new_application(cal: &Calendar, new: &NewApplication) -> Result<Derived> {
    if new.serial.trim().is_empty() {
        return Err(StoreError::Invalid("受理编号不能为空".into()));
    }
    if new.applicant.name.trim().is_empty() {
        return Err(StoreError::Invalid("申请人姓名或名称不能为空".into()));
    }
    // Required texts and the one length bound per text field of every entry path.
    let invalid = gongkai_register::validate::stored_application(&new.serial, &new.applicant, &new.description, &[]);
    if !invalid.is_empty() {
        return Err(StoreError::Invalid(invalid.iter().map(ToString::to_string).collect::<Vec<_>>().join("；")));
    }
    derive(cal, &new.events)
}

/// Checks on a new organ.
pub fn validate_new_organ(new: &NewOrgan) -> Result<()> {
    if new.name.trim().is_empty() {
        return Err(StoreError::Invalid("机关名称不能为空".into()));
    }
    if let Some(p) = &new.index_pattern {
        IndexPattern::parse(p).map_err(|e| StoreError::Invalid(e.to_string()))?;
    }
    Ok(())
}

/// The organ's 索引号 pattern (its own, or [`IndexPattern::DEFAULT`]).
pub fn pattern_of(organ: &Organ) -> Result<IndexPattern> {
    IndexPattern::parse(organ.index_pattern.as_deref().unwrap_or(IndexPattern::DEFAULT))
        .map_err(|e| StoreError::Invalid(e.to_string()))
}

/// One row of a listing: the application without its event log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationSummary {
    pub id: AppId,
    pub organ: OrganId,
    pub serial: String,
    pub applicant: Applicant,
    pub channel: Channel,
    pub received: Date,
    pub state: StoredState,
    pub due: Option<Date>,
    pub concluded: Option<Date>,
    pub outcome: Option<Outcome>,
    pub late: bool,
    /// The due date was counted through a year without a holiday notice.
    #[serde(default)]
    pub provisional: bool,
    pub version: i64,
}

/// Which applications a listing page wants (all conditions together), oldest receipt first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppFilter {
    pub organs: Vec<OrganId>,
    pub state: Option<StateFilter>,
    pub received_from: Option<Date>,
    pub received_to: Option<Date>,
    pub kind: Option<ApplicantKind>,
    pub outcome: Option<Outcome>,
    /// Part of the 受理编号 (matched literally; `%` and `_` are not wildcards).
    pub serial: Option<String>,
    pub offset: u64,
    pub limit: u64,
    /// Keyset paging: the page is the `limit` rows next to this key in the list's order, and
    /// `offset` is not used (a deep page then reads its own rows, not every row before it).
    pub key: Option<PageKey>,
    /// The number of matching applications when the caller already knows it (a cache valid
    /// for the register's current change mark): the backend returns it without counting.
    pub known_total: Option<u64>,
}

/// Where a keyset page is, by the list's order (receipt date, then id): the page holds the
/// rows after, or before, the row with this key (which need not exist any more).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKey {
    After(Date, AppId),
    Before(Date, AppId),
}

/// A value a listing condition compares with (see [`AppFilter::conditions`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterValue {
    Text(String),
    Date(Date),
    Int(i64),
}

impl AppFilter {
    /// The filter's conditions other than the organs (which each backend writes in its own
    /// dialect), in order: SQL over the `applications` columns with `{}` where the value's
    /// placeholder goes, and the value. Written once so both backends select the same rows.
    pub fn conditions(&self) -> Vec<(&'static str, FilterValue)> {
        let mut c = Vec::new();
        match self.state {
            None => {}
            Some(StateFilter::Is(st)) => c.push(("state = {}", FilterValue::Text(st.as_str().into()))),
            Some(StateFilter::OverdueOn(day)) => {
                c.push(("state IN ('open', 'paused') AND due IS NOT NULL AND due < {}", FilterValue::Date(day)))
            }
        }
        if let Some(d0) = self.received_from {
            c.push(("received >= {}", FilterValue::Date(d0)));
        }
        if let Some(d1) = self.received_to {
            c.push(("received <= {}", FilterValue::Date(d1)));
        }
        if let Some(k) = self.kind {
            c.push(("applicant_kind = {}", FilterValue::Text(enum_str(&k))));
        }
        if let Some(o) = self.outcome {
            c.push(("outcome = {}", FilterValue::Text(o.id().into())));
        }
        if let Some(part) = self.serial.as_deref().filter(|p| !p.is_empty()) {
            c.push(("serial LIKE {} ESCAPE '\\'", FilterValue::Text(like_pattern(part))));
        }
        c
    }

    /// The page's own condition (keyset paging; not part of the total): SQL with a `{}` for each
    /// value, in order. Row-value comparison, which both backends read from the list's index.
    pub fn key_condition(&self) -> Option<(&'static str, [FilterValue; 2])> {
        match self.key? {
            PageKey::After(d, id) => {
                Some(("(received, id) > ({}, {})", [FilterValue::Date(d), FilterValue::Int(id.0)]))
            }
            PageKey::Before(d, id) => {
                Some(("(received, id) < ({}, {})", [FilterValue::Date(d), FilterValue::Int(id.0)]))
            }
        }
    }

    /// The order the page's rows are selected in (the page itself is always shown oldest
    /// first): newest first for a page before a key, so `LIMIT` takes the rows next to it.
    pub fn select_order(&self) -> &'static str {
        match self.key {
            Some(PageKey::Before(..)) => "received DESC, id DESC",
            _ => "received, id",
        }
    }

    /// `LIMIT` and `OFFSET` as SQL integers (no offset on a keyset page).
    pub fn limit_offset(&self) -> (i64, i64) {
        let offset = if self.key.is_some() { 0 } else { self.offset };
        (i64::try_from(self.limit).unwrap_or(i64::MAX), i64::try_from(offset).unwrap_or(i64::MAX))
    }
}

/// A state condition of a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateFilter {
    Is(StoredState),
    /// Not closed and past its due date on this day.
    OverdueOn(Date),
}

/// How many applications of one organ are in one state, and how many of those are overdue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StateCount {
    pub organ: OrganId,
    pub state: StoredState,
    pub count: u64,
    pub overdue: u64,
}

/// `%part%` for a LIKE with `\` as the escape character.
pub fn like_pattern(part: &str) -> String {
    let mut p = String::from("%");
    for c in part.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// An open application whose due date has come or is coming (see [`Store::due_list`]). No
/// personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueItem {
    pub id: AppId,
    pub organ: OrganId,
    pub serial: String,
    pub received: Date,
    pub due: Date,
    /// The due date was counted through a year without a holiday notice (weekends only).
    #[serde(default)]
    pub provisional: bool,
    pub version: i64,
}

/// What table 三 needs of one application (see [`Store::applications_for_year`]). No personal
/// data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearItem {
    pub id: AppId,
    pub organ: OrganId,
    pub applicant_kind: ApplicantKind,
    pub received: Date,
    pub concluded: Option<Date>,
    pub outcome: Option<Outcome>,
}

/// The kinds of records the audit trail names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    Organ,
    Application,
    CatalogueEntry,
    YearlyCounts,
    Case,
    /// The register's holiday data (entity id: the years written).
    Calendar,
    /// A user account (snapshots never hold the password hash).
    User,
}

impl Entity {
    /// Column value.
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Organ => "organ",
            Entity::Application => "application",
            Entity::CatalogueEntry => "catalogue_entry",
            Entity::YearlyCounts => "yearly_counts",
            Entity::Case => "case",
            Entity::Calendar => "calendar",
            Entity::User => "user",
        }
    }

    /// Chinese label (used in "not found" messages).
    pub fn label(self) -> &'static str {
        match self {
            Entity::Organ => "机关",
            Entity::Application => "申请",
            Entity::CatalogueEntry => "目录条目",
            Entity::YearlyCounts => "年度数量",
            Entity::Case => "复议诉讼案件",
            Entity::Calendar => "放假安排",
            Entity::User => "用户",
        }
    }

    /// The not-found error for this entity.
    pub fn not_found(self, id: impl std::fmt::Display) -> StoreError {
        StoreError::NotFound { entity: self.label(), id: id.to_string() }
    }
}

/// The audit key of a yearly-counts record.
pub fn counts_key(organ: OrganId, year: i16) -> String {
    format!("{}/{year}", organ.0)
}

/// One row of the audit trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: i64,
    /// RFC 3339 UTC time of the change.
    pub at: String,
    pub actor: String,
    pub entity: Entity,
    pub entity_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Mask the personal data inside an audit snapshot (an application's `applicant`).
pub fn mask_snapshot(personal: Personal, mut v: serde_json::Value) -> serde_json::Value {
    if personal == Personal::Visible {
        return v;
    }
    if let Some(a) = v.get_mut("applicant") {
        match serde_json::from_value::<Applicant>(a.clone()) {
            Ok(app) => *a = serde_json::to_value(app.masked()).unwrap_or(serde_json::Value::Null),
            Err(_) => *a = serde_json::Value::Null,
        }
    }
    v
}

/// JSON snapshot of a record for the audit trail.
pub fn snapshot<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

/// Current UTC time as stored in the audit trail.
pub fn now_rfc3339() -> String {
    jiff::Timestamp::now().to_string()
}

/// The register's storage. Object-safe, `Send + Sync` and `&self`: one store value (callers
/// hold an `Arc<dyn Store>`) serves many threads at once, each call checking a connection out
/// of the store's pool ([`Pooled`]). Every method blocks on the database: call it from a thread
/// that may block, never from an async worker (see [`pool::forbid_blocking_when`]). Every method
/// that changes data takes the acting user's name for the audit trail. The backends get it
/// from [`Pooled`]'s implementation over their [`Backend`] connections (see [`workflow`]).
pub trait Store: Send + Sync {
    /// `"sqlite"` or `"postgres"`.
    fn backend(&self) -> &'static str;

    // --- calendar ---
    /// The calendar every write of this register replays on: the stored holiday rows (seeded
    /// from the embedded notices when the register opens), years without a notice answered
    /// provisionally ([`register_calendar`]).
    fn calendar(&self) -> std::sync::Arc<Calendar>;
    /// Write holiday data (a notice or TSV read by the caller) in one transaction: the rows are
    /// written over any stored for the same dates (a weekday listed as a working day cancels
    /// that date's holiday, and the row is kept so the embedded data does not bring the
    /// holiday back), the calendar is
    /// rebuilt, and every application with provisional dates is replayed on it and its derived
    /// columns rewritten. Audited as [`Entity::Calendar`].
    fn import_holidays(&self, listed: &[Listed], source: &str, actor: &str) -> Result<HolidayImport>;

    // --- organs ---
    fn add_organ(&self, new: &NewOrgan, actor: &str) -> Result<Organ>;
    /// Rename and/or move an organ, audited before/after. A move under the organ itself or
    /// one of its descendants (a cycle) or under a missing organ is refused and changes nothing.
    fn change_organ(&self, id: OrganId, change: &OrganChange, actor: &str) -> Result<Organ>;
    fn organ(&self, id: OrganId) -> Result<Organ>;
    fn organs(&self) -> Result<Vec<Organ>>;
    /// Direct children of an organ.
    fn children(&self, id: OrganId) -> Result<Vec<Organ>> {
        self.organ(id)?;
        Ok(self.organs()?.into_iter().filter(|o| o.parent == Some(id)).collect())
    }
    /// The organ and everything below it (breadth-first, the organ first).
    fn descendants(&self, id: OrganId) -> Result<Vec<OrganId>> {
        self.organ(id)?;
        Ok(gongkai_register::descendants(&self.organs()?, id))
    }

    // --- applications ---
    /// Register one application (version 1) after validating and replaying its log.
    fn register(&self, new: &NewApplication, actor: &str) -> Result<Application>;
    /// Register many applications in one transaction (bulk import; same checks, audited).
    fn import_applications(&self, batch: &[NewApplication], actor: &str) -> Result<Vec<AppId>>;
    /// One application with its whole log.
    fn application(&self, id: AppId, personal: Personal) -> Result<Application>;
    /// The applications of some organs, oldest receipt first (no paging yet: meant for one
    /// organ's register, not a 1M-row region).
    fn applications(&self, organs: &[OrganId], personal: Personal) -> Result<Vec<ApplicationSummary>>;
    /// One page of the applications a filter selects (personal data as `personal` says), and
    /// how many it selects in all.
    fn applications_page(&self, f: &AppFilter, personal: Personal) -> Result<(Vec<ApplicationSummary>, u64)>;
    /// Counts by organ and state of these organs' applications (overdue counted on `today`).
    fn state_counts(&self, organs: &[OrganId], today: Date) -> Result<Vec<StateCount>>;
    /// Append one event if `expected_version` is current; the whole log is replayed and the
    /// derived columns are rewritten. Returns the application at its new version.
    fn append_event(&self, id: AppId, expected_version: i64, event: &Event, actor: &str) -> Result<Application>;
    /// Open applications (of these organs) whose due date is on or before `until`, overdue ones
    /// included, earliest due date first. Paused applications and those awaiting 补正 have no
    /// running due date and are not listed, except a paused one whose pause began after its due
    /// date had passed: it is overdue and listed with that date.
    fn due_list(&self, organs: &[OrganId], until: Date) -> Result<Vec<DueItem>>;
    /// The applications table 三 of `year` counts: received on or before 31 December and not
    /// concluded before 1 January.
    fn applications_for_year(&self, organs: &[OrganId], year: i16) -> Result<Vec<YearItem>>;
    /// The fee events (`fee_notice`, `fee_paid`) of the applications table 三 of `year` counts,
    /// per application, in log order — with [`Store::applications_for_year`] this is all that
    /// `gongkai compile` needs (section 六 states the fees paid). The default reads whole
    /// applications; backends select the events directly.
    fn fee_events_for_year(&self, organs: &[OrganId], year: i16) -> Result<Vec<(AppId, Vec<Event>)>> {
        let items = self.applications_for_year(organs, year)?;
        let mut rows = Vec::new();
        for i in items {
            let a = self.application(i.id, Personal::Masked)?;
            rows.extend(a.events.into_iter().filter(is_fee_event).map(|e| (i.id.0, e)));
        }
        Ok(group_by_app(rows))
    }

    // --- catalogue ---
    /// Add an entry; its 索引号 is the next serial of the organ's pattern scope.
    fn add_catalogue_entry(&self, new: &NewCatalogueEntry, actor: &str) -> Result<CatalogueEntry>;
    fn repeal_catalogue_entry(
        &self,
        id: EntryId,
        expected_version: i64,
        repealed: Date,
        actor: &str,
    ) -> Result<CatalogueEntry>;
    fn catalogue(&self, organ: OrganId) -> Result<Vec<CatalogueEntry>>;
    /// One catalogue entry.
    fn catalogue_entry(&self, id: EntryId) -> Result<CatalogueEntry>;

    // --- yearly counts ---
    fn set_counts(&self, counts: &YearlyCounts, actor: &str) -> Result<()>;
    fn counts(&self, organ: OrganId, year: i16) -> Result<Option<YearlyCounts>>;

    // --- cases ---
    fn add_case(&self, new: &NewCase, actor: &str) -> Result<Case>;
    fn conclude_case(
        &self,
        id: CaseId,
        expected_version: i64,
        on: Date,
        result: CaseResult,
        actor: &str,
    ) -> Result<Case>;
    fn cases(&self, organs: &[OrganId]) -> Result<Vec<Case>>;
    /// One case.
    fn case(&self, id: CaseId) -> Result<Case>;

    // --- audit ---
    /// The audit rows of one record, oldest first; snapshots masked unless allowed.
    fn audit_log(&self, entity: Entity, id: &str, personal: Personal) -> Result<Vec<AuditEntry>>;
    /// Record that someone was shown a record's personal data unmasked, and why (an audited
    /// read: the row has no `before` and `after` = `{"disclosure": purpose}`).
    fn audit_disclosure(&self, entity: Entity, id: &str, actor: &str, purpose: &str) -> Result<()>;

    // --- accounts and sessions ---
    /// Add a user (audited; the snapshot has no password hash). A taken name is refused.
    fn add_user(&self, new: &NewUser, actor: &str) -> Result<User>;
    fn user(&self, id: UserId) -> Result<User>;
    fn user_by_name(&self, name: &str) -> Result<Option<User>>;
    /// Every user, in id order.
    fn users(&self) -> Result<Vec<User>>;
    /// Change a user at `expected_version` (audited).
    fn change_user(&self, id: UserId, expected_version: i64, change: &UserChange, actor: &str) -> Result<User>;
    /// Record a login attempt: a success resets the failure count; a failure counts one and
    /// sets `locked_until` (Unix seconds) when given. Not versioned and not audited (no record
    /// changes), so concurrent logins never refuse each other.
    fn record_login(&self, id: UserId, ok: bool, locked_until: Option<i64>) -> Result<()>;
    fn create_session(&self, session: &Session) -> Result<()>;
    /// The session with this token hash, if it exists and has not expired at `now`.
    fn session(&self, token_hash: &str, now: i64) -> Result<Option<Session>>;
    /// What a request resumes from its cookie, read together on one connection: the session
    /// (as [`Store::session`]), its user and the register's change mark
    /// ([`Store::change_mark`], read no later than the session). One statement on PostgreSQL,
    /// so a page's first round trip brings everything its caches are keyed by.
    fn resume(&self, token_hash: &str, now: i64) -> Result<Option<Resumed>>;
    fn delete_session(&self, token_hash: &str) -> Result<()>;
    /// End every session of a user (after a password change or when disabled).
    fn delete_sessions_of(&self, user: UserId) -> Result<()>;
    /// Remove sessions expired at `now`; returns how many.
    fn purge_sessions(&self, now: i64) -> Result<usize>;

    /// Refresh the query planner's statistics (`ANALYZE`; PostgreSQL also `VACUUM`s), e.g.
    /// after a bulk import.
    fn analyze(&self) -> Result<()> {
        Ok(())
    }

    /// A cheap token that changes whenever a write has been committed since it was last read
    /// (by any process): equal tokens mean the same register contents (it may also change
    /// without a commit, which only costs a cache its entry). For caches of derived views (the
    /// web's dashboard). `None`: this backend cannot tell, do not cache.
    fn change_mark(&self) -> Result<Option<String>> {
        Ok(None)
    }
}

/// Build the full application record from stored parts.
#[allow(clippy::too_many_arguments)]
pub fn assemble(
    id: AppId,
    organ: OrganId,
    serial: String,
    applicant: Applicant,
    description: String,
    form: RequestedForm,
    events: Vec<Event>,
    version: i64,
) -> Result<Application> {
    let channel = match events.first() {
        Some(Event::Received { channel, .. }) => *channel,
        _ => return Err(StoreError::corrupt(format!("申请 {} 的事件记录缺少“收到申请”", id.0))),
    };
    Ok(Application { id, organ, serial, applicant, channel, description, form, events, version })
}

/// Serde helpers for enum columns stored as their JSON string form.
pub fn enum_str<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// The applicant kind from its column value (a plain match: this runs once per row of the
/// yearly selection).
pub fn applicant_kind_of(s: &str) -> Result<ApplicantKind> {
    Ok(match s {
        "natural_person" => ApplicantKind::NaturalPerson,
        "business" => ApplicantKind::Business,
        "research" => ApplicantKind::Research,
        "ngo" => ApplicantKind::Ngo,
        "legal_service" => ApplicantKind::LegalService,
        "other" => ApplicantKind::Other,
        _ => return Err(StoreError::corrupt(format!("无法识别的申请人类型“{s}”"))),
    })
}

/// A count as its column value (counts are `BIGINT`/`INTEGER`; larger ones are refused).
pub fn count_column(v: Option<u64>) -> Result<Option<i64>> {
    v.map(|v| i64::try_from(v).map_err(|_| StoreError::Invalid(format!("数量 {v} 过大")))).transpose()
}

/// A count from its column value (a negative value, which no write stores, reads as blank).
pub fn count_of(v: Option<i64>) -> Option<u64> {
    v.and_then(|v| u64::try_from(v).ok())
}

/// The fee in 万元 from its column value (decimal text).
pub fn fee_of(s: Option<&str>) -> Result<Option<rust_decimal::Decimal>> {
    use std::str::FromStr;
    s.map(|s| rust_decimal::Decimal::from_str(s).map_err(|e| StoreError::backend_because(format!("金额“{s}”：{e}"), e)))
        .transpose()
}

/// The table-三 row of an outcome column.
pub fn outcome_of(s: &str) -> Result<Outcome> {
    Outcome::from_id(s).ok_or_else(|| StoreError::corrupt(format!("未知的表三行“{s}”")))
}

/// Stored JSON that does not decode. serde_json's own message quotes the offending value,
/// which may be an applicant's name or phone, so neither it nor the decoder's error (a source
/// would be printed in the error chain) is kept: only what was unreadable, where, and how.
fn undecodable(what: &str, e: &serde_json::Error) -> StoreError {
    let how = match e.classify() {
        serde_json::error::Category::Syntax => "不是有效的 JSON",
        serde_json::error::Category::Data => "字段或取值不符合格式",
        serde_json::error::Category::Eof => "数据不完整",
        serde_json::error::Category::Io => "读取出错",
    };
    StoreError::corrupt(format!(
        "{what}无法读取：存储的数据{how}（第{}行第{}列；为保护个人信息，不显示其内容）",
        e.line(),
        e.column()
    ))
}

/// An event from its stored JSON.
pub fn event_of(s: &str) -> Result<Event> {
    serde_json::from_str(s).map_err(|e| undecodable("事件", &e))
}

/// The applicant from its stored JSON.
pub fn applicant_of(s: &str) -> Result<Applicant> {
    serde_json::from_str(s).map_err(|e| undecodable("申请人数据", &e))
}

/// The applicant as stored (JSON).
pub fn applicant_json(a: &Applicant) -> Result<String> {
    serde_json::to_string(a).map_err(StoreError::backend)
}

/// An audit snapshot from its stored JSON (unmasked: [`Store::audit_log`] masks).
pub fn audit_json(s: Option<&str>) -> Result<Option<serde_json::Value>> {
    s.map(|s| serde_json::from_str(s).map_err(|e| undecodable("审计记录", &e))).transpose()
}

/// A case's conclusion from its two columns (both set, or none).
pub fn case_conclusion(on: Option<Date>, result: Option<&str>) -> Result<Option<(Date, CaseResult)>> {
    Ok(match (on, result) {
        (Some(d), Some(r)) => Some((d, enum_parse::<CaseResult>(r)?)),
        _ => None,
    })
}

/// The (application, event) rows of a fee selection, grouped per application with the
/// `fee_not_paid` rows a `LIKE 'fee_%'` prefix also matches dropped (that event closes an
/// application and is not a fee).
pub fn fee_rows(rows: Vec<(i64, Event)>) -> Vec<(AppId, Vec<Event>)> {
    group_by_app(rows.into_iter().filter(|(_, e)| is_fee_event(e)))
}

/// Parse an enum column stored by [`enum_str`].
pub fn enum_parse<T: for<'de> Deserialize<'de>>(s: &str) -> Result<T> {
    serde_json::from_value(serde_json::Value::String(s.to_string()))
        .map_err(|_| StoreError::corrupt(format!("无法识别的取值“{s}”")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stored applicant or event that no longer decodes is reported by place and kind, never
    /// by its content (serde's own message would quote the name or the phone).
    #[test]
    fn undecodable_records_never_quote_personal_data() {
        let bad = r#"{"kind":"natural","name":12345678901,"phone":"13812345678"}"#;
        let e = applicant_of(bad).unwrap_err();
        let chain = error_text(&e);
        assert!(chain.contains("申请人数据无法读取") && chain.contains("第1行"), "{chain}");
        assert!(!chain.contains("12345678901") && !chain.contains("13812345678"), "{chain}");
        let e = event_of(r#"{"type":"received","date":"张三丰"}"#).unwrap_err();
        assert!(!error_text(&e).contains("张三丰"), "{}", error_text(&e));
        let e = audit_json(Some("{\"applicant\": 张三丰")).unwrap_err();
        assert!(!error_text(&e).contains("张三丰"), "{}", error_text(&e));
        assert_eq!(e.code(), "store.backend");
    }

    #[test]
    fn error_codes_are_stable_and_unique_and_the_source_is_kept() {
        let io = || std::io::Error::other("disk I/O error");
        let all = [
            StoreError::NotFound { entity: "申请", id: "1".into() },
            StoreError::Stale { expected: 1, current: 2 },
            StoreError::DuplicateSerial(String::new()),
            StoreError::DuplicateIndexNo(String::new()),
            StoreError::InvalidEvents(ClockError::Empty),
            StoreError::Invalid(String::new()),
            StoreError::backend(io()),
            StoreError::PoolTimeout { size: 1, waited_secs: 1 },
            StoreError::AsyncWorker,
        ];
        let codes: Vec<&str> = all.iter().map(StoreError::code).collect();
        assert_eq!(
            codes,
            [
                "store.not_found",
                "store.stale",
                "store.duplicate_serial",
                "store.duplicate_index_no",
                "store.invalid_events",
                "store.invalid",
                "store.backend",
                "store.pool_timeout",
                "store.async_worker",
            ]
        );
        // The Display text is unchanged; the driver error is the source, printed once.
        let e = StoreError::backend(io());
        assert_eq!(e.to_string(), "数据库错误：disk I/O error");
        let source = std::error::Error::source(&e).map(ToString::to_string);
        assert_eq!(source.as_deref(), Some("disk I/O error"));
        assert_eq!(error_text(&e), "数据库错误：disk I/O error");
        let e = StoreError::backend_because("事件无法读取：x", io());
        assert_eq!(error_text(&e), "数据库错误：事件无法读取：x: disk I/O error");
        assert!(std::error::Error::source(&StoreError::corrupt("未知状态“x”")).is_none());
    }

    #[test]
    fn kind_columns_round_trip() {
        for k in ApplicantKind::ALL {
            assert_eq!(applicant_kind_of(&enum_str(&k)).unwrap(), k);
            assert_eq!(enum_parse::<ApplicantKind>(&enum_str(&k)).unwrap(), k);
        }
        assert!(applicant_kind_of("martian").is_err());
        for st in [StoredState::Open, StoredState::Paused, StoredState::AwaitingCorrection, StoredState::Closed] {
            assert_eq!(StoredState::parse(st.as_str()).unwrap(), st);
        }
    }

    #[test]
    fn derive_refuses_logs_not_starting_with_receipt() {
        assert!(matches!(derive(Calendar::official(), &[]), Err(StoreError::InvalidEvents(ClockError::Empty))));
        let d = jiff::civil::date(2024, 9, 2);
        let e = derive(Calendar::official(), &[Event::Withdrawn { date: d }]).unwrap_err();
        assert!(e.to_string().starts_with("事件记录无效：第1个事件"), "{e}");
        let ok = derive(Calendar::official(), &[Event::Received { date: d, channel: Channel::Post }]).unwrap();
        assert_eq!(
            (ok.state, ok.due, ok.channel),
            (StoredState::Open, Some(jiff::civil::date(2024, 9, 30)), Channel::Post)
        );
    }
}
