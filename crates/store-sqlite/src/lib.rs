//! SQLite backend of [`gongkai_store::Store`]: one database file in WAL mode with
//! `synchronous=FULL` (a write is acknowledged only once it is durable), foreign keys on and a
//! busy timeout so that several handles (processes or threads) can share the file. Writers take
//! the write lock at `BEGIN IMMEDIATE`, so read-check-write sequences (version checks, 索引号
//! serials) are serialised. Parameterised SQL only.
//!
//! Migrations are the numbered files in `migrations/`, embedded at build time and applied by a
//! tiny runner recording `schema_version`. A runner of our own rather than
//! `rusqlite_migration`: it is twenty lines, it is the same shape as the PostgreSQL backend's,
//! and it does not tie the rusqlite version to a second crate's release cycle.

use gongkai_clock::{Event, Outcome};
use gongkai_register::{
    AppId, Applicant, Application, Case, CaseId, CaseResult, CatalogueEntry, EntryId, Organ, OrganId, YearlyCounts,
};
use gongkai_store::{
    AppFilter, ApplicationSummary, AuditEntry, Calendar, Derived, DueItem, Entity, HolidayImport, Listed,
    NewApplication, NewCase, NewCatalogueEntry, NewOrgan, NewUser, Personal, Result, Session, StateCount, StateFilter,
    Store, StoreError, StoredState, User, UserChange, UserId, YearItem, applicant_kind_of, counts_key, enum_parse,
    enum_str, mask_snapshot, now_rfc3339, pattern_of, snapshot, validate_new_application, validate_new_organ,
};
use jiff::civil::Date;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, TransactionBehavior, params, params_from_iter};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

/// The embedded migrations, in order. Their position + 1 is the schema version.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_init.sql"),
    include_str!("../migrations/0002_year_covering_index.sql"),
    include_str!("../migrations/0003_fee_events_index.sql"),
    include_str!("../migrations/0004_due_includes_overdue_paused.sql"),
    include_str!("../migrations/0005_holidays.sql"),
    include_str!("../migrations/0006_users_sessions.sql"),
    include_str!("../migrations/0007_state_counts_index.sql"),
];

/// The schema version this build writes and reads (the number of migrations).
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// How long a handle waits for another writer before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// A handle to a SQLite register.
#[derive(Debug)]
pub struct SqliteStore {
    conn: Connection,
    /// The register's calendar (its holiday rows, provisional years filled in), rebuilt when
    /// holiday data is imported through this handle. Another handle's import is seen on the
    /// next open.
    cal: Calendar,
}

/// The write lock at `BEGIN IMMEDIATE` (a free function so the calendar field stays
/// borrowable while the transaction is open).
fn write(conn: &mut Connection) -> Result<Transaction<'_>> {
    conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(be)
}

fn read_holidays(conn: &Connection) -> Result<Vec<Listed>> {
    let mut st = conn.prepare_cached("SELECT date, workday, name FROM holidays ORDER BY date").map_err(be)?;
    let rows =
        st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?, r.get::<_, String>(2)?))).map_err(be)?;
    rows.map(|r| {
        let (date, workday, name) = r.map_err(be)?;
        Ok(Listed { date: d(&date)?, workday, name })
    })
    .collect()
}

fn be(e: rusqlite::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

/// Parse a stored `YYYY-MM-DD` (hand-rolled for the hot paths that read hundreds of thousands
/// of rows; anything unusual falls back to jiff's parser).
fn d(s: &str) -> Result<Date> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i16> {
        b[r].iter().try_fold(0i16, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + i16::from(c - b'0')))
    };
    if b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && let (Some(y), Some(m), Some(day)) = (num(0..4), num(5..7), num(8..10))
        && let Ok(date) = Date::new(y, m as i8, day as i8)
    {
        return Ok(date);
    }
    Date::from_str(s).map_err(|e| StoreError::Backend(format!("日期“{s}”无法识别：{e}")))
}

fn od(s: Option<String>) -> Result<Option<Date>> {
    s.as_deref().map(d).transpose()
}

fn u64_col(v: Option<i64>) -> Option<u64> {
    v.and_then(|v| u64::try_from(v).ok())
}

fn i64_of(v: Option<u64>) -> Result<Option<i64>> {
    v.map(|v| i64::try_from(v).map_err(|_| StoreError::Invalid(format!("数量 {v} 过大")))).transpose()
}

/// `?,?,?` for `n` parameters.
fn marks(n: usize) -> String {
    vec!["?"; n].join(",")
}

impl SqliteStore {
    /// Open (creating if needed) the database file and bring its schema up to date.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore> {
        let conn = Connection::open(path.as_ref()).map_err(be)?;
        Self::setup(conn)
    }

    /// A private in-memory database (tests).
    pub fn open_in_memory() -> Result<SqliteStore> {
        Self::setup(Connection::open_in_memory().map_err(be)?)
    }

    fn setup(conn: Connection) -> Result<SqliteStore> {
        conn.busy_timeout(BUSY_TIMEOUT).map_err(be)?;
        // journal_mode answers with a row; the others do not.
        let _mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0)).map_err(be)?;
        conn.execute_batch("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;").map_err(be)?;
        let mut s = SqliteStore { conn, cal: Calendar::official().clone() };
        s.migrate()?;
        let rows = read_holidays(&s.conn)?;
        let missing = gongkai_store::missing_official(&rows);
        if missing.is_empty() {
            s.cal = gongkai_store::register_calendar(&rows)?;
        } else {
            s.import_holidays(&missing, gongkai_store::EMBEDDED_SOURCE, "gongkai")?;
        }
        Ok(s)
    }

    fn migrate(&mut self) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(be)?;
        tx.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL)",
        )
        .map_err(be)?;
        let current: i64 =
            tx.query_row("SELECT COALESCE(MAX(version), 0) FROM schema_version", [], |r| r.get(0)).map_err(be)?;
        let known = MIGRATIONS.len() as i64;
        if current > known {
            return Err(StoreError::Backend(format!(
                "数据库结构版本为 {current}，本程序只认识到 {known}，请升级 gongkai"
            )));
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
            tx.execute_batch(sql).map_err(be)?;
            tx.execute(
                "INSERT INTO schema_version (version, applied_at) VALUES (?1, ?2)",
                params![i as i64 + 1, now_rfc3339()],
            )
            .map_err(be)?;
        }
        tx.commit().map_err(be)
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64> {
        self.conn.query_row("SELECT MAX(version) FROM schema_version", [], |r| r.get(0)).map_err(be)
    }

    /// `PRAGMA integrity_check` (`"ok"` when the file is sound).
    pub fn integrity_check(&self) -> Result<String> {
        self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(be)
    }

    /// The raw connection, for read-only checks in tests and benchmarks.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

