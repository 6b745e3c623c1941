//! SQLite backend of [`gongkai_store::Store`]: one database file in WAL mode with
//! `synchronous=FULL` (a write is acknowledged only once it is durable), foreign keys on and a
//! busy timeout so that several connections (of one store's pool, or of other processes) can
//! share the file; every connection gets these settings ([`SqliteConn`]). Writers take the
//! write lock at `BEGIN IMMEDIATE`, so read-check-write sequences (version checks, 索引号
//! serials) are serialised. Parameterised SQL only.
//!
//! This crate is SQL and row mapping only: [`SqliteConn`] implements
//! [`gongkai_store::Backend`] (the reads and `BEGIN IMMEDIATE`) and [`SqliteTx`]
//! [`gongkai_store::WriteTx`] (one statement per primitive); the store ([`SqliteStore`], a
//! [`gongkai_store::Pooled`] of connections) and its write workflows come from `gongkai_store`.
//!
//! Migrations are the numbered files in `migrations/`, embedded at build time and applied by a
//! tiny runner recording `schema_version`. A runner of our own rather than
//! `rusqlite_migration`: it is twenty lines, it is the same shape as the PostgreSQL backend's,
//! and it does not tie the rusqlite version to a second crate's release cycle.

use gongkai_clock::Event;
use gongkai_register::{
    AppId, Application, Case, CaseId, CaseResult, CatalogueEntry, EntryId, Organ, OrganId, YearlyCounts,
};
use gongkai_store::{
    AppFilter, ApplicationSummary, AuditEntry, AuditRow, Backend, CatalogueRow, Derived, DueItem, Entity, FilterValue,
    Listed, Lock, NewApplication, NewCase, NewOrgan, NewUser, Personal, Result, Session, StateCount, StoreError,
    StoredState, User, UserId, WriteTx, YearItem, applicant_kind_of, applicant_of, audit_json, count_column, count_of,
    enum_parse, enum_str, event_of, now_rfc3339, outcome_of, snapshot,
};
use gongkai_store::{Connect, Pooled};
use jiff::civil::Date;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, TransactionBehavior, params, params_from_iter};
use std::path::{Path, PathBuf};
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

/// A SQLite register: a pool of [`SqliteConn`]s to one file (or one in-memory database),
/// opened with [`open`], [`open_pool`] or [`open_in_memory`].
pub type SqliteStore = Pooled<Sqlite>;

/// Where the connections of a [`SqliteStore`] go: a database file, or (tests) the one
/// in-memory database that the pool's single connection holds.
#[derive(Debug, Clone)]
pub struct Sqlite {
    path: Option<PathBuf>,
}

impl Connect for Sqlite {
    type Conn = SqliteConn;

    fn connect(&self) -> Result<SqliteConn> {
        match &self.path {
            Some(path) => SqliteConn::connect(path),
            // An in-memory database lives in its one connection, which the pool never closes
            // (size 1, SQLite connections are never broken); a second one would be empty.
            None => Err(StoreError::corrupt("内存数据库只有一个连接")),
        }
    }
}

/// Open (creating if needed) the database file, bring its schema up to date and return a
/// store with a pool of [`gongkai_store::pool::default_size`] connections.
pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore> {
    open_pool(path, gongkai_store::pool::default_size())
}

/// [`open`] with a pool of at most `size` connections (each gets the same pragmas).
pub fn open_pool(path: impl AsRef<Path>, size: usize) -> Result<SqliteStore> {
    let path = path.as_ref().to_path_buf();
    let mut first = SqliteConn::connect(&path)?;
    first.migrate()?;
    Pooled::new(Sqlite { path: Some(path) }, first, size)
}

/// A private in-memory database (tests): a store of one connection.
pub fn open_in_memory() -> Result<SqliteStore> {
    let mut first = SqliteConn::setup(Connection::open_in_memory().map_err(be)?)?;
    first.migrate()?;
    Pooled::new(Sqlite { path: None }, first, 1)
}