fn audit(
    tx: &Transaction,
    actor: &str,
    entity: Entity,
    id: &str,
    before: Option<String>,
    after: Option<String>,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO audit (at, actor, entity, entity_id, before, after) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .map_err(be)?
    .execute(params![now_rfc3339(), actor, entity.as_str(), id, before, after])
    .map_err(be)?;
    Ok(())
}

type OrganRow = (i64, String, String, Option<i64>, String, Option<String>);

fn organ_row(r: &Row) -> rusqlite::Result<OrganRow> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
}

fn organ_of(t: OrganRow) -> Result<Organ> {
    Ok(Organ {
        id: OrganId(t.0),
        name: t.1,
        kind: enum_parse(&t.2)?,
        parent: t.3.map(OrganId),
        code: t.4,
        index_pattern: t.5,
    })
}

const ORGAN_COLS: &str = "id, name, kind, parent, code, index_pattern";

fn get_organ(conn: &Connection, id: OrganId) -> Result<Organ> {
    let t = conn
        .prepare_cached(&format!("SELECT {ORGAN_COLS} FROM organs WHERE id = ?1"))
        .map_err(be)?
        .query_row([id.0], organ_row)
        .optional()
        .map_err(be)?
        .ok_or_else(|| Entity::Organ.not_found(id.0))?;
    organ_of(t)
}

fn load_app(conn: &Connection, id: AppId) -> Result<Application> {
    let row = conn
        .prepare_cached("SELECT organ, serial, applicant, description, form, version FROM applications WHERE id = ?1")
        .map_err(be)?
        .query_row([id.0], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, i64>(5)?,
            ))
        })
        .optional()
        .map_err(be)?
        .ok_or_else(|| Entity::Application.not_found(id.0))?;
    let mut st = conn.prepare_cached("SELECT event FROM events WHERE app = ?1 ORDER BY seq").map_err(be)?;
    let events = st
        .query_map([id.0], |r| r.get::<_, String>(0))
        .map_err(be)?
        .map(|e| {
            let text = e.map_err(be)?;
            serde_json::from_str::<Event>(&text).map_err(|e| StoreError::Backend(format!("事件无法读取：{e}")))
        })
        .collect::<Result<Vec<_>>>()?;
    let applicant: Applicant =
        serde_json::from_str(&row.2).map_err(|e| StoreError::Backend(format!("申请人数据无法读取：{e}")))?;
    gongkai_store::assemble(id, OrganId(row.0), row.1, applicant, row.3, enum_parse(&row.4)?, events, row.5)
}

/// Rewrite an application's derived columns; with `expected_version` the version is checked
/// and bumped (an event was appended), without it only the derivation changed (the calendar).
/// Returns the number of rows written.
fn write_derived(tx: &Transaction, id: AppId, derived: &Derived, expected_version: Option<i64>) -> Result<usize> {
    tx.prepare_cached(
        "UPDATE applications SET state = ?1, received = ?2, due = ?3, concluded = ?4, outcome = ?5, late = ?6, \
         provisional = ?7, version = version + (?8 IS NOT NULL) WHERE id = ?9 AND (?8 IS NULL OR version = ?8)",
    )
    .map_err(be)?
    .execute(params![
        derived.state.as_str(),
        derived.received.to_string(),
        derived.due.map(|x| x.to_string()),
        derived.concluded.map(|x| x.to_string()),
        derived.outcome.map(|o| o.id()),
        derived.late,
        derived.provisional,
        expected_version,
        id.0,
    ])
    .map_err(be)
}

const USER_COLS: &str = "id, name, display_name, role, organ, password_hash, must_change, disabled, failed_logins, \
    locked_until, created_at, version";

fn user_of(r: &Row) -> rusqlite::Result<User> {
    Ok(User {
        id: UserId(r.get(0)?),
        name: r.get(1)?,
        display_name: r.get(2)?,
        role: r.get(3)?,
        organ: r.get::<_, Option<i64>>(4)?.map(OrganId),
        password_hash: r.get(5)?,
        must_change: r.get(6)?,
        disabled: r.get(7)?,
        failed_logins: r.get(8)?,
        locked_until: r.get(9)?,
        created_at: r.get(10)?,
        version: r.get(11)?,
    })
}

fn get_user(conn: &Connection, id: UserId) -> Result<User> {
    conn.prepare_cached(&format!("SELECT {USER_COLS} FROM users WHERE id = ?1"))
        .map_err(be)?
        .query_row([id.0], user_of)
        .optional()
        .map_err(be)?
        .ok_or_else(|| Entity::User.not_found(id.0))
}

const SUMMARY_COLS: &str =
    "id, organ, serial, applicant, channel, received, state, due, concluded, outcome, late, version, provisional";

type SummaryRow =
    (i64, i64, String, String, String, String, String, Option<String>, Option<String>, Option<String>, bool, i64, bool);

fn summary_row(r: &Row) -> rusqlite::Result<SummaryRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
        r.get(11)?,
        r.get(12)?,
    ))
}

fn summary_of(t: SummaryRow, personal: Personal) -> Result<ApplicationSummary> {
    let applicant: Applicant =
        serde_json::from_str(&t.3).map_err(|e| StoreError::Backend(format!("申请人数据无法读取：{e}")))?;
    Ok(ApplicationSummary {
        id: AppId(t.0),
        organ: OrganId(t.1),
        serial: t.2,
        applicant: personal.apply(applicant),
        channel: enum_parse(&t.4)?,
        received: d(&t.5)?,
        state: StoredState::parse(&t.6)?,
        due: od(t.7)?,
        concluded: od(t.8)?,
        outcome: t.9.as_deref().map(outcome_of).transpose()?,
        late: t.10,
        provisional: t.12,
        version: t.11,
    })
}

/// Insert one validated application with its events and audit row.
fn insert_app(tx: &Transaction, cal: &Calendar, new: &NewApplication, actor: &str) -> Result<Application> {
    let derived = validate_new_application(cal, new)?;
    let exists: Option<i64> = tx
        .prepare_cached("SELECT id FROM organs WHERE id = ?1")
        .map_err(be)?
        .query_row([new.organ.0], |r| r.get(0))
        .optional()
        .map_err(be)?;
    if exists.is_none() {
        return Err(Entity::Organ.not_found(new.organ.0));
    }
    let applicant = serde_json::to_string(&new.applicant).map_err(|e| StoreError::Backend(e.to_string()))?;
    let res = tx
        .prepare_cached(
            "INSERT INTO applications (organ, serial, applicant_kind, applicant, description, form, channel, state, \
             received, due, concluded, outcome, late, provisional, version) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, 1)",
        )
        .map_err(be)?
        .execute(params![
            new.organ.0,
            new.serial,
            enum_str(&new.applicant.kind),
            applicant,
            new.description,
            enum_str(&new.form),
            enum_str(&derived.channel),
            derived.state.as_str(),
            derived.received.to_string(),
            derived.due.map(|x| x.to_string()),
            derived.concluded.map(|x| x.to_string()),
            derived.outcome.map(|o| o.id()),
            derived.late,
            derived.provisional,
        ]);
    match res {
        Ok(_) => {}
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::ConstraintViolation => {
            return Err(StoreError::DuplicateSerial(new.serial.clone()));
        }
        Err(e) => return Err(be(e)),
    }
    let id = AppId(tx.last_insert_rowid());
    let now = now_rfc3339();
    let mut ins = tx
        .prepare_cached("INSERT INTO events (app, seq, event, actor, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5)")
        .map_err(be)?;
    for (i, ev) in new.events.iter().enumerate() {
        ins.execute(params![id.0, i as i64 + 1, snapshot(ev), actor, now]).map_err(be)?;
    }
    let app = Application {
        id,
        organ: new.organ,
        serial: new.serial.clone(),
        applicant: new.applicant.clone(),
        channel: derived.channel,
        description: new.description.clone(),
        form: new.form,
        events: new.events.clone(),
        version: 1,
    };
    audit(tx, actor, Entity::Application, &id.0.to_string(), None, Some(snapshot(&app)))?;
    Ok(app)
}

fn entry_of(r: &Row) -> rusqlite::Result<EntryRow> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?))
}

type EntryRow = (i64, i64, String, String, String, String, String, Option<String>, i64);

fn entry_from(t: EntryRow) -> Result<CatalogueEntry> {
    Ok(CatalogueEntry {
        id: EntryId(t.0),
        organ: OrganId(t.1),
        kind: enum_parse(&t.2)?,
        title: t.3,
        doc_number: t.4,
        index_no: t.5,
        issued: d(&t.6)?,
        repealed: od(t.7)?,
        version: t.8,
    })
}

const ENTRY_COLS: &str = "id, organ, kind, title, doc_number, index_no, issued, repealed, version";

fn get_entry(conn: &Connection, id: EntryId) -> Result<CatalogueEntry> {
    let t = conn
        .prepare_cached(&format!("SELECT {ENTRY_COLS} FROM catalogue WHERE id = ?1"))
        .map_err(be)?
        .query_row([id.0], entry_of)
        .optional()
        .map_err(be)?
        .ok_or_else(|| Entity::CatalogueEntry.not_found(id.0))?;
    entry_from(t)
}

type CaseRow = (i64, i64, String, String, String, Option<String>, Option<String>, i64);

fn case_of(r: &Row) -> rusqlite::Result<CaseRow> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
}

fn case_from(t: CaseRow) -> Result<Case> {
    let concluded = match (t.5, t.6) {
        (Some(dd), Some(r)) => Some((d(&dd)?, enum_parse::<CaseResult>(&r)?)),
        _ => None,
    };
    Ok(Case {
        id: CaseId(t.0),
        organ: OrganId(t.1),
        kind: enum_parse(&t.2)?,
        number: t.3,
        filed: d(&t.4)?,
        concluded,
        version: t.7,
    })
}

const CASE_COLS: &str = "id, organ, kind, number, filed, concluded, result, version";

fn get_case(conn: &Connection, id: CaseId) -> Result<Case> {
    let t = conn
        .prepare_cached(&format!("SELECT {CASE_COLS} FROM cases WHERE id = ?1"))
        .map_err(be)?
        .query_row([id.0], case_of)
        .optional()
        .map_err(be)?
        .ok_or_else(|| Entity::Case.not_found(id.0))?;
    case_from(t)
}