/// One connection to a SQLite register (WAL, `synchronous=FULL`, foreign keys, busy timeout).
#[derive(Debug)]
pub struct SqliteConn {
    conn: Connection,
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
    StoreError::backend(e)
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
    Date::from_str(s).map_err(|e| StoreError::backend_because(format!("日期“{s}”无法识别：{e}"), e))
}

fn od(s: Option<String>) -> Result<Option<Date>> {
    s.as_deref().map(d).transpose()
}

/// `?,?,?` for `n` parameters.
fn marks(n: usize) -> String {
    vec!["?"; n].join(",")
}

impl SqliteConn {
    /// Open one connection to the database file with the register's settings.
    fn connect(path: &Path) -> Result<SqliteConn> {
        SqliteConn::setup(Connection::open(path).map_err(be)?)
    }

    /// The settings every connection gets.
    fn setup(conn: Connection) -> Result<SqliteConn> {
        conn.busy_timeout(BUSY_TIMEOUT).map_err(be)?;
        // journal_mode answers with a row; the others do not.
        let _mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0)).map_err(be)?;
        conn.execute_batch("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;").map_err(be)?;
        Ok(SqliteConn { conn })
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
            return Err(StoreError::corrupt(format!(
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

/// The one row of `table` with this id, mapped by `row`, or `entity`'s not-found error.
fn by_id<T>(
    conn: &Connection,
    cols: &str,
    table: &str,
    id: i64,
    entity: Entity,
    row: impl FnOnce(&Row) -> rusqlite::Result<T>,
) -> Result<T> {
    conn.prepare_cached(&format!("SELECT {cols} FROM {table} WHERE id = ?1"))
        .map_err(be)?
        .query_row([id], row)
        .optional()
        .map_err(be)?
        .ok_or_else(|| entity.not_found(id))
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
    organ_of(by_id(conn, ORGAN_COLS, "organs", id.0, Entity::Organ, organ_row)?)
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
        .map(|e| event_of(&e.map_err(be)?))
        .collect::<Result<Vec<_>>>()?;
    gongkai_store::assemble(id, OrganId(row.0), row.1, applicant_of(&row.2)?, row.3, enum_parse(&row.4)?, events, row.5)
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
    by_id(conn, USER_COLS, "users", id.0, Entity::User, user_of)
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
    Ok(ApplicationSummary {
        id: AppId(t.0),
        organ: OrganId(t.1),
        serial: t.2,
        applicant: personal.apply(applicant_of(&t.3)?),
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
    entry_from(by_id(conn, ENTRY_COLS, "catalogue", id.0, Entity::CatalogueEntry, entry_of)?)
}

type CaseRow = (i64, i64, String, String, String, Option<String>, Option<String>, i64);

fn case_of(r: &Row) -> rusqlite::Result<CaseRow> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
}

fn case_from(t: CaseRow) -> Result<Case> {
    Ok(Case {
        id: CaseId(t.0),
        organ: OrganId(t.1),
        kind: enum_parse(&t.2)?,
        number: t.3,
        filed: d(&t.4)?,
        concluded: gongkai_store::case_conclusion(od(t.5)?, t.6.as_deref())?,
        version: t.7,
    })
}

const CASE_COLS: &str = "id, organ, kind, number, filed, concluded, result, version";

fn get_case(conn: &Connection, id: CaseId) -> Result<Case> {
    case_from(by_id(conn, CASE_COLS, "cases", id.0, Entity::Case, case_of)?)
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
    Ok(Some(YearlyCounts {
        organ,
        year,
        licences: count_of(t.0),
        penalties: count_of(t.1),
        coercions: count_of(t.2),
        fee_wan: gongkai_store::fee_of(t.3.as_deref())?,
        confirmed_on: od(t.4)?,
    }))
}

fn is_constraint(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation)
}

/// A write transaction (`BEGIN IMMEDIATE`: the database's write lock until it ends, so every
/// [`Lock`] is already held).
#[derive(Debug)]
pub struct SqliteTx<'a>(Transaction<'a>);

impl WriteTx for SqliteTx<'_> {
    fn organ(&mut self, id: OrganId, _lock: Lock) -> Result<Organ> {
        get_organ(&self.0, id)
    }

    fn missing_organ(&mut self, ids: &[OrganId]) -> Result<Option<OrganId>> {
        let mut st = self.0.prepare_cached("SELECT 1 FROM organs WHERE id = ?1").map_err(be)?;
        for &id in ids {
            if !st.exists([id.0]).map_err(be)? {
                return Ok(Some(id));
            }
        }
        Ok(None)
    }

    fn insert_organ(&mut self, new: &NewOrgan) -> Result<OrganId> {
        self.0
            .execute(
                "INSERT INTO organs (name, kind, parent, code, index_pattern) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![new.name, enum_str(&new.kind), new.parent.map(|p| p.0), new.code, new.index_pattern],
            )
            .map_err(be)?;
        Ok(OrganId(self.0.last_insert_rowid()))
    }

    fn update_organ(&mut self, organ: &Organ) -> Result<()> {
        self.0
            .execute(
                "UPDATE organs SET name = ?1, parent = ?2 WHERE id = ?3",
                params![organ.name, organ.parent.map(|p| p.0), organ.id.0],
            )
            .map_err(be)?;
        Ok(())
    }

    fn application(&mut self, id: AppId, _lock: Lock) -> Result<Application> {
        load_app(&self.0, id)
    }

    fn insert_applications(&mut self, rows: &[(&NewApplication, Derived)]) -> Result<Vec<AppId>> {
        let mut st = self
            .0
            .prepare_cached(
                "INSERT INTO applications (organ, serial, applicant_kind, applicant, description, form, channel, \
                 state, received, due, concluded, outcome, late, provisional, version) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, 1)",
            )
            .map_err(be)?;
        let mut ids = Vec::with_capacity(rows.len());
        for (new, derived) in rows {
            let res = st.execute(params![
                new.organ.0,
                new.serial,
                enum_str(&new.applicant.kind),
                gongkai_store::applicant_json(&new.applicant)?,
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
                Ok(_) => ids.push(AppId(self.0.last_insert_rowid())),
                Err(e) if is_constraint(&e) => return Err(StoreError::DuplicateSerial(new.serial.clone())),
                Err(e) => return Err(be(e)),
            }
        }
        Ok(ids)
    }

    fn insert_events(&mut self, rows: &[(AppId, usize, &Event)], actor: &str) -> Result<()> {
        let now = now_rfc3339();
        let mut st = self
            .0
            .prepare_cached("INSERT INTO events (app, seq, event, actor, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5)")
            .map_err(be)?;
        for (app, seq, ev) in rows {
            st.execute(params![app.0, *seq as i64, snapshot(ev), actor, now]).map_err(be)?;
        }
        Ok(())
    }

    fn update_derived(&mut self, id: AppId, derived: &Derived, expected_version: Option<i64>) -> Result<u64> {
        let n = self
            .0
            .prepare_cached(
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
            .map_err(be)?;
        Ok(n as u64)
    }

    fn provisional_applications(&mut self, _lock: Lock) -> Result<Vec<AppId>> {
        self.0
            .prepare_cached("SELECT id FROM applications WHERE provisional = 1 ORDER BY id")
            .map_err(be)?
            .query_map([], |r| r.get(0).map(AppId))
            .map_err(be)?
            .collect::<rusqlite::Result<_>>()
            .map_err(be)
    }

    fn next_catalogue_seq(&mut self, organ: OrganId, scope: &str) -> Result<i64> {
        self.0
            .query_row(
                "SELECT COALESCE(MAX(seq), 0) + 1 FROM catalogue WHERE organ = ?1 AND scope = ?2",
                params![organ.0, scope],
                |r| r.get(0),
            )
            .map_err(be)
    }

    fn insert_catalogue_entry(&mut self, row: &CatalogueRow) -> Result<EntryId> {
        let new = row.new;
        let res = self.0.execute(
            "INSERT INTO catalogue (organ, kind, title, doc_number, index_no, scope, seq, issued, repealed, version) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, 1)",
            params![
                new.organ.0,
                enum_str(&new.kind),
                new.title,
                new.doc_number,
                row.index_no,
                row.scope,
                row.seq,
                new.issued.to_string()
            ],
        );
        match res {
            Ok(_) => Ok(EntryId(self.0.last_insert_rowid())),
            Err(e) if is_constraint(&e) => Err(StoreError::DuplicateIndexNo(row.index_no.to_string())),
            Err(e) => Err(be(e)),
        }
    }

    fn catalogue_entry(&mut self, id: EntryId, _lock: Lock) -> Result<CatalogueEntry> {
        get_entry(&self.0, id)
    }

    fn set_repealed(&mut self, id: EntryId, repealed: Date, expected_version: i64) -> Result<()> {
        self.0
            .execute(
                "UPDATE catalogue SET repealed = ?1, version = version + 1 WHERE id = ?2 AND version = ?3",
                params![repealed.to_string(), id.0, expected_version],
            )
            .map_err(be)?;
        Ok(())
    }

    fn counts(&mut self, organ: OrganId, year: i16) -> Result<Option<YearlyCounts>> {
        get_counts(&self.0, organ, year)
    }

    fn upsert_counts(&mut self, c: &YearlyCounts) -> Result<()> {
        self.0
            .execute(
                "INSERT INTO yearly_counts (organ, year, licences, penalties, coercions, fee_wan, confirmed_on) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (organ, year) DO UPDATE SET \
                 licences = excluded.licences, penalties = excluded.penalties, coercions = excluded.coercions, \
                 fee_wan = excluded.fee_wan, confirmed_on = excluded.confirmed_on",
                params![
                    c.organ.0,
                    c.year,
                    count_column(c.licences)?,
                    count_column(c.penalties)?,
                    count_column(c.coercions)?,
                    c.fee_wan.map(|f| f.to_string()),
                    c.confirmed_on.map(|x| x.to_string())
                ],
            )
            .map_err(be)?;
        Ok(())
    }

    fn insert_case(&mut self, new: &NewCase) -> Result<CaseId> {
        self.0
            .execute(
                "INSERT INTO cases (organ, kind, number, filed, concluded, result, version) \
                 VALUES (?1, ?2, ?3, ?4, NULL, NULL, 1)",
                params![new.organ.0, enum_str(&new.kind), new.number, new.filed.to_string()],
            )
            .map_err(be)?;
        Ok(CaseId(self.0.last_insert_rowid()))
    }

    fn case(&mut self, id: CaseId, _lock: Lock) -> Result<Case> {
        get_case(&self.0, id)
    }

    fn set_concluded(&mut self, id: CaseId, on: Date, result: CaseResult, expected_version: i64) -> Result<()> {
        self.0
            .execute(
                "UPDATE cases SET concluded = ?1, result = ?2, version = version + 1 WHERE id = ?3 AND version = ?4",
                params![on.to_string(), enum_str(&result), id.0, expected_version],
            )
            .map_err(be)?;
        Ok(())
    }

    fn insert_user(&mut self, new: &NewUser, created_at: i64) -> Result<UserId> {
        let res = self
            .0
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
                created_at
            ]);
        match res {
            Ok(_) => Ok(UserId(self.0.last_insert_rowid())),
            Err(e) if is_constraint(&e) => Err(StoreError::Invalid(format!("用户名“{}”已被使用", new.name.trim()))),
            Err(e) => Err(be(e)),
        }
    }

    fn user(&mut self, id: UserId, _lock: Lock) -> Result<User> {
        get_user(&self.0, id)
    }

    fn update_user(&mut self, after: &User, expected_version: i64) -> Result<()> {
        self.0
            .prepare_cached(
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
                after.id.0,
                expected_version
            ])
            .map_err(be)?;
        Ok(())
    }

    fn upsert_holidays(&mut self, listed: &[Listed], source: &str) -> Result<()> {
        let now = now_rfc3339();
        let mut up = self
            .0
            .prepare_cached(
                "INSERT INTO holidays (date, workday, name, source, imported_at) VALUES (?1, ?2, ?3, ?4, ?5) \
                 ON CONFLICT (date) DO UPDATE SET workday = excluded.workday, name = excluded.name, \
                 source = excluded.source, imported_at = excluded.imported_at",
            )
            .map_err(be)?;
        for l in listed {
            up.execute(params![l.date.to_string(), l.workday, l.name, source, now]).map_err(be)?;
        }
        Ok(())
    }

    fn holidays(&mut self) -> Result<Vec<Listed>> {
        read_holidays(&self.0)
    }

    fn calendar_stamp(&mut self) -> Result<String> {
        // BEGIN IMMEDIATE holds the write lock: no import can run meanwhile.
        let (n, at): (i64, Option<String>) = self
            .0
            .prepare_cached("SELECT COUNT(*), MAX(imported_at) FROM holidays")
            .map_err(be)?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(be)?;
        Ok(format!("{n}@{}", at.unwrap_or_default()))
    }

    fn audit(&mut self, actor: &str, rows: &[AuditRow]) -> Result<()> {
        let now = now_rfc3339();
        let mut st = self
            .0
            .prepare_cached(
                "INSERT INTO audit (at, actor, entity, entity_id, before, after) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .map_err(be)?;
        for r in rows {
            st.execute(params![now, actor, r.entity.as_str(), r.id, r.before, r.after]).map_err(be)?;
        }
        Ok(())
    }

    fn commit(self) -> Result<()> {
        self.0.commit().map_err(be)
    }
}

impl Backend for SqliteConn {
    type Tx<'a> = SqliteTx<'a>;

    fn name(&self) -> &'static str {
        "sqlite"
    }

    fn begin(&mut self) -> Result<SqliteTx<'_>> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(be)?;
        Ok(SqliteTx(tx))
    }

    fn organ(&mut self, id: OrganId) -> Result<Organ> {
        get_organ(&self.conn, id)
    }

    fn organs(&mut self) -> Result<Vec<Organ>> {
        let mut st = self.conn.prepare_cached(&format!("SELECT {ORGAN_COLS} FROM organs ORDER BY id")).map_err(be)?;
        let rows = st.query_map([], organ_row).map_err(be)?;
        rows.map(|r| organ_of(r.map_err(be)?)).collect()
    }

    fn application(&mut self, id: AppId) -> Result<Application> {
        // One read transaction: the row and its events from one snapshot (two autocommit
        // statements could straddle a writer's commit).
        let tx = self.conn.transaction().map_err(be)?;
        let app = load_app(&tx, id)?;
        tx.commit().map_err(be)?;
        Ok(app)
    }

    fn applications(&mut self, organs: &[OrganId], personal: Personal) -> Result<Vec<ApplicationSummary>> {
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
        let value = |v: FilterValue| match v {
            FilterValue::Text(t) => Value::Text(t),
            FilterValue::Date(d) => Value::Text(d.to_string()),
            FilterValue::Int(i) => Value::Integer(i),
        };
        let mut cond = vec![format!("organ IN ({})", marks(f.organs.len()))];
        let mut args: Vec<Value> = f.organs.iter().map(|o| Value::Integer(o.0)).collect();
        for (sql, v) in f.conditions() {
            cond.push(sql.replace("{}", "?"));
            args.push(value(v));
        }
        let wh = cond.join(" AND ");
        let filter_args = args.len();
        if let Some((sql, values)) = f.key_condition() {
            cond.push(sql.replace("{}", "?"));
            args.extend(values.into_iter().map(value));
        }
        let (limit, offset) = f.limit_offset();
        args.push(Value::Integer(limit));
        args.push(Value::Integer(offset));
        // Selected next to the key (newest first before one), shown oldest first.
        let sql = format!(
            "SELECT * FROM (SELECT {SUMMARY_COLS} FROM applications WHERE {} ORDER BY {} LIMIT ? OFFSET ?) \
             ORDER BY received, id",
            cond.join(" AND "),
            f.select_order()
        );
        let page = |conn: &Connection| -> Result<Vec<ApplicationSummary>> {
            let mut st = conn.prepare_cached(&sql).map_err(be)?;
            let rows = st.query_map(params_from_iter(args.iter()), summary_row).map_err(be)?;
            rows.map(|r| summary_of(r.map_err(be)?, personal)).collect()
        };
        let Some(total) = f.known_total else {
            // The count and the page in one read transaction (one snapshot of the WAL): a
            // write committed between them cannot make the total disagree with the page.
            let tx = self.conn.transaction().map_err(be)?;
            let total = tx
                .prepare_cached(&format!("SELECT COUNT(*) FROM applications WHERE {wh}"))
                .map_err(be)?
                .query_row(params_from_iter(args[..filter_args].iter()), |r| r.get::<_, i64>(0))
                .map_err(be)? as u64;
            let rows = page(&tx)?;
            tx.commit().map_err(be)?;
            return Ok((rows, total));
        };
        Ok((page(&self.conn)?, total))
    }

    fn state_counts(&mut self, organs: &[OrganId], today: Date) -> Result<Vec<StateCount>> {
        use rusqlite::types::Value;
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

    fn due_list(&mut self, organs: &[OrganId], until: Date) -> Result<Vec<DueItem>> {
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
                Ok((app, event_of(&text)?))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(gongkai_store::fee_rows(events))
    }

    fn catalogue(&mut self, organ: OrganId) -> Result<Vec<CatalogueEntry>> {
        let mut st = self
            .conn
            .prepare_cached(&format!("SELECT {ENTRY_COLS} FROM catalogue WHERE organ = ?1 ORDER BY issued, seq, id"))
            .map_err(be)?;
        let rows = st.query_map([organ.0], entry_of).map_err(be)?;
        rows.map(|r| entry_from(r.map_err(be)?)).collect()
    }

    fn catalogue_entry(&mut self, id: EntryId) -> Result<CatalogueEntry> {
        get_entry(&self.conn, id)
    }

    fn counts(&mut self, organ: OrganId, year: i16) -> Result<Option<YearlyCounts>> {
        get_counts(&self.conn, organ, year)
    }

    fn cases(&mut self, organs: &[OrganId]) -> Result<Vec<Case>> {
        let sql = format!("SELECT {CASE_COLS} FROM cases WHERE organ IN ({}) ORDER BY filed, id", marks(organs.len()));
        let mut st = self.conn.prepare(&sql).map_err(be)?;
        let rows = st.query_map(params_from_iter(organs.iter().map(|o| o.0)), case_of).map_err(be)?;
        rows.map(|r| case_from(r.map_err(be)?)).collect()
    }

    fn case(&mut self, id: CaseId) -> Result<Case> {
        get_case(&self.conn, id)
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

    fn record_login(&mut self, id: UserId, ok: bool, locked_until: Option<i64>) -> Result<bool> {
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
        Ok(n > 0)
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

    fn audit_log(&mut self, entity: Entity, id: &str) -> Result<Vec<AuditEntry>> {
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
        rows.map(|r| {
            let t = r.map_err(be)?;
            Ok(AuditEntry {
                seq: t.0,
                at: t.1,
                actor: t.2,
                entity,
                entity_id: id.to_string(),
                before: audit_json(t.3.as_deref())?,
                after: audit_json(t.4.as_deref())?,
            })
        })
        .collect()
    }
}