fn get_counts(conn: &Connection, organ: OrganId, year: i16) -> Result<Option<YearlyCounts>> {
    let row = conn
        .prepare_cached(
            "SELECT licences, penalties, coercions, fee_wan, confirmed_on FROM yearly_counts WHERE organ = ?1 AND year = ?2",
        )
        .map_err(be)?
        .query_row(params![organ.0, year], |r| {
            Ok((
                r.get::<_, Option<i64>>(0)?,
                r.get::<_, Option<i64>>(1)?,
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
            ))
        })
        .optional()
        .map_err(be)?;
    let Some(t) = row else { return Ok(None) };
    let fee_wan =
        t.3.as_deref()
            .map(|s| rust_decimal::Decimal::from_str(s).map_err(|e| StoreError::Backend(format!("金额“{s}”：{e}"))))
            .transpose()?;
    Ok(Some(YearlyCounts {
        organ,
        year,
        licences: u64_col(t.0),
        penalties: u64_col(t.1),
        coercions: u64_col(t.2),
        fee_wan,
        confirmed_on: od(t.4)?,
    }))
}

impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    fn calendar(&self) -> &Calendar {
        &self.cal
    }

    fn catalogue_entry(&mut self, id: EntryId) -> Result<CatalogueEntry> {
        get_entry(&self.conn, id)
    }

    fn case(&mut self, id: CaseId) -> Result<Case> {
        get_case(&self.conn, id)
    }

    fn add_user(&mut self, new: &NewUser, actor: &str) -> Result<User> {
        gongkai_store::validate_new_user(new)?;
        let tx = write(&mut self.conn)?;
        if let Some(o) = new.organ {
            get_organ(&tx, o)?;
        }
        let now = jiff::Timestamp::now().as_second();
        let res = tx
            .prepare_cached(
                "INSERT INTO users (name, display_name, role, organ, password_hash, must_change, created_at, version) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1)",
            )
            .map_err(be)?
            .execute(params![
                new.name.trim(),
                new.display_name.trim(),
                new.role,
                new.organ.map(|o| o.0),
                new.password_hash,
                new.must_change,
                now
            ]);
        match res {
            Ok(_) => {}
            Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::ConstraintViolation => {
                return Err(StoreError::Invalid(format!("用户名“{}”已被使用", new.name.trim())));
            }
            Err(e) => return Err(be(e)),
        }
        let user = get_user(&tx, UserId(tx.last_insert_rowid()))?;
        audit(&tx, actor, Entity::User, &user.id.0.to_string(), None, Some(gongkai_store::user_snapshot(&user)))?;
        tx.commit().map_err(be)?;
        Ok(user)
    }

    fn user(&mut self, id: UserId) -> Result<User> {
        get_user(&self.conn, id)
    }

    fn user_by_name(&mut self, name: &str) -> Result<Option<User>> {
        self.conn
            .prepare_cached(&format!("SELECT {USER_COLS} FROM users WHERE name = ?1"))
            .map_err(be)?
            .query_row([name.trim()], user_of)
            .optional()
            .map_err(be)
    }

    fn users(&mut self) -> Result<Vec<User>> {
        let mut st = self.conn.prepare_cached(&format!("SELECT {USER_COLS} FROM users ORDER BY id")).map_err(be)?;
        let rows = st.query_map([], user_of).map_err(be)?;
        rows.map(|r| r.map_err(be)).collect()
    }

    fn change_user(&mut self, id: UserId, expected_version: i64, change: &UserChange, actor: &str) -> Result<User> {
        let tx = write(&mut self.conn)?;
        let before = get_user(&tx, id)?;
        let after = gongkai_store::changed_user(&before, expected_version, change)?;
        if let Some(o) = after.organ {
            get_organ(&tx, o)?;
        }
        tx.prepare_cached(
            "UPDATE users SET role = ?1, organ = ?2, password_hash = ?3, must_change = ?4, disabled = ?5, \
             failed_logins = ?6, locked_until = ?7, version = ?8 WHERE id = ?9 AND version = ?10",
        )
        .map_err(be)?
        .execute(params![
            after.role,
            after.organ.map(|o| o.0),
            after.password_hash,
            after.must_change,
            after.disabled,
            after.failed_logins,
            after.locked_until,
            after.version,
            id.0,
            expected_version
        ])
        .map_err(be)?;
        audit(
            &tx,
            actor,
            Entity::User,
            &id.0.to_string(),
            Some(gongkai_store::user_snapshot(&before)),
            Some(gongkai_store::user_snapshot(&after)),
        )?;
        tx.commit().map_err(be)?;
        Ok(after)
    }

    fn record_login(&mut self, id: UserId, ok: bool, locked_until: Option<i64>) -> Result<()> {
        let n = if ok {
            self.conn
                .prepare_cached("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?1")
                .map_err(be)?
                .execute(params![id.0])
        } else {
            self.conn
                .prepare_cached(
                    "UPDATE users SET failed_logins = failed_logins + 1, locked_until = COALESCE(?2, locked_until) \
                     WHERE id = ?1",
                )
                .map_err(be)?
                .execute(params![id.0, locked_until])
        }
        .map_err(be)?;
        if n == 0 {
            return Err(Entity::User.not_found(id.0));
        }
        Ok(())
    }

    fn create_session(&mut self, session: &Session) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .map_err(be)?
            .execute(params![session.token_hash, session.user.0, session.csrf, session.created_at, session.expires_at])
            .map_err(be)?;
        Ok(())
    }

    fn session(&mut self, token_hash: &str, now: i64) -> Result<Option<Session>> {
        self.conn
            .prepare_cached(
                "SELECT token_hash, user_id, csrf, created_at, expires_at FROM sessions \
                 WHERE token_hash = ?1 AND expires_at > ?2",
            )
            .map_err(be)?
            .query_row(params![token_hash, now], |r| {
                Ok(Session {
                    token_hash: r.get(0)?,
                    user: UserId(r.get(1)?),
                    csrf: r.get(2)?,
                    created_at: r.get(3)?,
                    expires_at: r.get(4)?,
                })
            })
            .optional()
            .map_err(be)
    }

    fn delete_session(&mut self, token_hash: &str) -> Result<()> {
        self.conn
            .prepare_cached("DELETE FROM sessions WHERE token_hash = ?1")
            .map_err(be)?
            .execute([token_hash])
            .map_err(be)?;
        Ok(())
    }

    fn delete_sessions_of(&mut self, user: UserId) -> Result<()> {
        self.conn
            .prepare_cached("DELETE FROM sessions WHERE user_id = ?1")
            .map_err(be)?
            .execute([user.0])
            .map_err(be)?;
        Ok(())
    }

    fn purge_sessions(&mut self, now: i64) -> Result<usize> {
        self.conn.prepare_cached("DELETE FROM sessions WHERE expires_at <= ?1").map_err(be)?.execute([now]).map_err(be)
    }

    fn audit_disclosure(&mut self, entity: Entity, id: &str, actor: &str, purpose: &str) -> Result<()> {
        let tx = write(&mut self.conn)?;
        audit(&tx, actor, entity, id, None, Some(gongkai_store::disclosure_snapshot(purpose)))?;
        tx.commit().map_err(be)
    }

    fn import_holidays(&mut self, listed: &[Listed], source: &str, actor: &str) -> Result<HolidayImport> {
        let tx = write(&mut self.conn)?;
        let now = now_rfc3339();
        {
            let mut up = tx
                .prepare_cached(
                    "INSERT INTO holidays (date, workday, name, source, imported_at) VALUES (?1, ?2, ?3, ?4, ?5) \
                     ON CONFLICT (date) DO UPDATE SET workday = excluded.workday, name = excluded.name, \
                     source = excluded.source, imported_at = excluded.imported_at",
                )
                .map_err(be)?;
            for l in listed {
                up.execute(params![l.date.to_string(), l.workday, l.name, source, now]).map_err(be)?;
            }
        }
        let cal = gongkai_store::register_calendar(&read_holidays(&tx)?)?;
        let ids: Vec<i64> = tx
            .prepare_cached("SELECT id FROM applications WHERE provisional = 1 ORDER BY id")
            .map_err(be)?
            .query_map([], |r| r.get(0))
            .map_err(be)?
            .collect::<rusqlite::Result<_>>()
            .map_err(be)?;
        let mut still = 0;
        for id in &ids {
            let app = load_app(&tx, AppId(*id))?;
            let derived = gongkai_store::derive(&cal, &app.events)?;
            still += usize::from(derived.provisional);
            write_derived(&tx, AppId(*id), &derived, None)?;
        }
        let report = HolidayImport {
            dates: listed.len(),
            covered: cal.covered_years(),
            recomputed: ids.len(),
            still_provisional: still,
        };
        let years = gongkai_store::years_of(listed);
        audit(
            &tx,
            actor,
            Entity::Calendar,
            &years,
            None,
            Some(gongkai_store::holiday_snapshot(listed, source, &report)),
        )?;
        tx.commit().map_err(be)?;
        self.cal = cal;
        Ok(report)
    }

    fn add_organ(&mut self, new: &NewOrgan, actor: &str) -> Result<Organ> {
        validate_new_organ(new)?;
        let tx = write(&mut self.conn)?;
        if let Some(p) = new.parent {
            get_organ(&tx, p)?;
        }
        tx.execute(
            "INSERT INTO organs (name, kind, parent, code, index_pattern) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![new.name, enum_str(&new.kind), new.parent.map(|p| p.0), new.code, new.index_pattern],
        )
        .map_err(be)?;
        let organ = Organ {
            id: OrganId(tx.last_insert_rowid()),
            name: new.name.clone(),
            kind: new.kind,
            parent: new.parent,
            code: new.code.clone(),
            index_pattern: new.index_pattern.clone(),
        };
        audit(&tx, actor, Entity::Organ, &organ.id.0.to_string(), None, Some(snapshot(&organ)))?;
        tx.commit().map_err(be)?;
        Ok(organ)
    }

    fn organ(&mut self, id: OrganId) -> Result<Organ> {
        get_organ(&self.conn, id)
    }

    fn organs(&mut self) -> Result<Vec<Organ>> {
        let mut st = self.conn.prepare_cached(&format!("SELECT {ORGAN_COLS} FROM organs ORDER BY id")).map_err(be)?;
        let rows = st.query_map([], organ_row).map_err(be)?;
        rows.map(|r| organ_of(r.map_err(be)?)).collect()
    }

    fn register(&mut self, new: &NewApplication, actor: &str) -> Result<Application> {
        let tx = write(&mut self.conn)?;
        let app = insert_app(&tx, &self.cal, new, actor)?;
        tx.commit().map_err(be)?;
        Ok(app)
    }

    fn import_applications(&mut self, batch: &[NewApplication], actor: &str) -> Result<Vec<AppId>> {
        let tx = write(&mut self.conn)?;
        let mut ids = Vec::with_capacity(batch.len());
        for new in batch {
            ids.push(insert_app(&tx, &self.cal, new, actor)?.id);
        }
        tx.commit().map_err(be)?;
        Ok(ids)
    }

    fn application(&mut self, id: AppId, personal: Personal) -> Result<Application> {
        let mut app = load_app(&self.conn, id)?;
        app.applicant = personal.apply(app.applicant);
        Ok(app)
    }

    fn applications(&mut self, organs: &[OrganId], personal: Personal) -> Result<Vec<ApplicationSummary>> {
        if organs.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {SUMMARY_COLS} FROM applications WHERE organ IN ({}) ORDER BY received, id",
            marks(organs.len())
        );
        let mut st = self.conn.prepare(&sql).map_err(be)?;
        let rows = st.query_map(params_from_iter(organs.iter().map(|o| o.0)), summary_row).map_err(be)?;
        rows.map(|r| summary_of(r.map_err(be)?, personal)).collect()
    }

    fn applications_page(&mut self, f: &AppFilter, personal: Personal) -> Result<(Vec<ApplicationSummary>, u64)> {
        use rusqlite::types::Value;
        if f.organs.is_empty() {
            return Ok((Vec::new(), 0));
        }
        let mut cond = vec![format!("organ IN ({})", marks(f.organs.len()))];
        let mut args: Vec<Value> = f.organs.iter().map(|o| Value::Integer(o.0)).collect();
        match f.state {
            None => {}
            Some(StateFilter::Is(st)) => {
                cond.push("state = ?".into());
                args.push(Value::Text(st.as_str().into()));
            }
            Some(StateFilter::OverdueOn(day)) => {
                cond.push("state IN ('open', 'paused') AND due IS NOT NULL AND due < ?".into());
                args.push(Value::Text(day.to_string()));
            }
        }
        if let Some(d0) = f.received_from {
            cond.push("received >= ?".into());
            args.push(Value::Text(d0.to_string()));
        }
        if let Some(d1) = f.received_to {
            cond.push("received <= ?".into());
            args.push(Value::Text(d1.to_string()));
        }
        if let Some(k) = f.kind {
            cond.push("applicant_kind = ?".into());
            args.push(Value::Text(enum_str(&k)));
        }
        if let Some(o) = f.outcome {
            cond.push("outcome = ?".into());
            args.push(Value::Text(o.id().into()));
        }
        if let Some(part) = f.serial.as_deref().filter(|p| !p.is_empty()) {
            cond.push("serial LIKE ? ESCAPE '\\'".into());
            args.push(Value::Text(gongkai_store::like_pattern(part)));
        }
        let wh = cond.join(" AND ");
        let total: i64 = self
            .conn
            .prepare(&format!("SELECT COUNT(*) FROM applications WHERE {wh}"))
            .map_err(be)?
            .query_row(params_from_iter(args.iter()), |r| r.get(0))
            .map_err(be)?;
        let limit = i64::try_from(f.limit).unwrap_or(i64::MAX);
        let offset = i64::try_from(f.offset).unwrap_or(i64::MAX);
        args.push(Value::Integer(limit));
        args.push(Value::Integer(offset));
        let sql = format!("SELECT {SUMMARY_COLS} FROM applications WHERE {wh} ORDER BY received, id LIMIT ? OFFSET ?");
        let mut st = self.conn.prepare(&sql).map_err(be)?;
        let rows = st.query_map(params_from_iter(args.iter()), summary_row).map_err(be)?;
        let page = rows.map(|r| summary_of(r.map_err(be)?, personal)).collect::<Result<Vec<_>>>()?;
        Ok((page, total as u64))
    }

    fn state_counts(&mut self, organs: &[OrganId], today: Date) -> Result<Vec<StateCount>> {
        use rusqlite::types::Value;
        if organs.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT organ, state, COUNT(*), \
             SUM(CASE WHEN state IN ('open', 'paused') AND due IS NOT NULL AND due < ? THEN 1 ELSE 0 END) \
             FROM applications WHERE organ IN ({}) GROUP BY organ, state ORDER BY organ, state",
            marks(organs.len())
        );
        let args: Vec<Value> =
            std::iter::once(Value::Text(today.to_string())).chain(organs.iter().map(|o| Value::Integer(o.0))).collect();
        let mut st = self.conn.prepare(&sql).map_err(be)?;
        let rows = st
            .query_map(params_from_iter(args.iter()), |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, i64>(3)?))
            })
            .map_err(be)?;
        rows.map(|r| {
            let (organ, state, count, overdue) = r.map_err(be)?;
            Ok(StateCount {
                organ: OrganId(organ),
                state: StoredState::parse(&state)?,
                count: count as u64,
                overdue: overdue as u64,
            })
        })
        .collect()
    }

    fn append_event(&mut self, id: AppId, expected_version: i64, event: &Event, actor: &str) -> Result<Application> {
        let tx = write(&mut self.conn)?;
        let before = load_app(&tx, id)?;
        gongkai_store::check_version(expected_version, before.version)?;
        let mut after = before.clone();
        after.events.push(event.clone());
        let derived = gongkai_store::derive(&self.cal, &after.events)?;
        after.version += 1;
        let n = write_derived(&tx, id, &derived, Some(expected_version))?;
        if n != 1 {
            return Err(StoreError::Stale { expected: expected_version, current: before.version });
        }
        tx.prepare_cached("INSERT INTO events (app, seq, event, actor, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5)")
            .map_err(be)?
            .execute(params![id.0, after.events.len() as i64, snapshot(event), actor, now_rfc3339()])
            .map_err(be)?;
        audit(&tx, actor, Entity::Application, &id.0.to_string(), Some(snapshot(&before)), Some(snapshot(&after)))?;
        tx.commit().map_err(be)?;
        Ok(after)
    }

    fn due_list(&mut self, organs: &[OrganId], until: Date) -> Result<Vec<DueItem>> {
        if organs.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT id, organ, serial, received, due, version, provisional FROM applications \
             WHERE state IN ('open', 'paused') AND due IS NOT NULL AND organ IN ({}) AND due <= ? ORDER BY due, id",
            marks(organs.len())
        );
        let mut st = self.conn.prepare(&sql).map_err(be)?;
        let until = until.to_string();
        let params =
            organs.iter().map(|o| rusqlite::types::Value::Integer(o.0)).chain([rusqlite::types::Value::Text(until)]);
        let rows = st
            .query_map(params_from_iter(params), |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, bool>(6)?,
                ))
            })
            .map_err(be)?;
        rows.map(|r| {
            let t = r.map_err(be)?;
            Ok(DueItem {
                id: AppId(t.0),
                organ: OrganId(t.1),
                serial: t.2,
                received: d(&t.3)?,
                due: d(&t.4)?,
                provisional: t.6,
                version: t.5,
            })
        })
        .collect()
    }

    fn applications_for_year(&mut self, organs: &[OrganId], year: i16) -> Result<Vec<YearItem>> {
        if organs.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT id, organ, applicant_kind, received, concluded, outcome FROM applications \
             WHERE organ IN ({}) AND received <= ? AND (concluded IS NULL OR concluded >= ?)",
            marks(organs.len())
        );
        let mut st = self.conn.prepare(&sql).map_err(be)?;
        let end = format!("{year:04}-12-31");
        let start = format!("{year:04}-01-01");
        let params = organs
            .iter()
            .map(|o| rusqlite::types::Value::Integer(o.0))
            .chain([rusqlite::types::Value::Text(end), rusqlite::types::Value::Text(start)]);
        let rows = st
            .query_map(params_from_iter(params), |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                ))
            })
            .map_err(be)?;
        rows.map(|r| {
            let t = r.map_err(be)?;
            Ok(YearItem {
                id: AppId(t.0),
                organ: OrganId(t.1),
                applicant_kind: applicant_kind_of(&t.2)?,
                received: d(&t.3)?,
                concluded: od(t.4)?,
                outcome: t.5.as_deref().map(outcome_of).transpose()?,
            })
        })
        .collect()
    }

    fn fee_events_for_year(&mut self, organs: &[OrganId], year: i16) -> Result<Vec<(AppId, Vec<Event>)>> {
        if organs.is_empty() {
            return Ok(Vec::new());
        }
        // The same selection as `applications_for_year`; events are JSON with the tag first
        // (`{"event":"fee_paid",…}`), so a prefix match (the partial index `events_fee`) picks
        // the fee events without reading the others. CROSS JOIN keeps that index as the outer
        // loop (fee events are few; applications are then found by primary key), instead of one
        // index seek per application of the year (measured: 2.4 s → see the bench note).
        let sql = format!(
            "SELECT e.app, e.event FROM events e CROSS JOIN applications a ON a.id = e.app \
             WHERE e.event LIKE '{{\"event\":\"fee_%' \
             AND a.organ IN ({}) AND a.received <= ? AND (a.concluded IS NULL OR a.concluded >= ?) \
             ORDER BY e.app, e.seq",
            marks(organs.len())
        );
        let mut st = self.conn.prepare(&sql).map_err(be)?;
        let params = organs.iter().map(|o| rusqlite::types::Value::Integer(o.0)).chain([
            rusqlite::types::Value::Text(format!("{year:04}-12-31")),
            rusqlite::types::Value::Text(format!("{year:04}-01-01")),
        ]);
        let rows = st
            .query_map(params_from_iter(params), |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
            .map_err(be)?;
        let events = rows
            .map(|row| {
                let (app, text) = row.map_err(be)?;
                serde_json::from_str::<Event>(&text)
                    .map(|e| (app, e))
                    .map_err(|e| StoreError::Backend(format!("事件无法读取：{e}")))
            })
            .collect::<Result<Vec<_>>>()?;
        // The prefix also matches fee_not_paid, which closes an application and is not a fee.
        Ok(gongkai_store::group_by_app(events.into_iter().filter(|(_, e)| gongkai_store::is_fee_event(e))))
    }

    fn add_catalogue_entry(&mut self, new: &NewCatalogueEntry, actor: &str) -> Result<CatalogueEntry> {
        if new.title.trim().is_empty() {
            return Err(StoreError::Invalid("文件标题不能为空".into()));
        }
        let tx = write(&mut self.conn)?;
        let organ = get_organ(&tx, new.organ)?;
        let pattern = pattern_of(&organ)?;
        let scope = pattern.scope_key(&organ.code, new.issued);
        // BEGIN IMMEDIATE holds the write lock, so max+1 cannot race; the unique indexes guard anyway.
        let seq: i64 = tx
            .query_row(
                "SELECT COALESCE(MAX(seq), 0) + 1 FROM catalogue WHERE organ = ?1 AND scope = ?2",
                params![organ.id.0, scope],
                |r| r.get(0),
            )
            .map_err(be)?;
        let seq32 = u32::try_from(seq).map_err(|_| StoreError::Invalid("流水号已用尽".into()))?;
        let index_no = pattern.render(&organ.code, new.issued, seq32);
        let res = tx.execute(
            "INSERT INTO catalogue (organ, kind, title, doc_number, index_no, scope, seq, issued, repealed, version) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, 1)",
            params![
                organ.id.0,
                enum_str(&new.kind),
                new.title,
                new.doc_number,
                index_no,
                scope,
                seq,
                new.issued.to_string()
            ],
        );
        match res {
            Ok(_) => {}
            Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::ConstraintViolation => {
                return Err(StoreError::DuplicateIndexNo(index_no));
            }
            Err(e) => return Err(be(e)),
        }
        let entry = CatalogueEntry {
            id: EntryId(tx.last_insert_rowid()),
            organ: organ.id,
            kind: new.kind,
            title: new.title.clone(),
            doc_number: new.doc_number.clone(),
            index_no,
            issued: new.issued,
            repealed: None,
            version: 1,
        };
        audit(&tx, actor, Entity::CatalogueEntry, &entry.id.0.to_string(), None, Some(snapshot(&entry)))?;
        tx.commit().map_err(be)?;
        Ok(entry)
    }

    fn repeal_catalogue_entry(
        &mut self,
        id: EntryId,
        expected_version: i64,
        repealed: Date,
        actor: &str,
    ) -> Result<CatalogueEntry> {
        let tx = write(&mut self.conn)?;
        let before = get_entry(&tx, id)?;
        let after = gongkai_store::repealed_entry(&before, expected_version, repealed)?;
        tx.execute(
            "UPDATE catalogue SET repealed = ?1, version = version + 1 WHERE id = ?2 AND version = ?3",
            params![repealed.to_string(), id.0, expected_version],
        )
        .map_err(be)?;
        audit(&tx, actor, Entity::CatalogueEntry, &id.0.to_string(), Some(snapshot(&before)), Some(snapshot(&after)))?;
        tx.commit().map_err(be)?;
        Ok(after)
    }

    fn catalogue(&mut self, organ: OrganId) -> Result<Vec<CatalogueEntry>> {
        let mut st = self
            .conn
            .prepare_cached(&format!("SELECT {ENTRY_COLS} FROM catalogue WHERE organ = ?1 ORDER BY issued, seq, id"))
            .map_err(be)?;
        let rows = st.query_map([organ.0], entry_of).map_err(be)?;
        rows.map(|r| entry_from(r.map_err(be)?)).collect()
    }

    fn set_counts(&mut self, c: &YearlyCounts, actor: &str) -> Result<()> {
        let tx = write(&mut self.conn)?;
        get_organ(&tx, c.organ)?;
        let before = get_counts(&tx, c.organ, c.year)?;
        tx.execute(
            "INSERT INTO yearly_counts (organ, year, licences, penalties, coercions, fee_wan, confirmed_on) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (organ, year) DO UPDATE SET licences = excluded.licences, \
             penalties = excluded.penalties, coercions = excluded.coercions, fee_wan = excluded.fee_wan, \
             confirmed_on = excluded.confirmed_on",
            params![
                c.organ.0,
                c.year,
                i64_of(c.licences)?,
                i64_of(c.penalties)?,
                i64_of(c.coercions)?,
                c.fee_wan.map(|f| f.to_string()),
                c.confirmed_on.map(|x| x.to_string())
            ],
        )
        .map_err(be)?;
        audit(
            &tx,
            actor,
            Entity::YearlyCounts,
            &counts_key(c.organ, c.year),
            before.as_ref().map(snapshot),
            Some(snapshot(c)),
        )?;
        tx.commit().map_err(be)
    }

    fn counts(&mut self, organ: OrganId, year: i16) -> Result<Option<YearlyCounts>> {
        get_counts(&self.conn, organ, year)
    }

    fn add_case(&mut self, new: &NewCase, actor: &str) -> Result<Case> {
        let tx = write(&mut self.conn)?;
        get_organ(&tx, new.organ)?;
        tx.execute(
            "INSERT INTO cases (organ, kind, number, filed, concluded, result, version) VALUES (?1, ?2, ?3, ?4, NULL, NULL, 1)",
            params![new.organ.0, enum_str(&new.kind), new.number, new.filed.to_string()],
        )
        .map_err(be)?;
        let case = Case {
            id: CaseId(tx.last_insert_rowid()),
            organ: new.organ,
            kind: new.kind,
            number: new.number.clone(),
            filed: new.filed,
            concluded: None,
            version: 1,
        };
        audit(&tx, actor, Entity::Case, &case.id.0.to_string(), None, Some(snapshot(&case)))?;
        tx.commit().map_err(be)?;
        Ok(case)
    }

    fn conclude_case(
        &mut self,
        id: CaseId,
        expected_version: i64,
        on: Date,
        result: CaseResult,
        actor: &str,
    ) -> Result<Case> {
        let tx = write(&mut self.conn)?;
        let before = get_case(&tx, id)?;
        let after = gongkai_store::concluded_case(&before, expected_version, on, result)?;
        tx.execute(
            "UPDATE cases SET concluded = ?1, result = ?2, version = version + 1 WHERE id = ?3 AND version = ?4",
            params![on.to_string(), enum_str(&result), id.0, expected_version],
        )
        .map_err(be)?;
        audit(&tx, actor, Entity::Case, &id.0.to_string(), Some(snapshot(&before)), Some(snapshot(&after)))?;
        tx.commit().map_err(be)?;
        Ok(after)
    }

    fn cases(&mut self, organs: &[OrganId]) -> Result<Vec<Case>> {
        if organs.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!("SELECT {CASE_COLS} FROM cases WHERE organ IN ({}) ORDER BY filed, id", marks(organs.len()));
        let mut st = self.conn.prepare(&sql).map_err(be)?;
        let rows = st.query_map(params_from_iter(organs.iter().map(|o| o.0)), case_of).map_err(be)?;
        rows.map(|r| case_from(r.map_err(be)?)).collect()
    }

    fn analyze(&mut self) -> Result<()> {
        self.conn.execute_batch("ANALYZE").map_err(be)
    }

    /// Every write commits an audit row in its transaction and writers are serialised, so the
    /// largest audit sequence number grows with every commit (and only then).
    fn change_mark(&mut self) -> Result<Option<String>> {
        let seq: Option<i64> = self
            .conn
            .prepare_cached("SELECT MAX(seq) FROM audit")
            .map_err(be)?
            .query_row([], |r| r.get(0))
            .map_err(be)?;
        Ok(Some(format!("audit:{}", seq.unwrap_or(0))))
    }

    fn audit_log(&mut self, entity: Entity, id: &str, personal: Personal) -> Result<Vec<AuditEntry>> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT seq, at, actor, before, after FROM audit WHERE entity = ?1 AND entity_id = ?2 ORDER BY seq",
            )
            .map_err(be)?;
        let rows = st
            .query_map(params![entity.as_str(), id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                ))
            })
            .map_err(be)?;
        let parse = |s: Option<String>| -> Result<Option<serde_json::Value>> {
            s.map(|s| {
                serde_json::from_str(&s)
                    .map(|v| mask_snapshot(personal, v))
                    .map_err(|e| StoreError::Backend(format!("审计记录无法读取：{e}")))
            })
            .transpose()
        };
        rows.map(|r| {
            let t = r.map_err(be)?;
            Ok(AuditEntry {
                seq: t.0,
                at: t.1,
                actor: t.2,
                entity,
                entity_id: id.to_string(),
                before: parse(t.3)?,
                after: parse(t.4)?,
            })
        })
        .collect()
    }
}

fn outcome_of(s: &str) -> Result<Outcome> {
    Outcome::from_id(s).ok_or_else(|| StoreError::Backend(format!("未知的表三行“{s}”")))
}
